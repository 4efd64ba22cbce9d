//! Importing feeds: idempotence, updates, rejections by line, dry runs.

use std::io::Write;

use serde_json::json;
use tarjotin_api::importer::import_paths;
use tarjotin_api::importer::Silent;
use tarjotin_api::ingest::RecordKind;

use super::harness::{course_copies, demo_path, on_every_backend};

fn demo_paths() -> Vec<std::path::PathBuf> {
    ["organizations", "courses", "guidance-services"]
        .iter()
        .map(|n| demo_path(n).into())
        .collect()
}

fn feed_lines(name: &str) -> usize {
    std::fs::read_to_string(demo_path(name))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
}

#[tokio::test]
async fn importing_the_feeds_twice_changes_nothing_the_second_time() {
    on_every_backend(|app| async move {
        let first = import_paths(&app.store, &demo_paths(), false, &Silent)
            .await
            .unwrap();
        assert_eq!(first.exit_code(), 0, "{first}");
        assert_eq!(
            first.counts_of(RecordKind::Course).created as usize,
            feed_lines("courses")
        );
        assert_eq!(
            first.counts_of(RecordKind::Organisation).created as usize,
            feed_lines("organizations")
        );
        assert_eq!(
            first.counts_of(RecordKind::GuidanceService).created as usize,
            feed_lines("guidance-services")
        );

        let second = import_paths(&app.store, &demo_paths(), false, &Silent)
            .await
            .unwrap();
        assert_eq!(second.exit_code(), 0, "{second}");
        for kind in [
            RecordKind::Organisation,
            RecordKind::Course,
            RecordKind::GuidanceService,
        ] {
            let c = second.counts_of(kind);
            assert_eq!(
                (c.created, c.updated, c.rejected),
                (0, 0, 0),
                "{kind}: {second}"
            );
        }
        assert!(second.to_string().contains(&format!(
            "courses: 0 created, 0 updated, {} unchanged, 0 rejected",
            feed_lines("courses")
        )));

        let data = app
            .data(
                "{ courses { totalCount } guidanceServices { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(
            data["courses"]["totalCount"].as_u64().unwrap() as usize,
            feed_lines("courses")
        );
        assert_eq!(
            data["guidanceServices"]["totalCount"].as_u64().unwrap() as usize,
            feed_lines("guidance-services")
        );
    })
    .await;
}

#[tokio::test]
async fn a_changed_record_is_updated_and_its_version_bumped() {
    on_every_backend(|app| async move {
        import_paths(&app.store, &demo_paths(), false, &Silent).await.unwrap();
        let original = std::fs::read_to_string(demo_path("courses")).unwrap();
        let first_line = original.lines().next().unwrap();
        let mut course: serde_json::Value = serde_json::from_str(first_line).unwrap();
        course["keywords"] = json!("lähihoitaja, uusi avainsana");
        let dir = tempdir();
        let path = dir.join("changed.jsonl");
        std::fs::write(&path, format!("{course}\n")).unwrap();

        let report = import_paths(&app.store, &[path], false, &Silent).await.unwrap();
        assert_eq!(report.counts_of(RecordKind::Course).updated, 1, "{report}");
        let data = app
            .data(
                r#"{ courseByExternalId(externalId: "urn:kymi:course:ekami:1") { version keywords } }"#,
                json!({}),
            )
            .await;
        assert_eq!(data["courseByExternalId"]["version"], 2);
        assert!(data["courseByExternalId"]["keywords"].as_array().unwrap().contains(&json!("uusi avainsana")));
    })
    .await;
}

/// A directory of its own under the system's temp dir.
pub fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "tarjotin-test-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn broken_records_are_reported_by_line_and_the_rest_imported() {
    on_every_backend(|app| async move {
        let orgs = std::fs::read_to_string(demo_path("organizations")).unwrap();
        let courses = std::fs::read_to_string(demo_path("courses")).unwrap();
        let good: serde_json::Value = serde_json::from_str(courses.lines().next().unwrap()).unwrap();
        let variant = |n: u32, change: &dyn Fn(&mut serde_json::Value)| {
            let mut c = good.clone();
            c["@id"] = json!(format!("urn:test:course:{n}"));
            for (k, i) in c["hasCourseInstance"].as_array_mut().unwrap().iter_mut().enumerate() {
                i["@id"] = json!(format!("urn:test:course:{n}:instance:{k}"));
            }
            change(&mut c);
            c.to_string()
        };
        let lines = [
            variant(1, &|_| {}),
            "{ this is not json".to_string(),
            variant(3, &|c| {
                c.as_object_mut().unwrap().remove("name");
            }),
            variant(4, &|c| c["hasCourseInstance"][0]["endDate"] = json!("2020-01-01")),
            variant(5, &|c| {
                c["hasCourseInstance"][0]["location"] = json!({"@type": "Place", "name": "Jossain", "address": {"@type": "PostalAddress", "addressLocality": "Atlantis"}});
            }),
            variant(6, &|c| c["provider"] = json!({"@id": "urn:kymi:org:nobody"})),
            variant(7, &|c| c["url"] = json!("ftp://example.fi/kurssi")),
            variant(8, &|c| c["hasCourseInstance"][0]["offers"]["price"] = json!(-5)),
            variant(9, &|_| {}),
        ];
        let dir = tempdir();
        let path = dir.join("broken.jsonl");
        let mut file = std::fs::File::create(&path).unwrap();
        writeln!(file, "{}", lines.join("\n")).unwrap();
        let orgs_path = dir.join("orgs.jsonl");
        std::fs::write(&orgs_path, orgs).unwrap();

        let report = import_paths(&app.store, &[orgs_path, path.clone()], false, &Silent).await.unwrap();
        assert_eq!(report.exit_code(), 1, "{report}");
        assert_eq!(report.counts_of(RecordKind::Course).created, 2, "{report}");
        let expected = [
            (2, "INVALID_JSON"),
            (3, "REQUIRED"),
            (4, "END_BEFORE_START"),
            (5, "UNKNOWN_MUNICIPALITY"),
            (6, "UNKNOWN_ORGANISATION"),
            (7, "INVALID_URL"),
            (8, "NEGATIVE_PRICE"),
        ];
        let text = report.to_string();
        for (line, code) in expected {
            let rejection = report
                .rejections
                .iter()
                .find(|r| r.line == line)
                .unwrap_or_else(|| panic!("line {line} not rejected: {text}"));
            assert!(rejection.errors.iter().any(|e| e.code == code), "line {line}: {:?}", rejection.errors);
            assert!(text.contains(&format!("{}:{line}: ", path.display())), "{text}");
        }
        assert_eq!(report.rejections.len(), expected.len(), "{text}");
        assert!(text.contains("courses: 2 created, 0 updated, 0 unchanged, 6 rejected"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn a_missing_file_gives_exit_status_two_and_a_dry_run_writes_nothing() {
    on_every_backend(|app| async move {
        let mut paths = demo_paths();
        paths.push("/nonexistent/feed.jsonl".into());
        let report = import_paths(&app.store, &paths, true, &Silent)
            .await
            .unwrap();
        assert_eq!(report.exit_code(), 2, "{report}");
        assert_eq!(
            report.counts_of(RecordKind::Course).created as usize,
            feed_lines("courses")
        );
        let data = app
            .data(
                "{ courses { totalCount } organisations { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(data["courses"]["totalCount"], 0);
        assert_eq!(data["organisations"]["totalCount"], 0);
    })
    .await;
}

#[tokio::test]
async fn courses_written_in_one_chunk_keep_the_outcome_each_would_have_alone() {
    on_every_backend(|app| async move {
        let orgs = std::fs::read_to_string(demo_path("organizations")).unwrap();
        let courses = std::fs::read_to_string(demo_path("courses")).unwrap();
        let good: serde_json::Value = serde_json::from_str(courses.lines().next().unwrap()).unwrap();
        let variant = |n: u32, change: &dyn Fn(&mut serde_json::Value)| {
            let mut c = good.clone();
            c["@id"] = json!(format!("urn:test:course:{n}"));
            for (k, i) in c["hasCourseInstance"].as_array_mut().unwrap().iter_mut().enumerate() {
                i["@id"] = json!(format!("urn:test:course:{n}:instance:{k}"));
            }
            change(&mut c);
            c.to_string()
        };
        let lines = [
            variant(1, &|_| {}),
            variant(2, &|_| {}),
            // The first course again, changed: an update of what line 1 created.
            variant(1, &|c| c["keywords"] = json!("uusi avainsana")),
            // An instance of the second course under a third one.
            variant(3, &|c| c["hasCourseInstance"][0]["@id"] = json!("urn:test:course:2:instance:0")),
            variant(4, &|c| c["provider"] = json!({"@id": "urn:kymi:org:nobody"})),
            variant(5, &|_| {}),
            // The second course again, unchanged.
            variant(2, &|_| {}),
        ];
        let dir = tempdir();
        let path = dir.join("chunk.jsonl");
        std::fs::write(&path, lines.join("\n")).unwrap();
        let orgs_path = dir.join("orgs.jsonl");
        std::fs::write(&orgs_path, orgs).unwrap();

        // The dry run's report is the real run's: records that depend on
        // earlier lines of the file (a new organisation, the same course
        // twice, an instance claimed by another course) see them.
        let dry = import_paths(&app.store, &[orgs_path.clone(), path.clone()], true, &Silent).await.unwrap();
        let dry_text = dry.to_string();
        assert!(dry_text.contains("courses: 3 created, 1 updated, 1 unchanged, 2 rejected"), "{dry_text}");
        let report = import_paths(&app.store, &[orgs_path, path.clone()], false, &Silent).await.unwrap();
        let text = report.to_string();
        assert!(text.contains("courses: 3 created, 1 updated, 1 unchanged, 2 rejected"), "{text}");
        assert_eq!(dry.rejections.len(), report.rejections.len(), "{dry_text}\n{text}");
        for (line, code) in [(4, "INSTANCE_OF_ANOTHER_COURSE"), (5, "UNKNOWN_ORGANISATION")] {
            let rejection = report.rejections.iter().find(|r| r.line == line).unwrap_or_else(|| panic!("line {line}: {text}"));
            assert!(rejection.errors.iter().any(|e| e.code == code), "line {line}: {:?}", rejection.errors);
        }
        let data = app
            .data(
                r#"{ courseByExternalId(externalId: "urn:test:course:1") { version keywords instances { totalCount } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(data["courseByExternalId"]["version"], 2);
        assert!(data["courseByExternalId"]["keywords"].as_array().unwrap().contains(&json!("uusi avainsana")));
        let entries = app
            .store
            .changes(&tarjotin_api::store::ChangeQuery::new(
                tarjotin_api::domain::Visibility::Everything,
                100_000,
            ))
            .await
            .unwrap();
        let first: Vec<(&str, &str, i32)> = entries
            .iter()
            .filter(|e| e.external_id.starts_with("urn:test:course:1"))
            .map(|e| (e.external_id.as_str(), e.operation.as_str(), e.version))
            .collect();
        assert_eq!(first[0], ("urn:test:course:1", "created", 1), "{first:?}");
        assert_eq!(first[1].1, "created", "{first:?}");
        assert!(first.contains(&("urn:test:course:1", "updated", 2)), "{first:?}");
        let ids: Vec<i32> = entries.iter().map(|e| e.id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids in order");
    })
    .await;
}

#[tokio::test]
async fn a_feed_of_new_courses_costs_a_few_statements_per_chunk() {
    on_every_backend(|app| async move {
        let orgs: Vec<std::path::PathBuf> = vec![demo_path("organizations").into()];
        import_paths(&app.store, &orgs, false, &Silent)
            .await
            .unwrap();
        app.take_statement_count();
        let courses: Vec<std::path::PathBuf> = vec![demo_path("courses").into()];
        let report = import_paths(&app.store, &courses, false, &Silent)
            .await
            .unwrap();
        let statements = app.take_statement_count();
        println!(
            "[{}] {statements} statements for {} courses",
            app.backend,
            feed_lines("courses")
        );
        assert_eq!(
            report.counts_of(RecordKind::Course).created as usize,
            feed_lines("courses"),
            "{report}"
        );
        assert!(
            statements < feed_lines("courses"),
            "[{}] {statements} statements",
            app.backend
        );
    })
    .await;
}

#[tokio::test]
async fn a_large_import_leaves_postgresql_with_fresh_statistics() {
    // Where autovacuum is off or behind, tables filled by an import looked
    // empty to PostgreSQL's planner, and every lookup of a chunk's ids
    // scanned them whole; a count could not use an index alone.
    let dir = tempdir();
    let feed = dir.join("feed.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&feed).unwrap());
    let summary =
        tarjotin_api::generate::generate(tarjotin_api::generate::Size::Courses(2_100), 7, &mut out)
            .unwrap();
    out.flush().unwrap();
    drop(out);
    on_every_backend(|app| {
        let feed = feed.clone();
        async move {
            let report = import_paths(&app.store, &[feed], false, &Silent)
                .await
                .unwrap();
            assert_eq!(
                report.counts_of(RecordKind::Course).created,
                summary.courses
            );
            // SQLite has no statistics to go stale in this way.
            let Some(url) = app.postgres_url() else {
                return;
            };
            use sea_orm::ConnectionTrait;
            let db = sea_orm::Database::connect(url.as_str()).await.unwrap();
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    // reltuples is -1 until the table is first analysed.
                    "SELECT reltuples > 0 AS analysed, relallvisible > 0 AS visible \
                     FROM pg_class WHERE relname = 'course' AND relkind = 'r'",
                ))
                .await
                .unwrap()
                .expect("course's statistics");
            let analysed: bool = row.try_get("", "analysed").unwrap();
            let visible: bool = row.try_get("", "visible").unwrap();
            assert!(analysed, "course was never analysed");
            assert!(visible, "course's pages are not marked all-visible");
            db.close().await.ok();
        }
    })
    .await;
    std::fs::remove_dir_all(&dir).ok();
}

/// A dry run of a large feed does not hold the write lock: a real write
/// started while it runs finishes before it, on an SQLite file (a pool of
/// connections, as `serve` has) and on PostgreSQL.
#[tokio::test]
async fn a_dry_run_does_not_block_writers() {
    let dir = tempdir();
    let mut apps = vec![super::harness::TestApp::sqlite_file(&dir).await];
    for backend in super::harness::Backend::all() {
        if matches!(backend, super::harness::Backend::Postgres { .. }) {
            apps.push(super::harness::TestApp::new(&backend).await);
        }
    }
    for app in apps {
        let orgs: Vec<std::path::PathBuf> = vec![demo_path("organizations").into()];
        import_paths(&app.store, &orgs, false, &Silent)
            .await
            .unwrap();
        let big = course_copies("dry", 300, &|_| {});
        let store = app.store.clone();
        let started = std::time::Instant::now();
        let dry = tokio::spawn(async move {
            let report = tarjotin_api::importer::import_text(
                &store,
                "big.jsonl",
                big,
                true,
                tarjotin_api::store::WriteOptions::cli(),
            )
            .await
            .unwrap();
            (report, started.elapsed())
        });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let write = tarjotin_api::importer::import_text(
            &app.store,
            "one.jsonl",
            course_copies("real", 1, &|_| {}),
            false,
            tarjotin_api::store::WriteOptions::cli(),
        )
        .await
        .unwrap();
        let wrote_at = started.elapsed();
        let (report, dry_took) = dry.await.unwrap();
        assert_eq!(write.exit_code(), 0, "{write}");
        assert_eq!(
            report.counts_of(RecordKind::Course).created,
            300,
            "{report}"
        );
        println!(
            "[{}] the write finished at {wrote_at:?}, the dry run at {dry_took:?}",
            app.backend
        );
        assert!(
            wrote_at < dry_took,
            "[{}] the write waited for the dry run: it finished at {wrote_at:?}, the dry run at {dry_took:?}",
            app.backend
        );
        let data = app.data("{ courses { totalCount } }", json!({})).await;
        assert_eq!(
            data["courses"]["totalCount"], 1,
            "only the real write is stored"
        );
        app.finish().await;
    }
}

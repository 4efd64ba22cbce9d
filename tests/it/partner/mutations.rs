//! Bulk upserts, idempotence, optimistic locking and partner-scoped feeds.

use serde_json::{json, Value};
use tarjotin_api::domain::Role;

use super::fixture::{course, course_id, course_input, load, OTHER, OWN};
use crate::harness::on_every_backend;

const UPSERT: &str = "mutation($i: [CourseInput!]!) { upsertCourses(input: $i) {
  created updated unchanged rejected
  results { externalId outcome course { externalId version state } userErrors { field code message } } } }";

#[tokio::test]
async fn a_bulk_upsert_of_a_hundred_with_five_invalid_writes_ninety_five_and_reports_five_with_paths(
) {
    on_every_backend(|app| async move {
        load(&app).await;
        let (_, partner) = app.key(Role::Partner, Some(OWN)).await;
        let bad = [7usize, 23, 42, 66, 99];
        let input: Vec<Value> = (0..100)
            .map(|i| {
                let mut c = course_input(OWN, &format!("{OWN}:bulk:{i}"));
                if bad.contains(&i) {
                    c["instances"][0]["endDate"] = json!("2026-01-01");
                }
                c
            })
            .collect();
        let data = app.data_as(partner, UPSERT, json!({"i": input})).await;
        let payload = &data["upsertCourses"];
        assert_eq!(
            (payload["created"].as_i64(), payload["rejected"].as_i64()),
            (Some(95), Some(5)),
            "{payload}"
        );
        for (i, r) in payload["results"].as_array().unwrap().iter().enumerate() {
            if bad.contains(&i) {
                assert_eq!(r["outcome"], "REJECTED");
                assert_eq!(r["userErrors"][0]["code"], "END_BEFORE_START");
                assert_eq!(
                    r["userErrors"][0]["field"],
                    json!(["input", i.to_string(), "instances", "0", "endDate"])
                );
            } else {
                assert_eq!(r["outcome"], "CREATED", "{r}");
                assert_eq!(r["course"]["state"], "DRAFT", "new courses are drafts");
            }
        }
        let admin = app.key(Role::Admin, None).await.1;
        let count = app
            .data_as(
                admin,
                "{ courses(filter: {providers: [\"urn:test:org:own\"]}, first: 1) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(count["courses"]["totalCount"], 7 + 95);
        let too_many: Vec<Value> = (0..101)
            .map(|i| course_input(OWN, &format!("x{i}")))
            .collect();
        let data = app.data_as(partner, UPSERT, json!({"i": too_many})).await;
        assert_eq!(data["upsertCourses"]["rejected"], 0);
        assert_eq!(data["upsertCourses"]["results"], json!([]));
    })
    .await;
}

#[tokio::test]
async fn the_same_input_twice_is_unchanged_the_second_time_and_keeps_its_version() {
    on_every_backend(|app| async move {
        load(&app).await;
        let (_, partner) = app.key(Role::Partner, Some(OWN)).await;
        let input = course_input(OWN, "urn:test:twice");
        let first = app
            .data_as(partner, UPSERT, json!({"i": [input.clone()]}))
            .await;
        let second = app
            .data_as(partner, UPSERT, json!({"i": [input.clone()]}))
            .await;
        assert_eq!(first["upsertCourses"]["results"][0]["outcome"], "CREATED");
        assert_eq!(
            second["upsertCourses"]["results"][0]["outcome"],
            "UNCHANGED"
        );
        assert_eq!(
            second["upsertCourses"]["results"][0]["course"]["version"],
            1
        );
        let mut changed = input.clone();
        changed["name"]["sv"] = json!("Ny kurs");
        let third = app.data_as(partner, UPSERT, json!({"i": [changed]})).await;
        assert_eq!(third["upsertCourses"]["results"][0]["outcome"], "UPDATED");
        assert_eq!(third["upsertCourses"]["results"][0]["course"]["version"], 2);
        // Leaving out instances keeps them; leaving out state keeps it.
        let mut bare = input.clone();
        bare.as_object_mut().unwrap().remove("instances");
        bare["name"]["sv"] = json!("Ny kurs");
        let fourth = app.data_as(partner, UPSERT, json!({"i": [bare]})).await;
        assert_eq!(
            fourth["upsertCourses"]["results"][0]["outcome"], "UNCHANGED",
            "{fourth}"
        );
    })
    .await;
}

#[tokio::test]
async fn two_updates_with_the_same_expected_version_one_wins_and_one_is_stale() {
    on_every_backend(|app| async move {
        load(&app).await;
        let (_, partner) = app.key(Role::Partner, Some(OWN)).await;
        let id = course_id(OWN, "a");
        let mut one = course_input(OWN, &id);
        one["expectedVersion"] = json!(1);
        one["name"]["fi"] = json!("Ensimmäinen");
        let mut two = one.clone();
        two["name"]["fi"] = json!("Toinen");
        let (a, b) = tokio::join!(
            app.data_as(partner, UPSERT, json!({"i": [one]})),
            app.data_as(partner, UPSERT, json!({"i": [two]}))
        );
        let mut outcomes: Vec<String> = [&a, &b]
            .iter()
            .map(|d| {
                d["upsertCourses"]["results"][0]["outcome"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        outcomes.sort();
        assert_eq!(outcomes, ["REJECTED", "UPDATED"], "{a} {b}");
        let loser = if a["upsertCourses"]["rejected"] == 1 {
            &a
        } else {
            &b
        };
        let error = &loser["upsertCourses"]["results"][0]["userErrors"][0];
        assert_eq!(error["code"], "STALE_VERSION");
        assert_eq!(error["field"], json!(["input", "0", "expectedVersion"]));
        let now = app
            .data(
                &format!("{{ courseByExternalId(externalId: \"{id}\") {{ version }} }}"),
                json!({}),
            )
            .await;
        assert_eq!(now["courseByExternalId"]["version"], 2);
    })
    .await;
}

#[tokio::test]
async fn a_partners_feed_that_mentions_another_provider_is_refused_for_those_records_only() {
    on_every_backend(|app| async move {
        load(&app).await;
        let (_, partner) = app.key(Role::Partner, Some(OWN)).await;
        let lines = [
            course(OWN, "feed1"),
            course(OTHER, "feed2"),
            course(OWN, "feed3"),
            course(OTHER, "a"),
        ];
        let mut own_taking_other = course(OWN, "x");
        own_taking_other["@id"] = json!(course_id(OTHER, "b"));
        let data = lines
            .iter()
            .chain([&own_taking_other])
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        let q = "mutation($d: String!, $dry: Boolean) { importFeed(format: SCHEMA_ORG_JSONLD, data: $d, dryRun: $dry) {
            dryRun courses { created updated unchanged rejected } rejections { line externalId errors { field code } } report } }";
        let dry = app.data_as(partner, q, json!({"d": data, "dry": true})).await;
        assert_eq!(dry["importFeed"]["courses"]["created"], 2);
        let before = app.data("{ courses(first: 1) { totalCount } }", json!({})).await;
        let done = app.data_as(partner, q, json!({"d": data})).await;
        let report = &done["importFeed"];
        assert_eq!(report["courses"], json!({"created": 2, "updated": 0, "unchanged": 0, "rejected": 3}), "{report}");
        let lines: Vec<i64> = report["rejections"].as_array().unwrap().iter().map(|r| r["line"].as_i64().unwrap()).collect();
        assert_eq!(lines, [2, 4, 5]);
        // Another provider is not this key's to name (FORBIDDEN); another
        // organisation's existing course is not found, as a missing one.
        let codes: Vec<&str> = report["rejections"].as_array().unwrap().iter().map(|r| r["errors"][0]["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["FORBIDDEN", "NOT_FOUND", "NOT_FOUND"], "{report}");
        assert!(report["report"].as_str().unwrap().contains("feed.jsonl:2: provider:"), "{report}");
        let after = app.data("{ courses(first: 1) { totalCount } }", json!({})).await;
        assert_eq!(after["courses"]["totalCount"].as_i64().unwrap(), before["courses"]["totalCount"].as_i64().unwrap() + 2);
        let other = app
            .data(&format!("{{ courseByExternalId(externalId: \"{}\") {{ version name }} }}", course_id(OTHER, "b")), json!({}))
            .await;
        assert_eq!(other["courseByExternalId"]["version"], 1, "another provider's course is untouched");
    })
    .await;
}

#[tokio::test]
async fn control_characters_in_a_feed_or_an_input_are_refused_with_their_field() {
    on_every_backend(|app| async move {
        load(&app).await;
        let (_, partner) = app.key(Role::Partner, Some(OWN)).await;
        let mut nul = course(OWN, "nul");
        nul["name"] = json!("Hitsaus\u{0}kurssi");
        let mut bell = course(OWN, "bell");
        bell["description"] = json!("Kuvaus\u{7}");
        let good = course(OWN, "good");
        let data = [nul, bell, good]
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        let q = "mutation($d: String!) { importFeed(format: SCHEMA_ORG_JSONLD, data: $d) {
            courses { created rejected } rejections { line errors { field code } } } }";
        let done = app.data_as(partner, q, json!({ "d": data })).await;
        let report = &done["importFeed"];
        assert_eq!(report["courses"], json!({"created": 1, "rejected": 2}), "{report}");
        let errors: Vec<(String, String)> = report["rejections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let e = &r["errors"][0];
                (e["field"].to_string(), e["code"].as_str().unwrap().to_string())
            })
            .collect();
        assert_eq!(errors[0].1, "INVALID_CHARACTER", "{report}");
        assert!(errors[0].0.contains("name"), "{report}");
        assert_eq!(errors[1].1, "INVALID_CHARACTER", "{report}");
        assert!(errors[1].0.contains("description"), "{report}");

        let mut input = course_input(OWN, "urn:test:org:own:course:ctl");
        input["name"] = json!({ "fi": "Nimi\u{1b}[31m" });
        let answer = app
            .run_as(
                partner,
                "mutation($i: [CourseInput!]!) { upsertCourses(input: $i) { results { outcome userErrors { field code } } } }",
                json!({ "i": [input] }),
            )
            .await;
        let result = &answer["data"]["upsertCourses"]["results"][0];
        assert_eq!(result["outcome"], "REJECTED", "{answer}");
        assert_eq!(result["userErrors"][0]["code"], "INVALID_CHARACTER", "{answer}");
    })
    .await;
}

/// The embedded default is an SQLite file with a pool of connections:
/// concurrent writers queue for the write lock instead of failing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_on_an_sqlite_file_queue_and_none_fails() {
    let dir = std::env::temp_dir().join(format!(
        "tarjotin-concurrent-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let app = crate::harness::TestApp::sqlite_file(&dir).await;
    load(&app).await;
    let (_, partner) = app.key(Role::Partner, Some(OWN)).await;
    let upsert = "mutation($i: [CourseInput!]!) { upsertCourses(input: $i) { created updated rejected results { userErrors { code message } } } }";
    let writers = (0..12).map(|n| {
        let app = app.clone();
        tokio::spawn(async move {
            let id = format!("urn:test:org:own:course:concurrent{n}");
            let answer = app
                .run_as(partner, upsert, json!({ "i": [course_input(OWN, &id)] }))
                .await;
            let mut changed = course_input(OWN, &id);
            changed["name"]["fi"] = json!(format!("Muutettu {n}"));
            let again = app.run_as(partner, upsert, json!({ "i": [changed] })).await;
            (answer, again)
        })
    });
    for writer in futures_util::future::join_all(writers).await {
        let (first, second) = writer.unwrap();
        assert!(first.get("errors").is_none(), "{first}");
        assert_eq!(first["data"]["upsertCourses"]["created"], 1, "{first}");
        assert!(second.get("errors").is_none(), "{second}");
        assert_eq!(second["data"]["upsertCourses"]["updated"], 1, "{second}");
    }
    let feed = app
        .data_as(
            partner,
            "{ changes(since: \"2000-01-01T00:00:00Z\", first: 100) { nodes { entity externalId operation version } } }",
            json!({}),
        )
        .await;
    let ours: Vec<&Value> = feed["changes"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["externalId"].as_str().unwrap().contains("concurrent"))
        .filter(|c| c["entity"] == "COURSE")
        .collect();
    assert_eq!(
        ours.len(),
        24,
        "every course write is in the change feed once: {feed}"
    );
    assert!(ours
        .iter()
        .all(|c| (c["operation"] == "CREATED" && c["version"] == 1)
            || (c["operation"] == "UPDATED" && c["version"] == 2)));
    drop(app);
    std::fs::remove_dir_all(&dir).ok();
}

//! The crash test: `tarjotin` is killed with SIGKILL at chosen points
//! (`TARJOTIN_CRASH_AT`), restarted, and then the database and the index
//! must agree, with no write lost and none applied twice. The points: mid
//! import (a batch committed, the next not), mid outbox batch (the engine
//! took it, the outbox does not know), mid rebuild (a page in the fresh
//! index, no swap), mid scheduler pass (one course moved, the next not).
//! Runs on an SQLite file and, with TEST_DATABASE_URL, on PostgreSQL; on
//! the embedded engine and, with MEILI_URL, on Meilisearch.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use tarjotin_api::domain::Visibility;
use tarjotin_api::store::{ChangeQuery, Store};

use super::harness::{course_copies, demo_path, Backend, TestApp};
use super::process::{command, scratch, Process};

const COURSES: usize = 1200;
const SCHEDULED: usize = 4;

/// `n` copies of the first demo course under new ids, with `keyword` and `state`.
fn copies(prefix: &str, n: usize, keyword: &str, state: &str) -> String {
    course_copies(&format!("crash:{prefix}"), n, &|c| {
        c["keywords"] = json!(keyword);
        c["creativeWorkStatus"] = json!(state);
    })
}

/// Runs `tarjotin import` on `files`: (exit code, stdout, stderr).
fn import(
    dir: &std::path::Path,
    env: &[(&str, String)],
    files: &[&std::path::Path],
) -> (Option<i32>, String, String) {
    let out = command(dir, env)
        .arg("import")
        .args(files)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Starts `serve` armed at `point` (running `once_ready` when it is ready)
/// and waits for it to kill itself there.
async fn crash_serving(
    dir: &std::path::Path,
    env: &[(&str, String)],
    point: &str,
    once_ready: Option<&dyn Fn()>,
) {
    let mut armed = env.to_vec();
    armed.push(("TARJOTIN_CRASH_AT", point.to_string()));
    let mut server = Process::serve(dir, &format!("crash-{}", point.replace(':', "-")), &armed);
    if let Some(act) = once_ready {
        server.wait_ready(Duration::from_secs(120)).await;
        act();
    }
    let code = server.wait_exit(Duration::from_secs(120)).await;
    assert_eq!(
        code,
        None,
        "killed by a signal at {point}: {}",
        server.log()
    );
    assert!(
        server.log().contains("killing the process here"),
        "{}",
        server.log()
    );
}

/// Every write in the change log, per external id: (operations, versions).
async fn journal(store: &Store) -> BTreeMap<String, Vec<(String, i32, String)>> {
    let mut out: BTreeMap<String, Vec<(String, i32, String)>> = BTreeMap::new();
    for e in store
        .changes(&ChangeQuery::new(Visibility::Everything, 1_000_000))
        .await
        .unwrap()
    {
        if e.entity == "course" {
            out.entry(e.external_id)
                .or_default()
                .push((e.operation, e.version, e.actor));
        }
    }
    out
}

/// A restarted server's database and index agree: nothing pending, every
/// published course found, each in its latest version (`keyword` finds
/// exactly `with_keyword`).
async fn agree(server: &Process, keyword: &str, with_keyword: u64) {
    let mut last = Value::Null;
    for _ in 0..600 {
        let (_, body) = server
            .query(&format!(
                "{{ indexStatus {{ pendingChanges }} courses {{ totalCount }} all: search(first: 0) {{ totalCount }} kw: search(query: \"{keyword}\", first: 0) {{ totalCount }} }}"
            ))
            .await;
        let d = &body["data"];
        if d["indexStatus"]["pendingChanges"] == 0
            && d["all"]["totalCount"] == d["courses"]["totalCount"]
            && d["kw"]["totalCount"] == with_keyword
        {
            return;
        }
        last = body;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the database and the index do not agree: {last}\n{}",
        server.log()
    );
}

#[tokio::test]
async fn killed_at_any_point_the_database_and_the_index_agree_and_nothing_is_lost_or_doubled() {
    let meili = match (
        std::env::var("MEILI_URL"),
        std::env::var("MEILI_MASTER_KEY"),
    ) {
        (Ok(url), Ok(key)) => Some((url, key)),
        _ => {
            eprintln!("the crash test runs on the embedded engine only: MEILI_URL and MEILI_MASTER_KEY are not set");
            None
        }
    };
    let mut survived = 0;
    for backend in Backend::all() {
        for engine in ["embedded", "meilisearch"] {
            if engine == "meilisearch" && meili.is_none() {
                continue;
            }
            let dir = scratch("crash");
            let (url, app) = match &backend {
                Backend::Sqlite => (
                    format!("sqlite://{}?mode=rwc", dir.join("catalogue.db").display()),
                    None,
                ),
                Backend::Postgres { .. } => {
                    let app = TestApp::new(&backend).await;
                    (app.postgres_url().unwrap(), Some(app))
                }
            };
            let label = format!(
                "{} + {engine}",
                if app.is_some() { "postgres" } else { "sqlite" }
            );
            let mut env = vec![("DATABASE_URL", url.clone())];
            if let (Some((meili_url, key)), "meilisearch") = (&meili, engine) {
                env.push(("MEILI_URL", meili_url.clone()));
                env.push(("MEILI_MASTER_KEY", key.clone()));
                env.push((
                    "TARJOTIN_MEILI_INDEX",
                    format!(
                        "tarjotin_crash_{}_{}",
                        std::process::id(),
                        chrono::Utc::now().timestamp_micros()
                    ),
                ));
            }

            // 1. Mid import: the first batch is committed, the rest is not.
            let feed = dir.join("courses.jsonl");
            std::fs::write(&feed, copies("c", COURSES, "alku", "published")).unwrap();
            let orgs = std::path::PathBuf::from(demo_path("organizations"));
            let mut armed = env.clone();
            armed.push(("TARJOTIN_CRASH_AT", "import-batch".into()));
            let (code, _, stderr) = import(&dir, &armed, &[&orgs, &feed]);
            assert_eq!(code, None, "[{label}] the import was killed: {stderr}");
            let store = Store::connect(&url, None).await.unwrap();
            let kept = store.course_row_count().await.unwrap() as usize;
            assert!(
                kept > 0 && kept < COURSES,
                "[{label}] {kept} courses after the kill"
            );
            let (code, stdout, stderr) = import(&dir, &env, &[&orgs, &feed]);
            assert_eq!(code, Some(0), "[{label}] {stdout}{stderr}");
            assert!(
                stdout.contains(&format!(
                    "courses: {} created, 0 updated, {kept} unchanged, 0 rejected",
                    COURSES - kept
                )),
                "[{label}] {stdout}"
            );
            survived += 1;

            // 2. Mid rebuild: the first start builds the index and dies
            // after its first page.
            crash_serving(&dir, &env, "rebuild-page", None).await;
            let mut server = Process::serve(&dir, "after-rebuild", &env);
            server.wait_ready(Duration::from_secs(120)).await;
            agree(&server, "alku", COURSES as u64).await;
            server.kill();
            survived += 1;

            // 3. Mid outbox batch: the engine took the batch, the outbox was
            // not told. The changes come from an import beside the server.
            let changed = dir.join("changed.jsonl");
            std::fs::write(&changed, copies("c", COURSES, "muutos", "published")).unwrap();
            let change = || {
                let (code, stdout, stderr) = import(&dir, &env, &[&changed]);
                assert_eq!(code, Some(0), "{stdout}{stderr}");
            };
            crash_serving(&dir, &env, "outbox-applied", Some(&change)).await;
            let mut server = Process::serve(&dir, "after-outbox", &env);
            server.wait_ready(Duration::from_secs(120)).await;
            agree(&server, "muutos", COURSES as u64).await;
            server.kill();
            survived += 1;

            // 4. Mid scheduler pass: drafts due for publication; the pass
            // publishes one and dies.
            let drafts = dir.join("drafts.jsonl");
            std::fs::write(&drafts, copies("s", SCHEDULED, "ajastettu", "draft")).unwrap();
            let (code, stdout, stderr) = import(&dir, &env, &[&drafts]);
            assert_eq!(code, Some(0), "[{label}] {stdout}{stderr}");
            let db = sea_orm::Database::connect(url.as_str()).await.unwrap();
            entity::course::Entity::update_many()
                .col_expr(
                    entity::course::Column::PublishAt,
                    sea_orm::sea_query::Expr::value(
                        chrono::Utc::now() - chrono::Duration::hours(1),
                    ),
                )
                .filter(entity::course::Column::ExternalId.starts_with("urn:test:crash:s:"))
                .exec(&db)
                .await
                .unwrap();
            db.close().await.ok();
            crash_serving(&dir, &env, "scheduler-step:2", None).await;
            let mut server = Process::serve(&dir, "after-scheduler", &env);
            server.wait_ready(Duration::from_secs(120)).await;
            agree(&server, "ajastettu", SCHEDULED as u64).await;
            server.kill();
            survived += 1;

            // No write lost, none applied twice: every course was created
            // once; the copies were updated once, the scheduled ones
            // published once, by the scheduler.
            let log = journal(&store).await;
            for k in 0..COURSES {
                let ops: Vec<&str> = log[&format!("urn:test:crash:c:{k}")]
                    .iter()
                    .map(|(o, _, _)| o.as_str())
                    .collect();
                assert_eq!(
                    ops,
                    ["created", "updated"],
                    "[{label}] course {k}: {:?}",
                    log[&format!("urn:test:crash:c:{k}")]
                );
            }
            for k in 0..SCHEDULED {
                let entries = &log[&format!("urn:test:crash:s:{k}")];
                let ops: Vec<(&str, &str)> = entries
                    .iter()
                    .map(|(o, _, a)| (o.as_str(), a.as_str()))
                    .collect();
                assert_eq!(
                    ops,
                    [("created", "cli"), ("updated", "scheduler")],
                    "[{label}] scheduled {k}: {entries:?}"
                );
            }
            println!(
                "[{label}] survived kills mid import, rebuild, outbox batch and scheduler pass"
            );
            drop(store);
            if let Some(app) = app {
                app.finish().await;
            }
            std::fs::remove_dir_all(&dir).ok();
        }
    }
    println!("crash points survived: {survived}");
}

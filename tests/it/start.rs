//! How `tarjotin serve` starts: the listener first, whatever is away, and
//! one serving process per SQLite file or embedded index.

use std::time::Duration;

use super::harness::{Backend, TestApp};
use super::process::{scratch, Process};

/// A PostgreSQL URL where nothing answers.
fn nowhere() -> String {
    format!(
        "postgres://postgres@127.0.0.1:{}/tarjotin",
        super::process::free_port()
    )
}

#[tokio::test]
async fn the_listener_answers_at_once_and_says_the_database_is_away() {
    let dir = scratch("start-away");
    let server = Process::serve(&dir, "server", &[("DATABASE_URL", nowhere())]);
    let took = server.wait_listening(Duration::from_secs(10)).await;
    assert!(took < Duration::from_secs(2), "listening after {took:?}");
    let (status, body) = server.get("/healthz").await.unwrap();
    assert_eq!(status, 200, "{body}");
    // The first attempt may still be under way; the second names the wait.
    let mut ready = server.get("/readyz").await.unwrap();
    for _ in 0..100 {
        if ready.1["starting"]["step"]
            .as_str()
            .unwrap_or_default()
            .contains("waiting for the database")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        ready = server.get("/readyz").await.unwrap();
    }
    assert_eq!(ready.0, 503, "{}", ready.1);
    assert!(
        ready.1["starting"]["step"]
            .as_str()
            .unwrap()
            .contains("waiting for the database"),
        "{}",
        ready.1
    );
    let (status, body) = server.query("{ courses(first: 1) { totalCount } }").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "NOT_READY",
        "{body}"
    );
    assert!(
        !server.log().contains("postgres@"),
        "the database URL is not logged"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_second_server_on_one_sqlite_file_is_refused() {
    let dir = scratch("start-sqlite");
    let mut first = Process::serve(&dir, "first", &[]);
    first.wait_ready(Duration::from_secs(120)).await;
    let (status, body) = first
        .query(r#"{ search(query: "lähihoitaja", first: 1) { totalCount } }"#)
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["search"]["totalCount"].as_u64().unwrap() > 0);

    let mut second = Process::serve(&dir, "second", &[]);
    let code = second.wait_exit(Duration::from_secs(60)).await;
    assert_ne!(code, Some(0), "{}", second.log());
    assert!(
        second
            .log()
            .contains("another `tarjotin serve` uses this SQLite database"),
        "{}",
        second.log()
    );
    let (status, _) = first.get("/readyz").await.unwrap();
    assert_eq!(status, 200, "the first one serves on");
    drop(first);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_second_server_with_the_embedded_engine_on_one_postgres_is_refused() {
    let Some(backend) = Backend::all()
        .into_iter()
        .find(|b| matches!(b, Backend::Postgres { .. }))
    else {
        eprintln!("skipping the PostgreSQL start test: TEST_DATABASE_URL is not set");
        return;
    };
    let app = TestApp::new(&backend).await;
    let url = app.postgres_url().unwrap();
    let dir = scratch("start-pg-embedded");
    let mut first = Process::serve(&dir, "first", &[("DATABASE_URL", url.clone())]);
    first.wait_ready(Duration::from_secs(120)).await;
    let mut second = Process::serve(&dir, "second", &[("DATABASE_URL", url)]);
    let code = second.wait_exit(Duration::from_secs(60)).await;
    assert_ne!(code, Some(0), "{}", second.log());
    assert!(
        second.log().contains("several processes need Meilisearch"),
        "{}",
        second.log()
    );
    drop(first);
    app.finish().await;
    std::fs::remove_dir_all(&dir).ok();
}

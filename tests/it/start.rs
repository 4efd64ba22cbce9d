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

/// Secrets planted in every setting that takes one appear in no log line,
/// no answer and no error of the server or the command line, whatever fails.
#[tokio::test]
async fn planted_secrets_leave_the_process_in_no_log_answer_or_error() {
    let dir = scratch("secrets");
    let port = || super::process::free_port();
    let env = vec![
        (
            "DATABASE_URL",
            format!("postgres://tarjotin:PlantedDbPass1@127.0.0.1:{}/tarjotin?password=PlantedDbPass2&sslmode=disable", port()),
        ),
        ("MEILI_URL", format!("http://meili:PlantedMeiliPass3@127.0.0.1:{}/", port())),
        ("MEILI_MASTER_KEY", "PlantedMasterKey4-0123456789abcdef".to_string()),
        ("REDIS_URL", format!("redis://:PlantedRedisPass5@127.0.0.1:{}/0", port())),
        ("TARJOTIN_RATE_LIMIT", "on".to_string()),
    ];
    let secrets = [
        "PlantedDbPass1",
        "PlantedDbPass2",
        "PlantedMeiliPass3",
        "PlantedMasterKey4",
        "PlantedRedisPass5",
    ];
    let mut seen = String::new();
    let server = Process::serve(&dir, "server", &env);
    server.wait_listening(Duration::from_secs(10)).await;
    // Let every dependency fail a few times.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for path in ["/readyz", "/healthz", "/metrics"] {
        if let Some((status, body)) = server.get(path).await {
            seen.push_str(&format!("{path} {status} {body}\n"));
        }
    }
    let (status, body) = server
        .query("{ search(query: \"x\") { totalCount } courses { totalCount } }")
        .await;
    seen.push_str(&format!("graphql {status} {body}\n"));
    drop(server);
    seen.push_str(&std::fs::read_to_string(dir.join("server.log")).unwrap_or_default());
    for args in [
        vec!["import", "--dry-run", "/nonexistent.jsonl"],
        vec!["keys", "list"],
        vec!["migrate"],
        vec!["reindex"],
    ] {
        let out = super::process::command(&dir, &env)
            .args(&args)
            .output()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&out.stdout));
        seen.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    assert!(seen.contains("127.0.0.1"), "the errors name where: {seen}");
    for secret in secrets {
        assert!(!seen.contains(secret), "{secret} leaked:\n{seen}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

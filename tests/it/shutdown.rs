//! How the server and an import stop: one shutdown path for SIGINT and
//! SIGTERM, in-flight requests finish, an import stopped part-way reports
//! what it committed and can be resumed, and a feed cut off commits nothing.

use std::io::{Read, Write};
use std::process::Stdio;
use std::time::Duration;

use serde_json::json;

use super::harness::{course_copies, demo_path, Backend, TestApp};
use super::process::{command, scratch, Process};

fn signal(pid: u32, name: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn sigint_and_sigterm_let_a_request_in_flight_finish_and_exit_cleanly() {
    for name in ["INT", "TERM"] {
        let dir = scratch("shutdown");
        let mut server = Process::serve(
            &dir,
            "server",
            &[("TARJOTIN_SHUTDOWN_TIMEOUT_SECS", "20".into())],
        );
        server.wait_ready(Duration::from_secs(60)).await;
        // A request whose body is still arriving when the signal comes.
        let body = json!({ "query": "{ courses(first: 1) { totalCount } }" }).to_string();
        let addr = server.base.trim_start_matches("http://").to_string();
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        write!(
            stream,
            "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .unwrap();
        let (head, tail) = body.split_at(10);
        stream.write_all(head.as_bytes()).unwrap();
        stream.flush().unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        signal(server.child.id(), name);
        tokio::time::sleep(Duration::from_millis(500)).await;
        stream.write_all(tail.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "SIG{name}: {answer}");
        assert!(answer.contains("totalCount"), "SIG{name}: {answer}");
        let code = server.wait_exit(Duration::from_secs(25)).await;
        assert_eq!(code, Some(0), "SIG{name}: {}", server.log());
        let log = server.log();
        assert!(
            log.contains(&format!("SIG{name}")) && log.contains("\"stopped\""),
            "{log}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[tokio::test]
async fn an_import_stopped_by_a_signal_reports_what_it_committed_and_resumes() {
    let dir = scratch("import-stop");
    let feed = dir.join("courses.jsonl");
    let orgs = demo_path("organizations");
    std::fs::write(&feed, course_copies("stop", 3000, &|_| {})).unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.join("catalogue.db").display());
    let run = || {
        command(&dir, &[("DATABASE_URL", db.clone())])
            .args(["import", &orgs, feed.to_str().unwrap()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let child = run();
    let pid = child.id();
    // Signal once the first batch of courses is committed.
    let watcher = loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Ok(store) = tarjotin_api::store::Store::connect(&db, None).await {
            break store;
        }
    };
    for _ in 0..600 {
        if watcher.course_row_count().await.unwrap_or(0) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    signal(pid, "INT");
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(stdout.contains("stopped before"), "{stdout}");
    let created: u64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("courses: "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(created > 0 && created < 3000, "{stdout}");

    // What it reported is what the database holds, and the same command
    // finishes the job.
    let again = run().wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert_eq!(again.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "courses: {} created, 0 updated, {created} unchanged, 0 rejected",
            3000 - created
        )),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_feed_cut_off_part_way_commits_nothing() {
    for backend in Backend::all() {
        let app = TestApp::new(&backend).await;
        let orgs: Vec<std::path::PathBuf> = vec![demo_path("organizations").into()];
        tarjotin_api::importer::import_paths(
            &app.store,
            &orgs,
            false,
            &tarjotin_api::importer::Silent,
        )
        .await
        .unwrap();
        let write = |prefix: &'static str| {
            let store = app.store.clone();
            async move {
                tarjotin_api::importer::import_text(
                    &store,
                    "feed.jsonl",
                    course_copies(prefix, 300, &|_| {}),
                    false,
                    tarjotin_api::store::WriteOptions::cli(),
                )
                .await
                .unwrap()
            }
        };
        let started = std::time::Instant::now();
        write("whole").await;
        let whole = started.elapsed();
        // The same feed again under other ids, cut off half-way.
        let cut = tokio::time::timeout(whole / 2, write("cut")).await;
        assert!(
            cut.is_err(),
            "[{}] cut off after {:?}",
            app.backend,
            whole / 2
        );
        // The dropped transaction rolls back.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let data = app.data("{ courses { totalCount } }", json!({})).await;
        assert_eq!(
            data["courses"]["totalCount"], 300,
            "[{}] only the whole feed is there",
            app.backend
        );
        app.finish().await;
    }
}

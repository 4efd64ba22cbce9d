//! Operations: readiness with the indexing lag, Prometheus metrics, and a
//! graceful stop of the server and the indexing worker.

use std::time::Duration;

use serde_json::{json, Value};
use sha2::Digest;
use tarjotin_api::config::HttpSettings;
use tarjotin_api::domain::Role;
use tarjotin_api::http::HttpOptions;
use tarjotin_api::importer::{import, FeedFile, ImportReport, Silent};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::harness::{demo_path, on_every_backend, TestApp};
use super::server::{client, send, Server, GQL};

async fn import_without_indexing(app: &TestApp) {
    let files: Vec<FeedFile> = ["organizations", "courses", "guidance-services"]
        .iter()
        .map(|name| FeedFile {
            text: std::fs::read_to_string(demo_path(name)).unwrap(),
            path: demo_path(name).into(),
        })
        .collect();
    let mut report = ImportReport::default();
    import(&app.store, &files, &mut report, &Silent)
        .await
        .unwrap();
}

#[tokio::test]
async fn readyz_reports_index_lag_as_degraded_and_metrics_are_for_operators() {
    on_every_backend(|app| async move {
        import_without_indexing(&app).await;
        let settings = HttpSettings {
            ready_max_outbox_lag: Some(Duration::ZERO),
            ..HttpSettings::default()
        };
        let ops = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let options = HttpOptions {
            ops: Some(ops),
            ..HttpOptions::local(settings)
        };
        let server = Server::over(app.clone(), options);
        let ops_base = server.ops_base.clone().expect("an operations listener");
        // Listings and details are served from the database: a lagging
        // index degrades the replica, it does not take it out.
        let (status, _, body) = send(client().get(server.url("/readyz"))).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "degraded", "{body}");
        assert_eq!(body["outbox"]["status"], "lagging");
        assert!(body["search"]["pendingChanges"].as_u64().unwrap() > 0);
        assert!(body["search"]["lastError"].is_null(), "{body}");

        // Metrics are refused on the public listener without an
        // administrator's key, shown with one and on the operations listener.
        let (status, _, body) = send(client().get(server.url("/metrics"))).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
        let (partner, _) = app.key(Role::Partner, Some("urn:kymi:org:ksao")).await;
        let (status, _, _) = send(client().get(server.url("/metrics")).bearer_auth(&partner)).await;
        assert_eq!(status, 403, "a partner's key is not enough");
        let (admin, _) = app.key(Role::Admin, None).await;
        for request in [
            client().get(server.url("/metrics")).bearer_auth(&admin),
            client().get(format!("{ops_base}/metrics")),
        ] {
            let metrics = request.send().await.unwrap().text().await.unwrap();
            let pending: f64 = metrics
                .lines()
                .find_map(|l| l.strip_prefix("tarjotin_outbox_pending_changes "))
                .unwrap_or_else(|| panic!("{metrics}"))
                .parse()
                .unwrap();
            assert!(pending > 0.0, "{metrics}");
            assert!(
                metrics.contains("tarjotin_outbox_lag_seconds "),
                "{metrics}"
            );
        }
        app.search.drain().await.unwrap();
        let (status, _, body) = send(client().get(format!("{ops_base}/readyz"))).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "ready", "{body}");
        assert_eq!(body["database"], "ok");
        assert_eq!(body["search"]["status"], "ok");
        assert!(body["finnishAnalyzer"]["backend"].is_string());
        server.handle.stop(false).await;
    })
    .await;
}

#[tokio::test]
async fn metrics_count_requests_by_operation_cost_refusals_and_the_pool() {
    let server = Server::demo_with(HttpSettings {
        rate_limit: Some(tarjotin_api::ratelimit::RateConfig {
            capacity: 1000,
            restore_rate: 1,
        }),
        ..HttpSettings::default()
    })
    .await;
    // A name the client chose is `other`; the same operation run by the
    // hash of a persisted query is named.
    let regions = "query Regions { regions { code } }";
    let hash: String = sha2::Sha256::digest(regions.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let apq = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    send(server.post(GQL, json!({ "query": regions, "operationName": "Regions" }))).await;
    send(server.post(
        GQL,
        json!({ "query": regions, "operationName": "Regions", "extensions": apq }),
    ))
    .await;
    send(server.post(
        GQL,
        json!({ "operationName": "Regions", "extensions": apq }),
    ))
    .await;
    send(server.post(
        GQL,
        json!({ "query": "query Junk1234 { regions { code } }", "operationName": "Junk1234" }),
    ))
    .await;
    send(server.post(GQL, json!({ "query": "{ courses(first: 100) { nodes { instances(first: 100) { nodes { id } } } } }" }))).await;
    for _ in 0..2 {
        send(server.post(GQL, json!({ "query": "{ courses(first: 100) { nodes { instances(first: 7) { nodes { id } } } } }" }))).await;
    }
    let (admin, _) = server.app.key(Role::Admin, None).await;
    let response = client()
        .get(server.url("/metrics"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("openmetrics-text"));
    let text = response.text().await.unwrap();
    for expected in [
        "tarjotin_graphql_requests_total{operation=\"Regions\",status=\"200\"} 1",
        "tarjotin_graphql_requests_total{operation=\"other\",status=\"200\"} 3",
        "tarjotin_graphql_request_duration_seconds_count{operation=\"Regions\"} 1",
        "tarjotin_graphql_query_cost_count{kind=\"requested\"}",
        "tarjotin_graphql_refused_total{code=\"QUERY_TOO_COMPLEX\"} 1",
        "tarjotin_rate_limited_total{subject=\"ip\"} 1",
        "tarjotin_db_pool_connections{state=\"max\"}",
    ] {
        assert!(text.contains(expected), "{expected} missing:\n{text}");
    }
    assert!(!text.contains("Junk1234"), "{text}");
}

#[tokio::test]
async fn a_stopping_server_finishes_the_request_in_flight_and_the_worker_stops() {
    let server = Server::demo().await;
    let worker = server.app.search.clone().spawn_worker();
    let addr = server.base.trim_start_matches("http://").to_string();
    let body = json!({ "query": "{ regions { code } }" }).to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\naccept: {GQL}\r\ncontent-length: {}\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // "100 Continue" says the server has the request in hand.
    let mut seen = Vec::new();
    while !seen.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        stream.read_exact(&mut byte).await.unwrap();
        seen.push(byte[0]);
    }
    assert!(
        seen.starts_with(b"HTTP/1.1 100"),
        "{}",
        String::from_utf8_lossy(&seen)
    );
    let stopping = tokio::spawn(server.handle.stop(true));
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let json: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(json["data"]["regions"].as_array().unwrap().len(), 19);
    tokio::time::timeout(Duration::from_secs(30), stopping)
        .await
        .unwrap()
        .unwrap();
    tokio::time::timeout(
        Duration::from_secs(30),
        worker.stop(Duration::from_secs(10)),
    )
    .await
    .expect("the worker stops");
}

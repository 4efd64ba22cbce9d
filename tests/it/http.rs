//! A few requests over real HTTP against a server on a free port.

use std::net::TcpListener;

use serde_json::{json, Value};
use tarjotin_api::http::start;

use super::harness::{Backend, TestApp};

async fn spawn() -> (String, TestApp) {
    let app = TestApp::new(&Backend::Sqlite).await.with_demo().await;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let running = start(
        listener,
        app.schema.clone(),
        app.store.clone(),
        app.search.clone(),
    )
    .unwrap();
    tokio::spawn(running.server);
    (format!("http://{}", running.addr), app)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn queries_work_over_post_and_get() {
    let (base, _app) = spawn().await;
    let body: Value = client()
        .post(format!("{base}/graphql"))
        .json(&json!({"query": "{ courses(first: 1) { totalCount } }"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["courses"]["totalCount"], 324);
    let body: Value = client()
        .get(format!("{base}/graphql"))
        .query(&[("query", "{ regions { code } }")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["regions"].as_array().unwrap().len(), 19);
}

#[tokio::test]
async fn graphiql_health_and_the_root_redirect_answer() {
    let (base, _app) = spawn().await;
    let root = client().get(format!("{base}/")).send().await.unwrap();
    assert_eq!(root.status(), 302);
    assert_eq!(root.headers()["location"], "/graphiql");
    let page = client()
        .get(format!("{base}/graphiql"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("graphiql"));
    let health = client()
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let ready: Value = client()
        .get(format!("{base}/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["database"], "ok");
}

#[tokio::test]
async fn every_error_carries_a_code() {
    let (base, _app) = spawn().await;
    for query in [
        "{ courses(first: 5",
        "{ nosuchfield }",
        "{ courses(first: 500) { totalCount } }",
    ] {
        let body: Value = client()
            .post(format!("{base}/graphql"))
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let errors = body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("{query}: {body}"));
        for e in errors {
            assert!(e["extensions"]["code"].is_string(), "{query}: {e}");
        }
    }
}

#[tokio::test]
async fn malformed_requests_get_coded_json_errors() {
    let (base, _app) = spawn().await;
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (
            client()
                .post(format!("{base}/graphql"))
                .header("content-type", "application/json")
                .body("{\"query\": "),
            400,
            "BAD_REQUEST",
        ),
        (
            client()
                .post(format!("{base}/graphql"))
                .json(&json!({"query": "{ regions { code } }", "variables": [1]})),
            400,
            "BAD_REQUEST",
        ),
        (
            client()
                .post(format!("{base}/graphql"))
                .json(&json!({"variables": {}})),
            400,
            "BAD_REQUEST",
        ),
        (
            client()
                .post(format!("{base}/graphql"))
                .header("content-type", "application/json")
                .body(vec![b'x'; 300 * 1024]),
            413,
            "PAYLOAD_TOO_LARGE",
        ),
        (
            client().get(format!(
                "{base}/graphql?query={{regions{{code}}}}&variables=nope"
            )),
            400,
            "BAD_REQUEST",
        ),
        (
            client()
                .post(format!("{base}/graphql"))
                .header("content-type", "application/json")
                .body(vec![0xff, 0xfe, 0x00]),
            400,
            "BAD_REQUEST",
        ),
    ];
    for (request, status, code) in cases {
        let response = request
            .header("accept", "application/graphql-response+json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], code, "{body}");
    }
}

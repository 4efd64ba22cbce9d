//! GraphQL over HTTP as the specification asks: media types, status codes,
//! methods, body types, batching and CORS.

use serde_json::{json, Value};

use super::server::{client, code, send, Server, GQL};

#[tokio::test]
async fn the_answer_is_in_the_media_type_the_client_prefers() {
    let server = Server::demo().await;
    for (accept, expected) in [
        (GQL, GQL),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        (
            "application/graphql-response+json, application/json;q=0.9",
            GQL,
        ),
    ] {
        let (status, headers, body) =
            send(server.post(accept, json!({"query": "{ __typename }"}))).await;
        assert_eq!(status, 200, "{accept}");
        let ct = headers["content-type"].to_str().unwrap();
        assert!(
            ct.starts_with(expected) && ct.contains("utf-8"),
            "{accept}: {ct}"
        );
        assert_eq!(body["data"]["__typename"], "Query");
    }
    let (status, headers, body) =
        send(client().get(server.url("/graphql?query=%7B__typename%7D"))).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    assert_eq!(body["data"]["__typename"], "Query");
}

#[tokio::test]
async fn malformed_requests_are_400_under_either_media_type() {
    let server = Server::demo().await;
    let cases: Vec<Value> = vec![
        json!({"qeury": "{ __typename }"}),
        json!({"query": 0}),
        json!({"query": "{ __typename }", "variables": "x"}),
        json!({"query": "{ __typename }", "operationName": ["a"]}),
        json!({"query": "{ __typename }", "extensions": false}),
    ];
    for body in cases {
        for accept in [GQL, "application/json"] {
            let (status, _, answer) = send(server.post(accept, body.clone())).await;
            assert_eq!(
                (status, code(&answer)),
                (400, "BAD_REQUEST"),
                "{accept} {body}: {answer}"
            );
            assert!(
                answer["errors"][0]["extensions"]["field"].is_string(),
                "{answer}"
            );
            assert!(answer.get("data").is_none(), "{answer}");
        }
    }
    for accept in [GQL, "application/json"] {
        let broken = client()
            .post(server.url("/graphql"))
            .header("content-type", "application/json")
            .header("accept", accept)
            .body("{ \"not a JSON");
        let (status, _, answer) = send(broken).await;
        assert_eq!((status, code(&answer)), (400, "BAD_REQUEST"));
    }
}

#[tokio::test]
async fn document_errors_are_400_under_the_new_media_type_and_200_under_json() {
    let server = Server::demo().await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"query": "{"}), "GRAPHQL_PARSE_FAILED"),
        (
            json!({"query": "{ noSuchField }"}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        // A variable that does not coerce is the caller's input; a literal
        // of the wrong type makes the document invalid.
        (
            json!({"query": "query($n: Int!) { courses(first: $n) { totalCount } }", "variables": {"n": "x"}}),
            "BAD_USER_INPUT",
        ),
        (
            json!({"query": "query($f: CourseFilter) { courses(first: 2, filter: $f) { totalCount } }", "variables": {"f": {"teachingModes": ["NOT_A_MODE"]}}}),
            "BAD_USER_INPUT",
        ),
        (
            json!({"query": "{ courses(first: \"x\") { totalCount } }"}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ];
    for (body, expected) in cases {
        let (status, _, answer) = send(server.post(GQL, body.clone())).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer.get("data").is_none(), "{body}: {answer}");
        assert_eq!(code(&answer), expected, "{body}: {answer}");
        let (status, _, answer) = send(server.post("application/json", body.clone())).await;
        assert_eq!(status, 200, "{body}: {answer}");
        assert_eq!(code(&answer), expected, "{body}: {answer}");
    }
}

#[tokio::test]
async fn field_errors_keep_their_data_and_status_200() {
    let server = Server::demo().await;
    let (status, _, body) = server
        .query("{ regions { code } courses(first: 500) { totalCount } }")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert!(body.get("data").is_some());
}

#[tokio::test]
async fn mutations_over_get_are_refused_with_405_and_allow() {
    let server = Server::demo().await;
    let (status, headers, body) = send(
        client()
            .get(server.url("/graphql"))
            .query(&[("query", "mutation { __typename }")])
            .header("accept", GQL),
    )
    .await;
    assert_eq!(status, 405);
    assert_eq!(headers["allow"], "POST");
    assert_eq!(code(&body), "METHOD_NOT_ALLOWED");
    let (status, headers, _) = send(client().delete(server.url("/graphql"))).await;
    assert_eq!(status, 405);
    assert_eq!(headers["allow"], "GET, POST, OPTIONS");
}

#[tokio::test]
async fn unacceptable_accept_and_unsupported_bodies_are_refused() {
    let server = Server::demo().await;
    let (status, _, body) =
        send(server.post("text/html", json!({"query": "{ __typename }"}))).await;
    assert_eq!((status, code(&body)), (406, "NOT_ACCEPTABLE"));
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/json; charset=latin1"),
    ] {
        let mut request = client()
            .post(server.url("/graphql"))
            .body("{\"query\": \"{ __typename }\"}");
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        let (status, _, body) = send(request).await;
        assert_eq!(
            (status, code(&body)),
            (415, "UNSUPPORTED_MEDIA_TYPE"),
            "{content_type:?}"
        );
    }
}

#[tokio::test]
async fn batches_are_refused_with_a_reason() {
    let server = Server::demo().await;
    let (status, _, body) = send(server.post(
        GQL,
        json!([{"query": "{ __typename }"}, {"query": "{ __typename }"}]),
    ))
    .await;
    assert_eq!(status, 400);
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("batched"), "{message}");
}

#[tokio::test]
async fn any_origin_may_read_without_credentials_and_preflights_are_answered() {
    let server = Server::demo().await;
    let (status, headers, _) = send(
        client()
            .request(reqwest::Method::OPTIONS, server.url("/graphql"))
            .header("origin", "https://kurssit.example.fi")
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, authorization",
            ),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert!(headers.get("access-control-allow-credentials").is_none());
    // Browsers keep the answer a day instead of asking before every GET.
    assert_eq!(headers["access-control-max-age"], "86400");
    let methods = headers["access-control-allow-methods"].to_str().unwrap();
    assert!(
        methods.contains("POST") && methods.contains("GET"),
        "{methods}"
    );
    let (_, headers, _) = send(
        server
            .post(GQL, json!({"query": "{ __typename }"}))
            .header("origin", "https://kurssit.example.fi"),
    )
    .await;
    assert_eq!(headers["access-control-allow-origin"], "*");
    let exposed = headers["access-control-expose-headers"].to_str().unwrap();
    assert!(exposed.contains("x-ratelimit-remaining"), "{exposed}");
    // Every origin gets the same answer, so shared caches need not keep
    // one copy per origin.
    let vary: Vec<String> = headers
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .collect();
    assert!(!vary.iter().any(|v| v.contains("origin")), "{vary:?}");
    assert!(vary.iter().any(|v| v.contains("accept")), "{vary:?}");
}

#[tokio::test]
async fn only_configured_origins_may_read_when_origins_are_listed() {
    let settings = tarjotin_api::config::HttpSettings {
        cors_origins: tarjotin_api::config::CorsOrigins::List(vec![
            "https://kurssit.example.fi".into()
        ]),
        ..Default::default()
    };
    let server = Server::demo_with(settings).await;
    let (_, headers, _) = send(
        server
            .post(GQL, json!({"query": "{ __typename }"}))
            .header("origin", "https://kurssit.example.fi"),
    )
    .await;
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://kurssit.example.fi"
    );
    let (status, _, _) = send(
        client()
            .request(reqwest::Method::OPTIONS, server.url("/graphql"))
            .header("origin", "https://evil.example")
            .header("access-control-request-method", "POST"),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_sane_one_is_kept() {
    let server = Server::demo().await;
    let (_, headers, _) = server.query("{ __typename }").await;
    let generated = headers["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(generated.len(), 36, "{generated}");
    let (_, headers, _) = send(
        server
            .post(GQL, json!({"query": "{ __typename }"}))
            .header("x-request-id", "abc-123"),
    )
    .await;
    assert_eq!(headers["x-request-id"], "abc-123");
    let (_, headers, _) = send(
        client()
            .get(server.url("/healthz"))
            .header("x-request-id", "bad id with spaces"),
    )
    .await;
    assert_ne!(headers["x-request-id"], "bad id with spaces");
}

//! HTTP caching of public GET queries and automatic persisted queries.

use serde_json::json;
use sha2::{Digest, Sha256};

use tarjotin_api::domain::Role;

use super::server::{client, code, send, Server, GQL};

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn public_get_queries_carry_cache_control_and_an_etag_that_answers_304() {
    let server = Server::demo().await;
    let get = |q: &str| {
        client()
            .get(server.url("/graphql"))
            .query(&[("query", q)])
            .header("accept", GQL)
    };
    let (status, headers, _) = send(get("{ regions { code name } }")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["cache-control"], "public, max-age=3600");
    let (_, headers, _) = send(get(
        "{ regions { code } courses(first: 2) { nodes { name } } }",
    ))
    .await;
    assert_eq!(headers["cache-control"], "public, max-age=60");
    let etag = headers["etag"].to_str().unwrap().to_string();
    let (status, headers, body) = send(
        get("{ regions { code } courses(first: 2) { nodes { name } } }")
            .header("if-none-match", &etag),
    )
    .await;
    assert_eq!(status, 304);
    assert_eq!(headers["etag"].to_str().unwrap(), etag);
    assert!(body.is_null());
    let (status, _, _) = send(get("{ regions { code } }").header("if-none-match", &etag)).await;
    assert_eq!(status, 200, "another answer has another etag");
    let (_, headers, _) = send(get("{ indexStatus { pendingChanges } }")).await;
    assert_eq!(headers["cache-control"], "no-cache");
}

#[tokio::test]
async fn posts_errors_and_authenticated_requests_are_never_cached_publicly() {
    let server = Server::demo().await;
    let (_, headers, _) = server.query("{ regions { code } }").await;
    assert_eq!(headers["cache-control"], "no-store");
    assert!(headers.get("etag").is_none());
    let (token, _) = server.app.key(Role::Admin, None).await;
    let (status, headers, _) = send(
        client()
            .get(server.url("/graphql"))
            .query(&[("query", "{ regions { code } }")])
            .header("authorization", format!("Bearer {token}")),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["cache-control"], "private, no-store");
    let (status, _, body) = send(
        client()
            .get(server.url("/graphql"))
            .query(&[("query", "{ regions { code } }")])
            .header("authorization", "Bearer not-a-key"),
    )
    .await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"));
    let (_, headers, _) = send(
        client()
            .get(server.url("/graphql"))
            .query(&[("query", "{ courses(first: 500) { totalCount } }")]),
    )
    .await;
    assert_eq!(headers["cache-control"], "no-store");
}

#[tokio::test]
async fn persisted_queries_are_registered_once_and_then_run_by_hash_over_get_and_post() {
    let server = Server::demo().await;
    let query = "query Regions { regions { code } }";
    let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256(query) } });
    let by_get = || {
        client()
            .get(server.url("/graphql"))
            .query(&[("extensions", ext.to_string())])
            .header("accept", "application/json")
    };
    let (status, _, body) = send(by_get()).await;
    assert_eq!((status, code(&body)), (200, "PERSISTED_QUERY_NOT_FOUND"));
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    let (status, _, body) =
        send(server.post(GQL, json!({ "query": query, "extensions": ext }))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["regions"].as_array().unwrap().len(), 19);
    let (status, headers, body) = send(by_get()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["regions"].as_array().unwrap().len(), 19);
    assert_eq!(headers["cache-control"], "public, max-age=3600");
    let (_, _, body) = send(server.post(GQL, json!({ "extensions": ext }))).await;
    assert_eq!(body["data"]["regions"].as_array().unwrap().len(), 19);
}

#[tokio::test]
async fn a_hash_that_does_not_match_its_query_is_refused() {
    let server = Server::demo().await;
    let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256("{ other }") } });
    let (status, _, body) = send(server.post(
        GQL,
        json!({ "query": "{ regions { code } }", "extensions": ext }),
    ))
    .await;
    assert_eq!(
        (status, code(&body)),
        (400, "PERSISTED_QUERY_HASH_MISMATCH")
    );
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "extensions.persistedQuery.sha256Hash"
    );
    let (status, _, body) = send(server.post(GQL, json!({ "extensions": ext }))).await;
    assert_eq!(
        (status, code(&body)),
        (400, "PERSISTED_QUERY_NOT_FOUND"),
        "a mismatched query is not kept"
    );
}

#[tokio::test]
async fn a_persisted_query_that_does_not_validate_or_is_padded_is_not_kept() {
    let server = Server::demo().await;
    let padded = format!("{{ __typename }} #{}", "x".repeat(200 * 1024));
    for query in ["{ noSuchField }", padded.as_str()] {
        let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256(query) } });
        let (status, _, _) =
            send(server.post(GQL, json!({ "query": query, "extensions": ext }))).await;
        assert!(status == 200 || status == 400);
        let (status, _, body) = send(server.post(GQL, json!({ "extensions": ext }))).await;
        assert_eq!(
            (status, code(&body)),
            (400, "PERSISTED_QUERY_NOT_FOUND"),
            "{} was not kept",
            &query[..query.len().min(20)]
        );
    }
}

#[tokio::test]
async fn a_public_answer_carries_nothing_of_the_callers_bucket() {
    let server = Server::demo().await;
    let query = "{ courses(first: 2) { nodes { name } } }";
    let (status, headers, body) = send(
        client()
            .get(server.url("/graphql"))
            .query(&[("query", query)])
            .header("accept", GQL),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["cache-control"], "public, max-age=60");
    for name in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    ] {
        assert!(headers.get(name).is_none(), "{name} on a public answer");
    }
    let cost = &body["extensions"]["cost"];
    assert!(cost["requestedQueryCost"].is_number(), "{body}");
    assert!(cost["throttleStatus"].is_null(), "{body}");

    // The same query by POST is this caller's alone, and says where its
    // bucket stands.
    let (_, headers, body) = server.query(query).await;
    assert_eq!(headers["cache-control"], "no-store");
    assert!(headers.contains_key("x-ratelimit-remaining"));
    assert!(
        body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"].is_number(),
        "{body}"
    );
}

#[tokio::test]
async fn large_answers_are_compressed_as_the_client_prefers_and_small_ones_are_not() {
    use std::io::Read;
    let server = Server::demo().await;
    let large = "{ courses(first: 50) { nodes { name description } } }";
    let raw = |accept: Option<&str>, query: &str| {
        let mut request = client()
            .get(server.url("/graphql"))
            .query(&[("query", query)])
            .header("accept", GQL);
        if let Some(accept) = accept {
            request = request.header("accept-encoding", accept);
        }
        async move {
            let response = request.send().await.unwrap();
            let headers = response.headers().clone();
            (headers, response.bytes().await.unwrap().to_vec())
        }
    };
    let (plain_headers, plain) = raw(None, large).await;
    assert!(plain.len() > 4096, "a large answer: {} bytes", plain.len());
    assert!(plain_headers.get("content-encoding").is_none());
    assert!(
        plain_headers["vary"]
            .to_str()
            .unwrap()
            .contains("Accept-Encoding"),
        "{plain_headers:?}"
    );

    let (headers, body) = raw(Some("gzip, deflate, br"), large).await;
    assert_eq!(headers["content-encoding"], "br");
    let mut back = Vec::new();
    brotli::Decompressor::new(&body[..], 4096)
        .read_to_end(&mut back)
        .unwrap();
    assert_eq!(back, plain);
    assert!(
        body.len() * 2 < plain.len(),
        "{} of {}",
        body.len(),
        plain.len()
    );
    assert!(headers.get("etag").is_some(), "the validator stays");

    let (headers, body) = raw(Some("gzip;q=1, br;q=0.5"), large).await;
    assert_eq!(headers["content-encoding"], "gzip");
    let mut back = Vec::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_end(&mut back)
        .unwrap();
    assert_eq!(back, plain);

    let (headers, _) = raw(Some("identity"), large).await;
    assert!(headers.get("content-encoding").is_none());

    let (headers, body) = raw(Some("br, gzip"), "{ regions { code } }").await;
    assert!(body.len() < 1024);
    assert!(headers.get("content-encoding").is_none(), "{headers:?}");
}

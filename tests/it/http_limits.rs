//! The static checks and the rate limit over HTTP: refused before anything
//! runs, the cost on every answer, 429 with its headers, and through again
//! after the bucket has refilled.

use std::time::{Duration, Instant};

use serde_json::json;
use tarjotin_api::config::{HttpSettings, IpNet};
use tarjotin_api::graphql::limits::QueryLimits;
use tarjotin_api::ratelimit::RateConfig;

use tarjotin_api::domain::credentials::ApiToken;
use tarjotin_api::domain::{Actor, Role};
use tarjotin_api::store::NewKey;

use super::server::{code, send, Server, GQL};

const TEN_TIMES_THE_MAXIMUM: &str =
    "{ courses(first: 100) { nodes { instances(first: 100) { nodes { externalId } } } } }";

fn small_bucket(capacity: u32, restore_rate: u32) -> HttpSettings {
    HttpSettings {
        limits: QueryLimits {
            max_cost: u64::from(capacity),
            ..QueryLimits::default()
        },
        rate_limit: Some(RateConfig {
            capacity,
            restore_rate,
        }),
        ..HttpSettings::default()
    }
}

#[tokio::test]
async fn every_answer_reports_its_cost_and_the_callers_bucket() {
    let server = Server::demo().await;
    let (status, _, body) = server
        .query("{ courses(first: 5) { nodes { name provider { name } } } }")
        .await;
    assert_eq!(status, 200);
    let cost = &body["extensions"]["cost"];
    assert_eq!(cost["requestedQueryCost"], 11);
    assert_eq!(cost["actualQueryCost"], 11);
    assert_eq!(cost["throttleStatus"]["maximumAvailable"], 1000);
    assert_eq!(cost["throttleStatus"]["restoreRate"], 50);
    assert!(
        cost["throttleStatus"]["currentlyAvailable"]
            .as_u64()
            .unwrap()
            <= 989
    );
    let (_, _, body) = server.query("{ nosuch }").await;
    assert!(
        body["extensions"]["cost"]["throttleStatus"].is_object(),
        "{body}"
    );
}

#[tokio::test]
async fn a_query_costing_ten_times_the_maximum_is_refused_before_it_runs() {
    let server = Server::demo().await;
    server.app.take_statement_count();
    let started = Instant::now();
    let (status, _, body) = server.query(TEN_TIMES_THE_MAXIMUM).await;
    eprintln!("refused in {} ms", started.elapsed().as_millis());
    assert_eq!(status, 400);
    assert_eq!(code(&body), "QUERY_TOO_COMPLEX");
    assert_eq!(body["errors"][0]["extensions"]["cost"], 10201);
    assert_eq!(body["errors"][0]["extensions"]["max"], 1000);
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 10201);
    assert_eq!(server.app.take_statement_count(), 0, "nothing may run");
}

#[tokio::test]
async fn an_alias_bomb_is_refused_before_it_runs() {
    let server = Server::demo().await;
    let aliases: String = (0..1000)
        .map(|i| format!("a{i}: courses(first: 100) {{ totalCount }} "))
        .collect();
    server.app.take_statement_count();
    let started = Instant::now();
    let (status, _, body) = server.query(&format!("{{ {aliases} }}")).await;
    eprintln!("refused in {} ms", started.elapsed().as_millis());
    assert_eq!((status, code(&body)), (400, "TOO_MANY_ALIASES"), "{body}");
    assert_eq!(server.app.take_statement_count(), 0);
}

#[tokio::test]
async fn graphiqls_introspection_query_passes_the_limits() {
    let server = Server::demo().await;
    let query = include_str!("../../api/src/graphql/limits/introspection.graphql");
    let (status, _, body) = server.query(query).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{}", body["errors"]);
    assert!(body["data"]["__schema"]["types"].as_array().unwrap().len() > 50);
}

#[tokio::test]
async fn a_spent_bucket_gets_429_with_headers_and_gets_through_after_refilling() {
    let server = Server::demo_with(small_bucket(30, 10)).await;
    let query = "{ courses(first: 20) { nodes { name } } }";
    let (status, headers, _) = server.query(query).await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-ratelimit-limit"], "30");
    assert_eq!(headers["x-ratelimit-remaining"], "9");
    assert!(headers.contains_key("x-ratelimit-reset"));
    let (status, headers, body) = server.query(query).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(code(&body), "RATE_LIMITED");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3).contains(&retry), "{retry}");
    assert!(
        headers["x-ratelimit-remaining"]
            .to_str()
            .unwrap()
            .parse::<u32>()
            .unwrap()
            < 21
    );
    assert!(body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"].is_number());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, _, _) = server.query(query).await;
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "still limited after 10 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn unused_points_are_given_back() {
    let server = Server::demo_with(small_bucket(100, 1)).await;
    let (_, headers, body) = server
        .query("{ organisationByExternalId(externalId: \"nope\") { name courses(first: 50) { nodes { name } } } }")
        .await;
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 52);
    assert_eq!(body["extensions"]["cost"]["actualQueryCost"], 0);
    assert_eq!(headers["x-ratelimit-remaining"], "99");
}

#[tokio::test]
async fn forwarded_addresses_get_buckets_of_their_own_only_behind_trusted_proxies() {
    let query = "{ courses(first: 20) { nodes { name } } }";
    let behind = HttpSettings {
        trusted_proxies: vec![IpNet::parse("127.0.0.1").unwrap()],
        ..small_bucket(30, 1)
    };
    let server = Server::demo_with(behind).await;
    let from = |ip: &'static str| {
        server
            .post(GQL, json!({ "query": query }))
            .header("x-forwarded-for", ip)
    };
    assert_eq!(send(from("203.0.113.1")).await.0, 200);
    assert_eq!(send(from("203.0.113.1")).await.0, 429);
    assert_eq!(send(from("203.0.113.2")).await.0, 200);

    let direct = Server::demo_with(small_bucket(30, 1)).await;
    let from = |ip: &'static str| {
        direct
            .post(GQL, json!({ "query": query }))
            .header("x-forwarded-for", ip)
    };
    assert_eq!(send(from("203.0.113.1")).await.0, 200);
    assert_eq!(
        send(from("203.0.113.2")).await.0,
        429,
        "a forged header must not buy a new bucket"
    );
}

#[tokio::test]
async fn a_caller_with_an_api_key_draws_from_the_keys_bucket_not_the_addresss() {
    let server = Server::demo_with(small_bucket(30, 1)).await;
    let query = json!({ "query": "{ courses(first: 20) { nodes { name } } }" });
    assert_eq!(send(server.post(GQL, query.clone())).await.0, 200);
    assert_eq!(send(server.post(GQL, query.clone())).await.0, 429);
    let (token, _) = server.app.key(Role::Admin, None).await;
    let with_key = || {
        server
            .post(GQL, query.clone())
            .header("authorization", format!("Bearer {token}"))
    };
    let (status, headers, body) = send(with_key()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["x-ratelimit-remaining"], "9");
    assert_eq!(
        send(with_key()).await.0,
        429,
        "the key's own bucket is spent too"
    );
}

/// An administrator's key named `name` with a rate limit of its own.
async fn admin_key_with_limit(server: &Server, name: &str, limit: u32) -> (ApiToken, NewKey) {
    let token = ApiToken::generate().unwrap();
    let new = NewKey {
        name: name.into(),
        role: Role::Admin,
        organisation_id: None,
        expires_at: None,
        rate_limit: Some(limit),
    };
    server
        .app
        .store
        .create_key(&new, &token, &Actor::cli())
        .await
        .unwrap();
    (token, new)
}

#[tokio::test]
async fn a_key_with_a_rate_limit_of_its_own_has_a_bucket_of_that_size() {
    let server = Server::demo_with(small_bucket(30, 1)).await;
    let (token, new) = admin_key_with_limit(&server, "bulk-sync", 200).await;
    let with_key = || {
        server
            .post(
                GQL,
                json!({ "query": "{ courses(first: 15) { nodes { name } } apiKeys { name rateLimit } }" }),
            )
            .header("authorization", format!("Bearer {}", token.expose()))
    };
    let (status, headers, body) = send(with_key()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["x-ratelimit-limit"], "200");
    assert_eq!(
        body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"],
        200
    );
    assert_eq!(body["data"]["apiKeys"][0]["rateLimit"], 200, "{body}");
    for _ in 0..5 {
        assert_eq!(
            send(with_key()).await.0,
            200,
            "30 points would be spent by now"
        );
    }

    let too_big = NewKey {
        name: "greedy".into(),
        rate_limit: Some(0),
        ..new
    };
    let refused = server
        .app
        .store
        .create_key(&too_big, &ApiToken::generate().unwrap(), &Actor::cli())
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("rate limit"), "{refused}");
}

#[tokio::test]
async fn an_unknown_key_is_refused_with_the_cost_report_and_a_point_from_the_address() {
    let server = Server::demo_with(small_bucket(30, 1)).await;
    let unknown = ApiToken::generate().unwrap();
    let (status, headers, body) = send(
        server
            .post(GQL, json!({ "query": "{ __typename }" }))
            .header("authorization", format!("Bearer {}", unknown.expose())),
    )
    .await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"), "{body}");
    assert_eq!(headers["www-authenticate"], "Bearer");
    assert_eq!(body["errors"][0]["extensions"]["field"], "Authorization");
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 0);
    assert_eq!(
        body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"], 29,
        "{body}"
    );
    assert_eq!(headers["x-ratelimit-remaining"], "29");
}

#[tokio::test]
async fn a_key_limit_below_a_querys_cost_refuses_it_and_the_key_refills_at_its_own_rate() {
    let server = Server::demo_with(HttpSettings {
        rate_limit: Some(RateConfig {
            capacity: 1000,
            restore_rate: 50,
        }),
        ..HttpSettings::default()
    })
    .await;
    let (token, _) = admin_key_with_limit(&server, "tiny", 10).await;
    let with_key = |query: &str| {
        server
            .post(GQL, json!({ "query": query }))
            .header("authorization", format!("Bearer {}", token.expose()))
    };
    // A query costing far more than the key's whole bucket never runs, and
    // takes nothing: asking again changes nothing.
    let big = "{ courses(first: 100) { nodes { name provider { name } } } }";
    for _ in 0..5 {
        let (status, headers, body) = send(with_key(big)).await;
        assert_eq!(status, 429, "{body}");
        assert_eq!(code(&body), "QUERY_COST_ABOVE_LIMIT", "{body}");
        let cost = body["extensions"]["cost"]["requestedQueryCost"]
            .as_u64()
            .unwrap();
        assert!(cost > 10, "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("costs {cost} points"))
                && message.contains("holds 10 points"),
            "{message}"
        );
        assert_eq!(body["errors"][0]["extensions"]["limit"], 10, "{body}");
        assert!(body.get("data").is_none(), "{body}");
        assert_eq!(headers["x-ratelimit-remaining"], "10");
        assert!(
            headers.get("retry-after").is_none(),
            "waiting would not help"
        );
    }
    // Small queries run until the ten points are spent; the bucket refills
    // ten points a minute, not the default fifty a second.
    let small = "{ courses(first: 3) { nodes { name } } }";
    let mut ran = 0;
    let refused = loop {
        let (status, headers, body) = send(with_key(small)).await;
        if status == 429 {
            break (headers, body);
        }
        assert_eq!(status, 200, "{body}");
        let rate = body["extensions"]["cost"]["throttleStatus"]["restoreRate"]
            .as_f64()
            .unwrap();
        assert!((rate - 10.0 / 60.0).abs() < 0.01, "{body}");
        ran += 1;
        assert!(ran <= 10, "ten points buy at most ten requests");
    };
    let (headers, body) = refused;
    assert!(ran >= 1, "{body}");
    assert_eq!(code(&body), "RATE_LIMITED", "{body}");
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(
        wait >= 2,
        "a point takes 6 s to come back, not 0.02 s: {wait}"
    );
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("10 points a minute"), "{message}");
}

#[tokio::test]
async fn the_cost_estimate_is_close_and_the_actual_cost_counts_the_work() {
    let server = Server::demo().await;
    // A search page as the aggregator's browser sends it, with its facets:
    // the estimate charges each facet for the values it has in the index.
    let browse = "{ search(query: \"kurssi\", first: 20, facets: [MUNICIPALITY, FIELD_OF_EDUCATION, EDUCATION_TYPE, LANGUAGE, TEACHING_MODE]) { totalCount nodes { name provider { name } } facets { facet values { value label count } } } }";
    // The first search counts the facets; the second is estimated by them.
    server.query(browse).await;
    let (_, _, body) = server.query(browse).await;
    let cost = &body["extensions"]["cost"];
    let (requested, actual) = (
        cost["requestedQueryCost"].as_u64().unwrap(),
        cost["actualQueryCost"].as_u64().unwrap(),
    );
    println!("browser search: requested {requested}, actual {actual}");
    assert!(
        actual > 20 && requested <= actual * 2,
        "requested {requested}, actual {actual}: {body}"
    );

    // Facets asked for and not selected are computed all the same.
    let (_, _, body) = server
        .query("{ search(first: 1, facets: [MUNICIPALITY, PROVIDER]) { totalCount } }")
        .await;
    let actual = body["extensions"]["cost"]["actualQueryCost"]
        .as_u64()
        .unwrap();
    assert!(actual > 10, "the facet values count: {body}");

    // An imported feed costs its records, whatever the answer selects.
    let (token, _) = server
        .app
        .key(tarjotin_api::domain::Role::Admin, None)
        .await;
    let feed = std::fs::read_to_string(super::harness::demo_path("courses"))
        .unwrap()
        .lines()
        .take(60)
        .collect::<Vec<_>>()
        .join("\n");
    let (status, _, body) = send(
        server
            .post(GQL, json!({ "query": "mutation($d: String!) { importFeed(format: SCHEMA_ORG_JSONLD, data: $d, dryRun: true) { dryRun } }", "variables": { "d": feed } }))
            .header("authorization", format!("Bearer {token}")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let cost = &body["extensions"]["cost"];
    assert!(cost["requestedQueryCost"].as_u64().unwrap() >= 7, "{body}");
    assert!(
        cost["actualQueryCost"].as_u64().unwrap() >= 7,
        "60 records: {body}"
    );
}

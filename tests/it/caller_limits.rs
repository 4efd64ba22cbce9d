//! Every kind of caller has a budget that holds: anonymous callers, a
//! partner key, an administrator key and a key with a low limit of its own
//! are each refused with 429 and `Retry-After` once they have spent it, and
//! one caller's spending leaves the others' alone. Runs on buckets in the
//! process and, when TEST_REDIS_URL names a Redis, on buckets shared there.

use std::sync::Arc;

use serde_json::json;
use tarjotin_api::config::HttpSettings;
use tarjotin_api::domain::credentials::ApiToken;
use tarjotin_api::domain::{Actor, Role};
use tarjotin_api::http::HttpOptions;
use tarjotin_api::ratelimit::{RateConfig, RateLimiter, RedisBuckets};
use tarjotin_api::store::NewKey;

use super::harness::{Backend, TestApp};
use super::server::{code, send, Server, GQL};

/// The global bucket: 60 points, refilled 1 a second, so that no test run
/// refills it noticeably while it spends.
const CONFIG: RateConfig = RateConfig {
    capacity: 60,
    restore_rate: 1,
};
/// The low key's own limit, points a minute.
const LOW: u32 = 15;

async fn limiters() -> Vec<(&'static str, Arc<RateLimiter>)> {
    let mut out = vec![("local", Arc::new(RateLimiter::local(CONFIG)))];
    match std::env::var("TEST_REDIS_URL") {
        Ok(url) => {
            let prefix = format!(
                "tarjotin-test:callers:{}:{}:",
                std::process::id(),
                chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
            );
            let buckets = RedisBuckets::connect(&url, &prefix)
                .await
                .unwrap_or_else(|e| {
                    panic!("TEST_REDIS_URL={url} is set but Redis does not answer: {e}")
                });
            out.push(("redis", Arc::new(RateLimiter::shared(CONFIG, buckets))));
        }
        Err(_) => {
            eprintln!("skipping the Redis half of the caller-limit test: TEST_REDIS_URL is not set")
        }
    }
    out
}

/// A key of `role` with its own limit.
async fn key_with_limit(app: &TestApp, role: Role, org: Option<i32>, limit: u32) -> String {
    let token = ApiToken::generate().unwrap();
    let new = NewKey {
        name: format!("low-{}", &token.prefix()[4..]),
        role,
        organisation_id: org,
        expires_at: None,
        rate_limit: Some(limit),
    };
    app.store
        .create_key(&new, &token, &Actor::cli())
        .await
        .unwrap();
    token.expose().to_string()
}

#[tokio::test]
async fn every_kind_of_caller_is_refused_with_retry_after_once_its_budget_is_spent() {
    let app = TestApp::new(&Backend::Sqlite).await.with_demo().await;
    let (partner, _) = app.key(Role::Partner, Some("urn:kymi:org:ekami")).await;
    let (admin, _) = app.key(Role::Admin, None).await;
    let low = key_with_limit(&app, Role::Admin, None, LOW).await;
    // A query whose requested cost is its actual cost: 5 courses and the
    // connection.
    let query = json!({ "query": "{ courses(first: 5) { nodes { name } } }" });
    for (backend, limiter) in limiters().await {
        let options = HttpOptions {
            settings: HttpSettings {
                rate_limit: Some(CONFIG),
                ..HttpSettings::default()
            },
            limiter: Some(limiter),
            ..HttpOptions::default()
        };
        let server = Server::over(app.clone(), options);
        for (who, token, budget) in [
            ("anonymous", None, CONFIG.capacity),
            ("partner", Some(&partner), CONFIG.capacity),
            ("admin", Some(&admin), CONFIG.capacity),
            ("low-limit key", Some(&low), LOW),
        ] {
            let mut spent = 0u64;
            let mut refused = None;
            for _ in 0..100 {
                let mut request = server.post(GQL, query.clone());
                if let Some(token) = token {
                    request = request.header("authorization", format!("Bearer {token}"));
                }
                let (status, headers, body) = send(request).await;
                if status == 429 {
                    refused = Some((headers, body));
                    break;
                }
                assert_eq!(status, 200, "[{backend}] {who}: {body}");
                spent += body["extensions"]["cost"]["actualQueryCost"]
                    .as_u64()
                    .unwrap()
                    .max(1);
            }
            let (headers, body) =
                refused.unwrap_or_else(|| panic!("[{backend}] {who} was never refused"));
            assert_eq!(code(&body), "RATE_LIMITED", "[{backend}] {who}: {body}");
            let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
            assert!(retry >= 1, "[{backend}] {who}: retry-after {retry}");
            assert_eq!(
                headers["x-ratelimit-limit"],
                budget.to_string().as_str(),
                "[{backend}] {who}"
            );
            // It got through what its bucket held, and no more (a few
            // points may refill while it spends).
            let budget = u64::from(budget);
            assert!(
                spent + 6 > budget && spent <= budget + 3,
                "[{backend}] {who} spent {spent} of {budget}"
            );
            println!("[{backend}] {who}: refused after {spent} of {budget} points, retry after {retry} s");
        }
    }
    app.finish().await;
}

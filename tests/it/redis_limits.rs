//! Rate-limit buckets shared through Redis: two replicas draw from one
//! bucket. Runs when TEST_REDIS_URL names a Redis server, and skips, saying
//! so, otherwise (tests/run.sh sets it when a local Redis answers).

use std::sync::Arc;

use serde_json::json;
use tarjotin_api::config::HttpSettings;
use tarjotin_api::graphql::limits::QueryLimits;
use tarjotin_api::http::HttpOptions;
use tarjotin_api::ratelimit::{RateConfig, RateLimiter, RateSubject, RedisBuckets};

use super::harness::{Backend, TestApp};
use super::server::{code, send, Server, GQL};

async fn redis_buckets() -> Option<(String, String)> {
    let Ok(url) = std::env::var("TEST_REDIS_URL") else {
        eprintln!("skipping the Redis rate-limit tests: TEST_REDIS_URL is not set");
        return None;
    };
    let prefix = format!(
        "tarjotin-test:{}:{}:",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    );
    match RedisBuckets::connect(&url, &prefix).await {
        Ok(_) => Some((url, prefix)),
        Err(e) => panic!("TEST_REDIS_URL={url} is set but Redis does not answer: {e}"),
    }
}

async fn replica(url: &str, prefix: &str, config: RateConfig) -> Arc<RateLimiter> {
    let buckets = RedisBuckets::connect(url, prefix).await.unwrap();
    Arc::new(RateLimiter::shared(config, buckets))
}

#[tokio::test]
async fn two_replicas_draw_from_one_bucket_in_redis() {
    let Some((url, prefix)) = redis_buckets().await else {
        return;
    };
    let config = RateConfig {
        capacity: 100,
        restore_rate: 1,
    };
    let a = replica(&url, &prefix, config).await;
    let b = replica(&url, &prefix, config).await;
    assert_eq!(a.backend(), "redis");
    let who = RateSubject::Ip("203.0.113.5".parse().unwrap());
    let first = a.take(&who, 70).await;
    assert!(first.allowed);
    assert!((29..=30).contains(&first.remaining), "{first:?}");
    let second = b.take(&who, 70).await;
    assert!(
        !second.allowed,
        "the other replica sees the spent bucket: {second:?}"
    );
    assert!(second.retry_after.as_secs() >= 39, "{second:?}");
    let refunded = b.refund(&who, 50).await;
    assert!((79..=81).contains(&refunded.remaining), "{refunded:?}");
    assert!(a.take(&who, 70).await.allowed);
    let other = RateSubject::Key {
        id: "k1".into(),
        capacity: Some(10),
    };
    // More than the key's whole bucket is refused and takes nothing.
    let keyed = a.take(&other, 50).await;
    assert_eq!(
        (keyed.allowed, keyed.limit, keyed.remaining),
        (false, 10, 10)
    );
    assert!(keyed.over_capacity, "{keyed:?}");
    let keyed = b.take(&other, 10).await;
    assert_eq!((keyed.allowed, keyed.limit, keyed.remaining), (true, 10, 0));
    assert!((keyed.restore_rate - 10.0 / 60.0).abs() < 1e-9, "{keyed:?}");
}

#[tokio::test]
async fn a_client_limited_by_one_server_is_limited_by_the_other() {
    let Some((url, prefix)) = redis_buckets().await else {
        return;
    };
    let config = RateConfig {
        capacity: 30,
        restore_rate: 1,
    };
    let settings = HttpSettings {
        limits: QueryLimits {
            max_cost: 30,
            ..QueryLimits::default()
        },
        rate_limit: Some(config),
        ..HttpSettings::default()
    };
    let app = TestApp::new(&Backend::Sqlite).await.with_demo().await;
    let mut servers = Vec::new();
    for _ in 0..2 {
        let options = HttpOptions {
            settings: settings.clone(),
            limiter: Some(replica(&url, &prefix, config).await),
            ..HttpOptions::default()
        };
        servers.push(Server::over(app.clone(), options));
    }
    let query = json!({ "query": "{ courses(first: 20) { nodes { name } } }" });
    let (status, _, body) = send(servers[0].post(GQL, query.clone())).await;
    assert_eq!(status, 200, "{body}");
    let (status, headers, body) = send(servers[1].post(GQL, query)).await;
    assert_eq!((status, code(&body)), (429, "RATE_LIMITED"), "{body}");
    assert!(headers.contains_key("retry-after"));
}

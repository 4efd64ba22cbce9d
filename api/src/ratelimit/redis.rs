//! Buckets in Redis, shared by every replica. One Lua script refills and
//! takes atomically on Redis's own clock, so replicas need not agree on time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Script;

use super::Decision;

/// KEYS[1] the bucket; ARGV capacity, restore rate per second, cost (negative
/// to refund). Returns {allowed, tokens × 1000}.
const TAKE: &str = r#"
if redis.replicate_commands then redis.replicate_commands() end
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now_ms
end
if now_ms > at then
  tokens = math.min(capacity, tokens + (now_ms - at) * rate / 1000)
end
local allowed = 0
if cost <= 0 or cost <= tokens then
  tokens = math.min(capacity, tokens - cost)
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now_ms))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
return {allowed, math.floor(tokens * 1000)}
"#;

/// Buckets kept in Redis.
pub struct RedisBuckets {
    connection: ConnectionManager,
    script: Script,
    prefix: String,
    last_warning: AtomicU64,
}

impl RedisBuckets {
    /// Connects to `url`; keys start with `prefix`.
    pub async fn connect(url: &str, prefix: &str) -> redis::RedisResult<RedisBuckets> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_millis(500)))
            .set_number_of_retries(1);
        let connection = client.get_connection_manager_with_config(config).await?;
        Ok(RedisBuckets {
            connection,
            script: Script::new(TAKE),
            prefix: prefix.to_string(),
            last_warning: AtomicU64::new(0),
        })
    }

    /// Refills and takes `cost` from `bucket` in one step.
    pub async fn update(
        &self,
        bucket: &str,
        capacity: u32,
        rate: f64,
        cost: f64,
    ) -> redis::RedisResult<Decision> {
        let mut connection = self.connection.clone();
        let (allowed, millis): (i64, i64) = self
            .script
            .key(format!("{}{bucket}", self.prefix))
            .arg(capacity)
            .arg(rate)
            .arg(cost)
            .invoke_async(&mut connection)
            .await?;
        Ok(Decision::from_level(
            allowed == 1,
            millis as f64 / 1000.0,
            cost,
            capacity,
            rate,
        ))
    }

    /// Logs a failure, at most once a minute.
    pub fn note_failure(&self, error: &redis::RedisError) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let last = self.last_warning.load(Ordering::Relaxed);
        if now >= last + 60
            && self
                .last_warning
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(error = %error, "Redis rate-limit buckets unavailable; limiting per process until it answers");
        }
    }
}

//! Token buckets of cost points: one per API key, and one per client IP for
//! anonymous callers. A request takes its static cost from its bucket before
//! it runs and gets back what it did not use; buckets refill at a steady rate.
//! With Redis the buckets are shared by every replica (one atomic script per
//! update); without it, or while Redis fails, they live in this process.

mod local;
mod redis;
mod subject;

use std::time::Duration;

pub use self::redis::RedisBuckets;
pub use local::LocalBuckets;
pub use subject::RateSubject;

pub use crate::config::RateConfig;

/// The answer for one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// The request may run.
    pub allowed: bool,
    /// The size of the bucket.
    pub limit: u32,
    /// Points left after this request.
    pub remaining: u32,
    /// Points restored per second.
    pub restore_rate: f64,
    /// The request costs more than the bucket holds, so it can never run.
    pub over_capacity: bool,
    /// Until the bucket is full again.
    pub reset_after: Duration,
    /// Until a refused request would fit; zero when allowed.
    pub retry_after: Duration,
}

impl Decision {
    /// A decision from the bucket's level after the update.
    pub fn from_level(allowed: bool, tokens: f64, cost: f64, capacity: u32, rate: f64) -> Decision {
        let rate_f = rate.max(f64::MIN_POSITIVE);
        let tokens = tokens.clamp(0.0, f64::from(capacity));
        let reset_after = Duration::from_secs_f64((f64::from(capacity) - tokens) / rate_f);
        let retry_after = if allowed {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(((cost - tokens) / rate_f).max(0.0))
        };
        Decision {
            allowed,
            limit: capacity,
            remaining: tokens.floor() as u32,
            restore_rate: rate,
            over_capacity: false,
            reset_after,
            retry_after,
        }
    }
}

/// Where buckets live.
enum Store {
    Local,
    /// Shared through Redis once connected; in this process until then.
    Redis(std::sync::Arc<tokio::sync::OnceCell<RedisBuckets>>),
}

/// The rate limiter of the service.
pub struct RateLimiter {
    config: RateConfig,
    local: LocalBuckets,
    store: Store,
}

impl RateLimiter {
    /// Buckets in this process.
    pub fn local(config: RateConfig) -> RateLimiter {
        RateLimiter {
            config,
            local: LocalBuckets::new(),
            store: Store::Local,
        }
    }

    /// Buckets shared through Redis, falling back to this process while
    /// Redis does not answer.
    pub fn shared(config: RateConfig, redis: RedisBuckets) -> RateLimiter {
        RateLimiter {
            config,
            local: LocalBuckets::new(),
            store: Store::Redis(std::sync::Arc::new(tokio::sync::OnceCell::new_with(Some(
                redis,
            )))),
        }
    }

    /// Buckets shared through the Redis at `url` once it answers: the
    /// connection is made in the background, retried with backoff, and the
    /// buckets live in this process until then, so that a server starts
    /// while Redis is away.
    pub fn connecting(config: RateConfig, url: String, prefix: &'static str) -> RateLimiter {
        let cell = std::sync::Arc::new(tokio::sync::OnceCell::new());
        let target = cell.clone();
        tokio::spawn(async move {
            let mut wait = Duration::from_millis(250);
            loop {
                match RedisBuckets::connect(&url, prefix).await {
                    Ok(buckets) => {
                        let _ = target.set(buckets);
                        tracing::info!("rate-limit buckets are shared through Redis");
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(error = %crate::redact::text(&e.to_string()), retry_in_ms = wait.as_millis() as u64, "Redis does not answer; rate limits are kept in this process meanwhile");
                        tokio::time::sleep(wait).await;
                        wait = (wait * 2).min(Duration::from_secs(30));
                    }
                }
            }
        });
        RateLimiter {
            config,
            local: LocalBuckets::new(),
            store: Store::Redis(cell),
        }
    }

    /// The default bucket.
    pub fn config(&self) -> RateConfig {
        self.config
    }

    /// `redis` or `local`.
    pub fn backend(&self) -> &'static str {
        match self.store {
            Store::Local => "local",
            Store::Redis(_) => "redis",
        }
    }

    /// Takes `cost` points from `subject`'s bucket, when they are there. A
    /// cost larger than the whole bucket is refused without taking anything
    /// (`over_capacity`): waiting would not help.
    pub async fn take(&self, subject: &RateSubject, cost: u64) -> Decision {
        let (capacity, _) = self.bucket_of(subject);
        if cost > u64::from(capacity) {
            let level = self.update(subject, 0.0).await;
            return Decision {
                allowed: false,
                over_capacity: true,
                ..level
            };
        }
        self.update(subject, cost as f64).await
    }

    /// The size and refill rate (points a second) of `subject`'s bucket: a
    /// key's own limit is points per minute (the bucket holds a minute's
    /// worth), every other caller gets the configured bucket.
    pub fn bucket_of(&self, subject: &RateSubject) -> (u32, f64) {
        match subject.capacity() {
            Some(per_minute) => {
                let per_minute = per_minute.max(1);
                (per_minute, f64::from(per_minute) / 60.0)
            }
            None => (
                self.config.capacity.max(1),
                f64::from(self.config.restore_rate.max(1)),
            ),
        }
    }

    /// Gives `points` back to `subject`'s bucket (never above full).
    pub async fn refund(&self, subject: &RateSubject, points: u64) -> Decision {
        self.update(subject, -(points as f64)).await
    }

    fn redis(&self) -> Option<&RedisBuckets> {
        match &self.store {
            Store::Redis(cell) => cell.get(),
            Store::Local => None,
        }
    }

    async fn update(&self, subject: &RateSubject, cost: f64) -> Decision {
        let (capacity, rate) = self.bucket_of(subject);
        if let Some(redis) = self.redis() {
            match redis.update(&subject.bucket(), capacity, rate, cost).await {
                Ok(decision) => return decision,
                Err(e) => redis.note_failure(&e),
            }
        }
        self.local.update(&subject.bucket(), capacity, rate, cost)
    }
}

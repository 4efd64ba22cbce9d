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

/// The default bucket: its size and how fast it refills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateConfig {
    /// Points a full bucket holds.
    pub capacity: u32,
    /// Points restored per second.
    pub restore_rate: u32,
}

impl Default for RateConfig {
    fn default() -> Self {
        RateConfig {
            capacity: 1000,
            restore_rate: 50,
        }
    }
}

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
    pub restore_rate: u32,
    /// Until the bucket is full again.
    pub reset_after: Duration,
    /// Until a refused request would fit; zero when allowed.
    pub retry_after: Duration,
}

impl Decision {
    /// A decision from the bucket's level after the update.
    pub fn from_level(allowed: bool, tokens: f64, cost: f64, capacity: u32, rate: u32) -> Decision {
        let rate_f = f64::from(rate.max(1));
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
            reset_after,
            retry_after,
        }
    }
}

/// Where buckets live.
enum Store {
    Local,
    Redis(RedisBuckets),
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
            store: Store::Redis(redis),
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
    /// cost larger than the bucket is charged as a full bucket.
    pub async fn take(&self, subject: &RateSubject, cost: u64) -> Decision {
        self.update(subject, cost as f64).await
    }

    /// Gives `points` back to `subject`'s bucket (never above full).
    pub async fn refund(&self, subject: &RateSubject, points: u64) -> Decision {
        self.update(subject, -(points as f64)).await
    }

    async fn update(&self, subject: &RateSubject, cost: f64) -> Decision {
        let capacity = subject.capacity().unwrap_or(self.config.capacity).max(1);
        let rate = self.config.restore_rate.max(1);
        let cost = cost.min(f64::from(capacity));
        if let Store::Redis(redis) = &self.store {
            match redis.update(&subject.bucket(), capacity, rate, cost).await {
                Ok(decision) => return decision,
                Err(e) => redis.note_failure(&e),
            }
        }
        self.local.update(&subject.bucket(), capacity, rate, cost)
    }
}

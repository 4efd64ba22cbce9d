//! Buckets in this process's memory: a bounded map in least-recently-used
//! order, so that every update is O(1) however many callers there are. When
//! the map is full the bucket used longest ago goes; a caller seen that long
//! ago has, in practice, a full bucket again, which is the same as no bucket.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use std::time::Instant;

use lru::LruCache;

use super::Decision;

/// How many buckets a process keeps (about 100 bytes each).
pub const MAX_BUCKETS: usize = 262_144;

/// Per-process token buckets.
pub struct LocalBuckets {
    buckets: Mutex<LruCache<String, (f64, Instant)>>,
}

impl Default for LocalBuckets {
    fn default() -> Self {
        LocalBuckets::new()
    }
}

impl LocalBuckets {
    /// No buckets yet; at most [`MAX_BUCKETS`].
    pub fn new() -> LocalBuckets {
        LocalBuckets::with_capacity(MAX_BUCKETS)
    }

    /// No buckets yet; at most `capacity` (at least one).
    pub fn with_capacity(capacity: usize) -> LocalBuckets {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        LocalBuckets {
            buckets: Mutex::new(LruCache::new(capacity)),
        }
    }

    /// Refills `bucket`, then takes `cost` when it fits (a negative cost
    /// gives points back).
    pub fn update(&self, bucket: &str, capacity: u32, rate: f64, cost: f64) -> Decision {
        self.update_at(Instant::now(), bucket, capacity, rate, cost)
    }

    /// [`LocalBuckets::update`] at a given moment.
    pub fn update_at(
        &self,
        now: Instant,
        bucket: &str,
        capacity: u32,
        rate: f64,
        cost: f64,
    ) -> Decision {
        let cap = f64::from(capacity);
        let refill = |tokens: f64, at: Instant| {
            (tokens + now.saturating_duration_since(at).as_secs_f64() * rate).min(cap)
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let (stored, at) = buckets.get(bucket).copied().unwrap_or((cap, now));
        let mut tokens = refill(stored, at);
        let allowed = cost <= 0.0 || cost <= tokens;
        if allowed {
            tokens = (tokens - cost).min(cap);
        }
        match buckets.get_mut(bucket) {
            Some(entry) => *entry = (tokens, now),
            None => {
                buckets.push(bucket.to_string(), (tokens, now));
            }
        }
        Decision::from_level(allowed, tokens, cost, capacity, rate)
    }

    /// How many buckets are held.
    pub fn len(&self) -> usize {
        self.buckets.lock().map(|b| b.len()).unwrap_or(0)
    }

    /// Whether no bucket is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_spent_bucket_refuses_until_it_has_refilled() {
        let buckets = LocalBuckets::new();
        let t0 = Instant::now();
        let first = buckets.update_at(t0, "ip:a", 100, 10.0, 80.0);
        assert!(first.allowed);
        assert_eq!(first.remaining, 20);
        let refused = buckets.update_at(t0, "ip:a", 100, 10.0, 50.0);
        assert!(!refused.allowed);
        assert_eq!(refused.remaining, 20);
        assert_eq!(refused.retry_after, Duration::from_secs(3));
        assert_eq!(refused.reset_after, Duration::from_secs(8));
        let later = t0 + Duration::from_secs(3);
        assert!(buckets.update_at(later, "ip:a", 100, 10.0, 50.0).allowed);
    }

    #[test]
    fn refunds_never_overfill_and_buckets_are_separate() {
        let buckets = LocalBuckets::new();
        let t0 = Instant::now();
        buckets.update_at(t0, "ip:a", 100, 10.0, 30.0);
        assert_eq!(
            buckets.update_at(t0, "ip:a", 100, 10.0, -500.0).remaining,
            100
        );
        assert_eq!(buckets.update_at(t0, "ip:b", 100, 10.0, 1.0).remaining, 99);
    }

    #[test]
    fn past_its_bound_the_map_drops_the_bucket_used_longest_ago() {
        let buckets = LocalBuckets::with_capacity(3);
        let t0 = Instant::now();
        for name in ["ip:a", "ip:b", "ip:c"] {
            buckets.update_at(t0, name, 10, 1.0, 9.0);
        }
        // a is used again, so b is the one used longest ago.
        assert!(!buckets.update_at(t0, "ip:a", 10, 1.0, 9.0).allowed);
        buckets.update_at(t0, "ip:d", 10, 1.0, 9.0);
        assert_eq!(buckets.len(), 3);
        assert!(
            !buckets.update_at(t0, "ip:a", 10, 1.0, 9.0).allowed,
            "a's bucket is kept, still spent"
        );
        assert!(
            buckets.update_at(t0, "ip:b", 10, 1.0, 9.0).allowed,
            "b's went, so b starts full"
        );
    }
}

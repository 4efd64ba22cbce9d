//! Buckets in this process's memory.

use std::collections::HashMap;
use std::sync::Mutex;

use std::time::Instant;

use super::Decision;

/// Above this many buckets, full ones are dropped (a full bucket is the same
/// as no bucket).
const SWEEP_ABOVE: usize = 10_000;

/// Per-process token buckets.
pub struct LocalBuckets {
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Default for LocalBuckets {
    fn default() -> Self {
        LocalBuckets::new()
    }
}

impl LocalBuckets {
    /// No buckets yet.
    pub fn new() -> LocalBuckets {
        LocalBuckets {
            buckets: Mutex::new(HashMap::new()),
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
        if buckets.len() > SWEEP_ABOVE {
            buckets.retain(|_, (tokens, at)| refill(*tokens, *at) < cap);
        }
        let entry = buckets.entry(bucket.to_string()).or_insert((cap, now));
        let mut tokens = refill(entry.0, entry.1);
        let allowed = cost <= 0.0 || cost <= tokens;
        if allowed {
            tokens = (tokens - cost).min(cap);
        }
        *entry = (tokens, now);
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
    fn full_buckets_are_dropped_when_there_are_many() {
        let buckets = LocalBuckets::new();
        let t0 = Instant::now();
        for i in 0..=SWEEP_ABOVE {
            buckets.update_at(t0, &format!("ip:{i}"), 10, 10.0, 1.0);
        }
        buckets.update_at(t0 + Duration::from_secs(1), "ip:last", 10, 10.0, 1.0);
        assert_eq!(buckets.len(), 1);
    }
}

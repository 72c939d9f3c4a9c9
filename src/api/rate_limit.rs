//! A token bucket per portal key: `rate` requests a second, bursts of as many. On a
//! deployment of several nodes each node keeps its share, the rate divided by the nodes
//! serving the API, so the key's rate holds however a load balancer spreads its requests.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Buckets by key id.
pub struct RateLimiter {
    rate: f64,
    buckets: Mutex<HashMap<i64, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// `rate` requests a second per key.
    pub fn new(rate: u32) -> Self {
        Self {
            rate: f64::from(rate.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket on one of `nodes` nodes serving the API:
    /// `Ok`, or `Err(seconds to wait)`.
    pub fn take(&self, key: i64, now: Instant, nodes: u32) -> Result<(), u64> {
        // A share below one request a second would refuse every request.
        let rate = (self.rate / f64::from(nodes.max(1))).max(1.0);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: rate,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(rate);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / rate;
            Err(wait.ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_then_a_wait_then_more() {
        let limiter = RateLimiter::new(3);
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.take(1, start, 1).is_ok());
        }
        assert_eq!(limiter.take(1, start, 1), Err(1));
        // Another key has its own bucket.
        assert!(limiter.take(2, start, 1).is_ok());
        assert!(
            limiter
                .take(1, start + Duration::from_millis(400), 1)
                .is_ok()
        );
    }

    #[test]
    fn each_of_several_nodes_keeps_its_share() {
        let limiter = RateLimiter::new(30);
        let start = Instant::now();
        let taken = (0..40)
            .filter(|_| limiter.take(1, start, 3).is_ok())
            .count();
        assert_eq!(taken, 10, "a third of 30 on each of three nodes");
    }
}

//! Exponential backoff with full jitter for calls worth repeating (DESIGN §4.6).

use crate::cloud::CloudError;
use rand::Rng;
use std::time::Duration;

/// How often and how patiently a call is repeated.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The first wait.
    pub base: Duration,
    /// The longest wait.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 5,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt` (1 = the first retry): a random time up to
    /// `base × 2^(attempt-1)`, capped, and never shorter than the cloud's Retry-After.
    pub fn wait(&self, attempt: u32, error: &CloudError) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1 << attempt.saturating_sub(1).min(16))
            .min(self.cap);
        let jittered = ceiling.mul_f64(rand::rng().random_range(0.5..=1.0));
        jittered.max(error.retry_after.unwrap_or_default())
    }

    /// Runs `call` until it succeeds, fails for good, or the attempts are used up.
    pub async fn run<T, F, Fut>(&self, call: F) -> Result<T, CloudError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, CloudError>>,
    {
        self.run_while(|| Ok(()), call).await
    }

    /// [`RetryPolicy::run`], each attempt made only while `may_call` allows it (else its
    /// refusal is the answer).
    pub async fn run_while<T, F, Fut>(
        &self,
        may_call: impl Fn() -> Result<(), CloudError>,
        mut call: F,
    ) -> Result<T, CloudError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, CloudError>>,
    {
        let mut attempt = 1;
        loop {
            may_call()?;
            match call().await {
                Err(e) if e.class.is_retryable() && attempt < self.attempts => {
                    tokio::time::sleep(self.wait(attempt, &e)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::ErrorClass;

    #[test]
    fn waits_grow_to_the_cap_and_honour_retry_after() {
        let policy = RetryPolicy::default();
        let error = CloudError::new(ErrorClass::Throttled, "slow down");
        assert!(policy.wait(1, &error) <= Duration::from_millis(500));
        assert!(policy.wait(4, &error) >= Duration::from_secs(2));
        assert!(policy.wait(20, &error) <= Duration::from_secs(30));
        let asked = error.retry_after(Duration::from_secs(7));
        assert!(policy.wait(1, &asked) >= Duration::from_secs(7));
    }
}

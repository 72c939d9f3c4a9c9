//! A budget of failed authentications per client address: once an address has failed too
//! often, its failures are answered `429` with `Retry-After` instead of `401` until its
//! window has passed, and no body of it is read. Good clients never fail, so they never spend
//! from it, and a good credential is served from any address; another address has a budget
//! of its own.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed authentications one address may make in a window.
pub const FAILURE_BUDGET: u32 = 30;
/// The window the budget is counted over.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at most; past it, windows that are over are forgotten first.
const MAX_REMEMBERED: usize = 100_000;

/// Failures by address, in the current window of each.
#[derive(Debug, Default)]
pub struct AuthFailures {
    by_address: Mutex<HashMap<IpAddr, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

impl AuthFailures {
    /// `Ok` while `address` has budget left, else `Err(seconds until it has)`.
    pub fn check(&self, address: IpAddr, now: Instant) -> Result<(), u64> {
        let by_address = self.by_address.lock().unwrap_or_else(|e| e.into_inner());
        match by_address.get(&address) {
            Some(w) if w.failures >= FAILURE_BUDGET => {
                let left = FAILURE_WINDOW.saturating_sub(now.saturating_duration_since(w.started));
                if left.is_zero() {
                    Ok(())
                } else {
                    Err(left.as_secs().max(1))
                }
            }
            _ => Ok(()),
        }
    }

    /// Notes a failed authentication from `address`.
    pub fn failed(&self, address: IpAddr, now: Instant) {
        let mut by_address = self.by_address.lock().unwrap_or_else(|e| e.into_inner());
        if by_address.len() >= MAX_REMEMBERED {
            by_address.retain(|_, w| now.saturating_duration_since(w.started) < FAILURE_WINDOW);
        }
        let window = by_address.entry(address).or_insert(Window {
            started: now,
            failures: 0,
        });
        if now.saturating_duration_since(window.started) >= FAILURE_WINDOW {
            *window = Window {
                started: now,
                failures: 0,
            };
        }
        window.failures = window.failures.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_that_keeps_failing_waits_and_others_do_not() {
        let failures = AuthFailures::default();
        let bad: IpAddr = [127, 0, 0, 9].into();
        let good: IpAddr = [127, 0, 0, 1].into();
        let start = Instant::now();
        for _ in 0..FAILURE_BUDGET {
            assert!(failures.check(bad, start).is_ok());
            failures.failed(bad, start);
        }
        assert_eq!(
            failures.check(bad, start + Duration::from_secs(10)),
            Err(50)
        );
        assert!(failures.check(good, start).is_ok());
        // The window over, the budget is whole again.
        assert!(failures.check(bad, start + FAILURE_WINDOW).is_ok());
        failures.failed(bad, start + FAILURE_WINDOW);
        assert!(failures.check(bad, start + FAILURE_WINDOW).is_ok());
    }
}

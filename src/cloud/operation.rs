//! Following a long-running operation to its end (Azure's `Azure-AsyncOperation` and
//! `Location`, Google's zone operations): look, wait as long as the cloud asks (or the
//! cloud's usual interval), look again, and give up as a temporary failure when it outlasts
//! pooladmin's patience — the next pass sees what became of it.

use super::{CloudError, ErrorClass};
use std::future::Future;
use std::time::Duration;
// Tokio's clock, so tests with paused time see the waits pass.
use tokio::time::Instant;

/// What one look at an operation found.
pub enum Progress<T> {
    /// It ended; its result.
    Done(T),
    /// Still running; look again after this wait (`None`: the usual interval).
    Running(Option<Duration>),
}

/// How one cloud's operations are followed.
pub struct Patience {
    /// Names the cloud in the give-up message.
    pub cloud: &'static str,
    /// How long to wait between looks when the cloud does not say.
    pub every: Duration,
    /// How long an operation may run before pooladmin stops waiting.
    pub at_most: Duration,
}

impl Patience {
    /// Waits `first` (the first answer's own wait, else the usual interval), then looks
    /// with `look` until it reports [`Progress::Done`]; a failed look ends the wait with
    /// its error.
    pub async fn follow<T, F, Fut>(
        &self,
        first: Option<Duration>,
        mut look: F,
    ) -> Result<T, CloudError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Progress<T>, CloudError>>,
    {
        let started = Instant::now();
        let mut wait = first.unwrap_or(self.every);
        loop {
            if started.elapsed() + wait > self.at_most {
                return Err(CloudError::new(
                    ErrorClass::Transient,
                    format!(
                        "{}: the operation was still running after {:?}",
                        self.cloud, self.at_most
                    ),
                ));
            }
            tokio::time::sleep(wait).await;
            match look().await? {
                Progress::Done(result) => return Ok(result),
                Progress::Running(asked) => wait = asked.unwrap_or(self.every),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    const PATIENCE: Patience = Patience {
        cloud: "Test",
        every: Duration::from_secs(2),
        at_most: Duration::from_secs(60),
    };

    #[tokio::test(start_paused = true)]
    async fn it_looks_until_done_at_the_asked_pace() {
        let looks = Cell::new(0);
        let started = tokio::time::Instant::now();
        let result = PATIENCE
            .follow(Some(Duration::from_secs(5)), || async {
                looks.set(looks.get() + 1);
                Ok(match looks.get() {
                    1 => Progress::Running(Some(Duration::from_secs(10))),
                    2 => Progress::Running(None),
                    _ => Progress::Done("ended"),
                })
            })
            .await
            .unwrap();
        assert_eq!(result, "ended");
        assert_eq!(looks.get(), 3);
        // 5 s first, then the 10 s asked for, then the usual 2 s.
        assert_eq!(started.elapsed(), Duration::from_secs(17));
    }

    #[tokio::test(start_paused = true)]
    async fn an_endless_operation_is_a_temporary_failure() {
        let error = PATIENCE
            .follow(None, || async { Ok(Progress::<()>::Running(None)) })
            .await
            .err()
            .unwrap();
        assert_eq!(error.class, ErrorClass::Transient);
        assert!(error.message.contains("still running after 60s"), "{error}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_look_ends_the_wait() {
        let error = PATIENCE
            .follow(None, || async {
                Err::<Progress<()>, _>(CloudError::new(ErrorClass::Auth, "token expired"))
            })
            .await
            .err()
            .unwrap();
        assert_eq!(error.class, ErrorClass::Auth);
    }
}

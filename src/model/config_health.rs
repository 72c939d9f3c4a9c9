//! How an AutoScale config is faring: paused, backing off after a capacity error, or
//! stopped until the administrator edits it (DESIGN §4.6).

use jiff::Timestamp;

/// The first capacity/quota backoff; it doubles on each further error.
pub const FIRST_BACKOFF_S: i64 = 5 * 60;
/// The longest capacity/quota backoff.
pub const MAX_BACKOFF_S: i64 = 30 * 60;
/// Instances in a row that failed to become usable before the config stops.
pub const FAILURES_BEFORE_STOP: u32 = 3;

/// The stored health of one config.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfigHealth {
    /// Paused by the administrator.
    pub paused: bool,
    /// No creates before this time (capacity or quota error).
    pub backoff_until: Option<Timestamp>,
    /// How many backoffs in a row; the next lasts `5 min × 2^level`, at most 30 min.
    pub backoff_level: u32,
    /// Instances in a row that failed to become usable.
    pub consecutive_failures: u32,
    /// Why it stopped scaling (the provider's message), until edited or resumed.
    pub stopped_reason: Option<String>,
    /// The last error a cloud gave, as the cloud said it.
    pub last_error: Option<String>,
}

/// What the Status panel shows for a config.
#[derive(Clone, Debug, PartialEq)]
pub enum HealthStatus {
    /// Scaling normally.
    Ok,
    /// Paused by the administrator.
    Paused,
    /// Backing off until this time.
    BackingOff(Timestamp),
    /// Stopped, with why.
    Stopped(String),
}

impl ConfigHealth {
    /// Whether the config may create instances at `now`.
    pub fn may_create(&self, now: Timestamp) -> bool {
        matches!(self.status(now), HealthStatus::Ok)
    }

    /// Its status at `now`.
    pub fn status(&self, now: Timestamp) -> HealthStatus {
        if let Some(reason) = &self.stopped_reason {
            HealthStatus::Stopped(reason.clone())
        } else if self.paused {
            HealthStatus::Paused
        } else if let Some(until) = self
            .backoff_until
            .filter(|until| self.backs_off(*until, now))
        {
            HealthStatus::BackingOff(until)
        } else {
            HealthStatus::Ok
        }
    }

    /// After a capacity or quota error at `now`: back off, each time twice as long. Errors
    /// of creates that were in flight together count once: a backoff under way stands.
    /// Answers what the log says: until when, and why.
    pub fn back_off(&mut self, now: Timestamp, message: &str) -> String {
        self.last_error = Some(message.to_owned());
        let standing = self
            .backoff_until
            .is_some_and(|until| self.backs_off(until, now));
        if !standing {
            let seconds = (FIRST_BACKOFF_S << self.backoff_level.min(8)).min(MAX_BACKOFF_S);
            self.backoff_until = Some(now + jiff::SignedDuration::from_secs(seconds));
            self.backoff_level += 1;
        }
        let until = self
            .backoff_until
            .map_or_else(String::new, |t| t.strftime("%H:%M:%S").to_string());
        format!("backing off until {until} after: {message}")
    }

    /// Whether a backoff ending at `until` still holds at `now`. An end further away than
    /// the current level's length is impossible unless the wall clock went back: that
    /// backoff is over rather than stuck for the hour the clock lost.
    fn backs_off(&self, until: Timestamp, now: Timestamp) -> bool {
        let level = self.backoff_level.saturating_sub(1).min(8);
        let longest =
            jiff::SignedDuration::from_secs((FIRST_BACKOFF_S << level).min(MAX_BACKOFF_S));
        until > now && until <= now + longest
    }

    /// After an instance came up: the backoff and the failure count start again.
    pub fn succeeded(&mut self) {
        self.backoff_level = 0;
        self.backoff_until = None;
        self.consecutive_failures = 0;
    }

    /// After an instance failed to become usable; stops the config after a few in a row.
    /// Returns whether it stopped now.
    pub fn instance_failed(&mut self, reason: &str) -> bool {
        self.consecutive_failures += 1;
        self.last_error = Some(reason.to_owned());
        if self.consecutive_failures >= FAILURES_BEFORE_STOP && self.stopped_reason.is_none() {
            self.stopped_reason = Some(format!(
                "{} instances in a row failed ({reason}); stopped so it does not loop — \
                 edit the config or press Resume",
                self.consecutive_failures
            ));
            true
        } else {
            false
        }
    }

    /// Stops the config with the provider's message (bad credentials, invalid settings).
    pub fn stop(&mut self, message: &str) {
        self.stopped_reason = Some(message.to_owned());
        self.last_error = Some(message.to_owned());
    }

    /// Resume: clears a pause, a stop and the backoff.
    pub fn resume(&mut self) {
        *self = ConfigHealth::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_backoff_doubles_from_five_minutes_to_at_most_thirty() {
        let now = Timestamp::UNIX_EPOCH;
        let mut health = ConfigHealth::default();
        let mut lengths = Vec::new();
        let mut at = now;
        for _ in 0..5 {
            health.back_off(at, "no capacity");
            // A second error while backing off changes nothing.
            health.back_off(at, "no capacity");
            let until = health.backoff_until.unwrap();
            lengths.push(until.duration_since(at).as_secs());
            at = until;
        }
        assert_eq!(lengths, [300, 600, 1200, 1800, 1800]);
        let before_the_end = at - jiff::SignedDuration::from_secs(60);
        assert!(!health.may_create(before_the_end));
        health.succeeded();
        assert!(health.may_create(before_the_end));
    }

    #[test]
    fn the_third_failure_in_a_row_stops_the_config() {
        let mut health = ConfigHealth::default();
        assert!(!health.instance_failed("did not check in"));
        assert!(!health.instance_failed("did not check in"));
        assert!(health.instance_failed("did not check in"));
        assert!(matches!(
            health.status(Timestamp::UNIX_EPOCH),
            HealthStatus::Stopped(_)
        ));
    }
}

#[cfg(test)]
mod clock_jump_tests {
    use super::*;

    #[test]
    fn a_wall_clock_that_went_back_leaves_no_backoff_stuck() {
        let start = Timestamp::from_second(1_800_000_000).unwrap();
        let mut health = ConfigHealth::default();
        health.back_off(start, "InsufficientInstanceCapacity");
        assert!(!health.may_create(start + jiff::SignedDuration::from_secs(60)));
        // The clock goes back an hour: the stored end is now 65 min away, longer than a
        // first backoff can last.
        let back = start - jiff::SignedDuration::from_secs(3600);
        assert!(
            health.may_create(back),
            "not stuck for the hour the clock lost"
        );
        // A new error backs off from the time as it reads now.
        health.back_off(back, "InsufficientInstanceCapacity");
        assert!(!health.may_create(back + jiff::SignedDuration::from_secs(60)));
        assert!(health.may_create(back + jiff::SignedDuration::from_secs(11 * 60)));
    }

    #[test]
    fn a_wall_clock_that_jumped_forward_ends_the_backoff_and_nothing_more() {
        let start = Timestamp::from_second(1_800_000_000).unwrap();
        let mut health = ConfigHealth::default();
        health.back_off(start, "quota");
        assert!(health.may_create(start + jiff::SignedDuration::from_secs(3600)));
    }
}

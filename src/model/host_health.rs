//! Whether a member's agent is still heard from: a host that has reported once is judged
//! by its silence (Host Missing / Host Dead Expiration); one that never reported is not.

use jiff::Timestamp;

/// What a member's last report says about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostHealth {
    /// No agent ever reported for it (a member without an agent, or one still booting).
    Unmonitored,
    /// Reported within a third of the Host Missing Expiration.
    Reporting,
    /// Silent past a third of the Host Missing Expiration: still takes sessions, but an
    /// agent that reports every few seconds has missed several reports, so it is shown.
    Late,
    /// Silent past the Host Missing Expiration: no new sessions.
    Missing,
    /// Silent past the Host Dead Expiration: an autoscaled member is replaced.
    Dead,
}

impl HostHealth {
    /// Judges `last_report` at `now`.
    pub fn of(last_report: Option<Timestamp>, now: Timestamp, missing_s: u32, dead_s: u32) -> Self {
        let Some(last) = last_report else {
            return Self::Unmonitored;
        };
        let silent = now.as_millisecond() - last.as_millisecond();
        if silent > i64::from(dead_s) * 1000 {
            Self::Dead
        } else if silent > i64::from(missing_s) * 1000 {
            Self::Missing
        } else if silent > i64::from(missing_s) * 1000 / 3 {
            Self::Late
        } else {
            Self::Reporting
        }
    }

    /// Whether placement may use the member.
    pub fn takes_sessions(self) -> bool {
        matches!(self, Self::Unmonitored | Self::Reporting | Self::Late)
    }

    /// The word the tables show, when there is one.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Self::Late => Some("late"),
            Self::Missing => Some("missing"),
            Self::Dead => Some("dead"),
            Self::Unmonitored | Self::Reporting => None,
        }
    }
}

/// "12 s ago", "3 min ago", "2 h ago", "4 d ago", or "never".
pub fn report_age(last_report: Option<Timestamp>, now: Timestamp) -> String {
    let Some(last) = last_report else {
        return "never".to_owned();
    };
    let seconds = ((now.as_millisecond() - last.as_millisecond()) / 1000).max(0);
    match seconds {
        0..60 => format!("{seconds} s ago"),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86_400 => format!("{} h ago", seconds / 3600),
        _ => format!("{} d ago", seconds / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_000_000 + s).unwrap()
    }

    #[test]
    fn silence_turns_missing_then_dead() {
        let last = Some(at(0));
        assert_eq!(
            HostHealth::of(None, at(99_999), 600, 3600),
            HostHealth::Unmonitored
        );
        assert_eq!(
            HostHealth::of(last, at(200), 600, 3600),
            HostHealth::Reporting
        );
        assert_eq!(HostHealth::of(last, at(201), 600, 3600), HostHealth::Late);
        assert_eq!(HostHealth::of(last, at(600), 600, 3600), HostHealth::Late);
        assert!(HostHealth::Late.takes_sessions());
        assert_eq!(
            HostHealth::of(last, at(601), 600, 3600),
            HostHealth::Missing
        );
        assert_eq!(HostHealth::of(last, at(3601), 600, 3600), HostHealth::Dead);
        assert!(!HostHealth::Missing.takes_sessions());
    }

    #[test]
    fn ages_read_like_a_person_would_say_them() {
        assert_eq!(report_age(None, at(0)), "never");
        assert_eq!(report_age(Some(at(0)), at(12)), "12 s ago");
        assert_eq!(report_age(Some(at(0)), at(185)), "3 min ago");
        assert_eq!(report_age(Some(at(0)), at(7300)), "2 h ago");
        assert_eq!(report_age(Some(at(0)), at(4 * 86_400)), "4 d ago");
    }
}

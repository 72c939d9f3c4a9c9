//! Local clock readings by instant and time zone, each worked out once per pass.

use super::Zone;
use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};

/// A local clock reading, with what the windows ask of it worked out once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Local {
    pub(super) date: Date,
    /// Seconds since local midnight.
    pub(super) secs: i64,
    /// Monday = 0.
    pub(super) weekday: usize,
}

/// Local times by instant and time zone, each worked out once: the windows and overrides
/// of a timetable, and the timetables of a planner pass, mostly share their zone.
#[derive(Default)]
pub struct LocalTimes {
    /// By zone number: the instant last asked and its local time.
    by_zone: Vec<Option<(Timestamp, Local)>>,
}

impl LocalTimes {
    pub(super) fn of(&mut self, t: Timestamp, zone: &Zone) -> Local {
        if let Some(Some((at, local))) = self.by_zone.get(zone.id)
            && *at == t
        {
            return *local;
        }
        let civil = zone.tz.to_datetime(t);
        let local = Local {
            date: civil.date(),
            secs: seconds_of_day(civil.time()),
            weekday: day_index(civil.date().weekday()),
        };
        if self.by_zone.len() <= zone.id {
            self.by_zone.resize(zone.id + 1, None);
        }
        self.by_zone[zone.id] = Some((t, local));
        local
    }
}

/// Monday = 0.
pub(super) fn day_index(weekday: Weekday) -> usize {
    usize::from(weekday.to_monday_zero_offset().unsigned_abs())
}

/// Seconds since midnight on a local clock.
pub(super) fn seconds_of_day(time: Time) -> i64 {
    i64::from(time.hour()) * 3600 + i64::from(time.minute()) * 60 + i64::from(time.second())
}

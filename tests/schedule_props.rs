//! The timetable's rules over many instants (issue 15): windows hold in their own time
//! zone across DST changes (Europe/Berlin, America/New_York), a window crossing midnight
//! ends the next morning, overlapping windows give the larger value, a date override wins
//! over every window, and a window's values are in place its boot time before it begins.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use pooladmin::model::ValidationErrors;
use pooladmin::model::resources::Resources;
use pooladmin::model::schedule::{
    DateOverride, Level, Schedule, ScheduleSpec, ScheduleWindow, ScheduledValues,
};
use proptest::prelude::*;

const BASE: Level = Level::Agents(Resources {
    cores: 4.0,
    memory_mb: 0,
    gpus: 0,
});

fn window(days: [bool; 7], start: Time, end: Time, zone: &str, cores: u32) -> ScheduleWindow {
    ScheduleWindow {
        days,
        start: start.strftime("%H:%M").to_string(),
        end: end.strftime("%H:%M").to_string(),
        time_zone: zone.into(),
        values: ScheduledValues {
            standby_cores: cores.to_string(),
            ..ScheduledValues::default()
        },
    }
}

fn typed(schedule: Schedule) -> ScheduleSpec {
    let mut errors = ValidationErrors::default();
    let spec = schedule.parse(false, &mut errors);
    assert!(errors.is_empty(), "{errors}");
    spec
}

fn only(windows: Vec<ScheduleWindow>) -> ScheduleSpec {
    typed(Schedule {
        windows,
        overrides: vec![],
    })
}

fn cores(level: Level) -> f64 {
    match level {
        Level::Agents(r) => r.cores,
        Level::Servers(n) => f64::from(n),
    }
}

fn zone() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("Europe/Berlin"), Just("America/New_York"), Just("UTC")]
}

/// A minute of 2026 (both DST changes of both zones are in it).
fn instant() -> impl Strategy<Value = Timestamp> {
    (0i64..365 * 24 * 60).prop_map(|m| {
        "2026-01-01T00:00:00Z".parse::<Timestamp>().unwrap() + SignedDuration::from_mins(m)
    })
}

fn time() -> impl Strategy<Value = Time> {
    (0i8..24, 0i8..60).prop_map(|(h, m)| Time::new(h, m, 0, 0).unwrap())
}

fn days() -> impl Strategy<Value = [bool; 7]> {
    proptest::array::uniform7(any::<bool>()).prop_filter("a day at least", |d| d.iter().any(|x| *x))
}

/// The local time and weekday (Monday 0) of `t` in `zone`.
fn local(t: Timestamp, zone: &str) -> (Date, Time, usize) {
    let dt = t.to_zoned(TimeZone::get(zone).unwrap()).datetime();
    let weekday = usize::from(dt.date().weekday().to_monday_zero_offset().unsigned_abs());
    (dt.date(), dt.time(), weekday)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Open exactly when the local clock of its zone says so, whatever the UTC offset that day.
    #[test]
    fn a_window_follows_its_zones_clock(
        zone in zone(), days in days(), start in time(), end in time(), t in instant(),
    ) {
        prop_assume!(start != end);
        let spec = only(vec![window(days, start, end, zone, 32)]);
        let (_, now, weekday) = local(t, zone);
        let yesterday = (weekday + 6) % 7;
        let open = if start < end {
            days[weekday] && start <= now && now < end
        } else {
            (days[weekday] && now >= start) || (days[yesterday] && now < end)
        };
        let expected = if open { 32.0 } else { 4.0 };
        prop_assert_eq!(cores(spec.level_at(BASE, t).0), expected);
    }

    /// Two windows over each other: the larger value.
    #[test]
    fn overlapping_windows_give_the_larger_value(
        zone in zone(),
        a in (days(), time(), time(), 0u32..64),
        b in (days(), time(), time(), 0u32..64),
        t in instant(),
    ) {
        prop_assume!(a.1 != a.2 && b.1 != b.2);
        let first = window(a.0, a.1, a.2, zone, a.3);
        let second = window(b.0, b.1, b.2, zone, b.3);
        let both = only(vec![first.clone(), second.clone()]);
        let alone = |w: ScheduleWindow| only(vec![w]).level_at(BASE, t);
        let (one, one_open) = alone(first);
        let (two, two_open) = alone(second);
        let expected = match (one_open.is_some(), two_open.is_some()) {
            (true, true) => cores(one).max(cores(two)),
            (true, false) => cores(one),
            (false, true) => cores(two),
            (false, false) => 4.0,
        };
        prop_assert_eq!(cores(both.level_at(BASE, t).0), expected);
    }

    /// A date override holds all its day over every window; closed keeps nothing free.
    #[test]
    fn a_date_override_wins_over_every_window(
        zone in zone(), t in instant(), closed in any::<bool>(), cores_that_day in 0u32..64,
    ) {
        let (date, _, _) = local(t, zone);
        let spec = typed(Schedule {
            windows: vec![window([true; 7], Time::midnight(), Time::new(23, 59, 0, 0).unwrap(), zone, 32)],
            overrides: vec![DateOverride {
                date: date.to_string(),
                time_zone: zone.into(),
                closed,
                values: ScheduledValues {
                    standby_cores: cores_that_day.to_string(),
                    ..ScheduledValues::default()
                },
            }],
        });
        let expected = if closed { 0.0 } else { f64::from(cores_that_day) };
        prop_assert_eq!(cores(spec.level_at(BASE, t).0), expected);
    }

    /// A window's values hold from its boot time before it begins: not a minute earlier.
    #[test]
    fn a_window_is_ready_by_its_start(
        zone in zone(), day in 0i64..365, start in time(), lead_min in 1i64..120,
    ) {
        let date = Date::new(2026, 1, 1).unwrap() + jiff::Span::new().days(day);
        let end = Time::new(23, 59, 0, 0).unwrap();
        prop_assume!(start < end);
        let spec = only(vec![window([true; 7], start, end, zone, 32)]);
        let Ok(opens) = TimeZone::get(zone).unwrap().to_ambiguous_zoned(date.to_datetime(start)).compatible() else {
            return Ok(());
        };
        let opens = opens.timestamp();
        let lead = SignedDuration::from_mins(lead_min);
        // Before the lead, only if the window was not open then anyway (yesterday's).
        let before = opens - lead - SignedDuration::from_mins(1);
        prop_assume!(spec.level_at(BASE, before).1.is_none());
        prop_assert_eq!(cores(spec.effective(BASE, before, lead).level), 4.0);
        let within = opens - lead + SignedDuration::from_mins(1);
        let ready = spec.effective(BASE, within, lead);
        prop_assert_eq!(cores(ready.level), 32.0);
        prop_assert!(ready.why.is_some());
    }
}

/// On the days the clocks change, a 01:00–04:00 window lasts 2 h (spring) and 4 h (autumn)
/// in Berlin, and 3 h on an ordinary day.
#[test]
fn a_night_window_is_as_long_as_the_local_clock_says_on_dst_days() {
    let spec = only(vec![window(
        [true; 7],
        Time::new(1, 0, 0, 0).unwrap(),
        Time::new(4, 0, 0, 0).unwrap(),
        "Europe/Berlin",
        32,
    )]);
    let open_minutes = |date: &str| {
        let start: Timestamp = date
            .parse::<Date>()
            .unwrap()
            .to_zoned(TimeZone::get("Europe/Berlin").unwrap())
            .unwrap()
            .timestamp();
        (0..24 * 60)
            .filter(|m| {
                spec.level_at(BASE, start + SignedDuration::from_mins(*m))
                    .1
                    .is_some()
            })
            .count()
    };
    assert_eq!(open_minutes("2026-03-29"), 120, "spring forward");
    assert_eq!(open_minutes("2026-10-25"), 240, "fall back");
    assert_eq!(open_minutes("2026-06-10"), 180);
}

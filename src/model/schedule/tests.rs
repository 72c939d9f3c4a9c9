//! The timetable's unit tests: parsing, windows, overrides, DST, the planner's answers.

use super::*;
use crate::model::field::{ScheduleField, SchedulePart, ScheduleRow};
use jiff::{SignedDuration, Timestamp};

fn window(days: [bool; 7], start: &str, end: &str, zone: &str, cores: &str) -> ScheduleWindow {
    ScheduleWindow {
        days,
        start: start.into(),
        end: end.into(),
        time_zone: zone.into(),
        values: ScheduledValues {
            standby_cores: cores.into(),
            ..ScheduledValues::default()
        },
    }
}

const WEEKDAYS: [bool; 7] = [true, true, true, true, true, false, false];

fn spec(schedule: &Schedule) -> ScheduleSpec {
    let mut errors = ValidationErrors::default();
    let spec = schedule.parse(false, &mut errors);
    assert!(errors.is_empty(), "{errors}");
    spec
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn cores(level: Level) -> f64 {
    match level {
        Level::Agents(r) => r.cores,
        Level::Servers(n) => f64::from(n),
    }
}

const BASE: Level = Level::Agents(Resources {
    cores: 4.0,
    memory_mb: 0,
    gpus: 0,
});

#[test]
fn a_weekday_window_holds_in_its_own_time_zone() {
    let s = spec(&Schedule {
        windows: vec![window(WEEKDAYS, "08:00", "18:00", "Europe/Berlin", "32")],
        overrides: vec![],
    });
    // Monday 2026-12-07 08:30 in Berlin is 07:30 UTC.
    assert_eq!(cores(s.level_at(BASE, at("2026-12-07T07:30:00Z")).0), 32.0);
    assert_eq!(cores(s.level_at(BASE, at("2026-12-07T06:30:00Z")).0), 4.0);
    // Saturday: the config's own values.
    assert_eq!(cores(s.level_at(BASE, at("2026-12-05T10:00:00Z")).0), 4.0);
}

#[test]
fn a_window_across_midnight_ends_the_next_morning() {
    let friday_night = [false, false, false, false, true, false, false];
    let s = spec(&Schedule {
        windows: vec![window(friday_night, "22:00", "06:00", "UTC", "8")],
        overrides: vec![],
    });
    assert_eq!(cores(s.level_at(BASE, at("2026-12-04T23:00:00Z")).0), 8.0);
    assert_eq!(
        cores(s.level_at(BASE, at("2026-12-05T05:59:00Z")).0),
        8.0,
        "Saturday morning"
    );
    assert_eq!(cores(s.level_at(BASE, at("2026-12-05T06:00:00Z")).0), 4.0);
    assert_eq!(
        cores(s.level_at(BASE, at("2026-12-04T05:00:00Z")).0),
        4.0,
        "Friday morning"
    );
}

#[test]
fn a_closed_holiday_keeps_nothing_free_and_a_window_starting_soon_begins_early() {
    let s = spec(&Schedule {
        windows: vec![window(WEEKDAYS, "08:00", "18:00", "UTC", "32")],
        overrides: vec![DateOverride {
            date: "2026-12-25".into(),
            time_zone: "UTC".into(),
            closed: true,
            values: ScheduledValues::default(),
        }],
    });
    assert_eq!(cores(s.level_at(BASE, at("2026-12-25T10:00:00Z")).0), 0.0);
    let early = s.effective(
        BASE,
        at("2026-12-07T07:53:00Z"),
        SignedDuration::from_mins(10),
    );
    assert_eq!(cores(early.level), 32.0);
    let why = early.why.unwrap();
    assert!(
        why.contains("starts in 7 min, boot p90 10 min → standby 32 cores from now"),
        "{why}"
    );
    let change = s.next_change(BASE, at("2026-12-07T07:53:00Z")).unwrap();
    assert_eq!(change.0, at("2026-12-07T08:00:00Z"));
}

#[test]
fn bad_rows_are_refused_with_their_fields() {
    let mut errors = ValidationErrors::default();
    Schedule {
        windows: vec![window([false; 7], "8am", "25:00", "Mars/Olympus", "-1")],
        overrides: vec![DateOverride {
            date: "24.12.2026".into(),
            ..DateOverride::default()
        }],
    }
    .parse(false, &mut errors);
    let window = |part| ScheduleField {
        row: ScheduleRow::Window(0),
        part,
    };
    for field in [
        window(SchedulePart::Days),
        window(SchedulePart::Start),
        window(SchedulePart::End),
        window(SchedulePart::TimeZone),
        window(SchedulePart::StandbyCores),
        ScheduleField {
            row: ScheduleRow::Override(0),
            part: SchedulePart::Date,
        },
    ] {
        assert!(errors.for_field(field).is_some(), "{field:?}: {errors}");
    }
    // Said under the row's own label.
    assert!(
        errors
            .to_string()
            .contains("Schedule window 1: Start: expected a time")
    );
}

#[test]
fn the_boot_time_is_the_ninetieth_percentile_of_the_last_boots() {
    let guess = SignedDuration::from_secs(600);
    assert_eq!(boot_p90(&[], guess), guess);
    let boots: Vec<SignedDuration> = (1..=10).map(SignedDuration::from_mins).collect();
    assert_eq!(boot_p90(&boots, guess), SignedDuration::from_mins(9));
    assert_eq!(
        boot_p90(&[SignedDuration::from_secs(70)], guess),
        SignedDuration::from_secs(70)
    );
}

#[test]
fn days_read_as_ranges() {
    assert_eq!(days_label(&WEEKDAYS), "Mon–Fri");
    assert_eq!(
        days_label(&[false, false, false, false, false, true, true]),
        "Sat, Sun"
    );
    assert_eq!(days_label(&[true; 7]), "every day");
}

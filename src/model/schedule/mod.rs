//! Capacity on a timetable: an AutoScale config's schedule windows (days of the week, a
//! start and an end — crossing midnight when the end comes first — in an IANA time zone,
//! with their own standby values) and date overrides (a holiday: its own values, or
//! closed). Kept as the form's text; [`Schedule::parse`] makes the typed [`ScheduleSpec`]
//! the planner asks "what holds at this instant?" — a pure function of the instant.

mod boot_time;
mod local_times;
mod spec;
#[cfg(test)]
mod tests;

pub use boot_time::{BOOTS_JUDGED, boot_p90};
pub use local_times::LocalTimes;
pub use spec::{Effective, Level, OverrideSpec, ScheduleSpec, WindowSpec};

use super::ValidationErrors;
use super::field::{Field, ScheduleField, SchedulePart, ScheduleRow};
use super::resources::Resources;
use super::validation::parse_whole;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Day names, Monday first, as the form shows them.
pub const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The values a window or an override sets, as typed. Agent configs use the standby
/// fields, server configs the sessions; 0 turns standby off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ScheduledValues {
    /// Standby Cores.
    pub standby_cores: String,
    /// Standby GPUs.
    pub standby_gpus: String,
    /// Standby Memory (MB).
    pub standby_memory_mb: String,
    /// Minimum Available Sessions.
    pub minimum_available_sessions: String,
}

impl Default for ScheduledValues {
    fn default() -> Self {
        Self {
            standby_cores: "0".into(),
            standby_gpus: "0".into(),
            standby_memory_mb: "0".into(),
            minimum_available_sessions: "0".into(),
        }
    }
}

/// A schedule window as typed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ScheduleWindow {
    /// The days it starts on, Monday first.
    pub days: [bool; 7],
    /// Start (HH:MM).
    pub start: String,
    /// End (HH:MM); before the start, the window ends the next day.
    pub end: String,
    /// Time Zone (IANA, e.g. Europe/Berlin).
    pub time_zone: String,
    /// What holds while it is open.
    pub values: ScheduledValues,
}

impl Default for ScheduleWindow {
    fn default() -> Self {
        Self {
            days: [true, true, true, true, true, false, false],
            start: "08:00".into(),
            end: "18:00".into(),
            time_zone: system_time_zone(),
            values: ScheduledValues::default(),
        }
    }
}

/// A date with values of its own (or closed), over every window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct DateOverride {
    /// Date (YYYY-MM-DD).
    pub date: String,
    /// Time Zone (IANA) the date is in.
    pub time_zone: String,
    /// Closed: nothing kept free all day.
    pub closed: bool,
    /// What holds that day, unless closed.
    pub values: ScheduledValues,
}

impl Default for DateOverride {
    fn default() -> Self {
        Self {
            date: String::new(),
            time_zone: system_time_zone(),
            closed: true,
            values: ScheduledValues::default(),
        }
    }
}

/// A config's whole timetable, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Schedule {
    /// Schedule windows.
    pub windows: Vec<ScheduleWindow>,
    /// Date overrides.
    pub overrides: Vec<DateOverride>,
}

/// This machine's time zone, else UTC: the default of new rows.
pub fn system_time_zone() -> String {
    TimeZone::system().iana_name().unwrap_or("UTC").to_owned()
}

impl Schedule {
    /// No window and no override.
    pub fn is_unset(&self) -> bool {
        self.windows.is_empty() && self.overrides.is_empty()
    }

    /// The typed timetable of a config of `servers` kind, or every field that is wrong.
    /// Each error names its row and field ([`ScheduleField`]: "Schedule window 2: Start").
    pub fn parse(&self, servers: bool, errors: &mut ValidationErrors) -> ScheduleSpec {
        let mut spec = ScheduleSpec::default();
        for (i, window) in self.windows.iter().enumerate() {
            let at = ScheduleRow::Window(i);
            let field = |part| ScheduleField { row: at, part };
            let start = parse_time(errors, field(SchedulePart::Start), &window.start);
            let end = parse_time(errors, field(SchedulePart::End), &window.end);
            let zone = parse_zone(errors, field(SchedulePart::TimeZone), &window.time_zone);
            if !window.days.iter().any(|d| *d) {
                errors.push(field(SchedulePart::Days), "choose at least one day");
            }
            if let (Some(s), Some(e)) = (start, end)
                && s == e
            {
                errors.push(
                    field(SchedulePart::End),
                    "a window ends at another time than it starts",
                );
            }
            let level = parse_values(errors, at, &window.values, servers);
            if let (Some(start), Some(end), Some(zone)) = (start, end, zone) {
                spec.windows.push(WindowSpec {
                    label: format!(
                        "{} {}–{} {}",
                        days_label(&window.days),
                        window.start.trim(),
                        window.end.trim(),
                        window.time_zone.trim()
                    ),
                    days: window.days,
                    start,
                    end,
                    zone,
                    level,
                });
            }
        }
        for (i, date_override) in self.overrides.iter().enumerate() {
            let at = ScheduleRow::Override(i);
            let field = |part| ScheduleField { row: at, part };
            let date = match date_override.date.trim().parse::<Date>() {
                Ok(date) => Some(date),
                Err(_) => {
                    errors.push(field(SchedulePart::Date), "expected a date like 2026-12-24");
                    None
                }
            };
            let zone = parse_zone(
                errors,
                field(SchedulePart::TimeZone),
                &date_override.time_zone,
            );
            let level = (!date_override.closed)
                .then(|| parse_values(errors, at, &date_override.values, servers));
            if let (Some(date), Some(zone)) = (date, zone) {
                spec.overrides.push(OverrideSpec {
                    label: match level {
                        None => format!("{date} (closed)"),
                        Some(_) => format!("{date}"),
                    },
                    date,
                    zone,
                    level,
                });
            }
        }
        spec
    }
}

fn parse_time(errors: &mut ValidationErrors, field: impl Into<Field>, text: &str) -> Option<Time> {
    let field: Field = field.into();
    let text = text.trim();
    let parsed = text
        .split_once(':')
        .and_then(|(h, m)| Some((h.parse::<i8>().ok()?, m.parse::<i8>().ok()?)))
        .filter(|_| text.len() <= 5)
        .and_then(|(h, m)| Time::new(h, m, 0, 0).ok());
    if parsed.is_none() {
        errors.push(field, "expected a time like 08:00 (00:00 to 23:59)");
    }
    parsed
}

fn parse_zone(errors: &mut ValidationErrors, field: impl Into<Field>, text: &str) -> Option<Zone> {
    let field: Field = field.into();
    match TimeZone::get(text.trim()) {
        Ok(tz) => Some(Zone {
            id: zone_number(text.trim()),
            tz,
        }),
        Err(_) => {
            errors.push(
                field,
                "expected an IANA time zone, e.g. Europe/Berlin or UTC",
            );
            None
        }
    }
}

/// A time zone with its number in this process (one per name), so the planner finds the
/// local time it already worked out for it by index.
#[derive(Clone, Debug, PartialEq)]
struct Zone {
    tz: TimeZone,
    id: usize,
}

/// The number of the zone named `name`: the same name, the same number.
fn zone_number(name: &str) -> usize {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static NUMBERS: OnceLock<Mutex<HashMap<String, usize>>> = OnceLock::new();
    let mut numbers = NUMBERS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let next = numbers.len();
    *numbers.entry(name.to_owned()).or_insert(next)
}

fn parse_values(
    errors: &mut ValidationErrors,
    at: ScheduleRow,
    values: &ScheduledValues,
    servers: bool,
) -> Level {
    let field = |part| ScheduleField { row: at, part };
    if servers {
        let n = parse_whole(
            errors,
            field(SchedulePart::MinimumAvailableSessions),
            &values.minimum_available_sessions,
            0,
            10_000,
        );
        Level::Servers(u32::try_from(n).unwrap_or(0))
    } else {
        let cores = parse_whole(
            errors,
            field(SchedulePart::StandbyCores),
            &values.standby_cores,
            0,
            100_000,
        );
        let gpus = parse_whole(
            errors,
            field(SchedulePart::StandbyGpus),
            &values.standby_gpus,
            0,
            10_000,
        );
        let memory = parse_whole(
            errors,
            field(SchedulePart::StandbyMemory),
            &values.standby_memory_mb,
            0,
            1_000_000_000,
        );
        Level::Agents(Resources::new(cores as f64, memory, gpus))
    }
}

/// "Mon–Fri", "Sat, Sun", "every day".
pub fn days_label(days: &[bool; 7]) -> String {
    if days.iter().all(|d| *d) {
        return "every day".to_owned();
    }
    let on: Vec<usize> = (0..7).filter(|i| days[*i]).collect();
    let contiguous = on.windows(2).all(|w| w[1] == w[0] + 1);
    match (on.first(), on.last()) {
        (Some(first), Some(last)) if contiguous && on.len() >= 3 => {
            format!("{}–{}", DAYS[*first], DAYS[*last])
        }
        _ => on.iter().map(|i| DAYS[*i]).collect::<Vec<_>>().join(", "),
    }
}

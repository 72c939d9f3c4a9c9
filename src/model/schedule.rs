//! Capacity on a timetable: an AutoScale config's schedule windows (days of the week, a
//! start and an end — crossing midnight when the end comes first — in an IANA time zone,
//! with their own standby values) and date overrides (a holiday: its own values, or
//! closed). Kept as the form's text; [`Schedule::parse`] makes the typed [`ScheduleSpec`]
//! the planner asks "what holds at this instant?" — a pure function of the instant.

use super::ValidationErrors;
use super::resources::Resources;
use super::validation::parse_whole;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
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

/// What a config keeps free at some instant: an agent config's standby, or a server
/// config's minimum available sessions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Level {
    /// Standby Cores / Memory / GPUs.
    Agents(Resources),
    /// Minimum Available Sessions.
    Servers(u32),
}

impl Level {
    /// The larger of two levels, resource by resource.
    pub fn max(self, other: Level) -> Level {
        match (self, other) {
            (Level::Agents(a), Level::Agents(b)) => Level::Agents(Resources::new(
                a.cores.max(b.cores),
                a.memory_mb.max(b.memory_mb),
                a.gpus.max(b.gpus),
            )),
            (Level::Servers(a), Level::Servers(b)) => Level::Servers(a.max(b)),
            // Never mixed: one config has one kind.
            (mine, _) => mine,
        }
    }

    /// Nothing kept free, of this kind.
    pub fn zero(self) -> Level {
        match self {
            Level::Agents(_) => Level::Agents(Resources::default()),
            Level::Servers(_) => Level::Servers(0),
        }
    }

    /// "standby 32 cores" / "minimum 4 sessions".
    pub fn describe(self) -> String {
        match self {
            Level::Agents(r) => {
                let mut text = format!("standby {} cores", r.cores);
                if r.memory_mb > 0 {
                    text.push_str(&format!(", {} MB", r.memory_mb));
                }
                if r.gpus > 0 {
                    text.push_str(&format!(", {} GPUs", r.gpus));
                }
                text
            }
            Level::Servers(n) => format!("minimum {n} available sessions"),
        }
    }
}

/// One window, typed.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowSpec {
    days: [bool; 7],
    start: Time,
    end: Time,
    zone: Zone,
    level: Level,
    /// "Mon–Fri 08:00–18:00 Europe/Berlin", for reasons.
    pub label: String,
}

/// One override, typed.
#[derive(Clone, Debug, PartialEq)]
pub struct OverrideSpec {
    date: Date,
    zone: Zone,
    /// `None`: closed.
    level: Option<Level>,
    /// "2026-12-25 (closed)", for reasons.
    pub label: String,
}

/// A timetable the planner can ask.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScheduleSpec {
    /// The windows.
    pub windows: Vec<WindowSpec>,
    /// The overrides.
    pub overrides: Vec<OverrideSpec>,
}

/// What holds now, and why when the timetable says so.
#[derive(Clone, Debug, PartialEq)]
pub struct Effective {
    /// What to keep free.
    pub level: Level,
    /// Why it differs from the config's own values, if it does.
    pub why: Option<String>,
}

impl Schedule {
    /// No window and no override.
    pub fn is_unset(&self) -> bool {
        self.windows.is_empty() && self.overrides.is_empty()
    }

    /// The typed timetable of a config of `servers` kind, or every field that is wrong.
    /// Fields are named "Schedule window 2: Start", "Date override 1: Date", ….
    pub fn parse(&self, servers: bool, errors: &mut ValidationErrors) -> ScheduleSpec {
        let mut spec = ScheduleSpec::default();
        for (i, window) in self.windows.iter().enumerate() {
            let at = format!("Schedule window {}", i + 1);
            let field = |name: &str| leak(format!("{at}: {name}"));
            let start = parse_time(errors, field("Start"), &window.start);
            let end = parse_time(errors, field("End"), &window.end);
            let zone = parse_zone(errors, field("Time Zone"), &window.time_zone);
            if !window.days.iter().any(|d| *d) {
                errors.push(field("Days"), "choose at least one day");
            }
            if let (Some(s), Some(e)) = (start, end)
                && s == e
            {
                errors.push(field("End"), "a window ends at another time than it starts");
            }
            let level = parse_values(errors, &at, &window.values, servers);
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
            let at = format!("Date override {}", i + 1);
            let field = |name: &str| leak(format!("{at}: {name}"));
            let date = match date_override.date.trim().parse::<Date>() {
                Ok(date) => Some(date),
                Err(_) => {
                    errors.push(field("Date"), "expected a date like 2026-12-24");
                    None
                }
            };
            let zone = parse_zone(errors, field("Time Zone"), &date_override.time_zone);
            let level = (!date_override.closed)
                .then(|| parse_values(errors, &at, &date_override.values, servers));
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

/// Field names are built per row; the errors keep `&'static str` names, and a form has a
/// handful of rows, so each distinct name is kept once for the process.
fn leak(name: String) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(known) = names.get(name.as_str()) {
        return known;
    }
    let kept: &'static str = Box::leak(name.into_boxed_str());
    names.insert(kept);
    kept
}

fn parse_time(errors: &mut ValidationErrors, field: &'static str, text: &str) -> Option<Time> {
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

fn parse_zone(errors: &mut ValidationErrors, field: &'static str, text: &str) -> Option<Zone> {
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
    at: &str,
    values: &ScheduledValues,
    servers: bool,
) -> Level {
    let field = |name: &str| leak(format!("{at}: {name}"));
    if servers {
        let n = parse_whole(
            errors,
            field("Minimum Available Sessions"),
            &values.minimum_available_sessions,
            0,
            10_000,
        );
        Level::Servers(u32::try_from(n).unwrap_or(0))
    } else {
        let cores = parse_whole(
            errors,
            field("Standby Cores"),
            &values.standby_cores,
            0,
            100_000,
        );
        let gpus = parse_whole(
            errors,
            field("Standby GPUs"),
            &values.standby_gpus,
            0,
            10_000,
        );
        let memory = parse_whole(
            errors,
            field("Standby Memory (MB)"),
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

fn day_index(weekday: Weekday) -> usize {
    usize::from(weekday.to_monday_zero_offset().unsigned_abs())
}

impl WindowSpec {
    /// Whether the window is open at `t`.
    fn covers(&self, t: Timestamp, locals: &mut LocalTimes) -> bool {
        let local = locals.of(t, &self.zone);
        let today = self.days[local.weekday];
        let (start, end) = (seconds_of_day(self.start), seconds_of_day(self.end));
        if start < end {
            return today && start <= local.secs && local.secs < end;
        }
        // Crosses midnight: open from the start on a listed day to the end the day after.
        let yesterday = self.days[(local.weekday + 6) % 7];
        (today && local.secs >= start) || (yesterday && local.secs < end)
    }

    /// The instants it opens in `(from, to]`: only the days from `from`'s on that `to`
    /// can reach are looked at (the planner asks this every pass).
    fn opens_within(
        &self,
        from: Timestamp,
        to: Timestamp,
        locals: &mut LocalTimes,
        out: &mut Vec<Timestamp>,
    ) {
        let local_from = locals.of(from, &self.zone);
        let reach = to.duration_since(from).as_secs();
        let slack = DST_SLACK.as_secs();
        let span_days = reach / 86_400 + 1;
        let today = local_from.weekday;
        let since_midnight = local_from.secs;
        for k in 0..=span_days {
            // On the local clock first (whole seconds, cheap): only a start within reach,
            // give or take a DST shift, on a listed day, is worth resolving to an instant.
            let civil_gap = k * 86_400 + seconds_of_day(self.start) - since_midnight;
            let near = civil_gap > -slack && civil_gap <= reach + slack;
            let listed = self.days[(today + k.unsigned_abs() as usize) % 7];
            if !(near && listed) {
                continue;
            }
            let Ok(day) = local_from.date.checked_add(jiff::Span::new().days(k)) else {
                continue;
            };
            if let Ok(zoned) = self
                .zone
                .tz
                .to_ambiguous_zoned(day.to_datetime(self.start))
                .compatible()
            {
                let t = zoned.timestamp();
                if from < t && t <= to {
                    out.push(t);
                }
            }
        }
    }

    /// The instants it opens (`true`) or closes (`false`) in `(from, to]`.
    fn boundaries(&self, from: Timestamp, to: Timestamp, out: &mut Vec<(Timestamp, bool)>) {
        let (Ok(first), Ok(last)) = (
            from.to_zoned(self.zone.tz.clone()).date().yesterday(),
            to.to_zoned(self.zone.tz.clone()).date().tomorrow(),
        ) else {
            return;
        };
        let mut day = first;
        while day <= last {
            if self.days[day_index(day.weekday())] {
                let end_day = if self.start < self.end {
                    Some(day)
                } else {
                    day.tomorrow().ok()
                };
                let mut push = |date: Date, time: Time, opens: bool| {
                    if let Ok(zoned) = self
                        .zone
                        .tz
                        .to_ambiguous_zoned(date.to_datetime(time))
                        .compatible()
                    {
                        let t = zoned.timestamp();
                        if from < t && t <= to {
                            out.push((t, opens));
                        }
                    }
                };
                push(day, self.start, true);
                if let Some(end_day) = end_day {
                    push(end_day, self.end, false);
                }
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
    }
}

impl OverrideSpec {
    fn covers(&self, t: Timestamp, locals: &mut LocalTimes) -> bool {
        locals.of(t, &self.zone).date == self.date
    }

    /// Whether it begins (its date's midnight) in `(from, to]`, and when.
    fn opens_within(
        &self,
        from: Timestamp,
        to: Timestamp,
        locals: &mut LocalTimes,
    ) -> Option<Timestamp> {
        // Only a date from today on that the reach (and a DST shift) gets to can begin.
        let local_from = locals.of(from, &self.zone);
        let reach = to.duration_since(from).as_secs() + DST_SLACK.as_secs();
        let mut day = local_from.date;
        let mut gap = -local_from.secs;
        while day < self.date && gap <= reach {
            day = day.tomorrow().ok()?;
            gap += 86_400;
        }
        if day != self.date || gap > reach {
            return None;
        }
        let t = self.date.to_zoned(self.zone.tz.clone()).ok()?.timestamp();
        (from < t && t <= to).then_some(t)
    }

    /// Its start and its end, in `(from, to]`.
    fn boundaries(&self, from: Timestamp, to: Timestamp, out: &mut Vec<(Timestamp, bool)>) {
        let starts = [
            (self.date, true),
            (self.date.tomorrow().unwrap_or(self.date), false),
        ];
        for (date, opens) in starts {
            if let Ok(zoned) = date.to_zoned(self.zone.tz.clone()) {
                let t = zoned.timestamp();
                if from < t && t <= to {
                    out.push((t, opens));
                }
            }
        }
    }
}

/// What decided a level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cause {
    Base,
    Override,
    Windows,
}

/// Seconds since midnight on a local clock.
fn seconds_of_day(time: Time) -> i64 {
    i64::from(time.hour()) * 3600 + i64::from(time.minute()) * 60 + i64::from(time.second())
}

/// A DST change moves a local clock by at most this much against the instant.
const DST_SLACK: SignedDuration = SignedDuration::from_hours(2);

/// A local clock reading, with what the windows ask of it worked out once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Local {
    date: Date,
    /// Seconds since local midnight.
    secs: i64,
    /// Monday = 0.
    weekday: usize,
}

/// Local times by instant and time zone, each worked out once: the windows and overrides
/// of a timetable, and the timetables of a planner pass, mostly share their zone.
#[derive(Default)]
pub struct LocalTimes {
    /// By zone number: the instant last asked and its local time.
    by_zone: Vec<Option<(Timestamp, Local)>>,
}

impl LocalTimes {
    fn of(&mut self, t: Timestamp, zone: &Zone) -> Local {
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

/// How many of a config's last boots its boot time is judged by.
pub const BOOTS_JUDGED: usize = 20;

/// A config's boot time: the 90th percentile of its last boots, or `first_guess` (the
/// Provision Timeout) before it has any.
pub fn boot_p90(boots: &[SignedDuration], first_guess: SignedDuration) -> SignedDuration {
    if boots.is_empty() {
        return first_guess;
    }
    let mut sorted = boots.to_vec();
    sorted.sort();
    // Nearest rank: the smallest boot at or above 90 % of them.
    let rank = (sorted.len() * 9).div_ceil(10).max(1);
    sorted[rank - 1]
}

/// Minutes, rounded up: "starts in 7 min".
fn whole_minutes(duration: SignedDuration) -> u64 {
    duration.as_secs().unsigned_abs().div_ceil(60)
}

impl ScheduleSpec {
    /// Whether there is a timetable at all.
    pub fn is_empty(&self) -> bool {
        self.windows.is_empty() && self.overrides.is_empty()
    }

    /// What holds at `t` over the config's own `base`: an override of that date first
    /// (the larger when two cover it), else the larger of the open windows, else `base`.
    /// With the label of what decided it.
    pub fn level_at(&self, base: Level, t: Timestamp) -> (Level, Option<String>) {
        let mut locals = LocalTimes::default();
        let (level, cause) = self.decide(base, t, &mut locals);
        let why = match cause {
            Cause::Base => None,
            Cause::Override => {
                let labels: Vec<&str> = self
                    .overrides
                    .iter()
                    .filter(|o| o.covers(t, &mut locals))
                    .map(|o| o.label.as_str())
                    .collect();
                Some(format!("date override {}", labels.join(", ")))
            }
            Cause::Windows => {
                let labels: Vec<&str> = self
                    .windows
                    .iter()
                    .filter(|w| w.covers(t, &mut locals))
                    .map(|w| w.label.as_str())
                    .collect();
                Some(format!("window {}", labels.join(" + ")))
            }
        };
        (level, why)
    }

    /// [`ScheduleSpec::level_at`] without the words: what holds, and what decided it.
    fn decide(&self, base: Level, t: Timestamp, locals: &mut LocalTimes) -> (Level, Cause) {
        let mut overridden = None;
        for date_override in &self.overrides {
            if date_override.covers(t, locals) {
                let level = date_override.level.unwrap_or(base.zero());
                overridden = Some(overridden.map_or(level, |l: Level| l.max(level)));
            }
        }
        if let Some(level) = overridden {
            return (level, Cause::Override);
        }
        let mut open = None;
        for window in &self.windows {
            if window.covers(t, locals) {
                open = Some(open.map_or(window.level, |l: Level| l.max(window.level)));
            }
        }
        match open {
            Some(level) => (level, Cause::Windows),
            None => (base, Cause::Base),
        }
    }

    /// The instants in `(now, now + lead]` at which a window or an override begins.
    fn opening_soon(
        &self,
        now: Timestamp,
        lead: SignedDuration,
        locals: &mut LocalTimes,
    ) -> Vec<Timestamp> {
        let ahead = now.checked_add(lead).unwrap_or(Timestamp::MAX);
        let mut upcoming = Vec::new();
        for window in &self.windows {
            window.opens_within(now, ahead, locals, &mut upcoming);
        }
        upcoming.extend(
            self.overrides
                .iter()
                .filter_map(|o| o.opens_within(now, ahead, locals)),
        );
        upcoming
    }

    /// What to keep free at `now`, and whether the timetable decided it — the planner's
    /// question on every pass, answered without words.
    pub fn effective_level(
        &self,
        base: Level,
        now: Timestamp,
        lead: SignedDuration,
        locals: &mut LocalTimes,
    ) -> (Level, bool) {
        if self.is_empty() {
            return (base, false);
        }
        let (mut level, _) = self.decide(base, now, locals);
        for at in self.opening_soon(now, lead, locals) {
            level = self.decide(base, at, locals).0.max(level);
        }
        // The timetable decided only what differs from the config's own values.
        (level, level != base)
    }

    /// What to keep free at `now` so that every window's values are in place when it
    /// begins: its values already hold from `lead` (the config's boot time) before.
    pub fn effective(&self, base: Level, now: Timestamp, lead: SignedDuration) -> Effective {
        let (mut level, mut why) = self.level_at(base, now);
        if self.is_empty() {
            return Effective { level, why };
        }
        let mut locals = LocalTimes::default();
        for at in self.opening_soon(now, lead, &mut locals) {
            let (then, what) = self.level_at(base, at);
            let raised = then.max(level);
            if raised != level {
                level = raised;
                let minutes = whole_minutes(at.duration_since(now));
                why = Some(format!(
                    "{} starts in {minutes} min, boot p90 {} min → {} from now",
                    what.unwrap_or_else(|| "the schedule".to_owned()),
                    whole_minutes(lead),
                    level.describe()
                ));
            }
        }
        if level == base {
            why = None;
        }
        Effective { level, why }
    }

    /// The next instant within a week after `now` at which what holds changes, and what
    /// holds from then.
    pub fn next_change(&self, base: Level, now: Timestamp) -> Option<(Timestamp, Level)> {
        let week_on = now
            .checked_add(SignedDuration::from_hours(7 * 24 + 1))
            .ok()?;
        let mut boundaries = Vec::new();
        self.boundaries(now, week_on, &mut boundaries);
        boundaries.sort_by_key(|(t, _)| *t);
        let (current, _) = self.level_at(base, now);
        boundaries
            .into_iter()
            .map(|(t, _)| (t, self.level_at(base, t).0))
            .find(|(_, level)| *level != current)
    }

    fn boundaries(&self, from: Timestamp, to: Timestamp, out: &mut Vec<(Timestamp, bool)>) {
        for window in &self.windows {
            window.boundaries(from, to, out);
        }
        for date_override in &self.overrides {
            date_override.boundaries(from, to, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for field in [
            "Schedule window 1: Days",
            "Schedule window 1: Start",
            "Schedule window 1: End",
            "Schedule window 1: Time Zone",
            "Schedule window 1: Standby Cores",
            "Date override 1: Date",
        ] {
            assert!(errors.for_field(field).is_some(), "{field}: {errors}");
        }
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
}

//! The typed timetable the planner asks: what holds at an instant, what opens within a
//! config's boot time, and when it next changes.

use super::Zone;
use super::local_times::{LocalTimes, day_index, seconds_of_day};
use crate::model::resources::Resources;
use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Timestamp};

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
    pub(super) days: [bool; 7],
    pub(super) start: Time,
    pub(super) end: Time,
    pub(super) zone: Zone,
    pub(super) level: Level,
    /// "Mon–Fri 08:00–18:00 Europe/Berlin", for reasons.
    pub label: String,
}

/// One override, typed.
#[derive(Clone, Debug, PartialEq)]
pub struct OverrideSpec {
    pub(super) date: Date,
    pub(super) zone: Zone,
    /// `None`: closed.
    pub(super) level: Option<Level>,
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

/// A DST change moves a local clock by at most this much against the instant.
const DST_SLACK: SignedDuration = SignedDuration::from_hours(2);

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

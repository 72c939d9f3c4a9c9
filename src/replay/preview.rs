//! A Preview: the recorded demand of a pool replayed against a config's current values and
//! candidate ones, side by side. [`Basis::load`] reads what the replay needs from the store
//! once; [`preview`] is pure, so the same basis and values give the same report, byte for
//! byte.

use super::engine::{Outcome, Request, Setup, replay};
use super::stand_in::StandIn;
use crate::demo::demand::session_size;
use crate::model::autoscale::AutoScaleSpec;
use crate::model::cost::format_money;
use crate::model::schedule::{BOOTS_JUDGED, boot_p90};
use crate::model::session_history::EndedSession;
use crate::model::vm_provider::VmProviderSpec;
use crate::model::{AutoScaleId, PoolKind, Resources, ValidationErrors, VmProviderId};
use crate::scaler::snapshot::ConfigSnapshot;
use crate::store::{Store, StoreError};
use jiff::{SignedDuration, Timestamp};
use std::fmt::Write as _;

/// Where the replayed demand came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemandSource {
    /// The pool's sessions: those that ended, and those still running (taken as running
    /// until the replay's end).
    Recorded {
        /// Sessions on record as ended.
        ended: usize,
        /// Sessions running now.
        running: usize,
    },
    /// No history in the span: the demo's demand generator stood in.
    StandIn,
}

/// Everything a replay of one pool reads from the store.
#[derive(Clone, Debug, PartialEq)]
pub struct Basis {
    /// The pool's name.
    pub pool_name: String,
    /// Server or Docker Agent.
    pub kind: PoolKind,
    /// The span replayed.
    pub from: Timestamp,
    /// Its end.
    pub to: Timestamp,
    /// The requests, oldest first.
    pub requests: Vec<Request>,
    /// Where they came from.
    pub source: DemandSource,
    /// The config's observed boot time (p90 of its last boots), if it has booted any.
    pub observed_boot: Option<SignedDuration>,
    /// The VM Provider config's Max instances (0 when it has none set).
    pub max_instances: u32,
    /// Its Hourly Price, if any.
    pub hourly_price: Option<f64>,
    /// The currency of prices.
    pub currency: String,
    /// The pool's members that are not autoscaled (servers: slots in `cores`).
    pub fixed: Vec<Resources>,
    /// The autoscaled instances that were serving when the span began, from the instance
    /// history (servers: slots in `cores`): the fleet the replay starts with.
    pub initial: Vec<Resources>,
}

/// Why a Preview could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A value does not pass the form's checks.
    #[error("{0}")]
    Invalid(String),
}

impl From<ValidationErrors> for PreviewError {
    fn from(errors: ValidationErrors) -> Self {
        Self::Invalid(errors.to_string())
    }
}

impl Basis {
    /// Reads the basis of a replay of `spec` (config `config` once saved) on `provider` (its
    /// Max instances and price) in `[from, to)`.
    pub fn load(
        store: &Store,
        spec: &AutoScaleSpec,
        config: Option<AutoScaleId>,
        provider: Option<&VmProviderSpec>,
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
    ) -> Result<Self, PreviewError> {
        let pool = store
            .pools()?
            .into_iter()
            .find(|p| p.id == spec.pool)
            .ok_or_else(|| PreviewError::Invalid(format!("pool {} does not exist", spec.pool.0)))?;
        let ended = requests_of(store.ended_sessions(pool.id, from, to)?);
        let running = requests_of(store.running_sessions(pool.id, from, to)?);
        let source = DemandSource::Recorded {
            ended: ended.len(),
            running: running.len(),
        };
        let mut recorded = ended;
        recorded.extend(running);
        recorded.sort_by_key(|r| r.at);
        let (requests, source) = if recorded.is_empty() {
            let size = spec
                .own_values()
                .map(|v| session_size(&v.scaling))
                .unwrap_or_else(|_| Resources::new(2.0, 2_048, 0));
            (StandIn::new(size).requests(from, to), DemandSource::StandIn)
        } else {
            (recorded, source)
        };
        let observed_boot = match config {
            Some(id) => store
                .boot_times(BOOTS_JUDGED)?
                .get(&id)
                .filter(|b| !b.is_empty())
                .map(|b| boot_p90(b, SignedDuration::ZERO)),
            None => None,
        };
        let (max_instances, hourly_price) = match provider {
            Some(p) => (
                p.max_instances().unwrap_or(0),
                p.cost_terms().ok().and_then(|t| t.hourly_price),
            ),
            None => (0, None),
        };
        let fixed = store
            .scaling_members(now)?
            .into_iter()
            .filter(|m| m.pool == pool.id && m.instance.is_none() && m.enabled && !m.draining)
            .map(|m| m.capacity)
            .collect();
        Ok(Self {
            pool_name: pool.name,
            kind: pool.kind,
            from,
            to,
            requests,
            source,
            observed_boot,
            max_instances,
            hourly_price,
            currency: store.app_settings()?.currency,
            fixed,
            initial: store.fleet_at(pool.id, from)?,
        })
    }
}

/// The sessions users asked for (staged ones left out) as replay requests.
fn requests_of(sessions: Vec<EndedSession>) -> Vec<Request> {
    sessions
        .into_iter()
        .filter(|s| !s.staged)
        .map(|s| Request {
            at: s.started_at,
            duration: s.duration(),
            resources: s.resources,
        })
        .collect()
}

/// A stored VM Provider config.
pub fn provider_of(
    store: &Store,
    id: Option<VmProviderId>,
) -> Result<Option<VmProviderSpec>, StoreError> {
    let Some(id) = id else {
        return Ok(None);
    };
    Ok(store
        .configs::<VmProviderSpec>()?
        .into_iter()
        .find(|row| row.id == id)
        .map(|row| row.spec))
}

/// One side of a Preview.
#[derive(Clone, Debug, PartialEq)]
pub struct Side {
    /// What its replay found.
    pub outcome: Outcome,
    /// The boot time it replayed with.
    pub boot_time: SignedDuration,
    /// Max instances it replayed with.
    pub max_instances: u32,
}

/// Both replays and what they were made of.
#[derive(Clone, Debug, PartialEq)]
pub struct Preview {
    /// The config's name.
    pub config_name: String,
    /// What the replays read.
    pub basis: Basis,
    /// The config as it is (or the pool without it, for a new config).
    pub current: Side,
    /// The candidate values.
    pub candidate: Side,
    /// What differs, in words ("standby_cores 8 → 16").
    pub changes: Vec<String>,
    /// Whether the current side is the pool without the config (a new config).
    pub current_is_without: bool,
}

/// Replays `basis` against the `current` config (`None`: the pool without it) and the
/// `candidate`; `candidate_max` overrides the VM Provider config's Max instances.
pub fn preview(
    basis: &Basis,
    current: Option<&AutoScaleSpec>,
    candidate: &AutoScaleSpec,
    candidate_max: Option<u32>,
    changes: Vec<String>,
) -> Result<Preview, PreviewError> {
    let candidate_side = side(basis, Some(candidate), candidate, candidate_max)?;
    let current_side = side(basis, current, candidate, None)?;
    Ok(Preview {
        config_name: candidate.name.clone(),
        basis: basis.clone(),
        current: current_side,
        candidate: candidate_side,
        changes,
        current_is_without: current.is_none(),
    })
}

fn side(
    basis: &Basis,
    spec: Option<&AutoScaleSpec>,
    shape: &AutoScaleSpec,
    max: Option<u32>,
) -> Result<Side, PreviewError> {
    let values = spec.unwrap_or(shape).own_values()?;
    let boot_time = basis
        .observed_boot
        .unwrap_or_else(|| SignedDuration::from_secs(values.provision_timeout_s));
    let used = spec.unwrap_or(shape);
    let mut config =
        ConfigSnapshot::from_values(AutoScaleId(1), used, &values, Default::default(), boot_time);
    config.name = shape.name.clone();
    // Without the config, nothing is created: the pool has only what it has.
    config.enabled = spec.is_some();
    let max_instances = max.unwrap_or(basis.max_instances);
    let setup = Setup {
        kind: basis.kind,
        config,
        max_instances,
        boot_time,
        fixed: basis.fixed.clone(),
        initial: basis.initial.clone(),
    };
    Ok(Side {
        outcome: replay(&setup, &basis.requests, basis.from, basis.to),
        boot_time,
        max_instances,
    })
}

impl Preview {
    /// The report as the command line prints it and the window shows it.
    pub fn to_text(&self) -> String {
        let b = &self.basis;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "What-if replay of AutoScale config {} (pool {})",
            self.config_name, b.pool_name
        );
        let span = format!(
            "{} – {} UTC",
            b.from.strftime("%Y-%m-%d %H:%M"),
            b.to.strftime("%Y-%m-%d %H:%M")
        );
        let _ = match b.source {
            DemandSource::Recorded { ended, running } => writeln!(
                out,
                "Demand: {} sessions, {span}: {ended} ended, {running} still running \
                 (taken as running to the end)",
                ended + running
            ),
            DemandSource::StandIn => writeln!(
                out,
                "Demand: no session history in {span} — the demo's demand generator stands in \
                 (200 sessions a weekday, 08:00–18:00 UTC)"
            ),
        };
        let _ = match b.observed_boot {
            Some(boot) => writeln!(
                out,
                "Boot time: {} (p90 of the config's last boots)",
                duration_words(boot)
            ),
            None => writeln!(
                out,
                "Boot time: {} (no boots observed yet: the Provision Timeout)",
                duration_words(self.candidate.boot_time)
            ),
        };
        let _ = writeln!(
            out,
            "Fleet at the start: {} static member(s), {} autoscaled instance(s) (from the \
             instance history)",
            b.fixed.len(),
            b.initial.len()
        );
        if !self.changes.is_empty() {
            let _ = writeln!(out, "Candidate: {}", self.changes.join(", "));
        }
        let _ = writeln!(out);
        let left = if self.current_is_without {
            "without it"
        } else {
            "current"
        };
        let rows = self.rows();
        let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
        let _ = writeln!(out, "{:width$}  {left:>14}  {:>14}", "", "candidate");
        for (label, a, b) in rows {
            let _ = writeln!(out, "{label:width$}  {a:>14}  {b:>14}");
        }
        let _ = writeln!(
            out,
            "\nReplayed on the simulated cloud in {} s steps; a request that finds no room \
             retries each step and gives up after 30 min. The budget is not applied.",
            super::engine::TICK.as_secs()
        );
        out
    }

    /// The report's table: label, current, candidate.
    pub fn rows(&self) -> Vec<(String, String, String)> {
        let (a, b) = (&self.current.outcome, &self.candidate.outcome);
        let both = |label: &str, f: &dyn Fn(&Outcome) -> String| (label.to_owned(), f(a), f(b));
        let wait = |d: SignedDuration, none: bool| {
            if none {
                "—".to_owned()
            } else {
                duration_words(d)
            }
        };
        let mut rows = vec![
            both("Session requests", &|o| o.requests.to_string()),
            both("Found no room", &|o| o.no_room.to_string()),
            both("  mean wait", &|o| {
                wait(o.mean_wait(), o.no_room == o.gave_up)
            }),
            both("  longest wait", &|o| {
                wait(o.longest_wait, o.no_room == o.gave_up)
            }),
            both("  gave up", &|o| o.gave_up.to_string()),
            both("Instance-hours", &|o| format!("{:.1}", o.instance_hours())),
        ];
        let price = self.basis.hourly_price;
        let currency = &self.basis.currency;
        rows.push(both("Cost", &|o| match price {
            Some(p) => format_money(o.instance_hours() * p, currency),
            None => "no price".to_owned(),
        }));
        rows.push(both("Peak instances", &|o| o.peak_instances.to_string()));
        rows.push(both("Created / deleted", &|o| {
            format!("{} / {}", o.creates, o.deletes)
        }));
        rows.push((
            "Max instances".to_owned(),
            self.current.max_instances.to_string(),
            self.candidate.max_instances.to_string(),
        ));
        rows
    }
}

/// "4 min 10 s", "1 h 5 min", "12 s".
pub fn duration_words(d: SignedDuration) -> String {
    let s = d.as_secs().max(0);
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, sec) => format!("{sec} s"),
        (0, min, 0) => format!("{min} min"),
        (0, min, sec) => format!("{min} min {sec} s"),
        (h, 0, _) => format!("{h} h"),
        (h, min, _) => format!("{h} h {min} min"),
    }
}

/// The Preview of stored config `name` with `changes` applied, over `[from, to)`: what
/// `pooladmin simulate` prints.
pub fn for_config_named(
    store: &Store,
    name: &str,
    changes: &[super::Change],
    from: Timestamp,
    to: Timestamp,
    now: Timestamp,
) -> Result<Preview, PreviewError> {
    if from >= to {
        return Err(PreviewError::Invalid(format!(
            "--from {} is not before --to {}",
            from.strftime("%Y-%m-%d %H:%M"),
            to.strftime("%Y-%m-%d %H:%M")
        )));
    }
    let configs = store.autoscale_configs()?;
    let Some(row) = configs
        .iter()
        .find(|c| c.spec.name.eq_ignore_ascii_case(name))
    else {
        let names: Vec<&str> = configs.iter().map(|c| c.spec.name.as_str()).collect();
        return Err(PreviewError::Invalid(format!(
            "no AutoScale config is named '{name}'; there are: {}",
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        )));
    };
    let candidate = super::changes::apply(&row.spec, changes).map_err(PreviewError::Invalid)?;
    let candidate_max = super::changes::max_instances(changes)
        .map(super::changes::parse_max_instances)
        .transpose()
        .map_err(PreviewError::Invalid)?;
    let provider = provider_of(store, row.spec.vm_provider)?;
    let basis = Basis::load(
        store,
        &row.spec,
        Some(row.id),
        provider.as_ref(),
        from,
        to,
        now,
    )?;
    let words = changes
        .iter()
        .map(|c| format!("{} = {}", c.key, c.value))
        .collect();
    preview(&basis, Some(&row.spec), &candidate, candidate_max, words)
}

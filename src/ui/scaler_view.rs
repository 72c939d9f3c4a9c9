//! What the window knows of the scaler: whether its events changed members, each pool's free
//! capacity over the last hour (for the chart), answers to Test connection, and the commands
//! pages queue for it.

use super::cloud_lists::{CloudLists, Pickers};
use crate::model::PoolId;
use crate::model::scaler_event::EventKind;
use crate::scaler::plan::PoolLevel;
use crate::scaler::{Command, Update};
use jiff::{SignedDuration, Timestamp};
use std::collections::{HashMap, VecDeque};

/// How far back the chart reaches.
pub const CHART_SPAN: SignedDuration = SignedDuration::from_secs(3600);

/// One sample of a pool's capacity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LevelSample {
    /// When.
    pub at: Timestamp,
    /// Free (in-flight included).
    pub free: f64,
    /// Target.
    pub target: f64,
    /// Members running or in flight.
    pub instances: u32,
}

/// The window's view of the scaler.
#[derive(Default)]
pub struct ScalerView {
    /// Whether a scaler runs behind this window.
    pub attached: bool,
    /// Each pool's samples, oldest first, for the last hour.
    pub levels: HashMap<PoolId, VecDeque<LevelSample>>,
    /// Bumped whenever something arrives, so status pages know to read again.
    pub generation: u64,
    /// Set when members changed state: the catalog should be read again.
    pub members_changed: bool,
    /// Commands the pages queued this frame.
    pub outbox: Vec<Command>,
    /// Answers to Test connection clicks, by their number, until the asker takes them.
    pub answers: HashMap<u64, Result<String, String>>,
    /// The number of the last Test connection asked.
    pub last_test: u64,
    /// Why the scaler stopped and when it starts again, while it is stopped.
    pub stopped: Option<(String, std::time::Instant)>,
    /// Set by the banner's Restart scaler button; the window passes it on.
    pub restart_requested: bool,
    /// Why creates wait (the database cannot grow), while they do.
    pub creates_paused: Option<String>,
    /// Budget warnings not shown yet; the window toasts them.
    pub warnings: Vec<String>,
    /// The lists the forms' pickers asked for.
    pub lists: CloudLists,
    /// This window's part in the election, on a database several nodes share.
    pub leadership: Option<std::sync::Arc<crate::scaler::Leadership>>,
}

impl ScalerView {
    /// Takes one update from the scaler.
    pub fn absorb(&mut self, update: Update) {
        self.generation += 1;
        match update {
            // The log itself is read from the database; an event says what changed.
            Update::Event(event) => {
                if event.kind == EventKind::Budget {
                    self.warnings.push(event.message.clone());
                }
                if matches!(
                    event.kind,
                    EventKind::Transition | EventKind::Reconcile | EventKind::Command
                ) {
                    self.members_changed = true;
                }
            }
            Update::Levels(at, levels) => {
                for level in levels {
                    self.record(at, &level);
                }
            }
            Update::ConnectionTested(id, answer) => {
                self.answers.insert(id, answer);
            }
            Update::CloudListed(id, answer) => self.lists.absorb(id, answer),
            Update::Stopped { reason, restart_in } => {
                self.stopped = Some((reason, std::time::Instant::now() + restart_in));
            }
            Update::Restarted => self.stopped = None,
            Update::CreatesPaused(reason) => self.creates_paused = Some(reason),
            Update::CreatesResumed => self.creates_paused = None,
        }
    }

    fn record(&mut self, at: Timestamp, level: &PoolLevel) {
        let samples = self.levels.entry(level.pool).or_default();
        let sample = LevelSample {
            at,
            free: level.free,
            target: level.target,
            instances: level.instances,
        };
        // Passes come often; an unchanged level within a second adds no point.
        if let Some(last) = samples.back()
            && last.free == sample.free
            && last.target == sample.target
            && last.instances == sample.instances
            && at.duration_since(last.at) < SignedDuration::from_secs(1)
        {
            return;
        }
        samples.push_back(sample);
        while samples
            .front()
            .is_some_and(|s| at.duration_since(s.at) > CHART_SPAN)
        {
            samples.pop_front();
        }
    }

    /// The forms' pickers for `spec` as it stands this frame.
    pub fn pickers(&mut self, spec: &crate::model::vm_provider::VmProviderSpec) -> Pickers<'_> {
        Pickers {
            spec: spec.clone(),
            lists: &mut self.lists,
            outbox: &mut self.outbox,
            attached: self.attached,
            picked: None,
        }
    }

    /// Queues a command for the scaler.
    pub fn send(&mut self, command: Command) {
        self.outbox.push(command);
    }

    /// The latest level of a pool.
    pub fn level(&self, pool: PoolId) -> Option<&LevelSample> {
        self.levels.get(&pool).and_then(|s| s.back())
    }
}

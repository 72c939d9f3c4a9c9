//! The scaler's event log: every decision, transition and error, with its reason.

use super::decision::Decision;
use super::instance::InstanceId;
use super::{AutoScaleId, PoolId};
use jiff::Timestamp;

/// What an event is about; the Events page filters by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// The planner decided to create or delete, or could not (with why).
    Decision,
    /// An instance changed state.
    Transition,
    /// A cloud or directory call failed.
    Error,
    /// An instance nobody claims was found in a cloud, or one of ours vanished.
    Reconcile,
    /// The administrator paused, resumed or drained something.
    Command,
    /// A VM Provider config's month nears or reaches its budget.
    Budget,
    /// A host's report was not taken as said (an address or capacity it claimed), or ended
    /// sessions it no longer runs.
    Report,
    /// A node took the scaler over, or handed it back (several nodes on one database).
    Leader,
}

impl EventKind {
    /// Every kind, in the order the filter offers them.
    pub const ALL: [EventKind; 8] = [
        Self::Decision,
        Self::Transition,
        Self::Error,
        Self::Reconcile,
        Self::Command,
        Self::Budget,
        Self::Report,
        Self::Leader,
    ];

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Decision => "decision",
            Self::Transition => "transition",
            Self::Error => "error",
            Self::Reconcile => "reconcile",
            Self::Command => "command",
            Self::Budget => "budget",
            Self::Report => "report",
            Self::Leader => "leader",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// What the Events page shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Decision => "Decision",
            Self::Transition => "Transition",
            Self::Error => "Error",
            Self::Reconcile => "Reconcile",
            Self::Command => "Command",
            Self::Budget => "Budget",
            Self::Report => "Host report",
            Self::Leader => "Scaler node",
        }
    }
}

/// One line of the event log.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalerEvent {
    /// When it happened.
    pub at: Timestamp,
    /// What it is about.
    pub kind: EventKind,
    /// The pool concerned, if any.
    pub pool: Option<PoolId>,
    /// The AutoScale config concerned, if any.
    pub config: Option<AutoScaleId>,
    /// The instance concerned, if any.
    pub instance: Option<InstanceId>,
    /// What a person reads.
    pub message: String,
    /// A decision's numbers, for those who read the log by machine.
    pub decision: Option<Decision>,
}

impl ScalerEvent {
    /// An event about nothing in particular yet; narrow it with the `with_*` methods.
    pub fn new(at: Timestamp, kind: EventKind, message: impl Into<String>) -> Self {
        Self {
            at,
            kind,
            pool: None,
            config: None,
            instance: None,
            message: message.into(),
            decision: None,
        }
    }

    /// With the numbers of the decision it reports.
    pub fn with_decision(mut self, decision: Decision) -> Self {
        self.decision = Some(decision);
        self
    }

    /// About `pool`.
    pub fn with_pool(mut self, pool: PoolId) -> Self {
        self.pool = Some(pool);
        self
    }

    /// About `config`.
    pub fn with_config(mut self, config: AutoScaleId) -> Self {
        self.config = Some(config);
        self
    }

    /// About `instance`.
    pub fn with_instance(mut self, instance: InstanceId) -> Self {
        self.instance = Some(instance);
        self
    }
}

//! The scaler's working state, split by what it holds: its connections and settings, the
//! calls it has in flight and what they hold, and what it remembers between passes (lost
//! with the process; the store has what must survive).

use super::call_guard::{CallGuard, LeaseHold};
use super::command::Command;
use super::failpoint::Failpoint;
use super::gauges::ScalerGauges;
use super::operations::Outcome;
use super::settings::ScalerSettings;
use super::update::Update;
use super::world::World;
use crate::cloud::{Clock, CloudFactory};
use crate::model::instance::InstanceId;
use crate::model::{AutoScaleId, PoolId, VmProviderId};
use crate::store::Store;
use jiff::Timestamp;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

/// The scaler: see the module comments of `executor`, `outcome` and `reconcile`.
pub struct Scaler {
    pub(super) store: Store,
    pub(super) clouds: Arc<dyn CloudFactory>,
    pub(super) clock: Clock,
    pub(super) settings: ScalerSettings,
    pub(super) updates: mpsc::UnboundedSender<Update>,
    /// The cloud calls running, and what they hold.
    pub(super) calls: InFlight,
    /// What it remembers between passes.
    pub(super) memory: Memory,
    /// What the last pass read: configs and provider settings for the handlers of
    /// finished calls, so each of them does not read the store again.
    pub(super) world: Arc<World>,
    pub(super) failpoint: Option<Arc<Failpoint>>,
    pub(super) stopping: bool,
    /// Where passes are measured for the API's metrics.
    pub(super) gauges: Arc<ScalerGauges>,
    /// Commands that arrived while the scaler was stopped, carried out first.
    pub(super) queued: Vec<Command>,
    /// The lease it runs on, on a database several nodes share.
    pub(super) lease: Option<LeaseHold>,
}

/// The cloud calls in flight and what they hold.
#[derive(Default)]
pub(super) struct InFlight {
    pub(super) tasks: JoinSet<Outcome>,
    pub(super) task_owner: HashMap<tokio::task::Id, InstanceId>,
    /// Instances with a call in flight: nothing else is started for them.
    pub(super) busy: HashSet<InstanceId>,
    /// Calls at once per VM Provider config.
    pub(super) permits: HashMap<VmProviderId, Arc<Semaphore>>,
    /// Provider configs being listed.
    pub(super) listing: HashSet<VmProviderId>,
    /// Orphan VMs being deleted, by cloud id.
    pub(super) orphans_in_flight: HashSet<String>,
}

/// What the scaler remembers between passes.
#[derive(Default)]
pub(super) struct Memory {
    /// When a booting or deleting instance may be tried again.
    pub(super) next_try: HashMap<InstanceId, Timestamp>,
    /// Provider configs whose last listing failed: nothing of theirs is deleted as surplus
    /// until one succeeds (a bad read is no reason to delete).
    pub(super) listing_failed: HashSet<VmProviderId>,
    /// The notes standing in the last pass, so a standing condition is logged once.
    pub(super) notes_seen: HashSet<(PoolId, Option<AutoScaleId>, String)>,
    /// The last error logged per instance, for the same reason.
    pub(super) errors_seen: HashMap<InstanceId, String>,
    /// Why the database cannot grow, while it cannot: no create is started meanwhile.
    pub(super) disk_full: Option<String>,
    /// Instances whose computer record the directory confirmed in this run.
    pub(super) computers_placed: HashSet<InstanceId>,
    /// Computer names (upper case) the directory showed to belong to other objects.
    pub(super) names_taken: HashSet<String>,
    /// When the session history was last pruned.
    pub(super) history_pruned: Option<Timestamp>,
}

impl Scaler {
    /// A scaler on `store` (its own connection), reaching clouds through `clouds`.
    pub fn new(
        store: Store,
        clouds: Arc<dyn CloudFactory>,
        clock: Clock,
        settings: ScalerSettings,
        updates: mpsc::UnboundedSender<Update>,
    ) -> Self {
        Self {
            store,
            clouds,
            clock,
            settings,
            updates,
            calls: InFlight::default(),
            memory: Memory::default(),
            world: Arc::default(),
            failpoint: None,
            stopping: false,
            gauges: Arc::default(),
            queued: Vec::new(),
            lease: None,
        }
    }

    /// Runs on `lease`: every write of its connection carries the lease's epoch, which the
    /// database refuses once another node took over, and every cloud call asks first
    /// whether the lease still holds here.
    pub fn with_lease(mut self, lease: LeaseHold) -> Result<Self, crate::store::StoreError> {
        self.store.fence(lease.epoch)?;
        self.lease = Some(lease);
        Ok(self)
    }

    /// What its tasks ask before each call.
    pub(super) fn call_guard(&self) -> CallGuard {
        CallGuard {
            failpoint: self.failpoint.clone(),
            lease: self.lease.clone(),
        }
    }

    /// Measures passes into `gauges` (read by the API).
    pub fn with_gauges(mut self, gauges: Arc<ScalerGauges>) -> Self {
        self.gauges = gauges;
        self
    }

    /// Crashes on purpose at step `failpoint` (crash tests): its steps are the commits of
    /// the scaler's connection (the store's one seam) and the cloud calls of its tasks.
    pub fn with_failpoint(mut self, failpoint: Arc<Failpoint>) -> Self {
        let counted = failpoint.clone();
        if let Err(error) = self.store.refuse_commits_when(move || counted.hit()) {
            tracing::error!(%error, "the failpoint cannot watch the store's commits");
        }
        self.failpoint = Some(failpoint);
        self
    }
}

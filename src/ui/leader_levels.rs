//! A window whose deployment's scaler runs on another node gets no level updates from a
//! scaler of its own: it works them out from the database every few seconds, with the
//! scaler's own planner on what the leader wrote, so the capacity chart stays live.

use super::promise::{Promise, take};
use super::scaler_view::ScalerView;
use super::store_worker::{StoreWorker, lost};
use crate::scaler::Update;
use crate::scaler::plan::{PoolLevel, plan};
use crate::scaler::world::World;
use crate::store::StoreError;
use jiff::Timestamp;
use std::time::{Duration, Instant};

/// How often the levels are read while another node runs the scaler.
const EVERY: Duration = Duration::from_secs(5);

/// Each pool's level, and when it was worked out.
type Levels = (Timestamp, Vec<PoolLevel>);

/// The read on its way and when the last one started.
#[derive(Default)]
pub struct LeaderLevels {
    reading: Option<Promise<Result<Levels, StoreError>>>,
    started: Option<Instant>,
}

impl LeaderLevels {
    /// Reads the levels when due (only while a node other than this window leads) and
    /// hands what came back to `view` as the scaler's own update would.
    pub fn poll(&mut self, worker: Option<&StoreWorker>, view: &mut ScalerView) {
        if let Some(answer) = take(&mut self.reading, lost) {
            match answer {
                Ok((at, levels)) => view.absorb(Update::Levels(at, levels)),
                Err(e) => tracing::debug!(error = %e, "the leader's levels were not read"),
            }
        }
        let Some(worker) = worker else { return };
        let watching = view
            .leadership
            .as_ref()
            .is_some_and(|l| l.leading().is_none() && l.view().leader.is_some());
        let due = self.started.is_none_or(|at| at.elapsed() >= EVERY);
        if watching && due && self.reading.is_none() {
            self.started = Some(Instant::now());
            self.reading = Some(worker.run(|store| {
                let now = Timestamp::now();
                let world = World::load(store, now)?;
                Ok((now, plan(&world.snapshot, now).levels))
            }));
        }
    }
}

//! What every pass checks before it plans: configs whose stored settings no longer parse
//! stop (nothing is scaled on a guessed value), and autoscaled hosts silent past the Host
//! Dead Expiration are destroyed so the plan replaces them.

use super::executor::{Halt, Scaler};
use super::world::World;
use crate::model::PoolId;
use crate::model::scaler_event::{EventKind, ScalerEvent};
use jiff::Timestamp;

impl Scaler {
    /// A config whose stored settings no longer parse stops with the field and the reason
    /// (once; editing or resuming it clears that).
    pub(super) fn stop_invalid_configs(
        &mut self,
        world: &World,
        now: Timestamp,
    ) -> Result<(), Halt> {
        for (config, reason) in &world.invalid {
            let mut health = self.health(*config)?;
            if health.stopped_reason.is_some() {
                continue;
            }
            health.stop(reason);
            let pool = world
                .configs
                .get(config)
                .map_or(PoolId(0), |row| row.spec.pool);
            self.save_health(*config, pool, &health, format!("stopped: {reason}"), now)?;
        }
        Ok(())
    }

    /// Autoscaled members whose agent is silent past the Host Dead Expiration are destroyed
    /// (their sessions died with them); the plan that follows replaces them.
    pub(super) fn replace_dead_hosts(&mut self, now: Timestamp) -> Result<(), Halt> {
        for dead in self.store.dead_members(now)? {
            let reason = format!(
                "no agent report for {} s (past the Host Dead Expiration): host dead",
                dead.silent_s
            );
            let instance = self.store.instance(dead.instance)?;
            let event = ScalerEvent::new(
                now,
                EventKind::Decision,
                format!("{}: {reason} → destroy and replace it", dead.name),
            )
            .with_pool(instance.pool)
            .with_config(instance.config);
            let began = self.store.atomically(|store| {
                store.end_sessions_of_instance(dead.instance)?;
                store.begin_delete(dead.instance, &reason, false, now, event.clone())
            })?;
            if began {
                self.emit(event.with_instance(dead.instance));
            }
        }
        Ok(())
    }
}

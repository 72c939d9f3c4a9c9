//! When each instance cost money: from its intent (the create call) to its end, for the
//! cost views and the budget check.

use super::db::params;
use super::instances::read_size;
use super::rows::{optional_timestamp, timestamp, to_millis};
use super::{Store, StoreError};
use crate::model::cost::Lifetime;
use crate::model::instance::terminal_states_sql;
use crate::model::{AutoScaleId, PoolId, Resources, VmProviderId};
use jiff::Timestamp;

/// One instance's lifetime, with what it belongs to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InstanceLifetime {
    /// The pool it served.
    pub pool: PoolId,
    /// The config that made it.
    pub config: AutoScaleId,
    /// The VM Provider config it ran under (whose price applies).
    pub vm_provider: VmProviderId,
    /// From the create call to deleted, failed or lost.
    pub lifetime: Lifetime,
}

impl Store {
    /// Every instance that was alive at some point since `since`.
    pub fn instance_lifetimes(
        &self,
        since: Timestamp,
    ) -> Result<Vec<InstanceLifetime>, StoreError> {
        let mut stmt = self.conn.prepare_cached(concat!(
            "SELECT pool_id, config_id, vm_provider_id, created_at,
                        CASE WHEN state IN ",
            terminal_states_sql!(),
            " THEN state_since END
                 FROM instances WHERE state NOT IN ",
            terminal_states_sql!(),
            " OR state_since >= ?1"
        ))?;
        let rows = stmt.query_map([to_millis(since)], |r| {
            Ok(InstanceLifetime {
                pool: PoolId(r.get(0)?),
                config: AutoScaleId(r.get(1)?),
                vm_provider: VmProviderId(r.get(2)?),
                lifetime: Lifetime {
                    from: timestamp(r, 3)?,
                    to: optional_timestamp(r, 4)?,
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// What each autoscaled instance of `pool` that was serving at `at` brought (cores,
    /// memory and GPUs of an agent; a server's session slots in `cores`): the fleet a replay
    /// starting at `at` starts with.
    pub fn fleet_at(&self, pool: PoolId, at: Timestamp) -> Result<Vec<Resources>, StoreError> {
        let mut stmt = self.conn.prepare_cached(concat!(
            "SELECT kind, cores, memory_mb, gpus, slots FROM instances
                 WHERE pool_id = ?1 AND running_at IS NOT NULL AND running_at <= ?2
                   AND (state NOT IN ",
            terminal_states_sql!(),
            " OR state_since > ?2) ORDER BY id"
        ))?;
        let rows = stmt.query_map(params![pool.0, to_millis(at)], |r| {
            Ok(read_size(r, 0, 1)?.as_resources())
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

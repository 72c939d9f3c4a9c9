//! Lean reads for the scaler: what each pool member has and uses, and what staged sessions
//! run, without unsealing anything.

use super::api_settings::host_expiry;
use super::rows::{timestamp, to_millis};
use super::{Store, StoreError};
use crate::model::docker_agent::agent_capacities_sql;
use crate::model::instance::InstanceId;
use crate::model::instance::terminal_states_sql;
use crate::model::{PoolId, Resources};
use jiff::Timestamp;
use std::collections::HashMap;

/// A pool member as the planner sees it. For servers, `capacity.cores` holds the session
/// slots and `used.cores` the sessions.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingMember {
    /// Its pool.
    pub pool: PoolId,
    /// Takes sessions.
    pub enabled: bool,
    /// Takes no new sessions.
    pub draining: bool,
    /// What it has.
    pub capacity: Resources,
    /// What its sessions use.
    pub used: Resources,
    /// Sessions on it.
    pub sessions: u32,
    /// When it was added.
    pub created_at: Timestamp,
    /// The live instance behind it, when it is autoscaled.
    pub instance: Option<InstanceId>,
}

/// Staged sessions running in a pool.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StagedUse {
    /// How many.
    pub sessions: u32,
    /// What they use.
    pub resources: Resources,
}

impl Store {
    /// Every member of every pool.
    /// A member whose agent reported once and has been silent past the Host Missing
    /// Expiration at `now` counts as not enabled: it takes no sessions, so its room is not
    /// free capacity, and it is not idle surplus either.
    pub fn scaling_members(&self, now: Timestamp) -> Result<Vec<ScalingMember>, StoreError> {
        let silent_since = to_millis(now) - i64::from(host_expiry(&self.conn)?.0) * 1000;
        let mut stmt = self.conn.prepare_cached(concat!(
            "SELECT a.pool_id, a.enabled AND coalesce(a.last_report >= ?1, TRUE), a.draining,
",
            agent_capacities_sql!("a."),
            ",
                    a.used_cores, a.used_memory_mb, a.used_gpus, a.session_count, a.created_at,
                    i.id
               FROM docker_agents a
               LEFT JOIN instances i ON i.agent_id = a.id
                    AND i.state NOT IN ",
            terminal_states_sql!(),
            "
              WHERE a.pool_id IS NOT NULL
             UNION ALL
             SELECT s.pool_id, s.enabled AND coalesce(s.last_report >= ?1, TRUE), FALSE, s.max_sessions, 0, 0, s.session_count, 0, 0,
                    s.session_count, s.created_at, i.id
               FROM servers s
               LEFT JOIN instances i ON i.server_id = s.id
                    AND i.state NOT IN ",
            terminal_states_sql!(),
            "
              WHERE s.pool_id IS NOT NULL"
        ))?;
        let rows = stmt.query_map([silent_since], |r| {
            let instance: Option<i64> = r.get(11)?;
            Ok(ScalingMember {
                pool: PoolId(r.get(0)?),
                enabled: r.get(1)?,
                draining: r.get(2)?,
                capacity: Resources::new(r.get(3)?, r.get(4)?, r.get(5)?),
                used: Resources::new(r.get(6)?, r.get(7)?, r.get(8)?),
                sessions: r.get(9)?,
                created_at: timestamp(r, 10)?,
                instance: instance.map(InstanceId),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Staged sessions per pool.
    pub fn staged_use(&self) -> Result<HashMap<PoolId, StagedUse>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT pool_id, count(*), coalesce(sum(cores), 0), coalesce(sum(memory_mb), 0),
                    coalesce(sum(gpus), 0)
               FROM sessions WHERE staged GROUP BY pool_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                PoolId(r.get(0)?),
                StagedUse {
                    sessions: r.get(1)?,
                    resources: Resources::new(
                        r.get(2)?,
                        r.get::<f64>(3)? as i64,
                        r.get::<f64>(4)? as i64,
                    ),
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

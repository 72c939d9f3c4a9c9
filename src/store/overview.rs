//! The Pools overview: members, sessions and free capacity of every pool, in one query.

use super::rows::{count, parsed};
use super::{Store, StoreError};
use crate::model::docker_agent::agent_capacity_sql;
use crate::model::{FreeCapacity, Pool, PoolId, PoolKind, PoolSummary, Resources};

impl Store {
    /// One summary per pool, by name. Free capacity follows the scaler's rule: over enabled
    /// members (and, for agents, non-draining ones), capacity minus what sessions use. The
    /// per-member counts kept by the session triggers make this a scan of members only.
    pub fn pool_overview(&self) -> Result<Vec<PoolSummary>, StoreError> {
        let mut stmt = self.conn.prepare_cached(concat!(
            "SELECT p.id, p.name, p.kind, coalesce(m.members, 0), coalesce(m.sessions, 0),
                    coalesce(m.free_slots, 0), coalesce(m.free_cores, 0.0),
                    coalesce(m.free_memory_mb, 0), coalesce(m.free_gpus, 0)
             FROM pools p
             LEFT JOIN (
                 SELECT pool_id, count(*) AS members, sum(session_count) AS sessions,
                        sum(CASE WHEN enabled THEN greatest(0, max_sessions - session_count)
                                 ELSE 0 END) AS free_slots,
                        0.0 AS free_cores, 0 AS free_memory_mb, 0 AS free_gpus
                 FROM servers WHERE pool_id IS NOT NULL GROUP BY pool_id
                 UNION ALL
                 SELECT pool_id, count(*), sum(session_count), 0,
                        sum(CASE WHEN enabled AND NOT draining THEN ",
            agent_capacity_sql!("", "cores"),
            " - used_cores ELSE 0 END),
                        sum(CASE WHEN enabled AND NOT draining THEN ",
            agent_capacity_sql!("", "memory_mb"),
            " - used_memory_mb ELSE 0 END),
                        sum(CASE WHEN enabled AND NOT draining THEN ",
            agent_capacity_sql!("", "gpus"),
            " - used_gpus ELSE 0 END)
                 FROM docker_agents WHERE pool_id IS NOT NULL GROUP BY pool_id
             ) m ON m.pool_id = p.id
             ORDER BY p.name",
        ))?;
        let rows = stmt.query_map([], |r| {
            let kind = parsed(r, 2, PoolKind::parse)?;
            Ok(PoolSummary {
                pool: Pool {
                    id: PoolId(r.get(0)?),
                    name: r.get(1)?,
                    kind,
                },
                members: count(r, 3)?,
                sessions: count(r, 4)?,
                free: match kind {
                    PoolKind::Server => FreeCapacity::Slots(r.get(5)?),
                    PoolKind::DockerAgent => {
                        FreeCapacity::Compute(Resources::new(r.get(6)?, r.get(7)?, r.get(8)?))
                    }
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

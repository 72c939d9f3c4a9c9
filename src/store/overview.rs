//! The Pools overview: members, sessions and free capacity of every pool, in one query.

use super::rows::{count, parsed};
use super::{Store, StoreError};
use crate::model::{FreeCapacity, Pool, PoolId, PoolKind, PoolSummary, Resources};

impl Store {
    /// One summary per pool, by name. Free capacity follows the scaler's rule: over enabled
    /// members (and, for agents, non-draining ones), capacity minus what sessions use.
    pub fn pool_overview(&self) -> Result<Vec<PoolSummary>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "WITH
             member_count AS (
                 SELECT pool_id, count(*) AS n FROM servers WHERE pool_id IS NOT NULL GROUP BY pool_id
                 UNION ALL
                 SELECT pool_id, count(*) FROM docker_agents WHERE pool_id IS NOT NULL GROUP BY pool_id),
             session_count AS (
                 SELECT pool_id, count(*) AS n FROM sessions GROUP BY pool_id),
             server_free AS (
                 SELECT s.pool_id, sum(max(0, s.max_sessions - coalesce(u.n, 0))) AS slots
                 FROM servers s
                 LEFT JOIN (SELECT server_id, count(*) AS n FROM sessions
                            WHERE server_id IS NOT NULL GROUP BY server_id) u
                        ON u.server_id = s.id
                 WHERE s.enabled AND s.pool_id IS NOT NULL
                 GROUP BY s.pool_id),
             agent_capacity AS (
                 SELECT pool_id,
                        sum(CASE WHEN override_cores > 0 THEN override_cores ELSE reported_cores END) AS cores,
                        sum(CASE WHEN override_memory_mb > 0 THEN override_memory_mb ELSE reported_memory_mb END) AS memory_mb,
                        sum(CASE WHEN override_gpus > 0 THEN override_gpus ELSE reported_gpus END) AS gpus
                 FROM docker_agents
                 WHERE enabled AND NOT draining AND pool_id IS NOT NULL
                 GROUP BY pool_id),
             agent_use AS (
                 SELECT a.pool_id, sum(x.cores) AS cores, sum(x.memory_mb) AS memory_mb,
                        sum(x.gpus) AS gpus
                 FROM sessions x JOIN docker_agents a ON a.id = x.agent_id
                 WHERE a.enabled AND NOT a.draining
                 GROUP BY a.pool_id)
             SELECT p.id, p.name, p.kind,
                    coalesce((SELECT n FROM member_count m WHERE m.pool_id = p.id), 0),
                    coalesce((SELECT n FROM session_count c WHERE c.pool_id = p.id), 0),
                    coalesce(sf.slots, 0),
                    coalesce(ac.cores, 0.0) - coalesce(au.cores, 0.0),
                    coalesce(ac.memory_mb, 0) - coalesce(au.memory_mb, 0),
                    coalesce(ac.gpus, 0) - coalesce(au.gpus, 0)
             FROM pools p
             LEFT JOIN server_free sf ON sf.pool_id = p.id
             LEFT JOIN agent_capacity ac ON ac.pool_id = p.id
             LEFT JOIN agent_use au ON au.pool_id = p.id
             ORDER BY p.name COLLATE NOCASE",
        )?;
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

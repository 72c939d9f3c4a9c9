//! Docker agents.

use super::db::{Conn, params};
use super::members::AGENTS;
use super::rows::{AgentRow, count, optional_timestamp, parsed, timestamp, to_millis};
use super::{Store, StoreError};
use crate::model::{AgentId, AgentSpec, DockerAgent, Origin, PoolId, Resources, ZoneId};
use jiff::Timestamp;

/// Agents added at once from which the table's statistics are refreshed.
const BULK: usize = 100;

impl Store {
    /// Every docker agent with its sessions and what they use, oldest first.
    pub fn agents(&self) -> Result<Vec<AgentRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.hostname, a.enabled, a.zone_id, a.pool_id,
                    a.reported_cores, a.reported_memory_mb, a.reported_gpus,
                    a.override_cores, a.override_memory_mb, a.override_gpus,
                    a.draining, a.origin, a.last_report, a.created_at,
                    a.session_count, a.used_cores, a.used_memory_mb, a.used_gpus
             FROM docker_agents a
             ORDER BY a.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(AgentRow {
                agent: DockerAgent {
                    id: AgentId(r.get(0)?),
                    spec: AgentSpec {
                        hostname: r.get(1)?,
                        enabled: r.get(2)?,
                        zone: ZoneId(r.get(3)?),
                        pool: r.get::<Option<i64>>(4)?.map(PoolId),
                        reported: Resources::new(r.get(5)?, r.get(6)?, r.get(7)?),
                        overrides: Resources::new(r.get(8)?, r.get(9)?, r.get(10)?),
                    },
                    draining: r.get(11)?,
                    origin: parsed(r, 12, Origin::parse)?,
                    last_report: optional_timestamp(r, 13)?,
                    created_at: timestamp(r, 14)?,
                },
                sessions: count(r, 15)?,
                used: Resources::new(r.get(16)?, r.get(17)?, r.get(18)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds a static docker agent.
    pub fn add_agent(&mut self, spec: &AgentSpec) -> Result<AgentId, StoreError> {
        let ids = self.add_agents(std::slice::from_ref(spec))?;
        Ok(ids[0])
    }

    /// Adds many static docker agents in one transaction (imports, demo data): all or none.
    /// From [`BULK`] on, the server's statistics are refreshed after.
    pub fn add_agents(&mut self, specs: &[AgentSpec]) -> Result<Vec<AgentId>, StoreError> {
        let tx = self.conn.savepoint()?;
        let mut ids = Vec::with_capacity(specs.len());
        let now = to_millis(Timestamp::now());
        for spec in specs {
            AGENTS.check_record(
                &tx,
                spec.validate(),
                &spec.hostname,
                spec.zone,
                spec.pool,
                None,
            )?;
            ids.push(insert_agent(&tx, spec, Origin::Static, now)?);
        }
        tx.commit()?;
        if specs.len() >= BULK {
            self.refresh_statistics()?;
        }
        Ok(ids)
    }

    /// Saves an edited docker agent.
    pub fn update_agent(&mut self, id: AgentId, spec: &AgentSpec) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        AGENTS.check_record(
            &tx,
            spec.validate(),
            &spec.hostname,
            spec.zone,
            spec.pool,
            Some(id.0),
        )?;
        AGENTS.check_movable(&tx, id.0, spec.pool)?;
        tx.execute(
            "UPDATE docker_agents SET hostname = ?1, enabled = ?2, zone_id = ?3, pool_id = ?4,
                    reported_cores = ?5, reported_memory_mb = ?6, reported_gpus = ?7,
                    override_cores = ?8, override_memory_mb = ?9, override_gpus = ?10
             WHERE id = ?11",
            params![
                spec.hostname,
                spec.enabled,
                spec.zone.0,
                spec.pool.map(|p| p.0),
                spec.reported.cores,
                spec.reported.memory_mb,
                spec.reported.gpus,
                spec.overrides.cores,
                spec.overrides.memory_mb,
                spec.overrides.gpus,
                id.0,
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Enables or disables an agent; a disabled agent takes no new sessions.
    pub fn set_agent_enabled(&mut self, id: AgentId, enabled: bool) -> Result<(), StoreError> {
        self.set_agent_flag(id, "enabled", enabled)
    }

    /// Starts or stops draining an agent; a draining agent takes no new sessions.
    pub fn set_agent_draining(&mut self, id: AgentId, draining: bool) -> Result<(), StoreError> {
        self.set_agent_flag(id, "draining", draining)
    }

    fn set_agent_flag(&mut self, id: AgentId, column: &str, value: bool) -> Result<(), StoreError> {
        // `column` is one of two constants above, never input.
        let sql = format!("UPDATE docker_agents SET {column} = ?1 WHERE id = ?2");
        let changed = self.conn.execute(&sql, params![value, id.0])?;
        StoreError::unless_missing(changed, "docker agent", id.0)?;
        Ok(())
    }

    /// Deletes an agent that runs no sessions.
    pub fn delete_agent(&mut self, id: AgentId) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        AGENTS.delete(&tx, id.0)?;
        tx.commit()?;
        Ok(())
    }

    /// Assigns agents to a Docker Agent pool.
    pub fn assign_agents(&mut self, pool: PoolId, ids: &[AgentId]) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        AGENTS.assign(&tx, pool, &ids)?;
        tx.commit()?;
        Ok(())
    }

    /// Takes an agent out of its pool.
    pub fn unassign_agent(&mut self, id: AgentId) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        AGENTS.unassign(&tx, id.0)?;
        tx.commit()?;
        Ok(())
    }
}

/// Inserts a checked agent row.
pub(super) fn insert_agent(
    tx: &Conn,
    spec: &AgentSpec,
    origin: Origin,
    now: i64,
) -> Result<AgentId, StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO docker_agents (hostname, enabled, zone_id, pool_id,
                reported_cores, reported_memory_mb, reported_gpus,
                override_cores, override_memory_mb, override_gpus,
                draining, origin, last_report, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, FALSE, ?11, NULL, ?12)",
    )?;
    insert.execute(params![
        spec.hostname,
        spec.enabled,
        spec.zone.0,
        spec.pool.map(|p| p.0),
        spec.reported.cores,
        spec.reported.memory_mb,
        spec.reported.gpus,
        spec.overrides.cores,
        spec.overrides.memory_mb,
        spec.overrides.gpus,
        origin.as_str(),
        now,
    ])?;
    Ok(AgentId(tx.last_insert_rowid()?))
}

#[cfg(test)]
mod capacity_sql {
    use crate::model::docker_agent::agent_capacities_sql;
    use crate::model::{AgentSpec, PoolId, Resources, ZoneId};

    #[test]
    fn the_sql_capacity_is_the_models() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for (reported, overrides) in [
            (Resources::new(8.0, 16_384, 1), Resources::default()),
            (Resources::new(8.0, 16_384, 1), Resources::new(4.0, 0, 2)),
            (Resources::new(2.0, 1_024, 0), Resources::new(0.5, 512, 0)),
        ] {
            let spec = AgentSpec {
                hostname: "a".into(),
                enabled: true,
                zone: ZoneId(1),
                pool: Some(PoolId(1)),
                reported,
                overrides,
            };
            let sql: (f64, i64, i64) = conn
                .query_row(
                    concat!(
                        "SELECT ",
                        agent_capacities_sql!(""),
                        " FROM (SELECT ?1 AS reported_cores, ?2 AS reported_memory_mb,
                                       ?3 AS reported_gpus, ?4 AS override_cores,
                                       ?5 AS override_memory_mb, ?6 AS override_gpus)"
                    ),
                    rusqlite::params![
                        reported.cores,
                        reported.memory_mb,
                        reported.gpus,
                        overrides.cores,
                        overrides.memory_mb,
                        overrides.gpus
                    ],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .unwrap();
            let model = spec.capacity();
            assert_eq!(sql, (model.cores, model.memory_mb, model.gpus));
        }
    }
}

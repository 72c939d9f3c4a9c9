//! Members judged by their agents' silence: counts by state for the API's pool views, and
//! the autoscaled members past the Host Dead Expiration that the scaler replaces.

use super::api_settings::host_expiry;
use super::db::params;
use super::rows::{optional_timestamp, parsed, to_millis};
use super::{Store, StoreError};
use crate::model::PoolId;
use crate::model::host_health::HostHealth;
use crate::model::instance::provisioning_states_sql;
use crate::model::instance::{InstanceId, InstanceState};
use jiff::Timestamp;
use std::collections::HashMap;

/// A pool's members by state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberCounts {
    /// Enabled, not draining, not missing: placement may use them.
    pub ready: u32,
    /// Disabled by the administrator.
    pub disabled: u32,
    /// Draining: no new sessions, deleted once empty (autoscaled).
    pub draining: u32,
    /// Silent past the Host Missing Expiration.
    pub missing: u32,
    /// Silent past the Host Dead Expiration.
    pub dead: u32,
    /// Instances on their way (requested, creating, booting).
    pub provisioning: u32,
    /// Of all the above, those whose agent is late (silent past a third of the Host Missing
    /// Expiration, not yet missing): they still take sessions.
    pub late: u32,
}

/// An autoscaled member whose agent is silent past the Host Dead Expiration.
#[derive(Clone, Debug, PartialEq)]
pub struct DeadMember {
    /// Its instance.
    pub instance: InstanceId,
    /// Its instance's name.
    pub name: String,
    /// Seconds since its last report.
    pub silent_s: i64,
}

impl Store {
    /// Every pool's members by state at `now`.
    pub fn member_counts(
        &self,
        now: Timestamp,
    ) -> Result<HashMap<PoolId, MemberCounts>, StoreError> {
        let (missing_s, dead_s) = host_expiry(&self.conn)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT pool_id, enabled, draining, last_report FROM docker_agents WHERE pool_id IS NOT NULL
             UNION ALL
             SELECT pool_id, enabled, FALSE, last_report FROM servers WHERE pool_id IS NOT NULL",
        )?;
        let mut counts: HashMap<PoolId, MemberCounts> = HashMap::new();
        let rows = stmt.query_map([], |r| {
            Ok((
                PoolId(r.get(0)?),
                r.get::<bool>(1)?,
                r.get::<bool>(2)?,
                optional_timestamp(r, 3)?,
            ))
        })?;
        for row in rows {
            let (pool, enabled, draining, last_report) = row?;
            let entry = counts.entry(pool).or_default();
            let health = HostHealth::of(last_report, now, missing_s, dead_s);
            if health == HostHealth::Late {
                entry.late += 1;
            }
            match health {
                HostHealth::Dead => entry.dead += 1,
                HostHealth::Missing => entry.missing += 1,
                _ if !enabled => entry.disabled += 1,
                _ if draining => entry.draining += 1,
                _ => entry.ready += 1,
            }
        }
        let mut stmt = self.conn.prepare_cached(concat!(
            "SELECT pool_id, count(*) FROM instances WHERE state IN ",
            provisioning_states_sql!(),
            " GROUP BY pool_id"
        ))?;
        for row in stmt.query_map([], |r| Ok((PoolId(r.get(0)?), r.get::<u32>(1)?)))? {
            let (pool, n) = row?;
            counts.entry(pool).or_default().provisioning = n;
        }
        Ok(counts)
    }

    /// Running autoscaled members silent past the Host Dead Expiration at `now`.
    pub fn dead_members(&self, now: Timestamp) -> Result<Vec<DeadMember>, StoreError> {
        let dead_s = i64::from(host_expiry(&self.conn)?.1);
        let millis = to_millis(now);
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.id, i.name, coalesce(a.last_report, s.last_report)
             FROM instances i
             LEFT JOIN docker_agents a ON a.id = i.agent_id
             LEFT JOIN servers s ON s.id = i.server_id
             WHERE i.state IN ('running', 'draining')
               AND coalesce(a.last_report, s.last_report) < ?1",
        )?;
        let rows = stmt.query_map(params![millis - dead_s * 1000], |r| {
            Ok(DeadMember {
                instance: InstanceId(r.get(0)?),
                name: r.get(1)?,
                silent_s: (millis - r.get::<i64>(2)?) / 1000,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Ends every session on the member of `instance` (its host is dead: they are gone with
    /// it). Returns how many ended.
    pub fn end_sessions_of_instance(&mut self, instance: InstanceId) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "DELETE FROM sessions
             WHERE server_id IN (SELECT server_id FROM instances WHERE id = ?1)
                OR agent_id IN (SELECT agent_id FROM instances WHERE id = ?1)",
            [instance.0],
        )?)
    }

    /// How many instances are in each state.
    pub fn instance_state_counts(&self) -> Result<HashMap<InstanceState, u64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT state, count(*) FROM instances GROUP BY state")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                parsed(r, 0, InstanceState::parse)?,
                r.get::<i64>(1)?.max(0) as u64,
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

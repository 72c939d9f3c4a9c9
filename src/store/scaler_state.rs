//! What the scaler must remember across a restart besides its instances: each config's
//! health (pause, backoff, stop) and each pool's surplus clock.

use super::db::{Conn, params};
use super::events::insert_event;
use super::rows::to_millis;
use super::{Store, StoreError};
use crate::model::config_health::ConfigHealth;
use crate::model::scaler_event::ScalerEvent;
use crate::model::{AutoScaleId, PoolId};
use jiff::Timestamp;
use std::collections::HashMap;

fn millis_to_timestamp(ms: Option<i64>) -> Option<Timestamp> {
    ms.and_then(|ms| Timestamp::from_millisecond(ms).ok())
}

impl Store {
    /// The health of every config that has any (the rest are healthy).
    pub fn config_health(&self) -> Result<HashMap<AutoScaleId, ConfigHealth>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT config_id, paused, backoff_until, backoff_level, consecutive_failures,
                    stopped_reason, last_error FROM config_health",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                AutoScaleId(r.get(0)?),
                ConfigHealth {
                    paused: r.get(1)?,
                    backoff_until: millis_to_timestamp(r.get(2)?),
                    backoff_level: r.get(3)?,
                    consecutive_failures: r.get(4)?,
                    stopped_reason: r.get(5)?,
                    last_error: r.get(6)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores a config's health with the event that explains the change.
    pub fn set_config_health(
        &mut self,
        config: AutoScaleId,
        health: &ConfigHealth,
        event: Option<&ScalerEvent>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM autoscale_configs WHERE id = ?1)",
            [config.0],
            |r| r.get(0),
        )?;
        // A config deleted meanwhile has no health to keep.
        if exists {
            tx.execute(
                "INSERT INTO config_health (config_id, paused, backoff_until,
                        backoff_level, consecutive_failures, stopped_reason, last_error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (config_id) DO UPDATE SET paused = excluded.paused,
                        backoff_until = excluded.backoff_until,
                        backoff_level = excluded.backoff_level,
                        consecutive_failures = excluded.consecutive_failures,
                        stopped_reason = excluded.stopped_reason,
                        last_error = excluded.last_error",
                params![
                    config.0,
                    health.paused,
                    health.backoff_until.map(to_millis),
                    health.backoff_level,
                    health.consecutive_failures,
                    health.stopped_reason,
                    health.last_error,
                ],
            )?;
        }
        if let Some(event) = event {
            insert_event(&tx, event)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Since when each pool has had a surplus, for the pools that have one now.
    pub fn surplus_clocks(&self) -> Result<HashMap<PoolId, Timestamp>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT pool_id, surplus_since FROM pool_clocks WHERE surplus_since IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |r| Ok((PoolId(r.get(0)?), r.get::<i64>(1)?)))?;
        let mut clocks = HashMap::new();
        for row in rows {
            let (pool, ms) = row?;
            if let Some(since) = millis_to_timestamp(Some(ms)) {
                clocks.insert(pool, since);
            }
        }
        Ok(clocks)
    }

    /// Starts or stops pools' surplus clocks (`None` stops it).
    pub fn set_surplus_clocks(
        &mut self,
        changes: &[(PoolId, Option<Timestamp>)],
    ) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let tx = self.conn.savepoint()?;
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO pool_clocks (pool_id, surplus_since)
                 SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM pools WHERE id = ?1)
                 ON CONFLICT (pool_id) DO UPDATE SET surplus_since = excluded.surplus_since",
            )?;
            for (pool, since) in changes {
                upsert.execute(params![pool.0, since.map(to_millis)])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// An edit is the administrator's answer to a stopped config: it may try again.
pub(super) fn clear_stop(tx: &Conn, column: &str, id: i64) -> Result<(), StoreError> {
    tx.execute(
        &format!(
            "UPDATE config_health
                SET stopped_reason = NULL, consecutive_failures = 0,
                    backoff_until = NULL, backoff_level = 0
              WHERE config_id IN (SELECT id FROM autoscale_configs WHERE {column} = ?1)"
        ),
        [id],
    )?;
    Ok(())
}

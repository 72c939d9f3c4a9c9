//! The scaler's event log, kept in the database so it outlives a restart.

use super::db::{Conn, params};
use super::rows::{parsed, timestamp, to_millis};
use super::{Store, StoreError};
use crate::model::instance::InstanceId;
use crate::model::scaler_event::{EventKind, ScalerEvent};
use crate::model::{AutoScaleId, PoolId};

/// How many events the log keeps; older ones are trimmed as new ones arrive.
const KEPT_EVENTS: i64 = 50_000;

/// Which events to read back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventFilter {
    /// Only these kinds (all when empty).
    pub kinds: Vec<EventKind>,
    /// Only about this pool.
    pub pool: Option<PoolId>,
    /// Only events whose message contains this text (any case).
    pub text: String,
    /// Only events after this row id (for polling).
    pub after: Option<i64>,
}

pub(super) fn insert_event(tx: &Conn, event: &ScalerEvent) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO events (at, kind, pool_id, config_id, instance_id, message, decision)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let decision = event
        .decision
        .as_ref()
        .and_then(|d| serde_json::to_string(d).ok());
    insert.execute(params![
        to_millis(event.at),
        event.kind.as_str(),
        event.pool.map(|p| p.0),
        event.config.map(|c| c.0),
        event.instance.map(|i| i.0),
        event.message,
        decision,
    ])?;
    Ok(())
}

impl Store {
    /// Appends events (decisions, errors) that go with no other change.
    pub fn record_events(&mut self, events: &[ScalerEvent]) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        for event in events {
            insert_event(&tx, event)?;
        }
        tx.execute(
            "DELETE FROM events WHERE id <= (SELECT max(id) FROM events) - ?1",
            [KEPT_EVENTS],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The newest `limit` events that match `filter`, newest first, with their row ids.
    pub fn events(
        &self,
        filter: &EventFilter,
        limit: usize,
    ) -> Result<Vec<(i64, ScalerEvent)>, StoreError> {
        // ",a,b," — the kinds' spellings hold no commas — or "" for every kind.
        let kinds: String = filter
            .kinds
            .iter()
            .map(|k| format!(",{}", k.as_str()))
            .collect();
        let kinds = if kinds.is_empty() { kinds } else { kinds + "," };
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, kind, pool_id, config_id, instance_id, message, decision FROM events
             WHERE (?1 = '' OR strpos(?1, ',' || kind || ',') > 0)
               AND (pool_id = ?2 OR ?2 IS NULL)
               AND (?3 = '' OR strpos(lower(message), lower(?3)) > 0)
               AND (id > ?4 OR ?4 IS NULL)
             ORDER BY id DESC LIMIT ?5",
        )?;
        let rows = stmt.query_map(
            params![
                kinds,
                filter.pool.map(|p| p.0),
                filter.text.trim(),
                filter.after,
                i64::try_from(limit).unwrap_or(i64::MAX),
            ],
            |r| {
                let pool: Option<i64> = r.get(3)?;
                let config: Option<i64> = r.get(4)?;
                let instance: Option<i64> = r.get(5)?;
                let decision: Option<String> = r.get(7)?;
                Ok((
                    r.get(0)?,
                    ScalerEvent {
                        at: timestamp(r, 1)?,
                        kind: parsed(r, 2, EventKind::parse)?,
                        pool: pool.map(PoolId),
                        config: config.map(AutoScaleId),
                        instance: instance.map(InstanceId),
                        message: r.get(6)?,
                        // Written by this code from the type: an unreadable one is dropped,
                        // the words still say it.
                        decision: decision.and_then(|d| serde_json::from_str(&d).ok()),
                    },
                ))
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

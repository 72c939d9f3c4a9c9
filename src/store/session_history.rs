//! The session history: written by the `sessions_kept` trigger whenever a session ends,
//! read back for what-if replays, pruned by the retention setting.

use super::db::params;
use super::rows::{timestamp, to_millis};
use super::{Store, StoreError};
use crate::model::session_history::EndedSession;
use crate::model::{PoolId, Resources};
use jiff::{SignedDuration, Timestamp};

impl Store {
    /// The sessions of `pool` that started in `[from, to)`, oldest first.
    pub fn ended_sessions(
        &self,
        pool: PoolId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<EndedSession>, StoreError> {
        self.sessions_between(
            "SELECT pool_id, started_at, ended_at, cores, memory_mb, gpus, staged
             FROM session_history
             WHERE pool_id = ?1 AND started_at >= ?2 AND started_at < ?3
             ORDER BY started_at, id",
            pool,
            from,
            to,
        )
    }

    /// The sessions of `pool` that started in `[from, to)` and are still running, as if they
    /// ended at `to` (a replay counts the demand they make now), oldest first.
    pub fn running_sessions(
        &self,
        pool: PoolId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<EndedSession>, StoreError> {
        self.sessions_between(
            // Typed, or PostgreSQL takes the column for text and the condition for bigint.
            "SELECT pool_id, started_at, CAST(?3 AS BIGINT), cores, memory_mb, gpus, staged
             FROM sessions
             WHERE pool_id = ?1 AND started_at >= ?2 AND started_at < ?3
             ORDER BY started_at, id",
            pool,
            from,
            to,
        )
    }

    /// Runs `sql` (columns: pool, start, end, cores, memory, GPUs, staged; parameters: pool,
    /// from, to).
    fn sessions_between(
        &self,
        sql: &str,
        pool: PoolId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<EndedSession>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params![pool.0, to_millis(from), to_millis(to)], |r| {
            Ok(EndedSession {
                pool: PoolId(r.get(0)?),
                started_at: timestamp(r, 1)?,
                ended_at: timestamp(r, 2)?,
                resources: Resources::new(r.get(3)?, r.get(4)?, r.get(5)?),
                staged: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Puts sessions on record as if they had run (imports, tests, benchmarks).
    pub fn record_ended_sessions(&mut self, sessions: &[EndedSession]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO session_history
                     (pool_id, started_at, ended_at, cores, memory_mb, gpus, staged)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for s in sessions {
                insert.execute(params![
                    s.pool.0,
                    to_millis(s.started_at),
                    to_millis(s.ended_at.max(s.started_at)),
                    s.resources.cores,
                    s.resources.memory_mb,
                    s.resources.gpus,
                    s.staged,
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Forgets the sessions that ended more than the retention setting's days before `now`;
    /// returns how many.
    pub fn prune_session_history(&mut self, now: Timestamp) -> Result<usize, StoreError> {
        let days = self.app_settings()?.history_days;
        let cutoff = now - SignedDuration::from_hours(24 * i64::from(days));
        Ok(self.conn.execute(
            "DELETE FROM session_history WHERE ended_at < ?1",
            [to_millis(cutoff)],
        )?)
    }
}

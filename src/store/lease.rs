//! The nodes table and the scaler's lease (several pooladmin nodes on one PostgreSQL
//! database; `scaler/election.rs` drives them). Every time is the database server's, so
//! nodes whose clocks disagree still agree on who holds the lease. On an SQLite file one
//! process holds the file and these are refused.

use super::db::{Dialect, OptionalExtension, params};
use super::{Store, StoreError};
use crate::model::node::{Lease, LeaseTry, Node, NodeRole, ago};
use std::time::Duration;

/// The database server's clock, in milliseconds since the epoch.
const NOW_MS: &str = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

/// The session setting the fencing trigger reads (`postgres_schema::V15_FENCING`).
const EPOCH_SETTING: &str = "pooladmin.scaler_epoch";

/// The server setting that ends a session's transaction left idle this long.
const IDLE_IN_TRANSACTION: &str = "idle_in_transaction_session_timeout";

/// How long a scaler's transaction may sit idle (its process paused) before the server
/// ends it: well under the lease, so the lease row is free when it expires.
const ABANDONED_AFTER: Duration = Duration::from_secs(4);

/// How long a node that said nothing stays in the nodes table.
const FORGET_AFTER_MS: i64 = 7 * 24 * 3600 * 1000;

/// What a node says about itself at each heartbeat.
#[derive(Clone, Debug)]
pub struct NodeBeat<'a> {
    /// Its name.
    pub name: &'a str,
    /// What it does now.
    pub role: NodeRole,
    /// Why it does not lead when it could, else empty.
    pub note: &'a str,
    /// True at its first heartbeat: its start time is now.
    pub first: bool,
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Store {
    fn several_nodes(&self) -> Result<(), StoreError> {
        match self.conn.dialect() {
            Dialect::Postgres => Ok(()),
            Dialect::Sqlite => Err(StoreError::Refused(
                "several nodes need a PostgreSQL database; an SQLite file has one".to_owned(),
            )),
        }
    }

    /// Records that node `beat.name` (this process) is alive and what it does. At its
    /// first heartbeat a node refuses a name another live process uses, and nodes silent
    /// for a week are forgotten.
    pub fn node_heartbeat(&self, beat: &NodeBeat<'_>) -> Result<(), StoreError> {
        self.several_nodes()?;
        let pid = i64::from(std::process::id());
        let host = super::host_name();
        if beat.first {
            // Alive: heard from within a lease, and its connections are still open (a
            // killed node's close with it, so a restarted one need not wait out the lease).
            let twin: Option<(i64, String)> = self
                .conn
                .query_row(
                    &format!(
                        "SELECT n.pid, n.host FROM nodes n
                          WHERE n.name = ?1 AND NOT (n.pid = ?2 AND n.host = ?3)
                            AND n.role <> 'stopped' AND n.heartbeat_at > {NOW_MS} - ?4
                            AND EXISTS (SELECT 1 FROM pg_stat_activity a
                                         WHERE a.datname = current_database()
                                           AND position(('pid ' || n.pid || ' on ') IN
                                                        a.application_name) > 0)"
                    ),
                    params![
                        beat.name,
                        pid,
                        host.as_str(),
                        millis(crate::model::node::LEASE)
                    ],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((other, other_host)) = twin {
                return Err(StoreError::Refused(format!(
                    "a node named {} runs already (pid {other} on {other_host}); give this \
                     one another --node-name",
                    beat.name
                )));
            }
            self.conn.execute(
                &format!("DELETE FROM nodes WHERE heartbeat_at < {NOW_MS} - ?1"),
                [FORGET_AFTER_MS],
            )?;
        }
        self.conn.execute(
            &format!(
                "INSERT INTO nodes (name, version, schema_version, role, pid, host, started_at,
                                    heartbeat_at, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?8, {NOW_MS}, {NOW_MS}, ?6)
                 ON CONFLICT (name) DO UPDATE SET
                    version = excluded.version, schema_version = excluded.schema_version,
                    role = excluded.role, pid = excluded.pid, host = excluded.host,
                    started_at = CASE WHEN ?7 THEN excluded.started_at ELSE nodes.started_at END,
                    heartbeat_at = excluded.heartbeat_at, note = excluded.note"
            ),
            params![
                beat.name,
                env!("CARGO_PKG_VERSION"),
                super::migrations::LATEST_VERSION,
                beat.role.as_str(),
                pid,
                beat.note,
                beat.first,
                host.as_str(),
            ],
        )?;
        Ok(())
    }

    /// Marks node `name` as stopped (a clean stop): the Nodes page shows it gone at once.
    pub fn node_stopped(&self, name: &str) -> Result<(), StoreError> {
        self.several_nodes()?;
        self.conn.execute(
            "UPDATE nodes SET role = 'stopped' WHERE name = ?1 AND pid = ?2",
            params![name, i64::from(std::process::id())],
        )?;
        Ok(())
    }

    /// Every node the table knows, by name.
    pub fn nodes(&self) -> Result<Vec<Node>, StoreError> {
        self.several_nodes()?;
        let rows = self.conn.query_map(
            &format!(
                "SELECT name, version, schema_version, role, pid, started_at, heartbeat_at,
                        note, {NOW_MS}, host
                   FROM nodes ORDER BY name"
            ),
            (),
            |r| {
                let now: i64 = r.get(8)?;
                let role: String = r.get(3)?;
                Ok(Node {
                    name: r.get(0)?,
                    version: r.get(1)?,
                    schema_version: r.get(2)?,
                    role: NodeRole::parse(&role).unwrap_or(NodeRole::Standby),
                    pid: r.get(4)?,
                    host: r.get(9)?,
                    started_ago: ago(now, r.get(5)?),
                    heartbeat_ago: ago(now, r.get(6)?),
                    note: r.get(7)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The scaler's lease as it stands.
    pub fn lease(&self) -> Result<Lease, StoreError> {
        self.several_nodes()?;
        Ok(self.conn.query_row(
            &format!(
                "SELECT holder, epoch, renewed_at, expires_at, failovers, {NOW_MS}
                   FROM scaler_lease WHERE id = 1"
            ),
            (),
            |r| {
                let now: i64 = r.get(5)?;
                let expires_at: i64 = r.get(3)?;
                Ok(Lease {
                    holder: r.get(0)?,
                    epoch: r.get(1)?,
                    renewed_ago: ago(now, r.get(2)?),
                    expires_in: ago(expires_at, now),
                    failovers: r.get(4)?,
                })
            },
        )?)
    }

    /// Takes the scaler's lease for `node` for `lease`, when nobody holds it or its holder's
    /// lease expired — or, with `restarted`, when an earlier process of this same node holds
    /// it (a node restarted after a crash; its first heartbeat proved that no process of that
    /// name runs any more, so it need not wait out its own lease). The epoch goes up by one,
    /// so the writes of every earlier holder are refused from now on. A node older than the
    /// schema never takes it.
    pub fn take_lease(
        &mut self,
        node: &str,
        lease: Duration,
        restarted: bool,
    ) -> Result<LeaseTry, StoreError> {
        self.several_nodes()?;
        let tx = self.conn.write_transaction()?;
        let (holder, expires_at, now, schema): (Option<String>, i64, i64, i64) = tx.query_row(
            &format!(
                "SELECT holder, expires_at, {NOW_MS},
                        (SELECT version FROM pooladmin_schema WHERE id = 1)
                   FROM scaler_lease WHERE id = 1 FOR UPDATE"
            ),
            (),
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        if schema > super::migrations::LATEST_VERSION {
            return Err(StoreError::Refused(format!(
                "the database's schema is version {schema}, newer than this pooladmin's ({}): \
                 this node serves the API but does not run the scaler; upgrade it",
                super::migrations::LATEST_VERSION
            )));
        }
        if let Some(holder) = &holder
            && expires_at >= now
            && !(restarted && holder == node)
        {
            return Ok(LeaseTry::Held {
                holder: holder.clone(),
                expires_in: ago(expires_at, now),
            });
        }
        let from = holder.filter(|h| h != node).map(|h| (h, expires_at));
        let epoch: i64 = tx.query_row(
            &format!(
                "UPDATE scaler_lease SET holder = ?1, epoch = epoch + 1, taken_at = {NOW_MS},
                        renewed_at = {NOW_MS}, expires_at = {NOW_MS} + ?2,
                        failovers = failovers + ?3
                  WHERE id = 1 RETURNING epoch"
            ),
            params![node, millis(lease), i64::from(from.is_some())],
            |r| r.get(0),
        )?;
        tx.commit()?;
        Ok(LeaseTry::Taken { epoch, from })
    }

    /// Renews `node`'s lease of `epoch` for `lease` from now. False when it is not that
    /// node's any more (expired, taken over, or the schema is newer than this build): its
    /// scaler must stop.
    pub fn renew_lease(&self, node: &str, epoch: i64, lease: Duration) -> Result<bool, StoreError> {
        self.several_nodes()?;
        let renewed = self.conn.execute(
            &format!(
                "UPDATE scaler_lease SET renewed_at = {NOW_MS}, expires_at = {NOW_MS} + ?3
                  WHERE id = 1 AND holder = ?1 AND epoch = ?2 AND expires_at >= {NOW_MS}
                    AND (SELECT version FROM pooladmin_schema WHERE id = 1) <= ?4"
            ),
            params![
                node,
                epoch,
                millis(lease),
                super::migrations::LATEST_VERSION
            ],
        )?;
        Ok(renewed == 1)
    }

    /// Hands `node`'s lease of `epoch` back (a clean stop) and tells the standby nodes, so
    /// one takes the scaler over at once.
    pub fn hand_back_lease(&mut self, node: &str, epoch: i64) -> Result<(), StoreError> {
        self.several_nodes()?;
        let tx = self.conn.transaction()?;
        let released = tx.execute(
            &format!(
                "UPDATE scaler_lease SET holder = NULL, expires_at = {NOW_MS}
                  WHERE id = 1 AND holder = ?1 AND epoch = ?2"
            ),
            params![node, epoch],
        )?;
        if released == 1 {
            tx.query_row(
                "SELECT pg_notify(?1, ?2)",
                params![super::db::LEASE_CHANNEL, node],
                |_| Ok(()),
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks every write of this connection with lease epoch `epoch`: the database refuses
    /// them once another node took the lease (the fencing trigger), also after this
    /// connection reconnects. A transaction of it left open (its process paused mid-way)
    /// is ended by the server after a few seconds, so the lease row it holds never keeps
    /// another node from taking over.
    pub fn fence(&self, epoch: i64) -> Result<(), StoreError> {
        let conn = self.postgres_conn()?;
        conn.keep_setting(IDLE_IN_TRANSACTION, &millis(ABANDONED_AFTER).to_string())?;
        Ok(conn.keep_setting(EPOCH_SETTING, &epoch.to_string())?)
    }

    /// Makes this connection (the election's) wait at most `wait` for a lock, so a round
    /// never hangs on a paused node's transaction; the next round tries again.
    pub fn wait_for_locks_at_most(&self, wait: Duration) -> Result<(), StoreError> {
        Ok(self
            .postgres_conn()?
            .keep_setting("lock_timeout", &millis(wait).to_string())?)
    }

    fn postgres_conn(&self) -> Result<&super::db::postgres::PgConn, StoreError> {
        self.several_nodes()?;
        self.conn.as_postgres().ok_or_else(|| {
            StoreError::Refused("several nodes need a PostgreSQL connection".to_owned())
        })
    }
}

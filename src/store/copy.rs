//! `pooladmin db copy`: an SQLite installation moved whole into an empty PostgreSQL
//! database, in one transaction. Every row keeps its id (instances keep their names, tokens
//! and states, so the scaler goes on as if nothing happened: no VM orphaned or made twice);
//! every secret is opened with the source's key and sealed again, for the same place, with
//! the target's — never written anywhere in clear; the installation id (which tags the
//! installation's VMs in the clouds) moves with them. The row counts of every table are
//! compared after.

use super::db::{Conn, Value};
use super::sealed_columns::sealed_column;
use super::{Store, StoreError};

/// The tables in an order that satisfies every foreign key. `installation` is not copied
/// as a row: the target keeps its own key salt and check value (they prove its key, not
/// the source's), and takes the source's id.
const TABLES: [&str; 21] = [
    "zones",
    "pools",
    "servers",
    "docker_agents",
    "staging_configs",
    "ldap_configs",
    "vm_provider_configs",
    "dns_provider_configs",
    "autoscale_configs",
    "instances",
    "instance_ids",
    "config_health",
    "pool_clocks",
    "events",
    "api_settings",
    "api_keys",
    "api_key_pools",
    "agent_tokens",
    "vm_sightings",
    "settings",
    "session_history",
];

/// Copied last: inserting a session counts it on its member (a trigger), so the members'
/// kept counts are written again from the source after.
const SESSIONS: &str = "sessions";

/// The member columns the session triggers keep.
const KEPT_COUNTS: [(&str, &[&str]); 2] = [
    ("servers", &["session_count"]),
    (
        "docker_agents",
        &["session_count", "used_cores", "used_memory_mb", "used_gpus"],
    ),
];

/// What a copy moved: rows per table, as counted in the target after.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CopyReport {
    /// Table and rows, in copy order.
    pub tables: Vec<(String, u64)>,
    /// Secrets sealed again under the target's key.
    pub resealed: usize,
}

impl Store {
    /// Copies this (SQLite) database whole into `target` (an empty PostgreSQL database),
    /// in one transaction; nothing is written to the target unless every table's row count
    /// matches after.
    pub fn copy_into(&self, target: &mut Store) -> Result<CopyReport, StoreError> {
        self.sqlite()?;
        if target.conn.as_postgres().is_none() {
            return Err(StoreError::Refused(
                "the target must be a PostgreSQL database (postgres://…)".to_owned(),
            ));
        }
        if !target.holds_nothing()? {
            return Err(StoreError::Refused(format!(
                "{} is not empty; copy into a new, empty database",
                target.database
            )));
        }
        if matches!(target.key_location, super::KeyLocation::Keyring { .. }) {
            // Its entry is named by the installation id, which the copy replaces.
            return Err(StoreError::Refused(
                "the target's key must come from POOLADMIN_PASSPHRASE or --key-file, not the \
                 OS keyring"
                    .to_owned(),
            ));
        }
        // One read transaction on the source: every table as of one moment, even if a
        // command writes to the file meanwhile.
        let snapshot = self.conn.begin()?;
        let copied = self.copy_rows(target);
        // Ending a read-only transaction changes nothing; its error matters less than the copy's.
        let _ = self.conn.end(snapshot, true);
        copied
    }

    fn copy_rows(&self, target: &mut Store) -> Result<CopyReport, StoreError> {
        let sealer_from = self.sealer.clone();
        let sealer_to = target.sealer.clone();
        let mut report = CopyReport::default();
        let installation: (String, i64) = self.conn.query_row(
            "SELECT uuid, created_at FROM installation WHERE id = 1",
            (),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut keyed_by_id = Vec::new();
        let tx = target.conn.transaction()?;
        // The rows a new schema starts with give way to the source's.
        for table in TABLES.iter().rev() {
            tx.execute(&format!("DELETE FROM {table}"), ())?;
        }
        for table in TABLES.iter().chain(std::iter::once(&SESSIONS)) {
            let columns = columns_of(&self.conn, table)?;
            let rows = read_all(&self.conn, table, &columns)?;
            let id_at = columns.iter().position(|c| c == "id");
            if id_at.is_some() {
                keyed_by_id.push(*table);
            }
            let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
            let insert = format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                columns.join(", "),
                placeholders.join(", ")
            );
            for mut row in rows {
                for (i, column) in columns.iter().enumerate() {
                    let (Some(sealed), Some(id_at)) = (sealed_column(table, column), id_at) else {
                        continue;
                    };
                    let Value::Blob(bytes) = &row[i] else {
                        continue;
                    };
                    let Value::Integer(id) = row[id_at] else {
                        continue;
                    };
                    let secret = sealer_from
                        .open(Some(bytes), sealed.at(id))
                        .ok_or(StoreError::Unseal)?;
                    row[i] = match sealer_to.seal(&secret, sealed.at(id)) {
                        Some(bytes) => Value::Blob(bytes),
                        None => Value::Null,
                    };
                    report.resealed += 1;
                }
                tx.execute(&insert, row)?;
            }
        }
        for (table, columns) in KEPT_COUNTS {
            let read: Vec<String> = std::iter::once("id")
                .chain(columns.iter().copied())
                .map(str::to_owned)
                .collect();
            let kept = read_all(&self.conn, table, &read)?;
            let sets: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c} = ?{}", i + 2))
                .collect();
            let update = format!("UPDATE {table} SET {} WHERE id = ?1", sets.join(", "));
            for row in kept {
                tx.execute(&update, row)?;
            }
        }
        // Ids chosen by the source: each identity goes on after the largest.
        for table in keyed_by_id {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                               coalesce((SELECT max(id) FROM {table}), 0) + 1, false)
                 WHERE pg_get_serial_sequence('{table}', 'id') IS NOT NULL"
            );
            tx.query_map(&sql, (), |_| Ok(()))?
                .collect::<Result<Vec<()>, _>>()?;
        }
        tx.execute(
            "UPDATE installation SET uuid = ?1, created_at = ?2 WHERE id = 1",
            vec![Value::Text(installation.0), Value::Integer(installation.1)],
        )?;
        for table in TABLES.iter().chain(std::iter::once(&SESSIONS)) {
            let count_sql = format!("SELECT count(*) FROM {table}");
            let copied: i64 = tx.query_row(&count_sql, (), |r| r.get(0))?;
            let source: i64 = self.conn.query_row(&count_sql, (), |r| r.get(0))?;
            if copied != source {
                return Err(StoreError::Refused(format!(
                    "{table}: {source} rows in the source, {copied} in the copy; nothing was \
                     written"
                )));
            }
            report
                .tables
                .push(((*table).to_owned(), copied.unsigned_abs()));
        }
        tx.commit()?;
        target.installation_id = self.installation_id.clone();
        target.refresh_statistics()?;
        Ok(report)
    }

    /// Whether nothing an administrator or the scaler writes is in the database yet.
    fn holds_nothing(&self) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM pools) AND NOT EXISTS (SELECT 1 FROM servers)
                AND NOT EXISTS (SELECT 1 FROM docker_agents)
                AND NOT EXISTS (SELECT 1 FROM vm_provider_configs)
                AND NOT EXISTS (SELECT 1 FROM ldap_configs)
                AND NOT EXISTS (SELECT 1 FROM dns_provider_configs)
                AND NOT EXISTS (SELECT 1 FROM instances)
                AND NOT EXISTS (SELECT 1 FROM api_keys)
                AND NOT EXISTS (SELECT 1 FROM events)
                AND NOT EXISTS (SELECT 1 FROM session_history)",
            (),
            |r| r.get(0),
        )?)
    }
}

/// The columns of an SQLite table, in order.
fn columns_of(conn: &Conn, table: &str) -> Result<Vec<String>, StoreError> {
    Ok(conn
        .query_map(&format!("PRAGMA table_info({table})"), (), |r| r.get(1))?
        .collect::<Result<_, _>>()?)
}

fn read_all(conn: &Conn, table: &str, columns: &[String]) -> Result<Vec<Vec<Value>>, StoreError> {
    let sql = format!("SELECT {} FROM {table} ORDER BY 1", columns.join(", "));
    let width = columns.len();
    Ok(conn
        .query_map(&sql, (), |r| {
            (0..width).map(|i| r.get::<Value>(i)).collect()
        })?
        .collect::<Result<_, _>>()?)
}

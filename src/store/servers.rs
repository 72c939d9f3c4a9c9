//! Servers.

use super::db::{Conn, DbError, OptionalExtension, Row, params};
use super::members::SERVERS;
use super::rows::{ServerRow, count, optional_timestamp, parsed, timestamp, to_millis};
use super::sealed_columns::SERVER_PASSWORD;
use super::{Sealer, Store, StoreError};
use crate::model::{
    ConnectionType, CredentialType, Origin, PoolId, Server, ServerId, ServerSpec, ZoneId,
};
use jiff::Timestamp;

impl Store {
    /// Every server with its session count, oldest first.
    pub fn servers(&self) -> Result<Vec<ServerRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SERVER_COLUMNS} FROM servers s ORDER BY s.id"
        ))?;
        let rows = stmt.query_map([], |r| read_server(r, &self.sealer))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One server with its session count.
    pub fn server(&self, id: ServerId) -> Result<ServerRow, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {SERVER_COLUMNS} FROM servers s WHERE s.id = ?1"
            ))?
            .query_row([id.0], |r| read_server(r, &self.sealer))
            .optional()?
            .ok_or(StoreError::NotFound {
                what: "server",
                id: id.0,
            })
    }

    /// Adds a static server.
    pub fn add_server(&mut self, spec: &ServerSpec) -> Result<ServerId, StoreError> {
        let tx = self.conn.savepoint()?;
        SERVERS.check_record(
            &tx,
            spec.validate(),
            &spec.friendly_name,
            spec.zone,
            spec.pool,
            None,
        )?;
        let id = insert_server(
            &tx,
            &self.sealer,
            spec,
            Origin::Static,
            to_millis(Timestamp::now()),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Saves an edited server.
    pub fn update_server(&mut self, id: ServerId, spec: &ServerSpec) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        SERVERS.check_record(
            &tx,
            spec.validate(),
            &spec.friendly_name,
            spec.zone,
            spec.pool,
            Some(id.0),
        )?;
        SERVERS.check_movable(&tx, id.0, spec.pool)?;
        tx.execute(
            "UPDATE servers SET friendly_name = ?1, enabled = ?2, zone_id = ?3, pool_id = ?4,
                    connection_type = ?5, host = ?6, port = ?7, credential_type = ?8,
                    username = ?9, password_sealed = ?10, connection_info = ?11,
                    max_sessions = ?12, reusable = ?13
             WHERE id = ?14",
            params![
                spec.friendly_name,
                spec.enabled,
                spec.zone.0,
                spec.pool.map(|p| p.0),
                spec.connection_type.as_str(),
                spec.host,
                spec.port,
                spec.credential_type.as_str(),
                spec.username,
                self.sealer.seal(&spec.password, SERVER_PASSWORD.at(id.0)),
                spec.connection_info,
                spec.max_sessions,
                spec.reusable,
                id.0,
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes a server that runs no sessions.
    pub fn delete_server(&mut self, id: ServerId) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        SERVERS.delete(&tx, id.0)?;
        tx.commit()?;
        Ok(())
    }

    /// Assigns servers to a Server pool.
    pub fn assign_servers(&mut self, pool: PoolId, ids: &[ServerId]) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        SERVERS.assign(&tx, pool, &ids)?;
        tx.commit()?;
        Ok(())
    }

    /// Takes a server out of its pool.
    pub fn unassign_server(&mut self, id: ServerId) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        SERVERS.unassign(&tx, id.0)?;
        tx.commit()?;
        Ok(())
    }
}

/// Inserts a checked server row, its password sealed.
pub(super) fn insert_server(
    tx: &Conn,
    sealer: &Sealer,
    spec: &ServerSpec,
    origin: Origin,
    now: i64,
) -> Result<ServerId, StoreError> {
    tx.execute(
        "INSERT INTO servers (friendly_name, enabled, zone_id, pool_id, connection_type, host,
                              port, credential_type, username, password_sealed,
                              connection_info, max_sessions, reusable, origin, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            spec.friendly_name,
            spec.enabled,
            spec.zone.0,
            spec.pool.map(|p| p.0),
            spec.connection_type.as_str(),
            spec.host,
            spec.port,
            spec.credential_type.as_str(),
            spec.username,
            None::<Vec<u8>>,
            spec.connection_info,
            spec.max_sessions,
            spec.reusable,
            origin.as_str(),
            now,
        ],
    )?;
    let id = tx.last_insert_rowid()?;
    // The password is sealed for its row, whose id the insert just chose.
    SERVER_PASSWORD.write(tx, id, sealer.seal(&spec.password, SERVER_PASSWORD.at(id)))?;
    Ok(ServerId(id))
}

const SERVER_COLUMNS: &str = "s.id, s.friendly_name, s.enabled, s.zone_id, s.pool_id,
    s.connection_type, s.host, s.port, s.credential_type, s.username, s.password_sealed,
    s.connection_info, s.max_sessions, s.reusable, s.origin, s.created_at, s.session_count,
    s.last_report";

fn read_server(r: &Row<'_>, sealer: &Sealer) -> Result<ServerRow, DbError> {
    let sealed: Option<Vec<u8>> = r.get(10)?;
    let id = ServerId(r.get(0)?);
    let password = sealer
        .open(sealed.as_deref(), SERVER_PASSWORD.at(id.0))
        .ok_or_else(|| {
            super::rows::unreadable(
                10,
                "a sealed password",
                "one that could not be unsealed; was the key replaced?",
            )
        })?;
    Ok(ServerRow {
        server: Server {
            id,
            spec: ServerSpec {
                friendly_name: r.get(1)?,
                enabled: r.get(2)?,
                zone: ZoneId(r.get(3)?),
                pool: r.get::<Option<i64>>(4)?.map(PoolId),
                connection_type: parsed(r, 5, ConnectionType::parse)?,
                host: r.get(6)?,
                port: r.get(7)?,
                credential_type: parsed(r, 8, CredentialType::parse)?,
                username: r.get(9)?,
                password,
                connection_info: r.get(11)?,
                max_sessions: r.get(12)?,
                reusable: r.get(13)?,
            },
            origin: parsed(r, 14, Origin::parse)?,
            created_at: timestamp(r, 15)?,
            last_report: optional_timestamp(r, 17)?,
        },
        sessions: count(r, 16)?,
    })
}

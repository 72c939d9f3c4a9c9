//! Deployment zones.

use super::db::{Conn, OptionalExtension, params};
use super::names::ZONE_NAME;
use super::{Store, StoreError};
use crate::model::Field;
use crate::model::{DeploymentZone, ValidationErrors, ZoneId};

impl Store {
    /// Every zone, by name.
    pub fn zones(&self) -> Result<Vec<DeploymentZone>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name FROM zones ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok(DeploymentZone {
                id: ZoneId(r.get(0)?),
                name: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds a zone with a unique name.
    pub fn add_zone(&mut self, name: &str) -> Result<ZoneId, StoreError> {
        let tx = self.conn.savepoint()?;
        let name = ZONE_NAME.checked(&tx, name, None)?;
        tx.execute("INSERT INTO zones (name) VALUES (?1)", [&name])?;
        let id = ZoneId(tx.last_insert_rowid()?);
        tx.commit()?;
        Ok(id)
    }

    /// Renames a zone.
    pub fn rename_zone(&mut self, id: ZoneId, name: &str) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        let name = ZONE_NAME.checked(&tx, name, Some(id.0))?;
        let changed = tx.execute(
            "UPDATE zones SET name = ?1 WHERE id = ?2",
            params![name, id.0],
        )?;
        StoreError::unless_missing(changed, "deployment zone", id.0)?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes a zone nothing refers to.
    pub fn delete_zone(&mut self, id: ZoneId) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        let (name, servers, agents, staging): (String, i64, i64, i64) = tx
            .query_row(
                "SELECT name,
                        (SELECT count(*) FROM servers WHERE zone_id = z.id),
                        (SELECT count(*) FROM docker_agents WHERE zone_id = z.id),
                        (SELECT count(*) FROM staging_configs WHERE zone_id = z.id)
                      + (SELECT count(*) FROM autoscale_configs WHERE zone_id = z.id)
                 FROM zones z WHERE id = ?1",
                [id.0],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?
            .ok_or(StoreError::NotFound {
                what: "deployment zone",
                id: id.0,
            })?;
        if servers + agents + staging > 0 {
            return Err(StoreError::Refused(format!(
                "zone {name} is still used by {servers} servers, {agents} docker agents and \
                 {staging} staging or AutoScale configs; move or delete them first"
            )));
        }
        tx.execute("DELETE FROM zones WHERE id = ?1", [id.0])?;
        tx.commit()?;
        Ok(())
    }
}

/// Adds a "Deployment Zone" error unless `zone` exists.
pub(super) fn check_zone_exists(
    tx: &Conn,
    errors: &mut ValidationErrors,
    field: impl Into<Field>,
    zone: ZoneId,
) -> Result<(), StoreError> {
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM zones WHERE id = ?1)",
        [zone.0],
        |r| r.get(0),
    )?;
    if !exists {
        errors.push(field, "the chosen zone no longer exists; choose another");
    }
    Ok(())
}

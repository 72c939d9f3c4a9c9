//! Pools.

use super::db::{OptionalExtension, params};
use super::names::POOL_NAME;
use super::rows::parsed;
use super::{Store, StoreError};
use crate::model::{Pool, PoolId, PoolKind};

impl Store {
    /// Every pool, by name.
    pub fn pools(&self) -> Result<Vec<Pool>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, kind FROM pools ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok(Pool {
                id: PoolId(r.get(0)?),
                name: r.get(1)?,
                kind: parsed(r, 2, PoolKind::parse)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The pool named `name` (names are unique, case-insensitively).
    pub fn pool_by_name(&self, name: &str) -> Result<Option<Pool>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT id, name, kind FROM pools WHERE name = ?1")?
            .query_row([name], |r| {
                Ok(Pool {
                    id: PoolId(r.get(0)?),
                    name: r.get(1)?,
                    kind: parsed(r, 2, PoolKind::parse)?,
                })
            })
            .optional()?)
    }

    /// Adds a pool with a unique name.
    pub fn add_pool(&mut self, name: &str, kind: PoolKind) -> Result<PoolId, StoreError> {
        let tx = self.conn.savepoint()?;
        let name = POOL_NAME.checked(&tx, name, None)?;
        tx.execute(
            "INSERT INTO pools (name, kind) VALUES (?1, ?2)",
            params![name, kind.as_str()],
        )?;
        let id = PoolId(tx.last_insert_rowid()?);
        tx.commit()?;
        Ok(id)
    }

    /// Renames a pool; its type never changes.
    pub fn rename_pool(&mut self, id: PoolId, name: &str) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        let name = POOL_NAME.checked(&tx, name, Some(id.0))?;
        let changed = tx.execute(
            "UPDATE pools SET name = ?1 WHERE id = ?2",
            params![name, id.0],
        )?;
        StoreError::unless_missing(changed, "pool", id.0)?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes a pool that has no members and no staging configs.
    pub fn delete_pool(&mut self, id: PoolId) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        let (name, servers, agents, staging, autoscale): (String, i64, i64, i64, i64) = tx
            .query_row(
                "SELECT name,
                        (SELECT count(*) FROM servers WHERE pool_id = p.id),
                        (SELECT count(*) FROM docker_agents WHERE pool_id = p.id),
                        (SELECT count(*) FROM staging_configs WHERE pool_id = p.id),
                        (SELECT count(*) FROM autoscale_configs WHERE pool_id = p.id)
                 FROM pools p WHERE id = ?1",
                [id.0],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?
            .ok_or(StoreError::NotFound {
                what: "pool",
                id: id.0,
            })?;
        if servers > 0 {
            return Err(StoreError::Refused(format!(
                "pool {name} still has {servers} servers assigned; unassign them first"
            )));
        }
        if agents > 0 {
            return Err(StoreError::Refused(format!(
                "pool {name} still has {agents} docker agents assigned; unassign them first"
            )));
        }
        if staging > 0 {
            return Err(StoreError::Refused(format!(
                "pool {name} still has {staging} staging configs; delete them first"
            )));
        }
        if autoscale > 0 {
            return Err(StoreError::Refused(format!(
                "pool {name} still has {autoscale} AutoScale configs; delete them first"
            )));
        }
        tx.execute("DELETE FROM pools WHERE id = ?1", [id.0])?;
        tx.commit()?;
        Ok(())
    }
}

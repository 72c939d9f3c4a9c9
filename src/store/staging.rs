//! Staging configs.

use super::db::{Conn, OptionalExtension, params};
use super::zones::check_zone_exists;
use super::{Store, StoreError};
use crate::model::field::StagingField;
use crate::model::{
    PoolId, PoolKind, Resources, StagingConfig, StagingId, StagingSpec, ValidationErrors, ZoneId,
};

impl Store {
    /// Every staging config, by pool then workspace.
    pub fn staging_configs(&self) -> Result<Vec<StagingConfig>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, zone_id, pool_id, workspace_name, desired_sessions, cores, memory_mb, gpus
             FROM staging_configs ORDER BY pool_id, workspace_name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(StagingConfig {
                id: StagingId(r.get(0)?),
                spec: StagingSpec {
                    zone: ZoneId(r.get(1)?),
                    pool: PoolId(r.get(2)?),
                    workspace_name: r.get(3)?,
                    desired_sessions: r.get(4)?,
                    per_session: Resources::new(r.get(5)?, r.get(6)?, r.get(7)?),
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds a staging config.
    pub fn add_staging(&mut self, spec: &StagingSpec) -> Result<StagingId, StoreError> {
        let tx = self.conn.savepoint()?;
        check_staging(&tx, spec, None)?;
        tx.execute(
            "INSERT INTO staging_configs (zone_id, pool_id, workspace_name, desired_sessions,
                                          cores, memory_mb, gpus)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                spec.zone.0,
                spec.pool.0,
                spec.workspace_name,
                spec.desired_sessions,
                spec.per_session.cores,
                spec.per_session.memory_mb,
                spec.per_session.gpus,
            ],
        )?;
        let id = StagingId(tx.last_insert_rowid()?);
        tx.commit()?;
        Ok(id)
    }

    /// Saves an edited staging config.
    pub fn update_staging(&mut self, id: StagingId, spec: &StagingSpec) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        check_staging(&tx, spec, Some(id))?;
        let changed = tx.execute(
            "UPDATE staging_configs SET zone_id = ?1, pool_id = ?2, workspace_name = ?3,
                    desired_sessions = ?4, cores = ?5, memory_mb = ?6, gpus = ?7
             WHERE id = ?8",
            params![
                spec.zone.0,
                spec.pool.0,
                spec.workspace_name,
                spec.desired_sessions,
                spec.per_session.cores,
                spec.per_session.memory_mb,
                spec.per_session.gpus,
                id.0,
            ],
        )?;
        StoreError::unless_missing(changed, "staging config", id.0)?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes a staging config.
    pub fn delete_staging(&mut self, id: StagingId) -> Result<(), StoreError> {
        let changed = self
            .conn
            .execute("DELETE FROM staging_configs WHERE id = ?1", [id.0])?;
        StoreError::unless_missing(changed, "staging config", id.0)?;
        Ok(())
    }
}

fn check_staging(
    tx: &Conn,
    spec: &StagingSpec,
    except: Option<StagingId>,
) -> Result<(), StoreError> {
    let mut errors: ValidationErrors = spec.validate().err().unwrap_or_default();
    check_zone_exists(tx, &mut errors, StagingField::Zone, spec.zone)?;
    let pool: Option<(String, String)> = tx
        .query_row(
            "SELECT name, kind FROM pools WHERE id = ?1",
            [spec.pool.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match pool {
        None => errors.push(
            StagingField::Pool,
            "the chosen pool no longer exists; choose another",
        ),
        Some((name, kind)) if kind != PoolKind::DockerAgent.as_str() => errors.push(
            StagingField::Pool,
            format!("pool {name} is a Server pool; staging needs a Docker Agent pool"),
        ),
        Some(_) => {}
    }
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM staging_configs
                        WHERE pool_id = ?1 AND workspace_name = ?2
                          AND id IS DISTINCT FROM ?3)",
        params![spec.pool.0, spec.workspace_name, except.map(|s| s.0)],
        |r| r.get(0),
    )?;
    if taken {
        errors.push(
            StagingField::WorkspaceName,
            format!(
                "this pool already stages '{}'; edit that config instead",
                spec.workspace_name
            ),
        );
    }
    errors.into_result(()).map_err(StoreError::from)
}

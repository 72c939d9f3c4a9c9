//! AutoScale configs: saved with their VM Provider and DNS Provider choices in one
//! transaction, so a wizard either writes everything or nothing.

use super::db::{Conn, OptionalExtension, params};
use super::provider_configs::{SharedConfig, insert_config, settings_json, write_config};
use super::scaler_state::clear_stop;
use super::sealed_columns::AUTOSCALE_SECRETS;
use super::zones::check_zone_exists;
use super::{Store, StoreError};
use crate::model::autoscale::{AutoScaleSpec, Scaling};
use crate::model::dns_provider::DnsProviderSpec;
use crate::model::field::AutoScaleField;
use crate::model::instance::terminal_states_sql;
use crate::model::vm_provider::VmProviderSpec;
use crate::model::{AutoScaleId, PoolKind, ValidationErrors};

/// What a wizard step decided about a shared config.
#[derive(Clone, Debug, PartialEq)]
pub enum Choice<T: SharedConfig> {
    /// Use a stored config as it is.
    Existing(T::Id),
    /// Use a stored config, changed (for every config that shares it).
    Edited(T::Id, T),
    /// Create a config.
    New(T),
}

/// A row as read: id, settings JSON, sealed secrets, position, LDAP config.
type StoredAutoScale = (i64, String, Option<Vec<u8>>, i64, Option<i64>);

/// A stored AutoScale config.
#[derive(Clone, Debug, PartialEq)]
pub struct AutoScaleRow {
    /// Its key in the database (instances and events refer to it by this).
    pub id: AutoScaleId,
    /// What the administrator set, secrets unsealed.
    pub spec: AutoScaleSpec,
    /// Order within its pool (lower serves first).
    pub position: i64,
}

impl Store {
    /// Every AutoScale config, by pool then position.
    pub fn autoscale_configs(&self) -> Result<Vec<AutoScaleRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, settings, secrets, position, ldap_id FROM autoscale_configs
             ORDER BY pool_id, position",
        )?;
        let raw: Vec<StoredAutoScale> = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_, _>>()?;
        raw.into_iter()
            .map(|(id, settings, sealed, position, ldap)| {
                let mut spec: AutoScaleSpec = serde_json::from_str(&settings).map_err(|e| {
                    StoreError::Refused(format!("AutoScale config #{id} is stored damaged: {e}"))
                })?;
                self.sealer
                    .open_fields(&mut spec, sealed.as_deref(), AUTOSCALE_SECRETS.at(id))?;
                if let Scaling::Servers(servers) = &mut spec.scaling {
                    servers.ldap_config = ldap.map(crate::model::LdapId);
                }
                Ok(AutoScaleRow {
                    id: AutoScaleId(id),
                    spec,
                    position,
                })
            })
            .collect()
    }

    /// Writes an AutoScale config with its provider choices, all or nothing. `target` is
    /// the config being edited, `None` for a new one.
    pub fn save_autoscale(
        &mut self,
        target: Option<AutoScaleId>,
        spec: &AutoScaleSpec,
        vm: &Choice<VmProviderSpec>,
        dns: Option<&Choice<DnsProviderSpec>>,
    ) -> Result<AutoScaleId, StoreError> {
        let tx = self.conn.savepoint()?;
        let mut spec = spec.clone();
        spec.vm_provider = Some(resolve(&tx, &self.sealer, vm)?);
        spec.dns_provider = match dns {
            Some(choice) => Some(resolve(&tx, &self.sealer, choice)?),
            None => None,
        };
        check_autoscale(&tx, &spec, target)?;
        let ldap = match &spec.scaling {
            Scaling::Servers(s) if s.create_ad_record => s.ldap_config.map(|l| l.0),
            _ => None,
        };
        let zone = spec.zone.map(|z| z.0);
        let vm_id = spec.vm_provider.map(|v| v.0);
        let dns_id = spec.dns_provider.map(|d| d.0);
        let settings = settings_json(&spec)?;
        let id = match target {
            None => {
                tx.execute(
                    "INSERT INTO autoscale_configs (name, pool_id, zone_id, kind, vm_provider_id,
                            dns_provider_id, ldap_id, position, settings)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,
                             (SELECT coalesce(max(position), 0) + 1 FROM autoscale_configs
                              WHERE pool_id = ?2),
                             ?8)",
                    params![
                        spec.name.trim(),
                        spec.pool.0,
                        zone,
                        spec.scaling.kind().as_str(),
                        vm_id,
                        dns_id,
                        ldap,
                        settings
                    ],
                )?;
                AutoScaleId(tx.last_insert_rowid()?)
            }
            Some(id) => {
                let changed = tx.execute(
                    "UPDATE autoscale_configs SET name = ?1, zone_id = ?2, vm_provider_id = ?3,
                            dns_provider_id = ?4, ldap_id = ?5, settings = ?6
                     WHERE id = ?7 AND pool_id = ?8",
                    params![
                        spec.name.trim(),
                        zone,
                        vm_id,
                        dns_id,
                        ldap,
                        settings,
                        id.0,
                        spec.pool.0
                    ],
                )?;
                StoreError::unless_missing(changed, "AutoScale config of this pool", id.0)?;
                clear_stop(&tx, "id", id.0)?;
                id
            }
        };
        // Sealed for the row, whose id a new config has only now.
        let sealed = self.sealer.seal_fields(&spec, AUTOSCALE_SECRETS.at(id.0));
        AUTOSCALE_SECRETS.write(&tx, id.0, sealed)?;
        tx.commit()?;
        Ok(id)
    }

    /// Deletes an AutoScale config that has no live instance (their VMs would run on with
    /// nothing to delete them); the history of its ended instances goes with it.
    pub fn delete_autoscale(&mut self, id: AutoScaleId) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        let live: i64 = tx.query_row(
            concat!(
                "SELECT count(*) FROM instances WHERE config_id = ?1 AND state NOT IN ",
                terminal_states_sql!()
            ),
            [id.0],
            |r| r.get(0),
        )?;
        if live > 0 {
            return Err(StoreError::Refused(format!(
                "this AutoScale config still has {live} live instances; drain them on the \
                 pool's Status panel and delete the config once the scaler has removed them"
            )));
        }
        tx.execute("DELETE FROM instances WHERE config_id = ?1", [id.0])?;
        let changed = tx.execute("DELETE FROM autoscale_configs WHERE id = ?1", [id.0])?;
        StoreError::unless_missing(changed, "AutoScale config", id.0)?;
        tx.commit()?;
        Ok(())
    }

    /// Moves a config to another pool of its type, last in that pool's order.
    pub fn assign_autoscale(
        &mut self,
        id: AutoScaleId,
        pool: crate::model::PoolId,
    ) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        let config_kind: String = tx
            .query_row(
                "SELECT kind FROM autoscale_configs WHERE id = ?1",
                [id.0],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(StoreError::NotFound {
                what: "AutoScale config",
                id: id.0,
            })?;
        let pool_kind: Option<(String, String)> = tx
            .query_row(
                "SELECT name, kind FROM pools WHERE id = ?1",
                [pool.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match pool_kind {
            None => {
                return Err(ValidationErrors::single(
                    AutoScaleField::Pool,
                    "the pool no longer exists",
                )
                .into());
            }
            Some((name, kind)) if kind != config_kind => {
                return Err(ValidationErrors::single(
                    AutoScaleField::Pool,
                    format!("pool {name} is of another type than this AutoScale config"),
                )
                .into());
            }
            Some(_) => {}
        }
        // The pool also lives in the settings JSON; keep both in step.
        let settings: String = tx.query_row(
            "SELECT settings FROM autoscale_configs WHERE id = ?1",
            [id.0],
            |r| r.get(0),
        )?;
        let mut settings: serde_json::Value = serde_json::from_str(&settings)
            .map_err(|e| StoreError::Refused(format!("its stored settings do not read: {e}")))?;
        if let Some(object) = settings.as_object_mut() {
            object.insert("pool".to_owned(), pool.0.into());
        }
        tx.execute(
            "UPDATE autoscale_configs
             SET pool_id = ?1,
                 settings = ?3,
                 position = (SELECT coalesce(max(position), 0) + 1 FROM autoscale_configs
                             WHERE pool_id = ?1)
             WHERE id = ?2",
            params![pool.0, id.0, settings.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Moves a config one place earlier (`up`) or later in its pool's order.
    pub fn move_autoscale(&mut self, id: AutoScaleId, up: bool) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        let (pool, position): (i64, i64) = tx
            .query_row(
                "SELECT pool_id, position FROM autoscale_configs WHERE id = ?1",
                [id.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(StoreError::NotFound {
                what: "AutoScale config",
                id: id.0,
            })?;
        let neighbour_sql = if up {
            "SELECT id, position FROM autoscale_configs
             WHERE pool_id = ?1 AND position < ?2 ORDER BY position DESC LIMIT 1"
        } else {
            "SELECT id, position FROM autoscale_configs
             WHERE pool_id = ?1 AND position > ?2 ORDER BY position LIMIT 1"
        };
        let neighbour: Option<(i64, i64)> = tx
            .query_row(neighbour_sql, params![pool, position], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        if let Some((other, other_position)) = neighbour {
            tx.execute(
                "UPDATE autoscale_configs SET position = ?1 WHERE id = ?2",
                params![other_position, id.0],
            )?;
            tx.execute(
                "UPDATE autoscale_configs SET position = ?1 WHERE id = ?2",
                params![position, other],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

fn resolve<T: SharedConfig>(
    tx: &Conn,
    sealer: &super::sealer::Sealer,
    choice: &Choice<T>,
) -> Result<T::Id, StoreError> {
    match choice {
        Choice::Existing(id) => {
            let sql = format!("SELECT EXISTS (SELECT 1 FROM {} WHERE id = ?1)", T::TABLE);
            let exists: bool = tx.query_row(&sql, [T::raw(*id)], |r| r.get(0))?;
            if exists {
                Ok(*id)
            } else {
                Err(StoreError::NotFound {
                    what: T::NOUN,
                    id: T::raw(*id),
                })
            }
        }
        Choice::Edited(id, spec) => {
            write_config(tx, sealer, *id, spec)?;
            Ok(*id)
        }
        Choice::New(spec) => insert_config(tx, sealer, spec),
    }
}

fn check_autoscale(
    tx: &Conn,
    spec: &AutoScaleSpec,
    except: Option<AutoScaleId>,
) -> Result<(), StoreError> {
    let mut errors: ValidationErrors = spec.validate().err().unwrap_or_default();
    if errors.for_field(AutoScaleField::Name).is_none() {
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM autoscale_configs
                            WHERE name = ?1 AND id IS DISTINCT FROM ?2)",
            params![spec.name.trim(), except.map(|e| e.0)],
            |r| r.get(0),
        )?;
        if taken {
            errors.push(
                AutoScaleField::Name,
                format!(
                    "an AutoScale config named '{}' already exists",
                    spec.name.trim()
                ),
            );
        }
    }
    if let Some(zone) = spec.zone {
        check_zone_exists(tx, &mut errors, AutoScaleField::Zone, zone)?;
    }
    let pool: Option<(String, String)> = tx
        .query_row(
            "SELECT name, kind FROM pools WHERE id = ?1",
            [spec.pool.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match pool {
        None => errors.push(AutoScaleField::Pool, "the pool no longer exists"),
        Some((name, kind)) if PoolKind::parse(&kind) != Some(spec.scaling.kind()) => errors.push(
            AutoScaleField::Kind,
            format!("pool {name} is not a {} pool", spec.scaling.kind().label()),
        ),
        Some(_) => {}
    }
    if let Scaling::Servers(s) = &spec.scaling
        && s.create_ad_record
        && let Some(ldap) = s.ldap_config
    {
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM ldap_configs WHERE id = ?1)",
            [ldap.0],
            |r| r.get(0),
        )?;
        if !exists {
            errors.push(
                AutoScaleField::LdapConfig,
                "the chosen LDAP config no longer exists",
            );
        }
    }
    errors.into_result(()).map_err(StoreError::from)
}

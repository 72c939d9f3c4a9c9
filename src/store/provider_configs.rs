//! VM Provider, DNS Provider and LDAP configs: shared by AutoScale configs, so a config in
//! use is never deleted, and the store says which AutoScale configs use it.

use super::db::{Conn, OptionalExtension, params};
use super::scaler_state::clear_stop;
use super::sealed_columns::{
    DNS_PROVIDER_SECRETS, LDAP_SECRETS, SealedColumn, VM_PROVIDER_SECRETS,
};
use super::sealer::Sealer;
use super::{Store, StoreError};
use crate::model::Field;
use crate::model::dns_provider::DnsProviderSpec;
use crate::model::field::{
    AutoScaleField, DnsField, DnsProviderField, LdapField, ProviderField, VmProviderField,
};
use crate::model::instance::terminal_states_sql;
use crate::model::ldap::LdapSpec;
use crate::model::secret_fields::SecretFields;
use crate::model::validation::check_name;
use crate::model::vm_provider::VmProviderSpec;
use crate::model::{DnsProviderId, LdapId, ValidationErrors, VmProviderId};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A kind of shared config and where it is stored.
pub trait SharedConfig: SecretFields + Serialize + DeserializeOwned + Send + 'static {
    /// Its typed id.
    type Id: Copy + Send + 'static;
    /// Table.
    const TABLE: &'static str;
    /// Its column of sealed secrets.
    const SECRETS: SealedColumn;
    /// Column of `autoscale_configs` that refers to it.
    const USED_BY: &'static str;
    /// Column of `instances` that refers to it, for the kinds instances are made with.
    const INSTANCES_COLUMN: Option<&'static str>;
    /// Column of `instances` naming it as the directory of their computer records.
    const RECORDS_COLUMN: Option<&'static str>;
    /// What it is called in messages.
    const NOUN: &'static str;
    /// Its form's Name field.
    const NAME_FIELD: Field;
    /// The AutoScale config's field that chooses one.
    const CHOICE_FIELD: Field;
    /// Wraps a row id.
    fn id(raw: i64) -> Self::Id;
    /// Unwraps a typed id.
    fn raw(id: Self::Id) -> i64;
    /// Its unique name.
    fn name(&self) -> &str;
    /// Renames it.
    fn set_name(&mut self, name: String);
    /// Its provider ("aws", …; "ldap").
    fn provider(&self) -> &'static str;
    /// Its own field checks.
    fn validate(&self) -> Result<(), ValidationErrors>;
}

/// The parts every shared config implements alike.
macro_rules! shared_config {
    ($spec:ty, $id:ident, $table:literal, $secrets:expr, $used_by:literal, $instances:expr, $records:expr, $noun:literal, $name_field:expr, $choice_field:expr, |$s:ident| $provider:expr) => {
        impl SharedConfig for $spec {
            type Id = $id;
            const TABLE: &'static str = $table;
            const SECRETS: SealedColumn = $secrets;
            const USED_BY: &'static str = $used_by;
            const INSTANCES_COLUMN: Option<&'static str> = $instances;
            const RECORDS_COLUMN: Option<&'static str> = $records;
            const NOUN: &'static str = $noun;
            const NAME_FIELD: Field = $name_field;
            const CHOICE_FIELD: Field = $choice_field;
            fn id(raw: i64) -> $id {
                $id(raw)
            }
            fn raw(id: $id) -> i64 {
                id.0
            }
            fn name(&self) -> &str {
                &self.name
            }
            fn set_name(&mut self, name: String) {
                self.name = name;
            }
            fn provider(&self) -> &'static str {
                let $s = self;
                $provider
            }
            fn validate(&self) -> Result<(), ValidationErrors> {
                <$spec>::validate(self)
            }
        }
    };
}

shared_config!(
    VmProviderSpec,
    VmProviderId,
    "vm_provider_configs",
    VM_PROVIDER_SECRETS,
    "vm_provider_id",
    Some("vm_provider_id"),
    None,
    "VM Provider config",
    Field::VmProvider(VmProviderField::Common(ProviderField::Name)),
    Field::AutoScale(AutoScaleField::VmProviderConfig),
    |spec| spec.settings.kind().as_str()
);
shared_config!(
    DnsProviderSpec,
    DnsProviderId,
    "dns_provider_configs",
    DNS_PROVIDER_SECRETS,
    "dns_provider_id",
    None,
    None,
    "DNS Provider config",
    Field::DnsProvider(DnsProviderField::Own(DnsField::Name)),
    Field::AutoScale(AutoScaleField::DnsProviderConfig),
    |spec| spec.settings.kind().as_str()
);
shared_config!(
    LdapSpec,
    LdapId,
    "ldap_configs",
    LDAP_SECRETS,
    "ldap_id",
    None,
    Some("computer_ldap_id"),
    "LDAP config",
    Field::Ldap(LdapField::Name),
    Field::AutoScale(AutoScaleField::LdapConfig),
    |_spec| "ldap"
);

/// A row as read: id, settings JSON, sealed secrets, names of its users.
type StoredConfig = (i64, String, Option<Vec<u8>>, Option<String>);

/// A stored shared config and the AutoScale configs that use it.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigRow<T: SharedConfig> {
    /// Its key in the database (AutoScale configs refer to it by this).
    pub id: T::Id,
    /// What the administrator set, secrets unsealed.
    pub spec: T,
    /// Names of the AutoScale configs that use it.
    pub used_by: Vec<String>,
}

impl Store {
    /// Every config of one kind, by name.
    pub fn configs<T: SharedConfig>(&self) -> Result<Vec<ConfigRow<T>>, StoreError> {
        // Table and column names are the trait's constants, never input.
        let sql = format!(
            "SELECT c.id, c.settings, c.secrets,
                    (SELECT string_agg(name, chr(31)) FROM
                        (SELECT name FROM autoscale_configs WHERE {used} = c.id ORDER BY name) AS used_by)
             FROM {table} c ORDER BY c.name",
            used = T::USED_BY,
            table = T::TABLE
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let raw: Vec<StoredConfig> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        raw.into_iter()
            .map(|(id, settings, sealed, used_by)| {
                let mut spec: T = serde_json::from_str(&settings).map_err(|e| {
                    StoreError::Refused(format!("{} #{id} is stored damaged: {e}", T::NOUN))
                })?;
                self.sealer
                    .open_fields(&mut spec, sealed.as_deref(), T::SECRETS.at(id))?;
                Ok(ConfigRow {
                    id: T::id(id),
                    spec,
                    used_by: used_by
                        .map(|names| names.split('\u{1f}').map(str::to_owned).collect())
                        .unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Adds a config.
    pub fn add_config<T: SharedConfig>(&mut self, spec: &T) -> Result<T::Id, StoreError> {
        let tx = self.conn.savepoint()?;
        let id = insert_config(&tx, &self.sealer, spec)?;
        tx.commit()?;
        Ok(id)
    }

    /// Saves an edited config: every AutoScale config using it sees the change.
    pub fn update_config<T: SharedConfig>(
        &mut self,
        id: T::Id,
        spec: &T,
    ) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        write_config(&tx, &self.sealer, id, spec)?;
        clear_stop(&tx, T::USED_BY, T::raw(id))?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes a config no AutoScale config uses; otherwise says which ones do.
    pub fn delete_config<T: SharedConfig>(&mut self, id: T::Id) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        let raw = T::raw(id);
        let sql = format!(
            "SELECT name, (SELECT string_agg(name, ', ') FROM autoscale_configs WHERE {used} = c.id)
             FROM {table} c WHERE id = ?1",
            used = T::USED_BY,
            table = T::TABLE
        );
        let (name, users): (String, Option<String>) = tx
            .query_row(&sql, [raw], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or(StoreError::NotFound {
                what: T::NOUN,
                id: raw,
            })?;
        if let Some(users) = users {
            return Err(StoreError::Refused(format!(
                "{} {name} is used by the AutoScale configs {users}; point them at another one first",
                T::NOUN
            )));
        }
        if let Some(column) = T::INSTANCES_COLUMN {
            forget_ended_instances(&tx, column, raw, &name, T::NOUN)?;
        }
        if let Some(column) = T::RECORDS_COLUMN {
            let records: i64 = tx.query_row(
                &format!(
                    "SELECT count(*) FROM instances WHERE {column} = ?1 AND computer_dn IS NOT NULL"
                ),
                [raw],
                |r| r.get(0),
            )?;
            if records > 0 {
                return Err(StoreError::Refused(format!(
                    "{} {name} is the directory of {records} computer record(s) still to be \
                     removed; it can go once the scaler has removed them",
                    T::NOUN
                )));
            }
        }
        tx.execute(&format!("DELETE FROM {} WHERE id = ?1", T::TABLE), [raw])?;
        tx.commit()?;
        Ok(())
    }
}

/// A config that instances still run on (made by an AutoScale config since moved to another
/// one) is kept; the history of ended ones goes with it.
fn forget_ended_instances(
    tx: &Conn,
    column: &str,
    id: i64,
    name: &str,
    noun: &str,
) -> Result<(), StoreError> {
    let live: i64 = tx.query_row(
        &format!(
            concat!(
                "SELECT count(*) FROM instances WHERE {column} = ?1 AND state NOT IN ",
                terminal_states_sql!()
            ),
            column = column
        ),
        [id],
        |r| r.get(0),
    )?;
    if live > 0 {
        return Err(StoreError::Refused(format!(
            "{noun} {name} still runs {live} instances; drain them first"
        )));
    }
    tx.execute(&format!("DELETE FROM instances WHERE {column} = ?1"), [id])?;
    Ok(())
}

/// The settings JSON: `Secret` fields are skipped by serde, so it holds no secret.
pub(super) fn settings_json<T: Serialize>(spec: &T) -> Result<String, StoreError> {
    serde_json::to_string(spec)
        .map_err(|e| StoreError::Refused(format!("cannot store the settings: {e}")))
}

fn check_config<T: SharedConfig>(
    tx: &Conn,
    spec: &T,
    except: Option<i64>,
) -> Result<(), StoreError> {
    let mut errors = spec.validate().err().unwrap_or_default();
    check_name(&mut errors, T::NAME_FIELD, spec.name());
    if errors.for_field(T::NAME_FIELD).is_none() {
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM {} WHERE name = ?1 AND id IS DISTINCT FROM ?2)",
            T::TABLE
        );
        let taken: bool = tx.query_row(&sql, params![spec.name().trim(), except], |r| r.get(0))?;
        if taken {
            errors.push(
                T::NAME_FIELD,
                format!(
                    "a {} named '{}' already exists",
                    T::NOUN,
                    spec.name().trim()
                ),
            );
        }
    }
    errors.into_result(()).map_err(StoreError::from)
}

/// Inserts a config inside a transaction (the wizard's Finish uses this too).
pub(super) fn insert_config<T: SharedConfig>(
    tx: &Conn,
    sealer: &Sealer,
    spec: &T,
) -> Result<T::Id, StoreError> {
    check_config(tx, spec, None)?;
    let sql = format!(
        "INSERT INTO {} (name, provider, settings, secrets) VALUES (?1, ?2, ?3, ?4)",
        T::TABLE
    );
    tx.execute(
        &sql,
        params![
            spec.name().trim(),
            spec.provider(),
            settings_json(spec)?,
            None::<Vec<u8>>
        ],
    )?;
    let id = tx.last_insert_rowid()?;
    // The secrets are sealed for their row, whose id the insert just chose.
    T::SECRETS.write(tx, id, sealer.seal_fields(spec, T::SECRETS.at(id)))?;
    Ok(T::id(id))
}

/// Overwrites a config inside a transaction.
pub(super) fn write_config<T: SharedConfig>(
    tx: &Conn,
    sealer: &Sealer,
    id: T::Id,
    spec: &T,
) -> Result<(), StoreError> {
    let raw = T::raw(id);
    check_config(tx, spec, Some(raw))?;
    let sql = format!(
        "UPDATE {} SET name = ?1, provider = ?2, settings = ?3, secrets = ?4 WHERE id = ?5",
        T::TABLE
    );
    let changed = tx.execute(
        &sql,
        params![
            spec.name().trim(),
            spec.provider(),
            settings_json(spec)?,
            sealer.seal_fields(spec, T::SECRETS.at(raw)),
            raw
        ],
    )?;
    StoreError::unless_missing(changed, T::NOUN, raw)?;
    Ok(())
}

//! The Active Directory computer record of each instance: its name is claimed (with the
//! DN and the sealed join password) before the directory is called, so a crash at any
//! point leaves a row that says which record may exist; the claim ends when the record is
//! gone.

use super::db::{OptionalExtension, params};
use super::instances::{COLUMNS, read_instance};
use super::sealed_columns::JOIN_SECRET;
use super::{Store, StoreError};
use crate::model::instance::Instance;
use crate::model::instance::InstanceId;
use crate::model::instance::terminal_states_sql;
use crate::model::{LdapId, Secret};
use std::collections::HashSet;

impl Store {
    /// Claims computer `name` (record `dn`, in the directory of `ldap`) for an instance not
    /// yet created, with the password its VM will join with. Fails if another instance
    /// claims the name.
    pub fn claim_computer(
        &mut self,
        id: InstanceId,
        name: &str,
        dn: &str,
        ldap: LdapId,
        password: &Secret,
    ) -> Result<(), StoreError> {
        let sealed = self.sealer.seal(password, JOIN_SECRET.at(id.0));
        let changed = self.conn.execute(
            "UPDATE instances SET computer_name = ?1, computer_dn = ?2, join_secret = ?3,
                                  computer_ldap_id = ?4
              WHERE id = ?5 AND state IN ('requested', 'creating')",
            params![name, dn, sealed, ldap.0, id.0],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: "instance waiting for its create",
                id: id.0,
            });
        }
        Ok(())
    }

    /// The join password of an instance's computer record, while it has one.
    pub fn join_password(&self, id: InstanceId) -> Result<Option<Secret>, StoreError> {
        let sealed: Option<Option<Vec<u8>>> = self
            .conn
            .query_row(
                "SELECT join_secret FROM instances WHERE id = ?1",
                [id.0],
                |r| r.get(0),
            )
            .optional()?;
        match sealed.flatten() {
            None => Ok(None),
            Some(sealed) => self
                .sealer
                .open(Some(&sealed), JOIN_SECRET.at(id.0))
                .map(Some)
                .ok_or(StoreError::Unseal),
        }
    }

    /// Gives a claimed name back (another object has it): the next try picks another.
    pub fn release_computer(&mut self, id: InstanceId) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE instances SET computer_name = NULL, computer_dn = NULL, join_secret = NULL
              WHERE id = ?1",
            [id.0],
        )?;
        Ok(())
    }

    /// The record is gone from the directory: the claim ends (the name stays as history).
    pub fn computer_removed(&mut self, id: InstanceId) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE instances SET computer_dn = NULL, join_secret = NULL WHERE id = ?1",
            [id.0],
        )?;
        Ok(())
    }

    /// Every computer name an instance claims.
    pub fn claimed_computer_names(&self) -> Result<HashSet<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT computer_name FROM instances WHERE computer_dn IS NOT NULL")?;
        let names = stmt.query_map([], |r| r.get(0))?;
        Ok(names.collect::<Result<_, _>>()?)
    }

    /// Instances that are over but whose computer record may still exist.
    pub fn computers_to_remove(&self) -> Result<Vec<Instance>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            concat!(
                "SELECT {COLUMNS} FROM instances WHERE computer_dn IS NOT NULL AND state IN ",
                terminal_states_sql!(),
                " ORDER BY id"
            ),
            COLUMNS = COLUMNS
        ))?;
        let rows = stmt.query_map([], read_instance)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

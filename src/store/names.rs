//! Unique names: one check for every table whose name column is unique (case-insensitive).

use super::StoreError;
use super::db::{Conn, params};
use crate::model::Field;
use crate::model::ValidationErrors;
use crate::model::field::{AgentField, PoolField, ServerField, ZoneField};
use crate::model::validation::check_name;

/// A unique name column and how a form calls it.
pub struct UniqueName {
    /// Table.
    pub table: &'static str,
    /// Column.
    pub column: &'static str,
    /// The form field ("Name", "Hostname").
    pub field: Field,
    /// What a row is called in messages ("pool").
    pub noun: &'static str,
}

pub const ZONE_NAME: UniqueName = UniqueName {
    table: "zones",
    column: "name",
    field: Field::Zone(ZoneField::Name),
    noun: "zone",
};
pub const POOL_NAME: UniqueName = UniqueName {
    table: "pools",
    column: "name",
    field: Field::Pool(PoolField::Name),
    noun: "pool",
};
pub const SERVER_NAME: UniqueName = UniqueName {
    table: "servers",
    column: "friendly_name",
    field: Field::Server(ServerField::FriendlyName),
    noun: "server",
};
pub const AGENT_NAME: UniqueName = UniqueName {
    table: "docker_agents",
    column: "hostname",
    field: Field::Agent(AgentField::Hostname),
    noun: "docker agent",
};

impl UniqueName {
    /// Adds an error when another row (not `except`) already has `name`.
    pub fn check_free(
        &self,
        tx: &Conn,
        errors: &mut ValidationErrors,
        name: &str,
        except: Option<i64>,
    ) -> Result<(), StoreError> {
        // Table and column come from the constants above, never from input.
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM {} WHERE {} = ?1 AND id IS DISTINCT FROM ?2)",
            self.table, self.column
        );
        let taken: bool = tx.query_row(&sql, params![name, except], |r| r.get(0))?;
        if taken {
            errors.push(
                self.field,
                format!("a {} named '{name}' already exists", self.noun),
            );
        }
        Ok(())
    }

    /// Checks a plain name (blank, length) and that it is free; returns it trimmed.
    pub fn checked(
        &self,
        tx: &Conn,
        name: &str,
        except: Option<i64>,
    ) -> Result<String, StoreError> {
        let mut errors = ValidationErrors::default();
        check_name(&mut errors, self.field, name);
        let name = name.trim().to_owned();
        if errors.is_empty() {
            self.check_free(tx, &mut errors, &name, except)?;
        }
        errors.into_result(name).map_err(StoreError::from)
    }
}

//! What servers and docker agents share: their pool must be of their kind, their zone must
//! exist, and a member with sessions is neither moved nor deleted.

use super::StoreError;
use super::db::{Conn, OptionalExtension, params};
use super::names::{AGENT_NAME, SERVER_NAME, UniqueName};
use super::zones::check_zone_exists;
use crate::model::Field;
use crate::model::field::{AgentField, ServerField};
use crate::model::instance::terminal_states_sql;
use crate::model::{PoolId, PoolKind, ValidationErrors, ZoneId};

/// A table of pool members.
pub struct MemberTable {
    /// Table.
    pub table: &'static str,
    /// Column with the member's name.
    pub name_column: &'static str,
    /// The pool kind these members join.
    pub kind: PoolKind,
    /// The unique name column.
    pub unique_name: UniqueName,
    /// Its form's Deployment Zone and Pool fields.
    pub zone_and_pool: (Field, Field),
    /// The column of `instances` that points at these members.
    pub instance_column: &'static str,
}

pub const SERVERS: MemberTable = MemberTable {
    table: "servers",
    name_column: "friendly_name",
    kind: PoolKind::Server,
    unique_name: SERVER_NAME,
    zone_and_pool: (
        Field::Server(ServerField::Zone),
        Field::Server(ServerField::Pool),
    ),
    instance_column: "server_id",
};

pub const AGENTS: MemberTable = MemberTable {
    table: "docker_agents",
    name_column: "hostname",
    kind: PoolKind::DockerAgent,
    unique_name: AGENT_NAME,
    zone_and_pool: (
        Field::Agent(AgentField::Zone),
        Field::Agent(AgentField::Pool),
    ),
    instance_column: "agent_id",
};

impl MemberTable {
    fn noun(&self) -> &'static str {
        self.kind.member_noun()
    }

    /// Adds a "Pool" error unless `pool` exists and is of this table's kind.
    pub fn check_pool(
        &self,
        tx: &Conn,
        errors: &mut ValidationErrors,
        pool: PoolId,
    ) -> Result<(), StoreError> {
        let found: Option<(String, String)> = tx
            .query_row(
                "SELECT name, kind FROM pools WHERE id = ?1",
                [pool.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match found {
            None => errors.push(
                self.zone_and_pool.1,
                "the chosen pool no longer exists; choose another",
            ),
            Some((name, kind)) if kind != self.kind.as_str() => errors.push(
                self.zone_and_pool.1,
                format!(
                    "pool {name} holds {}s; a {} can only join a {} pool",
                    PoolKind::parse(&kind).map_or("other members", PoolKind::member_noun),
                    self.noun(),
                    self.kind.label()
                ),
            ),
            Some(_) => {}
        }
        Ok(())
    }

    /// Checks a record before it is written: its own validation, then a free name, an
    /// existing zone and a pool of this table's kind.
    pub fn check_record(
        &self,
        tx: &Conn,
        validated: Result<(), ValidationErrors>,
        name: &str,
        zone: ZoneId,
        pool: Option<PoolId>,
        except: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut errors = validated.err().unwrap_or_default();
        if errors.for_field(self.unique_name.field).is_none() {
            self.unique_name.check_free(tx, &mut errors, name, except)?;
        }
        check_zone_exists(tx, &mut errors, self.zone_and_pool.0, zone)?;
        if let Some(pool) = pool {
            self.check_pool(tx, &mut errors, pool)?;
        }
        errors.into_result(()).map_err(StoreError::from)
    }

    /// The member's name, pool and session count.
    pub fn current(&self, tx: &Conn, id: i64) -> Result<(String, Option<PoolId>, i64), StoreError> {
        let sql = format!(
            "SELECT {name}, pool_id, session_count FROM {table} WHERE id = ?1",
            name = self.name_column,
            table = self.table
        );
        tx.query_row(&sql, [id], |r| {
            Ok((r.get(0)?, r.get::<Option<i64>>(1)?.map(PoolId), r.get(2)?))
        })
        .optional()?
        .ok_or(StoreError::NotFound {
            what: self.noun(),
            id,
        })
    }

    /// Refuses to move a member that runs sessions out of its pool.
    pub fn check_movable(&self, tx: &Conn, id: i64, to: Option<PoolId>) -> Result<(), StoreError> {
        let (name, pool, sessions) = self.current(tx, id)?;
        if pool != to {
            self.check_not_scaled(tx, id, &name)?;
        }
        if pool != to && sessions > 0 {
            return Err(StoreError::Refused(format!(
                "{} {name} runs {sessions} sessions; end them before moving it to another pool",
                self.noun()
            )));
        }
        Ok(())
    }

    /// Puts every member of `ids` into `pool`.
    pub fn assign(&self, tx: &Conn, pool: PoolId, ids: &[i64]) -> Result<(), StoreError> {
        let mut errors = ValidationErrors::default();
        self.check_pool(tx, &mut errors, pool)?;
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let sql = format!("UPDATE {} SET pool_id = ?1 WHERE id = ?2", self.table);
        for &id in ids {
            self.check_movable(tx, id, Some(pool))?;
            tx.execute(&sql, params![pool.0, id])?;
        }
        Ok(())
    }

    /// Takes a member out of its pool.
    pub fn unassign(&self, tx: &Conn, id: i64) -> Result<(), StoreError> {
        self.check_movable(tx, id, None)?;
        let sql = format!("UPDATE {} SET pool_id = NULL WHERE id = ?1", self.table);
        tx.execute(&sql, [id])?;
        Ok(())
    }

    /// Deletes a member that runs no sessions.
    pub fn delete(&self, tx: &Conn, id: i64) -> Result<(), StoreError> {
        let (name, _, sessions) = self.current(tx, id)?;
        self.check_not_scaled(tx, id, &name)?;
        if sessions > 0 {
            return Err(StoreError::Refused(format!(
                "{} {name} runs {sessions} sessions; end them before deleting it",
                self.noun()
            )));
        }
        let sql = format!("DELETE FROM {} WHERE id = ?1", self.table);
        tx.execute(&sql, [id])?;
        Ok(())
    }

    /// Refuses to take away a member that is a live autoscaled instance: its VM would be
    /// left running with nothing tracking it. The scaler deletes it once drained.
    fn check_not_scaled(&self, tx: &Conn, id: i64, name: &str) -> Result<(), StoreError> {
        let sql = format!(
            concat!(
                "SELECT 1 FROM instances WHERE {} = ?1 AND state NOT IN ",
                terminal_states_sql!()
            ),
            self.instance_column
        );
        if tx.query_row(&sql, [id], |_| Ok(())).optional()?.is_some() {
            return Err(StoreError::Refused(format!(
                "{} {name} is an autoscaled instance; drain it and the scaler deletes it \
                 (and its VM) once it is empty",
                self.noun()
            )));
        }
        Ok(())
    }
}

//! Agent tokens: one per autoscaled instance (made with its intent) or per static member
//! (issued from its Actions menu). Only the hash is kept for look-up. An instance's first
//! token is a one-time **bootstrap** token: it sits in cloud user-data, which any process on
//! the VM can read, so its first check-in exchanges it for the member's working token (known
//! only to the agent) and it dies then, or at the Provision Timeout. It is also kept sealed
//! until the instance runs, because a retried create renders the same startup script.

use super::bearer::{bearer_hash, hash_matches, new_bearer};
use super::db::{Conn, OptionalExtension, params};
use super::rows::to_millis;
use super::sealed_columns::CHECKIN_SECRET;
use super::{Sealer, Store, StoreError};
use crate::model::instance::InstanceId;
use crate::model::instance::terminal_states_sql;
use crate::model::{AgentId, Secret, ServerId, SessionHost};
use jiff::Timestamp;

/// What an agent token starts with.
const TOKEN_PREFIX: &str = "pa_a_";

/// Whom a token speaks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenOwner {
    /// An autoscaled instance (booting, or running as its member).
    Instance(InstanceId),
    /// A static server.
    Server(ServerId),
    /// A static docker agent.
    Agent(AgentId),
}

/// A live token as presented: whom it speaks for, and whether it is a bootstrap token (good
/// for one check-in only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostToken {
    /// Whom it speaks for.
    pub owner: TokenOwner,
    /// A bootstrap token, to be exchanged at check-in.
    pub bootstrap: bool,
}

impl From<TokenOwner> for HostToken {
    /// A working token of `owner`.
    fn from(owner: TokenOwner) -> Self {
        Self {
            owner,
            bootstrap: false,
        }
    }
}

/// Makes the bootstrap token of a new instance inside its intent's transaction: the hash for
/// look-up (dead after `valid_s`), the token sealed for its startup script.
pub(super) fn issue_instance_token(
    tx: &Conn,
    sealer: &Sealer,
    instance: InstanceId,
    now: Timestamp,
    valid_s: i64,
) -> Result<(), StoreError> {
    let token = new_bearer(TOKEN_PREFIX);
    tx.prepare_cached(
        "INSERT INTO agent_tokens (hash, instance_id, created_at, bootstrap, expires_at)
         VALUES (?1, ?2, ?3, TRUE, ?4)",
    )?
    .execute(params![
        bearer_hash(token.expose()).as_slice(),
        instance.0,
        to_millis(now),
        to_millis(now) + valid_s.saturating_mul(1000)
    ])?;
    let sealed = sealer.seal(&token, CHECKIN_SECRET.at(instance.0));
    CHECKIN_SECRET.write(tx, instance.0, sealed)?;
    Ok(())
}

impl Store {
    /// A new token for a static member, replacing any earlier one (which stops working).
    /// Returned once; only its hash is kept.
    pub fn issue_agent_token(
        &mut self,
        member: SessionHost,
        now: Timestamp,
    ) -> Result<Secret, StoreError> {
        let (column, table, id) = match member {
            SessionHost::Server(id) => ("server_id", "servers", id.0),
            SessionHost::Agent(id) => ("agent_id", "docker_agents", id.0),
        };
        let tx = self.conn.savepoint()?;
        let exists: bool = tx.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"),
            [id],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(StoreError::NotFound { what: "member", id });
        }
        tx.execute(
            &format!("DELETE FROM agent_tokens WHERE {column} = ?1"),
            [id],
        )?;
        let token = new_bearer(TOKEN_PREFIX);
        tx.execute(
            &format!("INSERT INTO agent_tokens (hash, {column}, created_at) VALUES (?1, ?2, ?3)"),
            params![bearer_hash(token.expose()).as_slice(), id, to_millis(now)],
        )?;
        tx.commit()?;
        Ok(token)
    }

    /// A new working token for a live instance's agent, replacing its others (the bootstrap
    /// one included, which stops working): for a host that lost its token, as the demo's
    /// simulated VMs do when the demo restarts (their tokens lived in memory only).
    pub fn reissue_instance_token(
        &mut self,
        instance: InstanceId,
        now: Timestamp,
    ) -> Result<Secret, StoreError> {
        let tx = self.conn.savepoint()?;
        let live: bool = tx.query_row(
            concat!(
                "SELECT EXISTS (SELECT 1 FROM instances WHERE id = ?1 AND state NOT IN ",
                terminal_states_sql!(),
                ")"
            ),
            [instance.0],
            |r| r.get(0),
        )?;
        if !live {
            return Err(StoreError::NotFound {
                what: "live instance",
                id: instance.0,
            });
        }
        tx.execute(
            "DELETE FROM agent_tokens WHERE instance_id = ?1",
            [instance.0],
        )?;
        let token = insert_working_token(&tx, instance, now)?;
        tx.commit()?;
        Ok(token)
    }

    /// Whom a presented token speaks for, if it is a live one.
    pub fn token_owner(&self, presented: &str) -> Result<Option<TokenOwner>, StoreError> {
        Ok(self
            .host_token(presented, Timestamp::now())?
            .map(|token| token.owner))
    }

    /// The presented token, if it is live at `now` (a bootstrap token past its time is not).
    pub fn host_token(
        &self,
        presented: &str,
        now: Timestamp,
    ) -> Result<Option<HostToken>, StoreError> {
        if !presented.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let hash = bearer_hash(presented);
        let found = self
            .conn
            .prepare_cached(
                "SELECT hash, instance_id, server_id, agent_id, bootstrap, expires_at
                 FROM agent_tokens WHERE hash = ?1",
            )?
            .query_row([hash.as_slice()], |r| {
                Ok((
                    r.get::<Vec<u8>>(0)?,
                    r.get::<Option<i64>>(1)?,
                    r.get::<Option<i64>>(2)?,
                    r.get::<Option<i64>>(3)?,
                    r.get::<bool>(4)?,
                    r.get::<Option<i64>>(5)?,
                ))
            })
            .optional()?;
        let millis = to_millis(now);
        Ok(
            found.and_then(|(stored, instance, server, agent, bootstrap, expires_at)| {
                if !hash_matches(&stored, &hash) || expires_at.is_some_and(|at| millis >= at) {
                    return None;
                }
                let owner = instance
                    .map(|id| TokenOwner::Instance(InstanceId(id)))
                    .or(server.map(|id| TokenOwner::Server(ServerId(id))))
                    .or(agent.map(|id| TokenOwner::Agent(AgentId(id))))?;
                Some(HostToken { owner, bootstrap })
            }),
        )
    }

    /// The check-in token of an instance not yet running, for its startup script.
    pub fn checkin_token(&self, instance: InstanceId) -> Result<Option<Secret>, StoreError> {
        let sealed: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT checkin_secret FROM instances WHERE id = ?1",
                [instance.0],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        match sealed {
            None => Ok(None),
            Some(sealed) => self
                .sealer
                .open(Some(&sealed), CHECKIN_SECRET.at(instance.0))
                .map(Some)
                .ok_or(StoreError::Unseal),
        }
    }
}

/// Exchanges an instance's bootstrap token for its working token inside a check-in's
/// transaction: the bootstrap token is gone, the working one returned (the only time it can
/// be seen). `None` when the bootstrap token was exchanged meanwhile (a second check-in
/// racing the first): that one is refused.
pub(super) fn exchange_bootstrap(
    tx: &Conn,
    instance: InstanceId,
    now: Timestamp,
) -> Result<Option<Secret>, StoreError> {
    let gone = tx
        .prepare_cached("DELETE FROM agent_tokens WHERE instance_id = ?1 AND bootstrap")?
        .execute([instance.0])?;
    if gone == 0 {
        return Ok(None);
    }
    insert_working_token(tx, instance, now).map(Some)
}

/// A new working token for `instance`, its hash stored; returned the one time it is seen.
fn insert_working_token(
    tx: &Conn,
    instance: InstanceId,
    now: Timestamp,
) -> Result<Secret, StoreError> {
    let token = new_bearer(TOKEN_PREFIX);
    tx.prepare_cached(
        "INSERT INTO agent_tokens (hash, instance_id, created_at, bootstrap) VALUES (?1, ?2, ?3, FALSE)",
    )?
    .execute(params![
        bearer_hash(token.expose()).as_slice(),
        instance.0,
        to_millis(now)
    ])?;
    Ok(token)
}

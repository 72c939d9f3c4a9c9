//! Agent tokens: one per autoscaled instance (made with its intent) or per static member
//! (issued from its Actions menu). Only the hash is kept for look-up; an instance's token is
//! also kept sealed until it runs, because a retried create renders the same startup script.

use super::bearer::{bearer_hash, hash_matches, new_bearer};
use super::rows::to_millis;
use super::{Sealer, Store, StoreError};
use crate::model::instance::InstanceId;
use crate::model::{AgentId, Secret, ServerId, SessionHost};
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

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

/// Makes the token of a new instance inside its intent's transaction: the hash for look-up,
/// the token sealed for its startup script.
pub(super) fn issue_instance_token(
    tx: &Connection,
    sealer: &Sealer,
    instance: InstanceId,
    now: Timestamp,
) -> Result<(), StoreError> {
    let token = new_bearer(TOKEN_PREFIX);
    tx.prepare_cached(
        "INSERT INTO agent_tokens (hash, instance_id, created_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![
        bearer_hash(token.expose()).as_slice(),
        instance.0,
        to_millis(now)
    ])?;
    tx.prepare_cached("UPDATE instances SET checkin_secret = ?1 WHERE id = ?2")?
        .execute(params![sealer.seal(&token), instance.0])?;
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

    /// Whom a presented token speaks for, if it is a live one.
    pub fn token_owner(&self, presented: &str) -> Result<Option<TokenOwner>, StoreError> {
        if !presented.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let hash = bearer_hash(presented);
        let found = self
            .conn
            .prepare_cached(
                "SELECT hash, instance_id, server_id, agent_id FROM agent_tokens WHERE hash = ?1",
            )?
            .query_row([hash.as_slice()], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                ))
            })
            .optional()?;
        Ok(found.and_then(|(stored, instance, server, agent)| {
            if !hash_matches(&stored, &hash) {
                return None;
            }
            instance
                .map(|id| TokenOwner::Instance(InstanceId(id)))
                .or(server.map(|id| TokenOwner::Server(ServerId(id))))
                .or(agent.map(|id| TokenOwner::Agent(AgentId(id))))
        }))
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
                .open(Some(&sealed))
                .map(Some)
                .ok_or(StoreError::Unseal),
        }
    }
}

//! Sessions: started by placement inside one transaction, so two starts never share a slot.

use super::api_settings::host_expiry;
use super::db::{Conn, OptionalExtension, params};
use super::rows::{SessionRow, count, parsed, timestamp, to_millis};
use super::{Store, StoreError};
use crate::model::docker_agent::agent_capacities_sql;
use crate::model::field::SessionField;
use crate::model::{
    AgentId, Member, MemberCapacity, PoolId, PoolKind, Resources, ServerId, Session, SessionHost,
    SessionId, SessionRequest, ValidationErrors, place,
};
use jiff::Timestamp;

/// Where a new session landed.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    /// The new session.
    pub id: SessionId,
    /// Its member.
    pub host: SessionHost,
    /// The member's name.
    pub host_name: String,
    /// The pool's name.
    pub pool_name: String,
}

impl Store {
    /// Every session with its pool and host names, newest first.
    pub fn sessions(&self) -> Result<Vec<SessionRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT x.id, x.pool_id, x.server_id, x.agent_id, x.user_label, x.cores, x.memory_mb,
                    x.gpus, x.staged, x.started_at, p.name,
                    coalesce(s.friendly_name, a.hostname, '?')
             FROM sessions x
             JOIN pools p ON p.id = x.pool_id
             LEFT JOIN servers s ON s.id = x.server_id
             LEFT JOIN docker_agents a ON a.id = x.agent_id
             ORDER BY x.id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            let host = match r.get::<Option<i64>>(2)? {
                Some(server) => SessionHost::Server(ServerId(server)),
                None => SessionHost::Agent(AgentId(r.get(3)?)),
            };
            Ok(SessionRow {
                session: Session {
                    id: SessionId(r.get(0)?),
                    pool: PoolId(r.get(1)?),
                    host,
                    user_label: r.get(4)?,
                    resources: Resources::new(r.get(5)?, r.get(6)?, r.get(7)?),
                    staged: r.get(8)?,
                    started_at: timestamp(r, 9)?,
                },
                pool_name: r.get(10)?,
                host_name: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Places a new session on the pool's best member and records it, or says why not.
    pub fn start_session(&mut self, request: &SessionRequest) -> Result<Placed, StoreError> {
        let tx = self.conn.savepoint()?;
        let (pool_name, kind) = pool_of(&tx, request.pool)?;
        let members = members_of(&tx, request.pool, kind, Timestamp::now())?;
        let host = place(&pool_name, kind, &request.resources, &members)?;
        let host_name = members
            .iter()
            .find(|m| m.host == host)
            .map(|m| m.name.clone())
            .unwrap_or_default();
        let id = insert_session(&tx, request, host)?;
        tx.commit()?;
        Ok(Placed {
            id,
            host,
            host_name,
            pool_name,
        })
    }

    /// Records sessions already placed elsewhere (imports, fixtures) in one transaction: each
    /// host must be a member of the session's pool.
    pub fn import_sessions(
        &mut self,
        sessions: &[(SessionRequest, SessionHost)],
    ) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        for (request, host) in sessions {
            insert_session(&tx, request, *host)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The pool a session runs in, while it runs.
    pub fn session_pool(&self, id: SessionId) -> Result<Option<PoolId>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT pool_id FROM sessions WHERE id = ?1")?
            .query_row([id.0], |r| r.get(0).map(PoolId))
            .optional()?)
    }

    /// Ends a session, freeing its slot or resources.
    pub fn end_session(&mut self, id: SessionId) -> Result<(), StoreError> {
        let changed = self
            .conn
            .execute("DELETE FROM sessions WHERE id = ?1", [id.0])?;
        StoreError::unless_missing(changed, "session", id.0)?;
        Ok(())
    }
}

fn pool_of(tx: &Conn, pool: PoolId) -> Result<(String, PoolKind), StoreError> {
    tx.query_row(
        "SELECT name, kind FROM pools WHERE id = ?1",
        [pool.0],
        |r| Ok((r.get(0)?, parsed(r, 1, PoolKind::parse)?)),
    )
    .optional()?
    .ok_or_else(|| {
        ValidationErrors::single(SessionField::Pool, "the chosen pool no longer exists").into()
    })
}

fn members_of(
    tx: &Conn,
    pool: PoolId,
    kind: PoolKind,
    now: Timestamp,
) -> Result<Vec<Member>, StoreError> {
    // A member whose agent has reported once and then fell silent past the Host Missing
    // Expiration is missing: it gets no new sessions.
    let silent_since = to_millis(now) - i64::from(host_expiry(tx)?.0) * 1000;
    let members = match kind {
        PoolKind::Server => {
            let mut stmt = tx.prepare_cached(
                "SELECT id, friendly_name, enabled, max_sessions, created_at, session_count,
                        coalesce(last_report < ?2, FALSE)
                 FROM servers WHERE pool_id = ?1",
            )?;
            let rows = stmt.query_map(params![pool.0, silent_since], |r| {
                Ok(Member {
                    host: SessionHost::Server(ServerId(r.get(0)?)),
                    name: r.get(1)?,
                    enabled: r.get(2)?,
                    draining: false,
                    missing: r.get(6)?,
                    capacity: MemberCapacity::Slots {
                        max_sessions: r.get(3)?,
                    },
                    created_at: timestamp(r, 4)?,
                    sessions: count(r, 5)?,
                })
            })?;
            rows.collect::<Result<Vec<_>, _>>()?
        }
        PoolKind::DockerAgent => {
            let mut stmt = tx.prepare_cached(concat!(
                "SELECT a.id, a.hostname, a.enabled, a.draining, a.created_at, ",
                agent_capacities_sql!("a."),
                ", a.session_count, a.used_cores, a.used_memory_mb, a.used_gpus,
                        coalesce(a.last_report < ?2, FALSE)
                 FROM docker_agents a
                 WHERE a.pool_id = ?1",
            ))?;
            let rows = stmt.query_map(params![pool.0, silent_since], |r| {
                Ok(Member {
                    host: SessionHost::Agent(AgentId(r.get(0)?)),
                    name: r.get(1)?,
                    enabled: r.get(2)?,
                    draining: r.get(3)?,
                    missing: r.get(12)?,
                    created_at: timestamp(r, 4)?,
                    capacity: MemberCapacity::Compute {
                        capacity: Resources::new(r.get(5)?, r.get(6)?, r.get(7)?),
                        used: Resources::new(r.get(9)?, r.get(10)?, r.get(11)?),
                    },
                    sessions: count(r, 8)?,
                })
            })?;
            rows.collect::<Result<Vec<_>, _>>()?
        }
    };
    Ok(members)
}

fn insert_session(
    tx: &Conn,
    request: &SessionRequest,
    host: SessionHost,
) -> Result<SessionId, StoreError> {
    let (server, agent, check) = match host {
        SessionHost::Server(id) => (
            Some(id.0),
            None,
            "SELECT EXISTS (SELECT 1 FROM servers WHERE id = ?1 AND pool_id = ?2)",
        ),
        SessionHost::Agent(id) => (
            None,
            Some(id.0),
            "SELECT EXISTS (SELECT 1 FROM docker_agents WHERE id = ?1 AND pool_id = ?2)",
        ),
    };
    let member = server.or(agent).unwrap_or_default();
    let in_pool: bool = tx
        .prepare_cached(check)?
        .query_row(params![member, request.pool.0], |r| r.get(0))?;
    if !in_pool {
        return Err(StoreError::Refused(format!(
            "{host} is not a member of pool #{}",
            request.pool
        )));
    }
    tx.prepare_cached(
        "INSERT INTO sessions (pool_id, server_id, agent_id, user_label, cores, memory_mb, gpus,
                               staged, started_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        request.pool.0,
        server,
        agent,
        request.user_label,
        request.resources.cores,
        request.resources.memory_mb,
        request.resources.gpus,
        request.staged,
        to_millis(Timestamp::now()),
    ])?;
    Ok(SessionId(tx.last_insert_rowid()?))
}

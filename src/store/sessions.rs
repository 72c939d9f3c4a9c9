//! Sessions: started by placement inside one transaction, so two starts never share a slot.

use super::api_settings::host_expiry;
use super::db::{Conn, DbError, LockedTable, OptionalExtension, Row, params};
use super::rows::{SessionRow, count, parsed, timestamp, to_millis};
use super::{Store, StoreError};
use crate::model::docker_agent::agent_capacities_sql;
use crate::model::field::SessionField;
use crate::model::placement::{agent_preference_sql, agent_room_sql, server_preference_sql};
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
    ///
    /// The pool is locked for the transaction (on SQLite the file is), so two placements in
    /// one pool take turns and neither over-commits a member, while placements in other
    /// pools go on. The best member comes from the placement index, reading one member
    /// however large the pool; only a refusal reads them all, to say why.
    pub fn start_session(&mut self, request: &SessionRequest) -> Result<Placed, StoreError> {
        let tx = self.conn.write_transaction()?;
        if !tx.lock_row(LockedTable::Pools, request.pool.0)? {
            return Err(pool_gone());
        }
        let (pool_name, kind) = pool_of(&tx, request.pool)?;
        let silent_since = silent_since(&tx, Timestamp::now())?;
        let candidates = best_member(&tx, request, kind, silent_since)?;
        let members = if candidates.is_empty() {
            members_of(&tx, request.pool, kind, silent_since)?
        } else {
            candidates
        };
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

    /// Every member of a pool as placement sees it now: what [`place`] decides from, read
    /// whole only to explain a refusal (and by the tests that hold the index to the rule).
    pub fn placement_members(&self, pool: PoolId) -> Result<Vec<Member>, StoreError> {
        let (_, kind) = pool_of(&self.conn, pool)?;
        members_of(
            &self.conn,
            pool,
            kind,
            silent_since(&self.conn, Timestamp::now())?,
        )
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
        // Their members' session counts moved: placement plans from them (PostgreSQL).
        self.refresh_statistics()
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
    .ok_or_else(pool_gone)
}

fn pool_gone() -> StoreError {
    ValidationErrors::single(SessionField::Pool, "the chosen pool no longer exists").into()
}

/// A member whose agent has reported once and then fell silent past the Host Missing
/// Expiration is missing: it gets no new sessions. The report time that makes it so.
fn silent_since(tx: &Conn, now: Timestamp) -> Result<i64, StoreError> {
    Ok(to_millis(now) - i64::from(host_expiry(tx)?.0) * 1000)
}

/// The columns of a server as placement sees it; `?1` the pool, `?2` [`silent_since`].
macro_rules! server_members_sql {
    () => {
        "SELECT id, friendly_name, enabled, max_sessions, created_at,
                session_count, coalesce(last_report < ?2, FALSE)
         FROM servers WHERE pool_id = ?1"
    };
}

/// The columns of a docker agent as placement sees it; `?1` the pool, `?2` [`silent_since`].
macro_rules! agent_members_sql {
    () => {
        concat!(
            "SELECT id, hostname, enabled, draining, created_at, ",
            agent_capacities_sql!(""),
            ", session_count, used_cores, used_memory_mb, used_gpus,
                    coalesce(last_report < ?2, FALSE)
             FROM docker_agents WHERE pool_id = ?1"
        )
    };
}

/// Reads one row of [`server_members_sql`] or [`agent_members_sql`].
type ReadMember = fn(&Row<'_>) -> Result<Member, DbError>;

fn server_member(r: &Row<'_>) -> Result<Member, DbError> {
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
}

fn agent_member(r: &Row<'_>) -> Result<Member, DbError> {
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
}

/// The member [`place`] would choose, found by walking the placement index in the rule's
/// order to the first member that takes sessions and has room; none when no member has.
fn best_member(
    tx: &Conn,
    request: &SessionRequest,
    kind: PoolKind,
    silent_since: i64,
) -> Result<Vec<Member>, StoreError> {
    let wanted = &request.resources;
    let found = match kind {
        PoolKind::Server => tx
            .prepare_cached(concat!(
                server_members_sql!(),
                " AND enabled AND (last_report IS NULL OR last_report >= ?2)
                  AND session_count < max_sessions ORDER BY ",
                server_preference_sql!(),
                " LIMIT 1"
            ))?
            .query_row(params![request.pool.0, silent_since], server_member),
        PoolKind::DockerAgent => tx
            .prepare_cached(concat!(
                agent_members_sql!(),
                " AND enabled AND NOT draining AND (last_report IS NULL OR last_report >= ?2) AND ",
                agent_room_sql!(),
                " ORDER BY ",
                agent_preference_sql!(),
                " LIMIT 1"
            ))?
            .query_row(
                params![
                    request.pool.0,
                    silent_since,
                    wanted.cores,
                    wanted.memory_mb,
                    wanted.gpus
                ],
                agent_member,
            ),
    };
    Ok(found.optional()?.into_iter().collect())
}

/// Every member of the pool, as placement sees it.
fn members_of(
    tx: &Conn,
    pool: PoolId,
    kind: PoolKind,
    silent_since: i64,
) -> Result<Vec<Member>, StoreError> {
    let (sql, read): (&str, ReadMember) = match kind {
        PoolKind::Server => (server_members_sql!(), server_member),
        PoolKind::DockerAgent => (agent_members_sql!(), agent_member),
    };
    let rows = tx
        .prepare_cached(sql)?
        .query_map(params![pool.0, silent_since], read)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
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

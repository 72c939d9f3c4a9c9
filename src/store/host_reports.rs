//! What hosts report through the API. A member's report is written to its row at once; an
//! instance that is not running yet has its check-in noted on the instance row, and the
//! scaler (the only writer of instance state) makes it a member on its next pass.

use super::agent_tokens::{HostToken, TokenOwner, exchange_bootstrap};
use super::db::{Conn, OptionalExtension, params};
use super::events::insert_event;
use super::rows::to_millis;
use super::{Store, StoreError};
use crate::model::host_report::{Heartbeat, HostReport};
use crate::model::instance::{InstanceId, InstanceState};
use crate::model::scaler_event::{EventKind, ScalerEvent};
use crate::model::{AgentId, AutoScaleId, PoolId, Resources, Secret, SessionHost, SessionId};
use jiff::Timestamp;
use std::collections::HashSet;

/// What a check-in or heartbeat reached.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportReceipt {
    /// The member's or instance's name.
    pub name: String,
    /// "booting" (the scaler is told), or the member's state.
    pub state: String,
    /// Sessions ended because the host no longer reports them (heartbeats).
    pub ended: Vec<SessionId>,
    /// The working token a bootstrap token was exchanged for at this check-in: the agent
    /// uses it from now on (shown this once).
    pub token: Option<Secret>,
}

/// Where a token's report lands.
enum Target {
    Member(SessionHost, String),
    /// An instance not running yet: its row.
    Pending(i64, String, InstanceState),
}

fn target_of(tx: &Conn, owner: TokenOwner) -> Result<Target, StoreError> {
    let member = match owner {
        TokenOwner::Server(id) => SessionHost::Server(id),
        TokenOwner::Agent(id) => SessionHost::Agent(id),
        TokenOwner::Instance(id) => {
            let (name, state, server, agent): (String, String, Option<i64>, Option<i64>) = tx
                .query_row(
                    "SELECT name, state, server_id, agent_id FROM instances WHERE id = ?1",
                    [id.0],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?
                .ok_or(StoreError::NotFound {
                    what: "instance",
                    id: id.0,
                })?;
            // A state this build does not know is treated as over: it reports nothing.
            let state = InstanceState::parse(&state).unwrap_or(InstanceState::Failed);
            let member = server
                .map(|s| SessionHost::Server(crate::model::ServerId(s)))
                .or(agent.map(|a| SessionHost::Agent(crate::model::AgentId(a))));
            return match member {
                Some(member) => Ok(Target::Member(member, name_of(tx, member)?)),
                // An instance that is over reports nothing (its token is gone with it).
                None if state.is_terminal() => Err(StoreError::NotFound {
                    what: "instance",
                    id: id.0,
                }),
                None => Ok(Target::Pending(id.0, name, state)),
            };
        }
    };
    Ok(Target::Member(member, name_of(tx, member)?))
}

impl Target {
    /// What the host is told.
    fn receipt(self, ended: Vec<SessionId>) -> ReportReceipt {
        let (name, state) = match self {
            Target::Pending(_, name, state) => (name, state.as_str().to_owned()),
            Target::Member(_, name) => (name, "running".to_owned()),
        };
        ReportReceipt {
            name,
            state,
            ended,
            token: None,
        }
    }
}

fn name_of(tx: &Conn, member: SessionHost) -> Result<String, StoreError> {
    let (sql, id) = match member {
        SessionHost::Server(id) => ("SELECT friendly_name FROM servers WHERE id = ?1", id.0),
        SessionHost::Agent(id) => ("SELECT hostname FROM docker_agents WHERE id = ?1", id.0),
    };
    tx.prepare_cached(sql)?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or(StoreError::NotFound { what: "member", id })
}

impl Store {
    /// A host checked in: its capacity and Last report, or (booting) its instance's check-in.
    /// A bootstrap token is exchanged for the working token in the same transaction (the
    /// receipt carries it); one exchanged meanwhile is refused (`NotFound`).
    pub fn check_in(
        &mut self,
        token: impl Into<HostToken>,
        report: &HostReport,
        now: Timestamp,
    ) -> Result<ReportReceipt, StoreError> {
        let token = token.into();
        report.validate()?;
        let millis = to_millis(now);
        let tx = self.conn.savepoint()?;
        let owner = token.owner;
        let target = target_of(&tx, owner)?;
        let working = match (token.bootstrap, owner) {
            (true, TokenOwner::Instance(instance)) => Some(
                exchange_bootstrap(&tx, instance, now)?.ok_or(StoreError::NotFound {
                    what: "bootstrap token",
                    id: instance.0,
                })?,
            ),
            _ => None,
        };
        match &target {
            Target::Pending(id, _, _) => {
                tx.prepare_cached(
                    "UPDATE instances SET checked_in_at = ?1, checkin_address = ?2,
                            checkin_cores = ?3, checkin_memory_mb = ?4, checkin_gpus = ?5,
                            checkin_version = ?6
                     WHERE id = ?7",
                )?
                .execute(params![
                    millis,
                    report.address,
                    report.resources.cores,
                    report.resources.memory_mb,
                    report.resources.gpus,
                    report.version,
                    id
                ])?;
            }
            Target::Member(SessionHost::Agent(id), name) => {
                let reported = capped_claim(&tx, *id, name, report.resources, now)?;
                tx.prepare_cached(
                    "UPDATE docker_agents SET reported_cores = ?1, reported_memory_mb = ?2,
                            reported_gpus = ?3, agent_version = ?4, last_report = ?5
                     WHERE id = ?6",
                )?
                .execute(params![
                    reported.cores,
                    reported.memory_mb,
                    reported.gpus,
                    report.version,
                    millis,
                    id.0
                ])?;
            }
            Target::Member(SessionHost::Server(id), _) => {
                tx.prepare_cached(
                    "UPDATE servers SET agent_version = ?1, last_report = ?2 WHERE id = ?3",
                )?
                .execute(params![report.version, millis, id.0])?;
            }
        }
        tx.commit()?;
        Ok(ReportReceipt {
            token: working,
            ..target.receipt(Vec::new())
        })
    }

    /// A heartbeat: Last report, load, and the end of every session of the member that the
    /// host no longer reports and that is older than `grace_s`.
    pub fn heartbeat(
        &mut self,
        owner: TokenOwner,
        heartbeat: &Heartbeat,
        grace_s: i64,
        now: Timestamp,
    ) -> Result<ReportReceipt, StoreError> {
        heartbeat.validate()?;
        let millis = to_millis(now);
        let tx = self.conn.savepoint()?;
        let target = target_of(&tx, owner)?;
        touch(&tx, &target, millis, heartbeat.load)?;
        let ended = match (&target, &heartbeat.sessions) {
            (Target::Member(member, name), Some(sessions)) => {
                let ended = end_unreported(&tx, *member, sessions, millis - grace_s * 1000)?;
                if !ended.is_empty() {
                    let mut event = ScalerEvent::new(
                        now,
                        EventKind::Report,
                        format!(
                            "{name}'s heartbeat no longer lists {} session(s) older than {grace_s} s: ended",
                            ended.len()
                        ),
                    );
                    event.pool = pool_of_member(&tx, *member)?;
                    insert_event(&tx, &event)?;
                }
                ended
            }
            // Before it is a member an instance has no sessions; without a list none is checked.
            _ => Vec::new(),
        };
        tx.commit()?;
        Ok(target.receipt(ended))
    }

    /// What a heartbeat of `owner` reaches (read only): its name and state.
    pub fn report_target(&self, owner: TokenOwner) -> Result<ReportReceipt, StoreError> {
        Ok(target_of(&self.conn, owner)?.receipt(Vec::new()))
    }

    /// Writes many heartbeats (owner, when, load) in one transaction: the API gathers those
    /// that list no sessions, so 1,000 hosts a second cost one commit a second, not 1,000.
    /// A host gone meanwhile is skipped.
    pub fn record_heartbeats(
        &mut self,
        beats: &[(TokenOwner, Timestamp, Option<f64>)],
    ) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        for (owner, at, load) in beats {
            match target_of(&tx, *owner) {
                Ok(target) => touch(&tx, &target, to_millis(*at), *load)?,
                Err(StoreError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// A heartbeat's Last report (and load): on the member, or on the instance's check-in
/// before it is a member.
fn touch(tx: &Conn, target: &Target, millis: i64, load: Option<f64>) -> Result<(), StoreError> {
    match target {
        Target::Pending(id, _, _) => {
            tx.prepare_cached(
                "UPDATE instances SET checked_in_at = ?1 WHERE id = ?2 AND checked_in_at IS NOT NULL",
            )?
            .execute(params![millis, id])?;
        }
        Target::Member(member, _) => {
            let (table, id) = match member {
                SessionHost::Server(id) => ("servers", id.0),
                SessionHost::Agent(id) => ("docker_agents", id.0),
            };
            tx.prepare_cached(&format!(
                "UPDATE {table} SET last_report = greatest(last_report, ?1), host_load = ?2 WHERE id = ?3"
            ))?
            .execute(params![millis, load, id])?;
        }
    }
    Ok(())
}

/// Ends the sessions of `member` started before `cutoff` that the host no longer lists.
fn end_unreported(
    tx: &Conn,
    member: SessionHost,
    listed: &[SessionId],
    cutoff: i64,
) -> Result<Vec<SessionId>, StoreError> {
    let (column, id) = match member {
        SessionHost::Server(id) => ("server_id", id.0),
        SessionHost::Agent(id) => ("agent_id", id.0),
    };
    let listed: HashSet<i64> = listed.iter().map(|s| s.0).collect();
    let stale: Vec<i64> = tx
        .prepare_cached(&format!(
            "SELECT id FROM sessions WHERE {column} = ?1 AND started_at < ?2"
        ))?
        .query_map(params![id, cutoff], |r| r.get::<i64>(0))?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|s| !listed.contains(s))
        .collect();
    for session in &stale {
        tx.prepare_cached("DELETE FROM sessions WHERE id = ?1")?
            .execute([session])?;
    }
    Ok(stale.into_iter().map(SessionId).collect())
}

/// The pool a member is in, if any.
fn pool_of_member(tx: &Conn, member: SessionHost) -> Result<Option<PoolId>, StoreError> {
    let (sql, id) = match member {
        SessionHost::Server(id) => ("SELECT pool_id FROM servers WHERE id = ?1", id.0),
        SessionHost::Agent(id) => ("SELECT pool_id FROM docker_agents WHERE id = ?1", id.0),
    };
    Ok(tx
        .prepare_cached(sql)?
        .query_row([id], |r| r.get::<Option<i64>>(0))
        .optional()?
        .flatten()
        .map(PoolId))
}

/// What an agent's check-in may claim: an autoscaled agent at most what its config says an
/// instance has (a larger claim is capped, and an event names it); a static one as reported.
fn capped_claim(
    tx: &Conn,
    agent: AgentId,
    name: &str,
    claimed: Resources,
    now: Timestamp,
) -> Result<Resources, StoreError> {
    let instance = tx
        .prepare_cached(
            "SELECT id, pool_id, config_id, cores, memory_mb, gpus FROM instances
             WHERE agent_id = ?1",
        )?
        .query_row([agent.0], |r| {
            Ok((
                InstanceId(r.get(0)?),
                PoolId(r.get(1)?),
                AutoScaleId(r.get(2)?),
                Resources::new(r.get(3)?, r.get(4)?, r.get(5)?),
            ))
        })
        .optional()?;
    let Some((instance, pool, config, size)) = instance else {
        return Ok(claimed);
    };
    let capped = claimed.capped_at(&size);
    if capped != claimed {
        let event = ScalerEvent::new(
            now,
            EventKind::Report,
            format!(
                "{name} reported {claimed}, more than its config gives an instance ({size}): counted as {capped}"
            ),
        )
        .with_pool(pool)
        .with_config(config)
        .with_instance(instance);
        insert_event(tx, &event)?;
    }
    Ok(capped)
}

//! Instances the scaler asked clouds for. Every transition is one transaction that also
//! writes its event, so the log and the state never disagree.

use super::agent_tokens::issue_instance_token;
use super::agents::insert_agent;
use super::db::{Conn, DbError, OptionalExtension, Row, params};
use super::events::insert_event;
use super::rows::{parsed, timestamp, to_millis};
use super::servers::insert_server;
use super::{Store, StoreError};
use crate::model::instance::{
    Instance, InstanceCheckIn, InstanceId, InstanceMember, InstanceSize, InstanceState,
};
use crate::model::instance::{provisioning_states_sql, terminal_states_sql};
use crate::model::scaler_event::ScalerEvent;
use crate::model::{
    AgentId, AgentSpec, AutoScaleId, LdapId, Origin, PoolId, PoolKind, Resources, ServerId,
    ServerSpec, VmProviderId,
};
use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use std::collections::HashMap;

/// What the scaler asks for before it calls a cloud.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceRequest {
    /// The AutoScale config asking.
    pub config: AutoScaleId,
    /// Its VM Provider config.
    pub vm_provider: VmProviderId,
    /// The pool served.
    pub pool: PoolId,
    /// What the instance brings.
    pub size: InstanceSize,
    /// Its config's Provision Timeout (s): how long the bootstrap token in its startup
    /// script lives.
    pub provision_timeout_s: i64,
}

/// Fields a transition may set besides the state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InstanceChange {
    /// The cloud's id, once known.
    pub cloud_id: Option<String>,
    /// The address, once known.
    pub address: Option<String>,
    /// Why (failure, loss, deletion).
    pub reason: Option<String>,
}

/// The member row a running instance becomes.
#[derive(Clone, Debug)]
pub enum MemberTemplate {
    /// A docker agent.
    Agent(AgentSpec),
    /// A server.
    Server(ServerSpec),
}

pub(super) const COLUMNS: &str = "id, config_id, vm_provider_id, pool_id, kind, name, token, state,
    state_since, created_at, cloud_id, address, server_id, agent_id, cores, memory_mb, gpus,
    slots, used, reason, ends_failed, computer_name, computer_dn, computer_ldap_id, checked_in_at,
    checkin_address, checkin_cores, checkin_memory_mb, checkin_gpus, checkin_version";

/// An instance's size from its `kind` column at `kind` and its `cores, memory_mb, gpus,
/// slots` columns from `cores` on.
pub(super) fn read_size(r: &Row<'_>, kind: usize, cores: usize) -> Result<InstanceSize, DbError> {
    Ok(match parsed(r, kind, PoolKind::parse)? {
        PoolKind::Server => InstanceSize::Server {
            slots: r.get(cores + 3)?,
        },
        PoolKind::DockerAgent => InstanceSize::Agent(Resources::new(
            r.get(cores)?,
            r.get(cores + 1)?,
            r.get(cores + 2)?,
        )),
    })
}

pub(super) fn read_instance(r: &Row<'_>) -> Result<Instance, DbError> {
    let server: Option<i64> = r.get(12)?;
    let agent: Option<i64> = r.get(13)?;
    let size = read_size(r, 4, 14)?;
    Ok(Instance {
        id: InstanceId(r.get(0)?),
        config: AutoScaleId(r.get(1)?),
        vm_provider: VmProviderId(r.get(2)?),
        pool: PoolId(r.get(3)?),
        name: r.get(5)?,
        token: r.get(6)?,
        state: parsed(r, 7, InstanceState::parse)?,
        state_since: timestamp(r, 8)?,
        created_at: timestamp(r, 9)?,
        cloud_id: r.get(10)?,
        address: r.get(11)?,
        member: server
            .map(|id| InstanceMember::Server(ServerId(id)))
            .or(agent.map(|id| InstanceMember::Agent(AgentId(id)))),
        size,
        used: r.get(18)?,
        reason: r.get(19)?,
        ends_failed: r.get(20)?,
        computer_name: r.get(21)?,
        computer_dn: r.get(22)?,
        computer_ldap: r.get::<Option<i64>>(23)?.map(LdapId),
        check_in: match r.get::<Option<i64>>(24)? {
            None => None,
            Some(_) => Some(InstanceCheckIn {
                at: timestamp(r, 24)?,
                address: r.get::<Option<String>>(25)?.unwrap_or_default(),
                resources: Resources::new(
                    r.get::<Option<f64>>(26)?.unwrap_or_default(),
                    r.get::<Option<i64>>(27)?.unwrap_or_default(),
                    r.get::<Option<i64>>(28)?.unwrap_or_default(),
                ),
                version: r.get::<Option<String>>(29)?.unwrap_or_default(),
            }),
        },
    })
}

pub(super) fn read_one(conn: &Conn, id: InstanceId) -> Result<Instance, StoreError> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM instances WHERE id = ?1"),
        [id.0],
        read_instance,
    )
    .optional()?
    .ok_or(StoreError::NotFound {
        what: "instance",
        id: id.0,
    })
}

/// A fresh idempotency token: 128 random bits in hex.
fn new_token() -> String {
    let bits: u128 = rand::rng().random();
    format!("{bits:032x}")
}

impl Store {
    /// Every instance that is not over (requested through deleting), oldest first.
    pub fn live_instances(&self) -> Result<Vec<Instance>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            concat!(
                "SELECT {COLUMNS} FROM instances WHERE state NOT IN ",
                terminal_states_sql!(),
                " ORDER BY id"
            ),
            COLUMNS = COLUMNS
        ))?;
        let rows = stmt.query_map([], read_instance)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One instance, whatever its state.
    pub fn instance(&self, id: InstanceId) -> Result<Instance, StoreError> {
        read_one(&self.conn, id)
    }

    /// Writes down an instance before any cloud is called: its name and idempotency token
    /// are fixed here, so a retry after a crash asks the cloud for the same VM.
    pub fn request_instance(
        &mut self,
        request: &InstanceRequest,
        now: Timestamp,
        event: ScalerEvent,
    ) -> Result<Instance, StoreError> {
        let tx = self.conn.savepoint()?;
        let (cores, memory_mb, gpus, slots) = match request.size {
            InstanceSize::Agent(r) => (r.cores, r.memory_mb, r.gpus, 0),
            InstanceSize::Server { slots } => (0.0, 0, 0, slots),
        };
        // Ids are never used twice, even after ended rows were deleted with their config:
        // a late answer about a row that is gone, or a VM's `pooladmin-instance` tag, can
        // then never name another instance.
        let id: i64 = tx.query_row(
            "UPDATE instance_ids
                SET last = greatest(last, (SELECT coalesce(max(id), 0) FROM instances)) + 1
              WHERE id = 1
             RETURNING last",
            [],
            |r| r.get(0),
        )?;
        // The name needs the row id; a placeholder unique to this row holds its place.
        let token = new_token();
        tx.execute(
            "INSERT INTO instances (id, config_id, vm_provider_id, pool_id, kind, name, token,
                                    state, state_since, created_at, cores, memory_mb, gpus,
                                    slots)
             VALUES (?11, ?1, ?2, ?3, ?4, ?5, ?5, 'requested', ?6, ?6, ?7, ?8, ?9, ?10)",
            params![
                request.config.0,
                request.vm_provider.0,
                request.pool.0,
                request.size.kind().as_str(),
                token,
                to_millis(now),
                cores,
                memory_mb,
                gpus,
                slots,
                id,
            ],
        )?;
        let id = InstanceId(id);
        issue_instance_token(&tx, &self.sealer, id, now, request.provision_timeout_s)?;
        let short = &self.installation_id[..8.min(self.installation_id.len())];
        let name = format!("pa-{short}-{id}");
        tx.execute(
            "UPDATE instances SET name = ?1 WHERE id = ?2",
            params![name, id.0],
        )?;
        // The event is about the instance named here.
        let event = ScalerEvent {
            message: format!("{name}: {}", event.message),
            ..event
        };
        insert_event(&tx, &event.with_instance(id))?;
        let instance = read_one(&tx, id)?;
        tx.commit()?;
        Ok(instance)
    }

    /// Moves an instance to `to` if it is still in one of `from` (another task may have
    /// moved it meanwhile). Returns whether it moved; the event is written only if it did.
    pub fn move_instance(
        &mut self,
        id: InstanceId,
        from: &[InstanceState],
        to: InstanceState,
        change: &InstanceChange,
        now: Timestamp,
        event: ScalerEvent,
    ) -> Result<bool, StoreError> {
        let tx = self.conn.savepoint()?;
        let current = read_one(&tx, id)?;
        if !from.contains(&current.state) {
            return Ok(false);
        }
        set_state(&tx, id, to, change, now)?;
        if to.is_terminal() {
            remove_member(&tx, &current)?;
        }
        insert_event(&tx, &event.with_instance(id))?;
        tx.commit()?;
        Ok(true)
    }

    /// A booting instance checked in: it becomes a member of its pool, in one transaction.
    pub fn instance_running(
        &mut self,
        id: InstanceId,
        address: &str,
        member: &MemberTemplate,
        now: Timestamp,
        event: ScalerEvent,
    ) -> Result<bool, StoreError> {
        let tx = self.conn.savepoint()?;
        let current = read_one(&tx, id)?;
        if current.state != InstanceState::Booting {
            return Ok(false);
        }
        let millis = to_millis(now);
        let (column, member_id) = match member {
            MemberTemplate::Agent(spec) => {
                spec.validate()?;
                let agent = insert_agent(&tx, spec, Origin::Autoscaled, millis)?;
                ("agent_id", agent.0)
            }
            MemberTemplate::Server(spec) => {
                spec.validate()?;
                let server = insert_server(&tx, &self.sealer, spec, Origin::Autoscaled, millis)?;
                ("server_id", server.0)
            }
        };
        // An agent that checked in is heard from from now on (Host Missing Expiration); a
        // member without one is not judged by its silence.
        if let Some(check_in) = &current.check_in {
            let table = if column == "agent_id" {
                "docker_agents"
            } else {
                "servers"
            };
            tx.execute(
                &format!("UPDATE {table} SET last_report = ?1, agent_version = ?2 WHERE id = ?3"),
                params![to_millis(check_in.at), check_in.version, member_id],
            )?;
        }
        tx.execute(
            "UPDATE instances SET checkin_secret = NULL, running_at = ?2 WHERE id = ?1",
            params![id.0, millis],
        )?;
        tx.execute(
            &format!("UPDATE instances SET {column} = ?1 WHERE id = ?2"),
            params![member_id, id.0],
        )?;
        set_state(
            &tx,
            id,
            InstanceState::Running,
            &InstanceChange {
                address: Some(address.to_owned()),
                ..InstanceChange::default()
            },
            now,
        )?;
        insert_event(&tx, &event.with_instance(id))?;
        tx.commit()?;
        Ok(true)
    }

    /// How long the last `count` instances of each config took from their intent to
    /// running, newest first: one read for every config of a pass.
    pub fn boot_times(
        &self,
        count: usize,
    ) -> Result<HashMap<AutoScaleId, Vec<SignedDuration>>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT config_id, boot_ms FROM (
                 SELECT config_id, running_at - created_at AS boot_ms,
                        row_number() OVER (PARTITION BY config_id ORDER BY running_at DESC) AS n
                 FROM instances WHERE running_at IS NOT NULL) AS boots
             WHERE n <= ?1 ORDER BY config_id, n",
        )?;
        let limit = i64::try_from(count).unwrap_or(i64::MAX);
        let mut times: HashMap<AutoScaleId, Vec<SignedDuration>> = HashMap::new();
        let rows = stmt.query_map([limit], |r| Ok((r.get::<i64>(0)?, r.get::<i64>(1)?)))?;
        for row in rows {
            let (config, ms) = row?;
            times
                .entry(AutoScaleId(config))
                .or_default()
                .push(SignedDuration::from_millis(ms.max(0)));
        }
        Ok(times)
    }

    /// Starts deleting an instance whose member runs no session: the member stops taking
    /// sessions in the same transaction, so none can be placed on it meanwhile. Returns
    /// false (and changes nothing) when a session arrived first.
    pub fn begin_delete(
        &mut self,
        id: InstanceId,
        reason: &str,
        ends_failed: bool,
        now: Timestamp,
        event: ScalerEvent,
    ) -> Result<bool, StoreError> {
        let tx = self.conn.savepoint()?;
        let current = read_one(&tx, id)?;
        if current.state.is_terminal() || current.state == InstanceState::Deleting {
            return Ok(false);
        }
        let sessions: i64 = match current.member {
            Some(InstanceMember::Agent(a)) => tx.query_row(
                "SELECT session_count FROM docker_agents WHERE id = ?1",
                [a.0],
                |r| r.get(0),
            )?,
            Some(InstanceMember::Server(s)) => tx.query_row(
                "SELECT session_count FROM servers WHERE id = ?1",
                [s.0],
                |r| r.get(0),
            )?,
            None => 0,
        };
        if sessions > 0 {
            return Ok(false);
        }
        stop_placing_on(&tx, current.member, true)?;
        set_state(
            &tx,
            id,
            InstanceState::Deleting,
            &InstanceChange {
                reason: Some(reason.to_owned()),
                ..InstanceChange::default()
            },
            now,
        )?;
        tx.execute(
            "UPDATE instances SET ends_failed = ?1 WHERE id = ?2",
            params![ends_failed, id.0],
        )?;
        insert_event(&tx, &event.with_instance(id))?;
        tx.commit()?;
        Ok(true)
    }

    /// Marks a running autoscaled agent as draining (no new sessions; deleted once empty).
    pub fn drain_instance(
        &mut self,
        id: InstanceId,
        now: Timestamp,
        event: ScalerEvent,
    ) -> Result<bool, StoreError> {
        let tx = self.conn.savepoint()?;
        let current = read_one(&tx, id)?;
        if current.state != InstanceState::Running {
            return Ok(false);
        }
        stop_placing_on(&tx, current.member, false)?;
        set_state(
            &tx,
            id,
            InstanceState::Draining,
            &InstanceChange::default(),
            now,
        )?;
        insert_event(&tx, &event.with_instance(id))?;
        tx.commit()?;
        Ok(true)
    }
}

/// No new session lands on `member`: an agent drains (and, when it is about to go, is
/// disabled too); a server, which has no draining, is disabled.
fn stop_placing_on(
    tx: &Conn,
    member: Option<InstanceMember>,
    going: bool,
) -> Result<(), StoreError> {
    match member {
        Some(InstanceMember::Agent(a)) => {
            tx.execute(
                "UPDATE docker_agents SET draining = TRUE, enabled = enabled AND NOT ?2 WHERE id = ?1",
                params![a.0, going],
            )?;
        }
        Some(InstanceMember::Server(s)) => {
            tx.execute("UPDATE servers SET enabled = FALSE WHERE id = ?1", [s.0])?;
        }
        None => {}
    }
    Ok(())
}

fn set_state(
    tx: &Conn,
    id: InstanceId,
    to: InstanceState,
    change: &InstanceChange,
    now: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        concat!(
            "UPDATE instances
            SET state = ?1, state_since = ?2,
                cloud_id = coalesce(?3, cloud_id),
                address = coalesce(?4, address),
                reason = coalesce(?5, reason),
                -- The join password is needed only until the VM has booted with it.
                join_secret = CASE WHEN ?1 IN ",
            provisioning_states_sql!(),
            " THEN join_secret END
          WHERE id = ?6"
        ),
        params![
            to.as_str(),
            to_millis(now),
            change.cloud_id,
            change.address,
            change.reason,
            id.0
        ],
    )?;
    Ok(())
}

/// An instance that is over takes its member row with it. A lost VM took its sessions
/// along; they end here too, so no session points at a host that is gone.
fn remove_member(tx: &Conn, instance: &Instance) -> Result<(), StoreError> {
    let (table, column, id) = match instance.member {
        Some(InstanceMember::Agent(a)) => ("docker_agents", "agent_id", a.0),
        Some(InstanceMember::Server(s)) => ("servers", "server_id", s.0),
        None => return Ok(()),
    };
    tx.execute(&format!("DELETE FROM sessions WHERE {column} = ?1"), [id])?;
    tx.execute(
        &format!("UPDATE instances SET {column} = NULL WHERE id = ?1"),
        [instance.id.0],
    )?;
    tx.execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])?;
    Ok(())
}

//! What finished cloud calls mean: each [`Outcome`] is written to the store as a state
//! change, a config's health, or an event, and new members are made from checked-in VMs.

use super::executor::{Halt, Scaler};
use super::operations::{self, DnsChange, DnsDone, Outcome};
use crate::cloud::{CloudError, CloudVm, ErrorClass, VmState};
use crate::model::agent_address::choose_address;
use crate::model::autoscale::{AutoScaleSpec, AutoScaleValues, Scaling, ScalingValues};
use crate::model::config_health::ConfigHealth;
use crate::model::dns_provider::DnsProviderSpec;
use crate::model::instance::{Instance, InstanceSize, InstanceState};
use crate::model::scaler_event::{EventKind, ScalerEvent};
use crate::model::server::SSO_USERNAME;
use crate::model::{AgentSpec, AutoScaleId, CredentialType, PoolId, Resources, ServerSpec};
use crate::store::{InstanceChange, MemberTemplate};
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;

impl Scaler {
    /// Applies what a finished task learned.
    pub fn apply(&mut self, outcome: Outcome) -> Result<(), Halt> {
        let now = self.now();
        match outcome {
            Outcome::Crashed if self.failpoint.is_none() => return Err(Halt::LostLease),
            Outcome::Crashed => return Err(Halt::Crashed),
            Outcome::Created(id, result) => {
                self.calls.busy.remove(&id);
                let instance = self.store.instance(id)?;
                match result {
                    Ok(vm) => {
                        let event = ScalerEvent::new(
                            now,
                            EventKind::Transition,
                            format!("{}: created as {}; booting", instance.name, vm.cloud_id),
                        )
                        .with_pool(instance.pool)
                        .with_config(instance.config);
                        if self.store.move_instance(
                            id,
                            &[InstanceState::Requested, InstanceState::Creating],
                            InstanceState::Booting,
                            &InstanceChange {
                                cloud_id: Some(vm.cloud_id),
                                ..InstanceChange::default()
                            },
                            now,
                            event.clone(),
                        )? {
                            self.emit(event.with_instance(id));
                        }
                        self.memory
                            .next_try
                            .insert(id, now + self.settings.poll_every);
                    }
                    Err(e) => self.create_failed(&instance, &e, now)?,
                }
            }
            Outcome::Polled(id, result) => {
                self.calls.busy.remove(&id);
                let instance = self.store.instance(id)?;
                match result {
                    Ok((vm, true)) => self.became_running(&instance, vm.address, now)?,
                    Ok((vm, false)) if vm.state == VmState::Running => {
                        self.agent_checked_in(&instance, &vm, now)?;
                    }
                    Ok(_) => {}
                    Err(e) if e.class == ErrorClass::NotFound => {
                        self.vanished(&instance, now)?;
                    }
                    Err(e) => self.log_error(&instance, &e, now)?,
                }
            }
            Outcome::Deleted(id, result) => {
                self.calls.busy.remove(&id);
                let instance = self.store.instance(id)?;
                match result {
                    Ok(()) => self.finish_delete(&instance, now)?,
                    Err(e) if e.class == ErrorClass::NotFound => {
                        self.finish_delete(&instance, now)?;
                    }
                    Err(e) => {
                        self.memory.next_try.insert(id, now + self.settings.tick);
                        self.log_error(&instance, &e, now)?;
                    }
                }
            }
            Outcome::OrphanDeleted(_, cloud_id, result) => {
                self.calls.orphans_in_flight.remove(&cloud_id);
                let message = match result {
                    Ok(()) => format!("orphan VM {cloud_id} terminated"),
                    Err(e) => format!("orphan VM {cloud_id} could not be terminated: {e}"),
                };
                let event = ScalerEvent::new(now, EventKind::Reconcile, message);
                self.store.record_events(std::slice::from_ref(&event))?;
                self.emit(event);
            }
            Outcome::Listed(provider, result) => {
                self.calls.listing.remove(&provider);
                self.reconcile(provider, result)?;
            }
            Outcome::ComputerPlaced(id, result) => self.computer_placed(id, result)?,
            Outcome::ComputerRemoved(id, result) => self.computer_removed(id, result)?,
            Outcome::Dns(id, name, result) => {
                let (kind, message) = match result {
                    Ok(DnsDone::Written(address)) => (
                        EventKind::Transition,
                        format!("DNS record {name} → {address}"),
                    ),
                    Ok(DnsDone::Removed) => {
                        (EventKind::Transition, format!("DNS record {name} removed"))
                    }
                    Ok(DnsDone::Skipped(why)) => (
                        EventKind::Error,
                        format!("DNS record {name} not written: {why}"),
                    ),
                    Err(e) => (EventKind::Error, format!("DNS record {name}: {e}")),
                };
                let event = ScalerEvent::new(now, kind, message).with_instance(id);
                self.store.record_events(std::slice::from_ref(&event))?;
                self.emit(event);
            }
        }
        Ok(())
    }

    /// A task ended without an outcome (it panicked or was cancelled).
    pub fn task_lost(&mut self, task: tokio::task::Id) {
        if let Some(id) = self.calls.task_owner.remove(&task) {
            self.calls.busy.remove(&id);
        }
    }

    pub(super) fn create_failed(
        &mut self,
        instance: &Instance,
        error: &CloudError,
        now: Timestamp,
    ) -> Result<(), Halt> {
        let message = format!("{}: create failed — {error}", instance.name);
        if !self.fail_unmade(instance, &error.to_string(), message, now)? {
            return Ok(());
        }
        let mut health = self.health(instance.config)?;
        let change = match error.class {
            ErrorClass::Capacity | ErrorClass::Quota => health.back_off(now, &error.to_string()),
            ErrorClass::Auth | ErrorClass::InvalidConfig => {
                health.stop(&error.to_string());
                format!("stopped scaling until the config is edited: {error}")
            }
            _ => {
                if health.instance_failed(&error.to_string()) {
                    health.stopped_reason.clone().unwrap_or_default()
                } else {
                    format!("create gave up: {error}")
                }
            }
        };
        self.save_health(instance.config, instance.pool, &health, change, now)
    }

    /// Ends an instance whose VM was never made (requested or creating) as failed, with
    /// `reason` on the row and `message` in the log. Whether it moved (another task may have
    /// moved it first).
    pub(super) fn fail_unmade(
        &mut self,
        instance: &Instance,
        reason: &str,
        message: String,
        now: Timestamp,
    ) -> Result<bool, Halt> {
        let event = ScalerEvent::new(now, EventKind::Error, message)
            .with_pool(instance.pool)
            .with_config(instance.config);
        let moved = self.store.move_instance(
            instance.id,
            &[InstanceState::Requested, InstanceState::Creating],
            InstanceState::Failed,
            &InstanceChange {
                reason: Some(reason.to_owned()),
                ..InstanceChange::default()
            },
            now,
            event.clone(),
        )?;
        if moved {
            self.emit(event.with_instance(instance.id));
        }
        Ok(moved)
    }

    pub(super) fn instance_failed(
        &mut self,
        instance: &Instance,
        reason: &str,
        now: Timestamp,
    ) -> Result<(), Halt> {
        let mut health = self.health(instance.config)?;
        let stopped = health.instance_failed(reason);
        let message = if stopped {
            health.stopped_reason.clone().unwrap_or_default()
        } else {
            format!(
                "{} failed ({} in a row): {reason}",
                instance.name, health.consecutive_failures
            )
        };
        self.save_health(instance.config, instance.pool, &health, message, now)
    }

    pub(super) fn health(&self, config: AutoScaleId) -> Result<ConfigHealth, Halt> {
        Ok(self
            .store
            .config_health()?
            .remove(&config)
            .unwrap_or_default())
    }

    pub(super) fn save_health(
        &mut self,
        config: AutoScaleId,
        pool: PoolId,
        health: &ConfigHealth,
        message: String,
        now: Timestamp,
    ) -> Result<(), Halt> {
        let event = ScalerEvent::new(now, EventKind::Error, message)
            .with_pool(pool)
            .with_config(config);
        self.store.set_config_health(config, health, Some(&event))?;
        self.emit(event);
        Ok(())
    }

    /// A booting instance whose agent has checked in (Agent check-in) and that the cloud
    /// says runs: a member at the address the cloud confirms.
    fn agent_checked_in(
        &mut self,
        instance: &Instance,
        vm: &CloudVm,
        now: Timestamp,
    ) -> Result<(), Halt> {
        let Some(check_in) = &instance.check_in else {
            return Ok(());
        };
        let by_agent = self
            .world
            .configs
            .get(&instance.config)
            .is_some_and(|c| c.spec.require_check_in && c.spec.agent_check_in);
        if !by_agent {
            return Ok(());
        }
        let mut notes = Vec::new();
        if let InstanceSize::Agent(size) = instance.size {
            let counted = check_in.resources.capped_at(&size);
            if counted != check_in.resources {
                notes.push(format!(
                    "its agent reported {}, more than its config gives an instance ({size}): counted as {counted}",
                    check_in.resources
                ));
            }
        }
        let cloud: Vec<&str> = [vm.address.as_deref(), vm.public_address.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        let choice = choose_address(&check_in.address, &cloud);
        if let Some(why) = choice.refused {
            notes.push(format!(
                "{why}; it runs at {}",
                choice.address.as_deref().unwrap_or(&instance.name)
            ));
        }
        for note in notes {
            let event =
                ScalerEvent::new(now, EventKind::Report, format!("{}: {note}", instance.name))
                    .with_pool(instance.pool)
                    .with_config(instance.config)
                    .with_instance(instance.id);
            self.store.record_events(std::slice::from_ref(&event))?;
            self.emit(event);
        }
        self.became_running(instance, choice.address, now)
    }

    pub(super) fn became_running(
        &mut self,
        instance: &Instance,
        address: Option<String>,
        now: Timestamp,
    ) -> Result<(), Halt> {
        let world = Arc::clone(&self.world);
        let (Some(config), Some(values)) = (
            world.configs.get(&instance.config),
            world.values.get(&instance.config),
        ) else {
            return Ok(());
        };
        // The member needs a host to connect to; the DNS record only ever an address.
        let reported = address.clone();
        let address = address.unwrap_or_else(|| instance.name.clone());
        let member = member_template(instance, &config.spec, values, &address);
        let event = ScalerEvent::new(
            now,
            EventKind::Transition,
            format!("{} checked in at {address}; running", instance.name),
        )
        .with_pool(instance.pool)
        .with_config(instance.config);
        if !self
            .store
            .instance_running(instance.id, &address, &member, now, event.clone())?
        {
            return Ok(());
        }
        self.memory.next_try.remove(&instance.id);
        self.memory.errors_seen.remove(&instance.id);
        self.emit(event.with_instance(instance.id));
        let health = self.health(instance.config)?;
        if health.consecutive_failures > 0 || health.backoff_level > 0 {
            let mut healed = health.clone();
            healed.succeeded();
            self.store
                .set_config_health(instance.config, &healed, None)?;
        }
        self.write_dns(&config.spec, instance, reported)
    }

    /// Writes the instance's A record, from the address it `reported` (or its VM's public
    /// one, as the DNS Provider config says), when its config registers DNS.
    fn write_dns(
        &mut self,
        spec: &AutoScaleSpec,
        instance: &Instance,
        reported: Option<String>,
    ) -> Result<(), Halt> {
        self.change_dns(spec, instance, |scaler, dns| DnsChange::Write {
            reported,
            vm: instance
                .cloud_id
                .clone()
                .and_then(|id| Some((scaler.context(instance.vm_provider).ok()?, id))),
            register: dns.register,
        })
    }

    /// Removes the instance's A record when its config registers DNS.
    fn remove_dns(&mut self, spec: &AutoScaleSpec, instance: &Instance) -> Result<(), Halt> {
        self.change_dns(spec, instance, |_, _| DnsChange::Remove)
    }

    fn change_dns(
        &mut self,
        spec: &AutoScaleSpec,
        instance: &Instance,
        change: impl FnOnce(&mut Self, &DnsProviderSpec) -> DnsChange,
    ) -> Result<(), Halt> {
        let (Some(name), Some(dns_id)) = (
            spec.scaling.dns_record_name(&instance.name, instance.id.0),
            spec.dns_provider,
        ) else {
            return Ok(());
        };
        let world = Arc::clone(&self.world);
        let Some(dns_spec) = world.dns_providers.get(&dns_id) else {
            return Ok(());
        };
        let change = change(self, dns_spec);
        match self.clouds.dns_cloud(dns_id, dns_spec) {
            Ok(dns) => self.spawn(
                None,
                operations::dns(
                    dns,
                    (self.settings.retry, self.call_guard()),
                    instance.id,
                    name,
                    change,
                ),
            ),
            Err(e) => {
                let event = ScalerEvent::new(
                    self.now(),
                    EventKind::Error,
                    format!("DNS record {name}: {e}"),
                )
                .with_instance(instance.id);
                self.store.record_events(std::slice::from_ref(&event))?;
                self.emit(event);
            }
        }
        Ok(())
    }

    pub(super) fn vanished(&mut self, instance: &Instance, now: Timestamp) -> Result<(), Halt> {
        // Right after a create a cloud may not list the VM yet: not a reason to replace it.
        let grace = SignedDuration::try_from(self.settings.grace).unwrap_or(SignedDuration::MAX);
        if now.duration_since(instance.state_since) < grace {
            return Ok(());
        }
        let event = ScalerEvent::new(
            now,
            EventKind::Reconcile,
            format!(
                "{} is gone from the cloud; marked lost, the planner replaces it",
                instance.name
            ),
        )
        .with_pool(instance.pool)
        .with_config(instance.config);
        if self.store.move_instance(
            instance.id,
            &[
                InstanceState::Booting,
                InstanceState::Running,
                InstanceState::Draining,
            ],
            InstanceState::Lost,
            &InstanceChange {
                reason: Some("gone from the cloud".to_owned()),
                ..InstanceChange::default()
            },
            now,
            event.clone(),
        )? {
            self.emit(event.with_instance(instance.id));
        }
        Ok(())
    }

    pub(super) fn finish_delete(
        &mut self,
        instance: &Instance,
        now: Timestamp,
    ) -> Result<(), Halt> {
        let end = if instance.ends_failed {
            InstanceState::Failed
        } else {
            InstanceState::Deleted
        };
        let event = ScalerEvent::new(
            now,
            EventKind::Transition,
            format!("{}: {}", instance.name, end.label().to_lowercase()),
        )
        .with_pool(instance.pool)
        .with_config(instance.config);
        if self.store.move_instance(
            instance.id,
            &[InstanceState::Deleting],
            end,
            &InstanceChange::default(),
            now,
            event.clone(),
        )? {
            self.memory.next_try.remove(&instance.id);
            self.memory.errors_seen.remove(&instance.id);
            self.emit(event.with_instance(instance.id));
            let world = Arc::clone(&self.world);
            if let Some(config) = world.configs.get(&instance.config) {
                self.remove_dns(&config.spec, instance)?;
            }
        }
        Ok(())
    }

    /// Logs an error (a cloud's or the directory's) about an instance once, however often
    /// it repeats.
    pub(super) fn log_error(
        &mut self,
        instance: &Instance,
        error: &dyn std::fmt::Display,
        now: Timestamp,
    ) -> Result<(), Halt> {
        let message = format!("{}: {error}", instance.name);
        if self.memory.errors_seen.get(&instance.id) == Some(&message) {
            return Ok(());
        }
        self.memory.errors_seen.insert(instance.id, message.clone());
        let event = ScalerEvent::new(now, EventKind::Error, message)
            .with_pool(instance.pool)
            .with_config(instance.config)
            .with_instance(instance.id);
        self.store.record_events(std::slice::from_ref(&event))?;
        self.emit(event);
        Ok(())
    }
}

/// The server or agent row a checked-in instance becomes.
fn member_template(
    instance: &Instance,
    spec: &AutoScaleSpec,
    values: &AutoScaleValues,
    address: &str,
) -> MemberTemplate {
    let zone = values.zone;
    match (&spec.scaling, instance.size) {
        (Scaling::Servers(s), InstanceSize::Server { slots }) => {
            let username = s.connection_username.trim().to_owned();
            let credential_type = if username.is_empty() {
                CredentialType::Prompt
            } else if username.contains(SSO_USERNAME) {
                CredentialType::SsoPlaceholders
            } else {
                CredentialType::Static
            };
            MemberTemplate::Server(ServerSpec {
                friendly_name: instance.host_name().to_owned(),
                enabled: true,
                zone,
                pool: Some(instance.pool),
                connection_type: s.connection_type,
                host: address.to_owned(),
                port: match values.scaling {
                    ScalingValues::Servers { port, .. } => port,
                    ScalingValues::Agents { .. } => s.connection_type.default_port(),
                },
                credential_type,
                username,
                password: s.connection_password.clone(),
                connection_info: s.connection_info.clone(),
                max_sessions: slots,
                reusable: s.reusable,
            })
        }
        (_, size) => {
            // What its agent reported at check-in, at most what its config gives an
            // instance; else what the config said it brings.
            let reported = match (&instance.check_in, size) {
                (Some(check_in), InstanceSize::Agent(r)) => check_in.resources.capped_at(&r),
                (Some(check_in), _) => check_in.resources,
                (None, InstanceSize::Agent(r)) => r,
                (None, InstanceSize::Server { .. }) => Resources::default(),
            };
            MemberTemplate::Agent(AgentSpec {
                hostname: instance.name.clone(),
                enabled: true,
                zone,
                pool: Some(instance.pool),
                reported,
                overrides: Resources::default(),
            })
        }
    }
}

//! Active Directory computer records of server instances (DESIGN §4 "AD"): the record is
//! made before the VM, with a fresh password the startup script receives; if the directory
//! refuses, no VM is made and the config backs off; a record whose instance is over is
//! removed. The name, DN and sealed password are written down before the directory is
//! called, so a crash leaves a row that says which record may exist.

use super::computer_target::ComputerTarget;
use super::executor::{Halt, Scaler};
use super::operations;
use crate::cloud::tags;
use crate::directory::{
    ComputerRecord, DirectoryError, Placement, Removal, computer_dn, new_join_password,
};
use crate::model::Secret;
use crate::model::computer_name::computer_name;
use crate::model::instance::{Instance, InstanceId};
use crate::model::scaler_event::{EventKind, ScalerEvent};
use jiff::Timestamp;
use std::sync::Arc;

impl Scaler {
    /// Before a create: the instance's computer record must exist. Answers its join
    /// password once it does; `None` while the directory is being asked (or refused).
    pub(super) fn computer_ready(
        &mut self,
        instance: &Instance,
        target: &ComputerTarget,
        now: Timestamp,
    ) -> Result<Option<Secret>, Halt> {
        if self.memory.computers_placed.contains(&instance.id)
            && let Some(password) = self.store.join_password(instance.id)?
        {
            return Ok(Some(password));
        }
        let claimed = match (&instance.computer_name, &instance.computer_dn) {
            (Some(name), Some(_)) => self
                .store
                .join_password(instance.id)?
                .map(|password| (name.clone(), password)),
            _ => None,
        };
        let (name, password) = match claimed {
            Some(claim) => claim,
            None => {
                let Some(name) = self.free_computer_name(&target.pattern)? else {
                    let error = DirectoryError::refused(format!(
                        "the Computer Name Pattern {} has no free name left",
                        target.pattern
                    ));
                    self.directory_refused(instance, &error, now)?;
                    return Ok(None);
                };
                let dn = computer_dn(&name, &target.ou_dn);
                let password = new_join_password();
                self.store
                    .claim_computer(instance.id, &name, &dn, target.ldap_id, &password)?;
                (name, password)
            }
        };
        let record = ComputerRecord {
            ou_dn: target.ou_dn.clone(),
            name,
            domain: target.domain(),
            password,
            owner: tags::directory_mark(self.store.installation_id(), instance.id.0),
        };
        self.spawn(
            Some(instance.id),
            operations::place_computer(self.call_guard(), instance.id, target.ldap.clone(), record),
        );
        Ok(None)
    }

    /// The first name of `pattern` that no instance claims and the directory has not
    /// shown to be taken.
    fn free_computer_name(&self, pattern: &str) -> Result<Option<String>, Halt> {
        let claimed: std::collections::HashSet<String> = self
            .store
            .claimed_computer_names()?
            .into_iter()
            .map(|n| n.to_uppercase())
            .collect();
        Ok((1..).map_while(|n| computer_name(pattern, n)).find(|name| {
            let upper = name.to_uppercase();
            !claimed.contains(&upper) && !self.memory.names_taken.contains(&upper)
        }))
    }

    /// What the directory said about a computer record.
    pub(super) fn computer_placed(
        &mut self,
        id: InstanceId,
        result: Result<Placement, DirectoryError>,
    ) -> Result<(), Halt> {
        self.calls.busy.remove(&id);
        let now = self.now();
        let instance = self.store.instance(id)?;
        let name = instance.host_name().to_owned();
        match result {
            Ok(placement @ (Placement::Created | Placement::Reclaimed)) => {
                let what = if placement == Placement::Created {
                    "created"
                } else {
                    "found from an earlier attempt; its password reset"
                };
                let dn = instance.computer_dn.clone().unwrap_or_default();
                self.record(
                    ScalerEvent::new(
                        now,
                        EventKind::Transition,
                        format!("{}: computer record {dn} {what}", instance.name),
                    )
                    .with_pool(instance.pool)
                    .with_config(instance.config)
                    .with_instance(id),
                )?;
                self.memory.computers_placed.insert(id);
            }
            Ok(Placement::Taken(by)) => {
                self.memory.names_taken.insert(name.to_uppercase());
                self.store.release_computer(id)?;
                self.record(
                    ScalerEvent::new(
                        now,
                        EventKind::Decision,
                        format!(
                            "{}: computer name {name} is taken in the directory ({by}); \
                             trying the next name",
                            instance.name
                        ),
                    )
                    .with_pool(instance.pool)
                    .with_config(instance.config)
                    .with_instance(id),
                )?;
            }
            Err(error) => self.directory_refused(&instance, &error, now)?,
        }
        Ok(())
    }

    /// The directory refused an instance's record: no VM is made; the instance fails and
    /// its config stops (a standing refusal) or backs off (an outage) with the directory's
    /// message.
    fn directory_refused(
        &mut self,
        instance: &Instance,
        error: &DirectoryError,
        now: Timestamp,
    ) -> Result<(), Halt> {
        let reason = format!("Active Directory: {error}");
        let message = format!("{}: no VM created — {reason}", instance.name);
        if !self.fail_unmade(instance, &reason, message, now)? {
            return Ok(());
        }
        self.memory.computers_placed.remove(&instance.id);
        let mut health = self.health(instance.config)?;
        // A refusal that stands (bind, rights, OU, password policy) stops the config until
        // it is edited or resumed; a directory that is down or busy is tried again later.
        let note = if error.stops() {
            health.stop(&reason);
            format!("{reason}: the config stopped until it is edited or resumed")
        } else {
            health.back_off(now, &reason)
        };
        self.save_health(instance.config, instance.pool, &health, note, now)
    }

    /// Starts the removal of every record whose instance is over.
    pub(super) fn remove_computers(&mut self) -> Result<(), Halt> {
        let now = self.now();
        let world = Arc::clone(&self.world);
        for instance in self.store.computers_to_remove()? {
            let Some(dn) = instance.computer_dn.clone() else {
                continue;
            };
            if self.calls.busy.contains(&instance.id)
                || self
                    .memory
                    .next_try
                    .get(&instance.id)
                    .is_some_and(|t| *t > now)
            {
                continue;
            }
            // The directory the record was made in, whatever the config says now.
            let ldap = instance.computer_ldap.and_then(|id| world.ldap.get(&id));
            let Some(ldap) = ldap.cloned() else {
                // No LDAP config to reach the directory with: said once, tried each tick.
                self.memory
                    .next_try
                    .insert(instance.id, now + self.settings.tick);
                let error = DirectoryError::refused(format!(
                    "cannot remove computer record {dn}: the LDAP config it was made through is gone"
                ));
                self.log_error(&instance, &format!("Active Directory: {error}"), now)?;
                continue;
            };
            self.memory
                .next_try
                .insert(instance.id, now + self.settings.tick);
            let owner = tags::directory_mark(self.store.installation_id(), instance.id.0);
            self.spawn(
                Some(instance.id),
                operations::remove_computer(self.call_guard(), instance.id, ldap, dn, owner),
            );
        }
        Ok(())
    }

    /// What the directory said about removing a record.
    pub(super) fn computer_removed(
        &mut self,
        id: InstanceId,
        result: Result<Removal, DirectoryError>,
    ) -> Result<(), Halt> {
        self.calls.busy.remove(&id);
        let now = self.now();
        let instance = self.store.instance(id)?;
        let dn = instance.computer_dn.clone().unwrap_or_default();
        let message = match result {
            Ok(Removal::Removed) => format!("computer record {dn} deleted"),
            Ok(Removal::Gone) => format!("computer record {dn} was already gone"),
            Ok(Removal::NotOurs) => {
                format!("computer record {dn} belongs to someone else now: left in place")
            }
            Err(error) => {
                return self.log_error(&instance, &format!("Active Directory: {error}"), now);
            }
        };
        self.store.computer_removed(id)?;
        self.memory.next_try.remove(&id);
        self.memory.errors_seen.remove(&id);
        self.memory.computers_placed.remove(&id);
        self.record(
            ScalerEvent::new(
                now,
                EventKind::Transition,
                format!("{}: {message}", instance.name),
            )
            .with_pool(instance.pool)
            .with_config(instance.config)
            .with_instance(id),
        )
    }
}

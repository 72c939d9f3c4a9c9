//! Reconciliation (DESIGN §4.4): what each cloud lists under our owner tag against what the
//! store says. Unclaimed VMs past the grace period are orphans and are terminated; rows
//! whose VM is gone are lost; rows left mid-create by a crash adopt the VM they made.

use super::executor::{Halt, Scaler};
use super::operations::{self, Outcome};
use super::world::World;
use crate::cloud::{CloudError, CloudVm, tags};
use crate::model::instance::{Instance, InstanceId, InstanceState};
use crate::model::scaler_event::{EventKind, ScalerEvent};
use crate::model::{AutoScaleId, VmProviderId};
use crate::store::InstanceChange;
use jiff::SignedDuration;
use std::collections::HashMap;
use std::sync::Arc;

impl Scaler {
    /// Lists every provider config's VMs now and applies the result before anything else
    /// runs: at start-up a row left in `creating` must adopt its VM before a retry.
    pub async fn reconcile_now(&mut self) -> Result<(), Halt> {
        self.world = Arc::new(World::load(&self.store, self.now())?);
        let owner = self.store.installation_id().to_owned();
        let providers: Vec<VmProviderId> = self.world.vm_providers.keys().copied().collect();
        for provider in providers {
            let Ok(ctx) = self.context(provider) else {
                continue;
            };
            match operations::list(ctx, provider, owner.clone()).await {
                Outcome::Listed(provider, result) => self.reconcile(provider, result)?,
                _ => return Err(Halt::Crashed),
            }
        }
        Ok(())
    }

    /// Starts a listing of every provider config (as the last pass read them) that is not
    /// being listed already.
    pub fn start_reconcile(&mut self) {
        let owner = self.store.installation_id().to_owned();
        let providers: Vec<VmProviderId> = self.world.vm_providers.keys().copied().collect();
        for provider in providers {
            if self.calls.listing.contains(&provider) {
                continue;
            }
            // A provider whose client cannot be made (a malformed key) has nothing to list.
            let Ok(ctx) = self.context(provider) else {
                continue;
            };
            self.calls.listing.insert(provider);
            self.spawn(None, operations::list(ctx, provider, owner.clone()));
        }
    }

    /// Applies one provider config's listing.
    pub(super) fn reconcile(
        &mut self,
        provider: VmProviderId,
        listing: Result<Vec<CloudVm>, CloudError>,
    ) -> Result<(), Halt> {
        let now = self.now();
        let vms = match listing {
            Ok(vms) => {
                self.memory.listing_failed.remove(&provider);
                vms
            }
            Err(e) => {
                // A failed or incomplete read deletes nothing: no orphan sweep, no lost
                // rows, no surplus deletion until a listing succeeds.
                let name = self
                    .world
                    .vm_providers
                    .get(&provider)
                    .map_or_else(|| format!("#{provider}"), |p| p.name.clone());
                let event = ScalerEvent::new(
                    now,
                    EventKind::Error,
                    format!("listing of {name} failed: nothing deleted this pass ({e})"),
                );
                self.memory.listing_failed.insert(provider);
                self.store.record_events(std::slice::from_ref(&event))?;
                self.emit(event);
                return Ok(());
            }
        };
        let live: HashMap<InstanceId, Instance> = self
            .store
            .live_instances()?
            .into_iter()
            .filter(|i| i.vm_provider == provider)
            .map(|i| (i.id, i))
            .collect();
        let grace = SignedDuration::try_from(self.settings.grace).unwrap_or(SignedDuration::MAX);
        for vm in &vms {
            let claimed = tags::instance_of(&vm.tags)
                .map(InstanceId)
                .and_then(|id| live.get(&id));
            match claimed {
                Some(row)
                    if matches!(
                        row.state,
                        InstanceState::Requested | InstanceState::Creating
                    ) && !self.calls.busy.contains(&row.id) =>
                {
                    self.adopt(row, vm)?;
                }
                Some(row)
                    if row.cloud_id.is_none() || row.cloud_id.as_ref() == Some(&vm.cloud_id) => {}
                // A twin of a claimed VM, or a VM no live row claims: aged by the cloud's
                // creation time, else by when pooladmin first saw it.
                _ => {
                    let born = match vm.created_at {
                        Some(created) => created,
                        None => self.store.first_seen(provider, &vm.cloud_id, now)?,
                    };
                    if now.duration_since(born) >= grace {
                        self.terminate_orphan(provider, vm);
                    }
                }
            }
        }
        let listed: std::collections::HashSet<&str> =
            vms.iter().map(|vm| vm.cloud_id.as_str()).collect();
        self.store.forget_unlisted(provider, &listed)?;
        let watched = |row: &Instance| {
            matches!(
                row.state,
                InstanceState::Booting | InstanceState::Running | InstanceState::Draining
            )
        };
        let gone: Vec<&Instance> = live
            .values()
            .filter(|row| {
                watched(row)
                    && !self.calls.busy.contains(&row.id)
                    && row
                        .cloud_id
                        .as_deref()
                        .is_some_and(|id| !listed.contains(id))
                    && now.duration_since(row.state_since) >= grace
            })
            .collect();
        // Many VMs of one config gone at once is more likely a bad read than a real loss:
        // the config stops and waits for the administrator instead.
        let mut doubted = std::collections::HashSet::new();
        for config in gone
            .iter()
            .map(|row| row.config)
            .collect::<std::collections::BTreeSet<_>>()
        {
            let lost = gone.iter().filter(|row| row.config == config).count();
            let of = live
                .values()
                .filter(|row| row.config == config && watched(row))
                .count();
            if lost >= 2 && lost * 2 > of {
                doubted.insert(config);
                self.doubt_listing(config, lost, of, now)?;
            }
        }
        for row in gone {
            if !doubted.contains(&row.config) {
                self.vanished(row, now)?;
            }
        }
        Ok(())
    }

    /// Stops `config` instead of marking `lost` of its `of` instances lost at once.
    fn doubt_listing(
        &mut self,
        config: AutoScaleId,
        lost: usize,
        of: usize,
        now: jiff::Timestamp,
    ) -> Result<(), Halt> {
        let mut health = self.health(config)?;
        if health.stopped_reason.is_some() {
            return Ok(());
        }
        let message = format!(
            "the cloud no longer lists {lost} of this config's {of} instances at once; none was marked lost and the config stopped: check the cloud, then resume it"
        );
        health.stop(&message);
        let pool = self
            .world
            .configs
            .get(&config)
            .map_or(crate::model::PoolId(0), |c| c.spec.pool);
        self.save_health(config, pool, &health, message, now)
    }

    fn adopt(&mut self, row: &Instance, vm: &CloudVm) -> Result<(), Halt> {
        let now = self.now();
        let event = ScalerEvent::new(
            now,
            EventKind::Reconcile,
            format!(
                "{}: its VM {} exists though the create was never answered; adopted",
                row.name, vm.cloud_id
            ),
        )
        .with_pool(row.pool)
        .with_config(row.config);
        if self.store.move_instance(
            row.id,
            &[InstanceState::Requested, InstanceState::Creating],
            InstanceState::Booting,
            &InstanceChange {
                cloud_id: Some(vm.cloud_id.clone()),
                ..InstanceChange::default()
            },
            now,
            event.clone(),
        )? {
            self.emit(event.with_instance(row.id));
        }
        Ok(())
    }

    fn terminate_orphan(&mut self, provider: VmProviderId, vm: &CloudVm) {
        if !self.calls.orphans_in_flight.insert(vm.cloud_id.clone()) {
            return;
        }
        if let Ok(ctx) = self.context(provider) {
            tracing::warn!(vm = %vm.cloud_id, name = %vm.name, "terminating an orphan VM");
            self.spawn(
                None,
                operations::delete_orphan(ctx, provider, vm.cloud_id.clone()),
            );
        }
    }
}

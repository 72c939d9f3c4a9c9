//! Reconciliation (DESIGN §4.4): what each cloud lists under our owner tag against what the
//! store says. Unclaimed VMs past the grace period are orphans and are terminated; rows
//! whose VM is gone are lost; rows left mid-create by a crash adopt the VM they made.

use super::executor::{Halt, Scaler};
use super::operations::{self, Outcome};
use super::world::World;
use crate::cloud::{CloudError, CloudVm, tags};
use crate::model::VmProviderId;
use crate::model::instance::{Instance, InstanceId, InstanceState};
use crate::model::scaler_event::{EventKind, ScalerEvent};
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
            if self.listing.contains(&provider) {
                continue;
            }
            // A provider whose client cannot be made (a malformed key) has nothing to list.
            let Ok(ctx) = self.context(provider) else {
                continue;
            };
            self.listing.insert(provider);
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
            Ok(vms) => vms,
            Err(e) => {
                let event = ScalerEvent::new(
                    now,
                    EventKind::Error,
                    format!("reconciliation could not list the VMs: {e}"),
                );
                self.step()?;
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
                    ) && !self.busy.contains(&row.id) =>
                {
                    self.adopt(row, vm)?;
                }
                Some(row)
                    if row.cloud_id.is_none() || row.cloud_id.as_ref() == Some(&vm.cloud_id) => {}
                // A twin of a claimed VM, or a VM no live row claims.
                _ if now.duration_since(vm.created_at) >= grace => {
                    self.terminate_orphan(provider, vm)
                }
                _ => {}
            }
        }
        let listed: std::collections::HashSet<&str> =
            vms.iter().map(|vm| vm.cloud_id.as_str()).collect();
        for row in live.values() {
            let missing = row
                .cloud_id
                .as_deref()
                .is_some_and(|id| !listed.contains(id));
            let watched = matches!(
                row.state,
                InstanceState::Booting | InstanceState::Running | InstanceState::Draining
            );
            if missing && watched && !self.busy.contains(&row.id) {
                self.vanished(row, now)?;
            }
        }
        Ok(())
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
        self.step()?;
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
        if !self.orphans_in_flight.insert(vm.cloud_id.clone()) {
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

//! Cloud calls run as background tasks. A task only talks to the cloud; what it learned
//! comes back as an [`Outcome`] that the scaler writes to the store, so the store has one
//! writer and a task that dies leaves nothing half-written.

use super::call_guard::CallGuard;
use super::retry::RetryPolicy;
use crate::cloud::{CloudError, CloudVm, CreateRequest, DnsCloud, VmCloud, VmState};
use crate::directory::{
    ComputerRecord, DirectoryError, Placement, Removal, delete_computer, ensure_computer,
};
use crate::model::VmProviderId;
use crate::model::dns_provider::RegisterAddress;
use crate::model::instance::InstanceId;
use crate::model::ldap::LdapSpec;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// What a finished task learned.
#[derive(Debug)]
pub enum Outcome {
    /// A create call answered.
    Created(InstanceId, Result<CloudVm, CloudError>),
    /// A booting instance was looked at: the VM, and whether it checked in.
    Polled(InstanceId, Result<(CloudVm, bool), CloudError>),
    /// A delete call answered.
    Deleted(InstanceId, Result<(), CloudError>),
    /// A VM no instance claims was terminated (or could not be).
    OrphanDeleted(VmProviderId, String, Result<(), CloudError>),
    /// The VMs carrying our owner tag in one provider config.
    Listed(VmProviderId, Result<Vec<CloudVm>, CloudError>),
    /// A DNS record was written, removed or left unwritten.
    Dns(InstanceId, String, Result<DnsDone, CloudError>),
    /// The directory placed an instance's computer record (or refused).
    ComputerPlaced(InstanceId, Result<Placement, DirectoryError>),
    /// The directory removed an instance's computer record (or could not).
    ComputerRemoved(InstanceId, Result<Removal, DirectoryError>),
    /// The failpoint tripped (the task's result is lost, as in a crash), or this node lost
    /// the scaler's lease before the call (none was made).
    Crashed,
}

/// What to do with an instance's A record.
pub enum DnsChange {
    /// Write it, with the address the config's Register choice picks.
    Write {
        /// The address the instance reported (its private one, else public).
        reported: Option<String>,
        /// Its VM, to read the public address from when that is the one registered.
        vm: Option<(TaskContext, String)>,
        /// The DNS Provider config's Register choice.
        register: RegisterAddress,
    },
    /// Remove it.
    Remove,
}

/// What became of an A record.
#[derive(Debug, PartialEq)]
pub enum DnsDone {
    /// Written with this address.
    Written(String),
    /// Removed (or was not there).
    Removed,
    /// Not written, for this reason.
    Skipped(String),
}

/// What every task gets: the cloud, the provider's concurrency limit, and what it asks
/// before each call.
#[derive(Clone)]
pub struct TaskContext {
    /// The provider config's VM client.
    pub cloud: Arc<dyn VmCloud>,
    /// Bounds the provider config's calls in flight.
    pub permits: Arc<Semaphore>,
    /// How retryable errors are repeated.
    pub retry: RetryPolicy,
    /// The failpoint and the lease, asked before each call.
    pub guard: CallGuard,
}

impl TaskContext {
    /// Runs `call` under a permit, retrying what is worth retrying; each attempt only
    /// while this node still holds the scaler's lease.
    async fn call<T, F, Fut>(&self, call: F) -> Result<T, CloudError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, CloudError>>,
    {
        // The semaphore is never closed, so a permit always comes.
        let _permit = self.permits.acquire().await;
        self.retry.run_while(|| self.guard.may_call(), call).await
    }
}

/// Runs `work` unless the failpoint trips (or the lease is lost) before it, or the
/// failpoint trips while it ran: then its result is lost, as in a crash.
async fn guarded<T>(guard: &CallGuard, work: impl Future<Output = T>) -> Option<T> {
    if guard.crashed() || !guard.leads() {
        return None;
    }
    let result = work.await;
    (!guard.crashed()).then_some(result)
}

/// Creates the VM of `instance`, with its token, so a repeat never makes a twin.
pub async fn create(ctx: TaskContext, instance: InstanceId, request: CreateRequest) -> Outcome {
    guarded(&ctx.guard, ctx.call(|| ctx.cloud.create(&request)))
        .await
        .map_or(Outcome::Crashed, |result| {
            Outcome::Created(instance, result)
        })
}

/// What makes a booting instance count as checked in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckInProbe {
    /// The cloud saying it runs.
    CloudOnly,
    /// A TCP connect to this port once it runs.
    Port(u16),
    /// Its agent's `POST /v1/checkin` (the scaler sees it on the instance row, not here).
    Agent,
}

/// Looks at a booting VM and, once it runs, tries its check-in port.
pub async fn poll(
    ctx: TaskContext,
    instance: InstanceId,
    cloud_id: String,
    probe: CheckInProbe,
) -> Outcome {
    let look = async {
        let vm = ctx.call(|| ctx.cloud.status(&cloud_id)).await?;
        let checked_in = match (vm.state, probe) {
            (VmState::Running, CheckInProbe::Port(port)) => ctx.cloud.check_in(&vm, port).await,
            (VmState::Running, CheckInProbe::CloudOnly) => true,
            _ => false,
        };
        Ok((vm, checked_in))
    };
    guarded(&ctx.guard, look)
        .await
        .map_or(Outcome::Crashed, |result| Outcome::Polled(instance, result))
}

/// Deletes the VM of `instance` (already gone counts as deleted).
pub async fn delete(ctx: TaskContext, instance: InstanceId, cloud_id: String) -> Outcome {
    guarded(&ctx.guard, ctx.call(|| ctx.cloud.delete(&cloud_id)))
        .await
        .map_or(Outcome::Crashed, |result| {
            Outcome::Deleted(instance, result)
        })
}

/// Terminates a VM that carries our owner tag and that no instance claims.
pub async fn delete_orphan(ctx: TaskContext, provider: VmProviderId, cloud_id: String) -> Outcome {
    guarded(&ctx.guard, ctx.call(|| ctx.cloud.delete(&cloud_id)))
        .await
        .map_or(Outcome::Crashed, |result| {
            Outcome::OrphanDeleted(provider, cloud_id.clone(), result)
        })
}

/// Lists the VMs that carry `owner`.
pub async fn list(ctx: TaskContext, provider: VmProviderId, owner: String) -> Outcome {
    guarded(&ctx.guard, ctx.call(|| ctx.cloud.list_owned(&owner)))
        .await
        .map_or(Outcome::Crashed, |result| Outcome::Listed(provider, result))
}

/// Writes or removes the A record `name`. An address that is not IPv4 (a host name, say)
/// is never written: the record is skipped, with why.
pub async fn dns(
    dns: Arc<dyn DnsCloud>,
    (retry, guard): (RetryPolicy, CallGuard),
    instance: InstanceId,
    name: String,
    change: DnsChange,
) -> Outcome {
    let work = async {
        match change {
            DnsChange::Remove => retry
                .run_while(|| guard.may_call(), || dns.delete_a(&name))
                .await
                .map(|()| DnsDone::Removed),
            DnsChange::Write {
                reported,
                vm,
                register,
            } => write_record(&*dns, (retry, &guard), &name, reported, vm, register).await,
        }
    };
    guarded(&guard, work)
        .await
        .map_or(Outcome::Crashed, |result| {
            Outcome::Dns(instance, name.clone(), result)
        })
}

async fn write_record(
    dns: &dyn DnsCloud,
    (retry, guard): (RetryPolicy, &CallGuard),
    name: &str,
    reported: Option<String>,
    vm: Option<(TaskContext, String)>,
    register: RegisterAddress,
) -> Result<DnsDone, CloudError> {
    let public = match (register, vm) {
        (RegisterAddress::Public, Some((ctx, cloud_id))) => {
            ctx.call(|| ctx.cloud.status(&cloud_id))
                .await?
                .public_address
        }
        _ => None,
    };
    match register.pick(reported.as_deref(), public.as_deref()) {
        Some(address) => retry
            .run_while(|| guard.may_call(), || dns.upsert_a(name, &address))
            .await
            .map(|()| DnsDone::Written(address)),
        None => Ok(DnsDone::Skipped(match reported {
            Some(reported) => format!("{reported} is not an IPv4 address"),
            None => "the instance has no address".to_owned(),
        })),
    }
}

/// Creates (or reclaims) the computer record of `instance` through `ldap` before its VM
/// exists.
pub async fn place_computer(
    guard: CallGuard,
    instance: InstanceId,
    ldap: LdapSpec,
    record: ComputerRecord,
) -> Outcome {
    guarded(&guard, ensure_computer(&ldap, &record))
        .await
        .map_or(Outcome::Crashed, |result| {
            Outcome::ComputerPlaced(instance, result)
        })
}

/// Removes the computer record `dn` of an instance that is over, if pooladmin made it.
pub async fn remove_computer(
    guard: CallGuard,
    instance: InstanceId,
    ldap: LdapSpec,
    dn: String,
    owner: String,
) -> Outcome {
    guarded(&guard, delete_computer(&ldap, &dn, &owner))
        .await
        .map_or(Outcome::Crashed, |result| {
            Outcome::ComputerRemoved(instance, result)
        })
}

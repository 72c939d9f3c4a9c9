//! What the window (or the headless loop) asks of the scaler, on its command channel.

use crate::model::AutoScaleId;
use crate::model::cloud_list::ListKind;
use crate::model::dns_provider::DnsProviderSpec;
use crate::model::instance::InstanceId;
use crate::model::ldap::LdapSpec;
use crate::model::vm_provider::VmProviderSpec;

/// What a Test connection click asks about.
#[derive(Clone, Debug, PartialEq)]
pub enum ConnectionTarget {
    /// A VM Provider config.
    Vm(Box<VmProviderSpec>),
    /// A DNS Provider config.
    Dns(Box<DnsProviderSpec>),
    /// An LDAP config, and the computer OUs to look for.
    Ldap(Box<LdapSpec>, Vec<String>),
}

/// What the window (or the headless loop) asks of the scaler.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Something changed: plan again now.
    Wake,
    /// Stop creating for this config until resumed.
    Pause(AutoScaleId),
    /// Resume a paused, backing-off or stopped config.
    Resume(AutoScaleId),
    /// Take no new sessions on this instance; delete it once empty.
    Drain(InstanceId),
    /// One cheap read against a provider config as typed (saved or not); the answer comes
    /// back as [`Update::ConnectionTested`](super::Update::ConnectionTested) with the same number.
    TestConnection(u64, ConnectionTarget),
    /// One list of what a VM Provider config's account has (as typed, saved or not), for a
    /// form's picker; the answer comes back as [`Update::CloudListed`](super::Update::CloudListed) with the same number.
    ListCloud(u64, Box<VmProviderSpec>, ListKind, String),
    /// Finish what is in flight and stop.
    Shutdown,
}

//! Instances: the VMs the scaler asked a cloud for, and where each is in its lifecycle
//! (DESIGN §4): `requested → creating → booting → running → draining → deleting → deleted`,
//! plus `failed` and `lost`.

use super::{AgentId, AutoScaleId, LdapId, PoolId, PoolKind, Resources, ServerId, VmProviderId};
use jiff::Timestamp;
use std::fmt;

/// Row id of an instance; also its `pooladmin-instance` tag in the cloud.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstanceId(pub i64);

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where an instance is in its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InstanceState {
    /// Written down before the cloud is called (the intent).
    Requested,
    /// The create call is on its way.
    Creating,
    /// The cloud has it; waiting for it to run and check in.
    Booting,
    /// Running and a member of its pool.
    Running,
    /// Takes no new sessions; deleted once empty.
    Draining,
    /// The delete call is on its way.
    Deleting,
    /// Gone, as asked.
    Deleted,
    /// Never became usable (with a reason); its VM is gone.
    Failed,
    /// Gone from the cloud without being asked.
    Lost,
}

impl InstanceState {
    /// Every state, in lifecycle order.
    pub const ALL: [InstanceState; 9] = [
        Self::Requested,
        Self::Creating,
        Self::Booting,
        Self::Running,
        Self::Draining,
        Self::Deleting,
        Self::Deleted,
        Self::Failed,
        Self::Lost,
    ];

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Creating => "creating",
            Self::Booting => "booting",
            Self::Running => "running",
            Self::Draining => "draining",
            Self::Deleting => "deleting",
            Self::Deleted => "deleted",
            Self::Failed => "failed",
            Self::Lost => "lost",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// What the screens show.
    pub fn label(self) -> &'static str {
        match self {
            Self::Requested => "Requested",
            Self::Creating => "Creating",
            Self::Booting => "Booting",
            Self::Running => "Running",
            Self::Draining => "Draining",
            Self::Deleting => "Deleting",
            Self::Deleted => "Deleted",
            Self::Failed => "Failed",
            Self::Lost => "Lost",
        }
    }

    /// Ended: its VM is gone (or left to the orphan sweep), and it counts for nothing.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Deleted | Self::Failed | Self::Lost)
    }

    /// Asked for but not yet usable: its capacity counts as in flight.
    pub fn is_provisioning(self) -> bool {
        matches!(self, Self::Requested | Self::Creating | Self::Booting)
    }
}

/// The states of [`InstanceState::is_terminal`] as an SQL list, `('deleted', …)`: a literal,
/// so queries can `concat!` it; a test holds it to the method.
macro_rules! terminal_states_sql {
    () => {
        "('deleted', 'failed', 'lost')"
    };
}
pub(crate) use terminal_states_sql;

/// The states of [`InstanceState::is_provisioning`] as an SQL list, like
/// [`terminal_states_sql`].
macro_rules! provisioning_states_sql {
    () => {
        "('requested', 'creating', 'booting')"
    };
}
pub(crate) use provisioning_states_sql;

impl fmt::Display for InstanceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What one instance of a config brings to its pool, fixed when it is requested.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum InstanceSize {
    /// A docker agent of this capacity.
    Agent(Resources),
    /// A server with this many session slots.
    Server {
        /// Max Simultaneous Sessions Per Server.
        slots: u32,
    },
}

impl InstanceSize {
    /// What it brings as the scaler counts it: an agent's resources, a server's session
    /// slots in `cores`.
    pub fn as_resources(&self) -> Resources {
        match self {
            Self::Agent(r) => *r,
            Self::Server { slots } => Resources::new(f64::from(*slots), 0, 0),
        }
    }

    /// The pool type it serves.
    pub fn kind(&self) -> PoolKind {
        match self {
            Self::Agent(_) => PoolKind::DockerAgent,
            Self::Server { .. } => PoolKind::Server,
        }
    }
}

/// The member row an instance became once it ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceMember {
    /// A server of a Server pool.
    Server(ServerId),
    /// A docker agent of a Docker Agent pool.
    Agent(AgentId),
}

/// One instance as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    /// Its key in the database, never reused (it names the VM and its tags).
    pub id: InstanceId,
    /// The AutoScale config that asked for it.
    pub config: AutoScaleId,
    /// The VM Provider config it was created with.
    pub vm_provider: VmProviderId,
    /// The pool it serves.
    pub pool: PoolId,
    /// Its name in the cloud (also the member's host name).
    pub name: String,
    /// The idempotency token of its create call.
    pub token: String,
    /// Lifecycle state.
    pub state: InstanceState,
    /// When it entered that state.
    pub state_since: Timestamp,
    /// When it was requested.
    pub created_at: Timestamp,
    /// The cloud's id for it, once the cloud answered.
    pub cloud_id: Option<String>,
    /// Its address, once it has one.
    pub address: Option<String>,
    /// The member row it became, while it runs.
    pub member: Option<InstanceMember>,
    /// What it brings.
    pub size: InstanceSize,
    /// Whether a session ever ran on it.
    pub used: bool,
    /// Why it failed, was lost or is being deleted.
    pub reason: Option<String>,
    /// Its deletion ends it as failed (it never became usable).
    pub ends_failed: bool,
    /// The Active Directory computer name claimed for it (also its host name in the cloud).
    pub computer_name: Option<String>,
    /// The DN of its computer record while the record may exist.
    pub computer_dn: Option<String>,
    /// The LDAP config its computer record was made through.
    pub computer_ldap: Option<LdapId>,
    /// What its agent said when it checked in through the API (Agent check-in).
    pub check_in: Option<InstanceCheckIn>,
}

/// An agent's check-in for an instance that is not a member yet.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceCheckIn {
    /// When it last checked in (or heartbeat).
    pub at: Timestamp,
    /// The address it gave.
    pub address: String,
    /// What it has.
    pub resources: Resources,
    /// Its agent's version.
    pub version: String,
}

impl Instance {
    /// The host name its VM gets: the computer name when it has one, else its own name.
    pub fn host_name(&self) -> &str {
        self.computer_name.as_deref().unwrap_or(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_from_its_stored_spelling() {
        for state in InstanceState::ALL {
            assert_eq!(InstanceState::parse(state.as_str()), Some(state));
        }
        assert_eq!(InstanceState::parse("running "), None);
    }
}

#[cfg(test)]
mod sql_lists {
    use super::InstanceState;

    fn listed(sql: &str) -> Vec<&str> {
        sql.trim_matches(|c| c == '(' || c == ')')
            .split(", ")
            .map(|s| s.trim_matches('\''))
            .collect()
    }

    fn named(keep: fn(InstanceState) -> bool) -> Vec<&'static str> {
        InstanceState::ALL
            .into_iter()
            .filter(|s| keep(*s))
            .map(InstanceState::as_str)
            .collect()
    }

    #[test]
    fn the_sql_lists_are_the_methods_states() {
        assert_eq!(
            listed(terminal_states_sql!()),
            named(InstanceState::is_terminal)
        );
        assert_eq!(
            listed(provisioning_states_sql!()),
            named(InstanceState::is_provisioning)
        );
    }
}

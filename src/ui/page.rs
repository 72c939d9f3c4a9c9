//! The pages of the left navigation.

use crate::model::PoolId;
use serde::{Deserialize, Serialize};

/// Which page the central panel shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Page {
    /// The Pools table.
    Pools,
    /// One pool with its members.
    Pool(PoolId),
    /// Every server.
    Servers,
    /// Every docker agent.
    DockerAgents,
    /// Deployment zones.
    Zones,
    /// Staging configs.
    Staging,
    /// Sessions.
    Sessions,
    /// All AutoScale configs.
    AutoScale,
    /// All VM Provider configs.
    VmProviders,
    /// All DNS Provider configs.
    DnsProviders,
    /// LDAP configs.
    Ldap,
    /// The scaler's event log.
    Events,
    /// The HTTP API's settings and keys.
    Api,
    /// The nodes of a deployment on one PostgreSQL database, and which runs the scaler.
    Nodes,
    /// Currency and session history.
    General,
}

impl Page {
    /// The pages of the navigation, in order.
    pub const NAVIGATION: [Page; 14] = [
        Page::Pools,
        Page::Servers,
        Page::DockerAgents,
        Page::Zones,
        Page::Staging,
        Page::Sessions,
        Page::AutoScale,
        Page::VmProviders,
        Page::DnsProviders,
        Page::Ldap,
        Page::Events,
        Page::Api,
        Page::Nodes,
        Page::General,
    ];

    /// The navigation's entry it belongs to (a pool's page to Pools).
    pub fn nav_item(self) -> Page {
        match self {
            Page::Pool(_) => Page::Pools,
            other => other,
        }
    }

    /// What the navigation shows.
    pub fn title(self) -> &'static str {
        match self {
            Page::Pools | Page::Pool(_) => "Pools",
            Page::Servers => "Servers",
            Page::DockerAgents => "Docker Agents",
            Page::Zones => "Deployment Zones",
            Page::Staging => "Staging Configs",
            Page::Sessions => "Sessions",
            Page::AutoScale => "AutoScale Configs",
            Page::VmProviders => "VM Provider Configs",
            Page::DnsProviders => "DNS Provider Configs",
            Page::Ldap => "LDAP Configs",
            Page::Events => "Events",
            Page::Api => "API",
            Page::Nodes => "Nodes",
            Page::General => "General",
        }
    }
}

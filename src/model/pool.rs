//! Pools: named groups of similar compute that users see as one Workspace.

use super::PoolId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a pool holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum PoolKind {
    /// Fixed systems reached by KasmVNC, RDP, SSH or VNC.
    Server,
    /// Hosts that run container sessions.
    DockerAgent,
}

impl PoolKind {
    /// Both kinds, in the order the forms offer them.
    pub const ALL: [PoolKind; 2] = [PoolKind::Server, PoolKind::DockerAgent];

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Server => "server",
            Self::DockerAgent => "docker_agent",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "server" => Some(Self::Server),
            "docker_agent" => Some(Self::DockerAgent),
            _ => None,
        }
    }

    /// What the forms and tables show.
    pub fn label(self) -> &'static str {
        match self {
            Self::Server => "Server",
            Self::DockerAgent => "Docker Agent",
        }
    }

    /// How one member of such a pool is called, for messages.
    pub fn member_noun(self) -> &'static str {
        match self {
            Self::Server => "server",
            Self::DockerAgent => "docker agent",
        }
    }
}

/// A named pool of servers or docker agents. The name is unique (case-insensitive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pool {
    /// Its key in the database, stable for its life (a rename keeps it).
    pub id: PoolId,
    /// Unique name.
    pub name: String,
    /// Server or Docker Agent; fixed at creation.
    pub kind: PoolKind,
}

//! Whether a server or agent was added by hand or created by an AutoScale config.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where a member of a pool came from; autoscaled members may be deleted by the scaler.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Origin {
    /// Added by hand by an administrator; the scaler never deletes it.
    #[default]
    Static,
    /// Created by an AutoScale config.
    Autoscaled,
}

impl Origin {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Static => "static",
            Self::Autoscaled => "autoscaled",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "static" => Some(Self::Static),
            "autoscaled" => Some(Self::Autoscaled),
            _ => None,
        }
    }

    /// What the tables show.
    pub fn label(self) -> &'static str {
        match self {
            Self::Static => "Static",
            Self::Autoscaled => "Autoscaled",
        }
    }
}

//! The clouds pooladmin creates VMs in, and what the seed calls their fields.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The clouds pooladmin creates VMs in, plus the simulator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ProviderKind {
    /// Amazon EC2.
    Aws,
    /// Microsoft Azure.
    Azure,
    /// DigitalOcean droplets.
    DigitalOcean,
    /// Google Compute Engine.
    Gcp,
    /// Oracle Cloud Infrastructure.
    Oci,
    /// An in-process cloud for demos and tests.
    Simulator,
}

impl ProviderKind {
    /// Every provider, in the order the wizard offers them.
    pub const ALL: [ProviderKind; 6] = [
        Self::Aws,
        Self::Azure,
        Self::DigitalOcean,
        Self::Gcp,
        Self::Oci,
        Self::Simulator,
    ];

    /// What the forms show.
    pub fn label(self) -> &'static str {
        match self {
            Self::Aws => "AWS",
            Self::Azure => "Azure",
            Self::DigitalOcean => "Digital Ocean",
            Self::Gcp => "Google Cloud",
            Self::Oci => "Oracle Cloud",
            Self::Simulator => "Simulator",
        }
    }

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aws => "aws",
            Self::Azure => "azure",
            Self::DigitalOcean => "digitalocean",
            Self::Gcp => "gcp",
            Self::Oci => "oci",
            Self::Simulator => "simulator",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The seed's label of the Max instances field for this cloud.
    pub fn max_instances_label(self) -> &'static str {
        match self {
            Self::Aws => "AWS: Max EC2 Nodes",
            Self::DigitalOcean => "Max Droplets",
            _ => "Max Instances",
        }
    }

    /// The seed's label of the startup script field for this cloud.
    pub fn startup_script_label(self) -> &'static str {
        match self {
            Self::Aws => "AWS: EC2 Startup Script",
            Self::Azure => "Agent Startup Script",
            _ => "Startup Script",
        }
    }

    /// The most user data the cloud accepts, in bytes of the script before encoding.
    pub fn user_data_limit(self) -> usize {
        match self {
            // EC2: 16 KB of raw user data.
            Self::Aws => 16 * 1024,
            // Azure custom data and DigitalOcean user data: 64 KB.
            Self::Azure | Self::DigitalOcean => 64 * 1024,
            // GCE: a metadata value may hold 256 KB.
            Self::Gcp => 256 * 1024,
            // OCI: all metadata within 32,000 bytes, user_data base64-encoded in it.
            Self::Oci => 23_000,
            Self::Simulator => 1024 * 1024,
        }
    }
}

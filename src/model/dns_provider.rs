//! DNS Provider configs: credentials to register `<id>.<Base Domain Name>` records in one
//! cloud's DNS. Every field of the seed's DNS tables.

use super::credentials::note;
use super::credentials::{
    AwsCredentials, AzureCredentials, GcpCredentials, OciCredentials, check_digitalocean_token,
    required,
};
use super::validation::check_name;
use super::vm_provider::{ProviderKind, check_endpoint};
use super::{Secret, ValidationErrors};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One cloud's DNS credentials.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub enum DnsSettings {
    /// Route 53: Access Key ID, Access Key Secret.
    Aws(AwsCredentials),
    /// Azure DNS.
    Azure(AzureCredentials),
    /// DigitalOcean domains: Token.
    DigitalOcean {
        /// Token.
        #[serde(skip)]
        token: Secret,
    },
    /// Cloud DNS: Project, Credentials.
    Gcp {
        /// Project.
        project: String,
        /// Credentials.
        credentials: GcpCredentials,
    },
    /// OCI DNS.
    Oci(OciCredentials),
}

impl DnsSettings {
    /// Empty settings for `kind`; the simulator has no DNS.
    pub fn new(kind: ProviderKind) -> Option<Self> {
        Some(match kind {
            ProviderKind::Aws => Self::Aws(AwsCredentials::default()),
            ProviderKind::Azure => Self::Azure(AzureCredentials::default()),
            ProviderKind::DigitalOcean => Self::DigitalOcean {
                token: Secret::default(),
            },
            ProviderKind::Gcp => Self::Gcp {
                project: String::new(),
                credentials: GcpCredentials::default(),
            },
            ProviderKind::Oci => Self::Oci(OciCredentials::default()),
            ProviderKind::Simulator => return None,
        })
    }

    /// Which cloud.
    pub fn kind(&self) -> ProviderKind {
        match self {
            Self::Aws(_) => ProviderKind::Aws,
            Self::Azure(_) => ProviderKind::Azure,
            Self::DigitalOcean { .. } => ProviderKind::DigitalOcean,
            Self::Gcp { .. } => ProviderKind::Gcp,
            Self::Oci(_) => ProviderKind::Oci,
        }
    }

    /// Every secret field with its label.
    pub fn secrets_mut(&mut self) -> Vec<(&'static str, &mut Secret)> {
        match self {
            Self::Aws(c) => vec![("Access Key Secret", &mut c.secret_access_key)],
            Self::Azure(c) => vec![("Client Secret", &mut c.client_secret)],
            Self::DigitalOcean { token } => vec![("Token", token)],
            Self::Gcp { credentials, .. } => vec![("Credentials", &mut credentials.key_json)],
            Self::Oci(c) => vec![("Private Key", &mut c.private_key)],
        }
    }

    fn check(&self, errors: &mut ValidationErrors) {
        match self {
            Self::Aws(c) => c.check(errors, "Access Key ID", "Access Key Secret"),
            Self::Azure(c) => c.check(errors),
            Self::DigitalOcean { token } => check_digitalocean_token(errors, token),
            Self::Gcp {
                project,
                credentials,
            } => {
                required(errors, "Project", project);
                credentials.check(errors, "Credentials");
            }
            Self::Oci(c) => c.check(errors, "Fingerprint"),
        }
    }
}

/// A DNS Provider config as the administrator sets it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DnsProviderSpec {
    /// Name; unique.
    pub name: String,
    /// Another API endpoint; blank for the cloud's own.
    pub endpoint_override: String,
    /// The cloud's credentials.
    pub settings: DnsSettings,
}

impl DnsProviderSpec {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        check_name(&mut errors, "Name", &self.name);
        note(
            &mut errors,
            "Endpoint Override",
            check_endpoint(&self.endpoint_override),
        );
        self.settings.check(&mut errors);
        errors.into_result(())
    }
}

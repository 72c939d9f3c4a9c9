//! DNS Provider configs: credentials to register `<id>.<Base Domain Name>` records in one
//! cloud's DNS. Every field of the seed's DNS tables.

use super::credentials::note;
use super::credentials::{
    AwsCredentials, AzureCredentials, GcpCredentials, OciCredentials, check_digitalocean_token,
    required,
};
use super::validation::check_endpoint;
use super::validation::check_name;
use super::vm_provider::ProviderKind;
use super::{Secret, ValidationErrors};
use crate::model::Field;
use crate::model::field::{DnsField, OciCredentialField};
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
            Self::Aws(c) => c.check(
                errors,
                DnsField::AwsAccessKeyId,
                DnsField::AwsAccessKeySecret,
            ),
            Self::Azure(c) => c.check(errors, Field::dns_azure),
            Self::DigitalOcean { token } => {
                check_digitalocean_token(errors, DnsField::DigitalOceanToken, token);
            }
            Self::Gcp {
                project,
                credentials,
            } => {
                required(errors, DnsField::GcpProject, project);
                credentials.check(errors, DnsField::GcpCredentials);
            }
            Self::Oci(c) => c.check(errors, Field::dns_oci, OciCredentialField::Fingerprint),
        }
    }
}

/// Which of an instance's addresses its A record holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RegisterAddress {
    /// Its public address when it has one, else its private one.
    #[default]
    Public,
    /// Its private address (for names only the private network resolves to).
    Private,
}

impl RegisterAddress {
    /// Both choices, in the order the form offers them.
    pub const ALL: [RegisterAddress; 2] = [Self::Public, Self::Private];

    /// What the form shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Public => "Public address (private when it has none)",
            Self::Private => "Private address",
        }
    }

    /// The address to register from a VM's `private` (else public) and `public` addresses;
    /// `None` when the chosen one is not an IPv4 address (an A record never holds a name).
    pub fn pick(self, private: Option<&str>, public: Option<&str>) -> Option<String> {
        let chosen = match self {
            Self::Public => public.or(private),
            Self::Private => private,
        }?;
        chosen
            .trim()
            .parse::<std::net::Ipv4Addr>()
            .ok()
            .map(|ip| ip.to_string())
    }
}

/// A DNS Provider config as the administrator sets it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DnsProviderSpec {
    /// Name; unique.
    pub name: String,
    /// Another API endpoint; blank for the cloud's own.
    pub endpoint_override: String,
    /// Register: which address the records hold.
    #[serde(default)]
    pub register: RegisterAddress,
    /// The cloud's credentials.
    pub settings: DnsSettings,
}

impl DnsProviderSpec {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        check_name(&mut errors, DnsField::Name, &self.name);
        note(
            &mut errors,
            DnsField::EndpointOverride,
            check_endpoint(&self.endpoint_override),
        );
        self.settings.check(&mut errors);
        errors.into_result(())
    }
}

#[cfg(test)]
mod tests {
    use super::RegisterAddress;

    #[test]
    fn the_public_address_is_registered_when_there_is_one_and_never_a_name() {
        let public = RegisterAddress::Public;
        assert_eq!(
            public
                .pick(Some("10.0.0.5"), Some("203.0.113.7"))
                .as_deref(),
            Some("203.0.113.7")
        );
        assert_eq!(
            public.pick(Some("10.0.0.5"), None).as_deref(),
            Some("10.0.0.5")
        );
        assert_eq!(
            RegisterAddress::Private
                .pick(Some("10.0.0.5"), Some("203.0.113.7"))
                .as_deref(),
            Some("10.0.0.5")
        );
        assert_eq!(public.pick(Some("pa-1a2b3c4d-7"), None), None, "a name");
        assert_eq!(public.pick(None, None), None);
        assert_eq!(public.pick(Some("fd00::1"), None), None, "not an A record");
    }
}

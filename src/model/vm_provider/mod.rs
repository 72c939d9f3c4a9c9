//! VM Provider configs: how to create a VM in one cloud. Fields hold text as typed (the form
//! edits them in place); `validate` proves every one parses, and the typed accessors of each
//! cloud's settings read them after that.

pub mod aws;
pub mod azure;
pub mod digitalocean;
pub mod gcp;
pub mod kind;
pub mod oci;
pub mod simulator;

pub use super::validation::check_endpoint;
pub use aws::AwsSettings;
pub use azure::AzureSettings;
pub use digitalocean::DigitalOceanSettings;
pub use gcp::GcpSettings;
pub use kind::ProviderKind;
pub use oci::OciSettings;
pub use simulator::SimulatorSettings;

use super::cost::{CostTerms, parse_terms};
use super::credentials::note;
use super::startup_script::{check_size, unknown_placeholders};
use super::validation::{check_name, parse_whole};
use super::{Secret, ValidationErrors};
use crate::model::field::{ProviderField, VmProviderField};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The most instances one VM Provider config may run.
pub const MAX_INSTANCES: i64 = 1000;

/// One cloud's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub enum ProviderSettings {
    /// AWS.
    Aws(AwsSettings),
    /// Azure.
    Azure(AzureSettings),
    /// DigitalOcean.
    DigitalOcean(DigitalOceanSettings),
    /// Google Cloud.
    Gcp(GcpSettings),
    /// Oracle Cloud.
    Oci(OciSettings),
    /// The simulator.
    Simulator(SimulatorSettings),
}

impl ProviderSettings {
    /// Empty settings of `kind`, with the seed's usual defaults.
    pub fn new(kind: ProviderKind) -> Self {
        match kind {
            ProviderKind::Aws => Self::Aws(AwsSettings::default()),
            ProviderKind::Azure => Self::Azure(AzureSettings::default()),
            ProviderKind::DigitalOcean => Self::DigitalOcean(DigitalOceanSettings::default()),
            ProviderKind::Gcp => Self::Gcp(GcpSettings::default()),
            ProviderKind::Oci => Self::Oci(OciSettings::default()),
            ProviderKind::Simulator => Self::Simulator(SimulatorSettings::default()),
        }
    }

    /// Which cloud.
    pub fn kind(&self) -> ProviderKind {
        match self {
            Self::Aws(_) => ProviderKind::Aws,
            Self::Azure(_) => ProviderKind::Azure,
            Self::DigitalOcean(_) => ProviderKind::DigitalOcean,
            Self::Gcp(_) => ProviderKind::Gcp,
            Self::Oci(_) => ProviderKind::Oci,
            Self::Simulator(_) => ProviderKind::Simulator,
        }
    }

    fn check(&self, errors: &mut ValidationErrors) {
        match self {
            Self::Aws(s) => s.check(errors),
            Self::Azure(s) => s.check(errors),
            Self::DigitalOcean(s) => s.check(errors),
            Self::Gcp(s) => s.check(errors),
            Self::Oci(s) => s.check(errors),
            Self::Simulator(s) => s.check(errors),
        }
    }

    /// Every secret field with its label, for sealing and for redaction checks.
    pub fn secrets_mut(&mut self) -> Vec<(&'static str, &mut Secret)> {
        match self {
            Self::Aws(s) => vec![(
                "AWS Secret Access Key",
                &mut s.credentials.secret_access_key,
            )],
            Self::Azure(s) => vec![
                ("Client Secret", &mut s.credentials.client_secret),
                ("OS Password", &mut s.os_password),
            ],
            Self::DigitalOcean(s) => vec![("Token", &mut s.token)],
            Self::Gcp(s) => vec![("GCP Credentials", &mut s.credentials.key_json)],
            Self::Oci(s) => vec![("Private Key", &mut s.credentials.private_key)],
            Self::Simulator(_) => Vec::new(),
        }
    }
}

/// A VM Provider config as the administrator sets it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VmProviderSpec {
    /// Name; unique.
    pub name: String,
    /// Max instances, as typed.
    pub max_instances: String,
    /// The script run at first boot; `{placeholders}` are filled per instance.
    pub startup_script: String,
    /// Another API endpoint (sovereign clouds, private endpoints, tests); blank for the
    /// cloud's own.
    pub endpoint_override: String,
    /// What one instance costs per hour, as typed; blank: no cost is shown.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hourly_price: String,
    /// The most its instances may cost in a calendar month (UTC), as typed; blank: none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub monthly_budget: String,
    /// The cloud's own fields.
    pub settings: ProviderSettings,
}

/// The outcome of a check: the errors that block saving, and warnings that do not.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checked {
    /// Problems that block saving.
    pub errors: ValidationErrors,
    /// Things worth a second look (unknown placeholders).
    pub warnings: Vec<String>,
}

impl VmProviderSpec {
    /// An empty config for `kind`.
    pub fn new(kind: ProviderKind) -> Self {
        Self {
            name: String::new(),
            max_instances: "10".to_owned(),
            startup_script: String::new(),
            endpoint_override: String::new(),
            hourly_price: String::new(),
            monthly_budget: String::new(),
            settings: ProviderSettings::new(kind),
        }
    }

    /// Checks every field of the config and of its cloud.
    pub fn check(&self) -> Checked {
        let kind = self.settings.kind();
        let mut errors = ValidationErrors::default();
        check_name(&mut errors, ProviderField::Name, &self.name);
        parse_whole(
            &mut errors,
            VmProviderField::MaxInstances(kind),
            &self.max_instances,
            1,
            MAX_INSTANCES,
        );
        note(
            &mut errors,
            VmProviderField::StartupScript(kind),
            check_size(&self.startup_script, kind.user_data_limit(), kind.label()),
        );
        note(
            &mut errors,
            ProviderField::EndpointOverride,
            check_endpoint(&self.endpoint_override),
        );
        if let Err(cost) = parse_terms(&self.hourly_price, &self.monthly_budget) {
            errors.extend(cost);
        }
        self.settings.check(&mut errors);
        let warnings = unknown_placeholders(&self.startup_script)
            .into_iter()
            .map(|name| {
                format!(
                    "{}: {{{name}}} is not a placeholder pooladmin fills in; it stays as typed",
                    kind.startup_script_label()
                )
            })
            .collect();
        Checked { errors, warnings }
    }

    /// `Ok` when the config may be saved.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        self.check().errors.into_result(())
    }

    /// Max instances, or every field that is wrong: a config that does not parse has no
    /// limit to go by, and creates nothing.
    pub fn max_instances(&self) -> Result<u32, ValidationErrors> {
        self.validate()?;
        let mut errors = ValidationErrors::default();
        let max = parse_whole(
            &mut errors,
            VmProviderField::MaxInstances(self.settings.kind()),
            &self.max_instances,
            0,
            MAX_INSTANCES,
        );
        errors.into_result(u32::try_from(max).unwrap_or(0))
    }

    /// Its price and budget: what the Pools page shows and the planner holds to.
    pub fn cost_terms(&self) -> Result<CostTerms, ValidationErrors> {
        parse_terms(&self.hourly_price, &self.monthly_budget)
    }
}

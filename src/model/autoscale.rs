//! AutoScale configs: keep a pool supplied with compute through one VM Provider config.
//! Every field of the seed's two AutoScale Config tables, plus the check-in settings of
//! DESIGN §4.5.

use super::cloud_ids::dns_name;
use super::cloud_list::SizeFacts;
use super::computer_name::{DEFAULT_PATTERN, check_pattern};
use super::credentials::{note, required};
use super::ldap::check_dn;
use super::pem_text::{PemKind, check_pem};
use super::resources::format_cores;
use super::schedule::{Schedule, ScheduleSpec};
use super::server::{SSO_CREDENTIAL, SSO_USERNAME};
use super::validation::{check_json_object, check_name, parse_decimal, parse_whole};
use super::{
    ConnectionType, DnsProviderId, LdapId, PoolId, PoolKind, Resources, Secret, ValidationErrors,
    VmProviderId, ZoneId,
};
use crate::model::field::AutoScaleField;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The fields of a config for a Server pool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ServerScaling {
    /// Connection Type.
    pub connection_type: ConnectionType,
    /// Connection Port.
    pub connection_port: String,
    /// Connection Username (may be `{sso_username}`).
    pub connection_username: String,
    /// Connection Password (may be `{sso_cred}`).
    #[serde(skip)]
    pub connection_password: Secret,
    /// Connection Info (JSON).
    pub connection_info: String,
    /// Create Active Directory Computer Record.
    pub create_ad_record: bool,
    /// LDAP Config (when an AD record is created); stored as a reference, not in settings.
    #[serde(skip)]
    pub ldap_config: Option<LdapId>,
    /// Active Directory Computer OU DN.
    pub ad_computer_ou_dn: String,
    /// Computer Name Pattern: the computer (and VM host) names of new servers, with a
    /// counter, e.g. `VDI-{n}`.
    pub computer_name_pattern: String,
    /// Reusable.
    pub reusable: bool,
    /// Minimum Available Sessions.
    pub minimum_available_sessions: String,
    /// Max Simultaneous Sessions Per Server.
    pub max_sessions_per_server: String,
    /// Register DNS: an A record `<server id>.<Base Domain Name>` for each server.
    pub register_dns: bool,
    /// Base Domain Name.
    pub base_domain_name: String,
}

impl Default for ServerScaling {
    fn default() -> Self {
        Self {
            connection_type: ConnectionType::Rdp,
            connection_port: "3389".into(),
            connection_username: String::new(),
            connection_password: Secret::default(),
            connection_info: "{}".into(),
            create_ad_record: false,
            ldap_config: None,
            ad_computer_ou_dn: String::new(),
            computer_name_pattern: DEFAULT_PATTERN.into(),
            reusable: true,
            minimum_available_sessions: "2".into(),
            max_sessions_per_server: "1".into(),
            register_dns: false,
            base_domain_name: String::new(),
        }
    }
}

/// The fields of a config for a Docker Agent pool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct AgentScaling {
    /// Standby Cores.
    pub standby_cores: String,
    /// Standby GPUs.
    pub standby_gpus: String,
    /// Standby Memory (MB).
    pub standby_memory_mb: String,
    /// Agent Cores Override.
    pub agent_cores_override: String,
    /// Agent GPUs Override.
    pub agent_gpus_override: String,
    /// Agent Memory Override (GB).
    pub agent_memory_override_gb: String,
    /// NGINX Cert (PEM).
    pub nginx_cert: String,
    /// NGINX Key (PEM).
    #[serde(skip)]
    pub nginx_key: Secret,
    /// Register DNS.
    pub register_dns: bool,
    /// Base Domain Name.
    pub base_domain_name: String,
}

impl Default for AgentScaling {
    fn default() -> Self {
        Self {
            standby_cores: "4".into(),
            standby_gpus: "0".into(),
            standby_memory_mb: "4096".into(),
            agent_cores_override: "4".into(),
            agent_gpus_override: "0".into(),
            agent_memory_override_gb: "8".into(),
            nginx_cert: String::new(),
            nginx_key: Secret::default(),
            register_dns: false,
            base_domain_name: String::new(),
        }
    }
}

/// The variant of a config, fixed by its pool's type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub enum Scaling {
    /// For a Server pool.
    Servers(ServerScaling),
    /// For a Docker Agent pool.
    Agents(AgentScaling),
}

impl Scaling {
    /// The variant for a pool of `kind`, with defaults.
    pub fn for_pool(kind: PoolKind) -> Self {
        match kind {
            PoolKind::Server => Self::Servers(ServerScaling::default()),
            PoolKind::DockerAgent => Self::Agents(AgentScaling::default()),
        }
    }

    /// The Base Domain Name, when the config registers DNS records.
    pub fn dns_domain(&self) -> Option<&str> {
        let (register, domain) = match self {
            Self::Servers(s) => (s.register_dns, &s.base_domain_name),
            Self::Agents(a) => (a.register_dns, &a.base_domain_name),
        };
        register.then(|| domain.trim().trim_end_matches('.'))
    }

    /// The A record an instance gets when the config registers DNS: `<instance name>.<Base
    /// Domain Name>` for an agent (the reference's `<ID>`), `<server id>.<Base Domain Name>`
    /// for a server (the `{server_id}` of its startup script).
    pub fn dns_record_name(&self, instance_name: &str, instance_id: i64) -> Option<String> {
        let domain = self.dns_domain()?;
        Some(match self {
            Self::Servers(_) => format!("{instance_id}.{domain}"),
            Self::Agents(_) => format!("{instance_name}.{domain}"),
        })
    }

    /// The AutoScale Type.
    pub fn kind(&self) -> PoolKind {
        match self {
            Self::Servers(_) => PoolKind::Server,
            Self::Agents(_) => PoolKind::DockerAgent,
        }
    }
}

/// An AutoScale config as the administrator sets it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AutoScaleSpec {
    /// Name; unique.
    pub name: String,
    /// Enabled.
    pub enabled: bool,
    /// Deployment Zone.
    pub zone: Option<ZoneId>,
    /// Pool (its type fixes the AutoScale Type).
    pub pool: PoolId,
    /// Downscale Backoff (Seconds).
    pub downscale_backoff_s: String,
    /// Require Check-in: an instance counts as running only once its port answers (or,
    /// with `agent_check_in`, once its agent has checked in).
    pub require_check_in: bool,
    /// Check-in by agent: running once the instance's agent calls `POST /v1/checkin` with
    /// its token, instead of once its port answers.
    #[serde(default)]
    pub agent_check_in: bool,
    /// Provision Timeout (s): an instance not checked in by then is destroyed.
    pub provision_timeout_s: String,
    /// The Server or Docker Agent fields.
    pub scaling: Scaling,
    /// VM Provider config.
    pub vm_provider: Option<VmProviderId>,
    /// DNS Provider config (optional).
    pub dns_provider: Option<DnsProviderId>,
    /// Capacity on a timetable: windows and date overrides over the values above.
    #[serde(default)]
    pub schedule: Schedule,
}

impl Scaling {
    /// Fills an agent config's Agent Cores / Memory / GPUs overrides from a size picked in
    /// the cloud's list (they stay editable); a server config has none.
    pub fn size_from(&mut self, size: &SizeFacts) {
        let Scaling::Agents(a) = self else {
            return;
        };
        a.agent_cores_override = format_cores(size.cores);
        let gb = size.memory_mb as f64 / 1024.0;
        a.agent_memory_override_gb = if (gb - gb.round()).abs() < 1e-9 {
            format!("{}", gb.round() as i64)
        } else {
            format!("{gb:.2}").trim_end_matches('0').to_owned()
        };
        a.agent_gpus_override = size.gpus.to_string();
    }
}

impl AutoScaleSpec {
    /// A new config for `pool` of `kind`, with the seed's defaults.
    pub fn new(pool: PoolId, kind: PoolKind, zone: Option<ZoneId>) -> Self {
        Self {
            name: String::new(),
            enabled: true,
            zone,
            pool,
            downscale_backoff_s: "600".into(),
            require_check_in: true,
            agent_check_in: false,
            provision_timeout_s: "600".into(),
            scaling: Scaling::for_pool(kind),
            vm_provider: None,
            dns_provider: None,
            schedule: Schedule::default(),
        }
    }

    /// Every secret field with its label.
    pub fn secrets_mut(&mut self) -> Vec<(&'static str, &mut Secret)> {
        match &mut self.scaling {
            Scaling::Servers(s) => vec![(
                AutoScaleField::ConnectionPassword.label(),
                &mut s.connection_password,
            )],
            Scaling::Agents(a) => vec![(AutoScaleField::NginxKey.label(), &mut a.nginx_key)],
        }
    }

    /// Checks the first wizard step: the config's own fields.
    pub fn check_own_fields(&self, errors: &mut ValidationErrors) {
        self.parse_own_fields(errors);
    }

    /// The numbers the scaler acts on, parsed once from checked settings, or every field
    /// that is wrong: the scaler never reads the form's text itself.
    pub fn values(&self) -> Result<AutoScaleValues, ValidationErrors> {
        self.validate()?;
        let mut errors = ValidationErrors::default();
        let values = self.parse_own_fields(&mut errors);
        errors.into_result(values)
    }

    /// The numbers of the config's own fields, without the provider choices: a what-if
    /// replay needs no provider (the wizard's may still be unsaved in its step 2).
    pub fn own_values(&self) -> Result<AutoScaleValues, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let values = self.parse_own_fields(&mut errors);
        errors.into_result(values)
    }

    fn parse_own_fields(&self, errors: &mut ValidationErrors) -> AutoScaleValues {
        check_name(errors, AutoScaleField::Name, &self.name);
        let zone = self.zone.unwrap_or_else(|| {
            errors.push(AutoScaleField::Zone, "choose a deployment zone");
            // Never used: the values are only handed out without errors.
            ZoneId(0)
        });
        let downscale_backoff_s = parse_whole(
            errors,
            AutoScaleField::DownscaleBackoff,
            &self.downscale_backoff_s,
            0,
            86_400,
        );
        let provision_timeout_s = parse_whole(
            errors,
            AutoScaleField::ProvisionTimeout,
            &self.provision_timeout_s,
            60,
            7_200,
        );
        let scaling = match &self.scaling {
            Scaling::Servers(s) => check_servers(s, errors),
            Scaling::Agents(a) => check_agents(a, errors),
        };
        let schedule = self
            .schedule
            .parse(matches!(self.scaling, Scaling::Servers(_)), errors);
        AutoScaleValues {
            schedule,
            zone,
            downscale_backoff_s,
            provision_timeout_s,
            scaling,
        }
    }

    /// Checks everything, the provider choices included.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        self.check_own_fields(&mut errors);
        if self.vm_provider.is_none() {
            errors.push(
                AutoScaleField::VmProviderConfig,
                "choose or create a VM Provider config",
            );
        }
        if self.scaling.dns_domain().is_some() && self.dns_provider.is_none() {
            errors.push(
                AutoScaleField::DnsProviderConfig,
                "Register DNS is on: choose or create a DNS Provider config",
            );
        }
        errors.into_result(())
    }
}

/// The Base Domain Name, required when DNS is registered.
fn check_base_domain(
    errors: &mut ValidationErrors,
    field: AutoScaleField,
    register: bool,
    domain: &str,
) {
    if register && required(errors, field, domain) {
        note(errors, field, dns_name(domain.trim()));
    }
}

fn check_servers(s: &ServerScaling, errors: &mut ValidationErrors) -> ScalingValues {
    check_base_domain(
        errors,
        AutoScaleField::ServersBaseDomain,
        s.register_dns,
        &s.base_domain_name,
    );
    let port = parse_whole(
        errors,
        AutoScaleField::ConnectionPort,
        &s.connection_port,
        1,
        65_535,
    );
    // Single sign-on takes both halves: the user's name and the user's credential.
    let sso_user = s.connection_username.contains(SSO_USERNAME);
    let sso_cred = s.connection_password.expose().contains(SSO_CREDENTIAL);
    if sso_user && !sso_cred {
        errors.push(
            AutoScaleField::ConnectionPassword,
            format!(
                "single sign-on needs {SSO_CREDENTIAL} here, with {SSO_USERNAME} as the username"
            ),
        );
    } else if sso_cred && !sso_user {
        errors.push(
            AutoScaleField::ConnectionUsername,
            format!(
                "single sign-on needs {SSO_USERNAME} here, with {SSO_CREDENTIAL} as the password"
            ),
        );
    }
    check_json_object(errors, AutoScaleField::ConnectionInfo, &s.connection_info);
    let min_available = parse_whole(
        errors,
        AutoScaleField::MinimumAvailableSessions,
        &s.minimum_available_sessions,
        0,
        10_000,
    );
    let slots = parse_whole(
        errors,
        AutoScaleField::MaxSessionsPerServer,
        &s.max_sessions_per_server,
        1,
        1_000,
    );
    if s.create_ad_record {
        if s.ldap_config.is_none() {
            errors.push(
                AutoScaleField::LdapConfig,
                "choose the LDAP config that creates the computer records",
            );
        }
        if required(errors, AutoScaleField::AdComputerOuDn, &s.ad_computer_ou_dn) {
            note(
                errors,
                AutoScaleField::AdComputerOuDn,
                check_dn(&s.ad_computer_ou_dn),
            );
        }
        note(
            errors,
            AutoScaleField::ComputerNamePattern,
            check_pattern(&s.computer_name_pattern),
        );
    }
    ScalingValues::Servers {
        min_available: u32::try_from(min_available).unwrap_or(u32::MAX),
        slots: u32::try_from(slots).unwrap_or(1),
        port: u16::try_from(port).unwrap_or(u16::MAX),
    }
}

fn check_agents(a: &AgentScaling, errors: &mut ValidationErrors) -> ScalingValues {
    let standby_cores = parse_decimal(errors, AutoScaleField::StandbyCores, &a.standby_cores, 0.0);
    let standby_gpus = parse_whole(
        errors,
        AutoScaleField::StandbyGpus,
        &a.standby_gpus,
        0,
        1024,
    );
    let standby_memory_mb = parse_whole(
        errors,
        AutoScaleField::StandbyMemory,
        &a.standby_memory_mb,
        0,
        64 * 1024 * 1024,
    );
    // The scaler counts an agent that is still booting by these: they must be known.
    let agent_cores = parse_decimal(
        errors,
        AutoScaleField::AgentCoresOverride,
        &a.agent_cores_override,
        0.0,
    );
    if agent_cores <= 0.0 {
        errors.push(
            AutoScaleField::AgentCoresOverride,
            "must be above 0: the scaler sizes new agents by it",
        );
    }
    let agent_gpus = parse_whole(
        errors,
        AutoScaleField::AgentGpusOverride,
        &a.agent_gpus_override,
        0,
        1024,
    );
    let agent_memory_gb = parse_decimal(
        errors,
        AutoScaleField::AgentMemoryOverride,
        &a.agent_memory_override_gb,
        0.0,
    );
    if agent_memory_gb <= 0.0 {
        errors.push(
            AutoScaleField::AgentMemoryOverride,
            "must be above 0: the scaler sizes new agents by it",
        );
    }
    let cert = a.nginx_cert.trim();
    let key = a.nginx_key.expose().trim();
    if !cert.is_empty() {
        note(
            errors,
            AutoScaleField::NginxCert,
            check_pem(cert, PemKind::Certificate),
        );
    }
    if !key.is_empty() {
        note(
            errors,
            AutoScaleField::NginxKey,
            check_pem(key, PemKind::PrivateKey),
        );
    }
    if cert.is_empty() != key.is_empty() {
        errors.push(
            if cert.is_empty() {
                AutoScaleField::NginxCert
            } else {
                AutoScaleField::NginxKey
            },
            "give both the certificate and its key, or neither",
        );
    }
    check_base_domain(
        errors,
        AutoScaleField::AgentsBaseDomain,
        a.register_dns,
        &a.base_domain_name,
    );
    ScalingValues::Agents {
        standby: Resources::new(standby_cores, standby_memory_mb, standby_gpus),
        per_agent: Resources::new(
            agent_cores,
            (agent_memory_gb * 1024.0).round() as i64,
            agent_gpus,
        ),
    }
}

/// The numbers of a checked AutoScale config, as the scaler takes them.
#[derive(Clone, Debug, PartialEq)]
pub struct AutoScaleValues {
    /// The timetable over the values below.
    pub schedule: ScheduleSpec,
    /// Deployment Zone: where its members are made.
    pub zone: ZoneId,
    /// Downscale Backoff (Seconds).
    pub downscale_backoff_s: i64,
    /// Provision Timeout (s).
    pub provision_timeout_s: i64,
    /// The Server or Docker Agent numbers.
    pub scaling: ScalingValues,
}

/// The numbers of the Server or Docker Agent fields.
#[derive(Clone, Debug, PartialEq)]
pub enum ScalingValues {
    /// A Server config.
    Servers {
        /// Minimum Available Sessions.
        min_available: u32,
        /// Max Simultaneous Sessions Per Server.
        slots: u32,
        /// Connection Port.
        port: u16,
    },
    /// A Docker Agent config.
    Agents {
        /// Standby Cores / Memory (MB) / GPUs.
        standby: Resources,
        /// Agent Cores / Memory (GB → MB) / GPUs overrides.
        per_agent: Resources,
    },
}

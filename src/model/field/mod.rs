//! Which field of which form an error is about, as a type: the label the window shows and
//! looks its errors up by, and the key a configuration file keeps it under, come from one
//! table per form, so a label and its key can never drift apart and a misspelt field does
//! not compile.

use std::borrow::Cow;
use std::fmt;

/// Declares one form's fields: each with its label and its key in a configuration file
/// (relative to the item; `None` for a secret, which files never hold).
macro_rules! form_fields {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $label:literal, $key:expr;)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $(#[doc = $label] $variant,)*
        }

        impl $name {
            /// Every field, in the form's order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The label the form shows.
            pub fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)*
                }
            }

            /// Its key in a configuration file's item; `None` for a secret.
            pub fn key(self) -> Option<&'static str> {
                match self {
                    $(Self::$variant => $key,)*
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

mod clouds;

pub use clouds::{
    AwsField, AzureCredentialField, AzureField, DigitalOceanField, DnsField, DnsProviderField,
    GcpField, OciCredentialField, OciField, ProviderField, SimulatorField, VmProviderField,
};

form_fields! {
    /// A deployment zone's fields.
    ZoneField {
        Name => "Name", Some("name");
    }
}

form_fields! {
    /// A pool's fields.
    PoolField {
        Name => "Name", Some("name");
    }
}

form_fields! {
    /// A server's fields (the seed's Servers table).
    ServerField {
        FriendlyName => "Friendly Name", Some("friendly_name");
        Host => "Host", Some("host");
        Port => "Port", Some("port");
        Username => "Username", Some("username");
        Password => "Password", None;
        ConnectionInfo => "Connection Info (JSON)", Some("connection_info");
        MaxSessions => "Max Simultaneous Sessions", Some("max_sessions");
        Zone => "Deployment Zone", Some("zone");
        Pool => "Pool", Some("pool");
    }
}

form_fields! {
    /// A docker agent's fields.
    AgentField {
        Hostname => "Hostname", Some("hostname");
        Cores => "Cores", Some("reported.cores");
        Memory => "Memory (MB)", Some("reported.memory_mb");
        Gpus => "GPUs", Some("reported.gpus");
        CoresOverride => "Cores Override", Some("overrides.cores");
        MemoryOverride => "Memory Override (MB)", Some("overrides.memory_mb");
        GpusOverride => "GPUs Override", Some("overrides.gpus");
        Zone => "Deployment Zone", Some("zone");
        Pool => "Pool", Some("pool");
    }
}

form_fields! {
    /// A staging config's fields.
    StagingField {
        WorkspaceName => "Workspace Name", Some("workspace_name");
        DesiredSessions => "Desired Sessions", Some("desired_sessions");
        Cores => "Cores per Session", Some("per_session.cores");
        Memory => "Memory per Session (MB)", Some("per_session.memory_mb");
        Gpus => "GPUs per Session", Some("per_session.gpus");
        Zone => "Deployment Zone", Some("zone");
        Pool => "Pool", Some("pool");
    }
}

form_fields! {
    /// A session request's fields (the Start session form).
    SessionField {
        Pool => "Pool", None;
        User => "User", None;
        Cores => "Cores", None;
        Memory => "Memory (MB)", None;
        Gpus => "GPUs", None;
        Credential => "Credential", None;
    }
}

form_fields! {
    /// The fields of a body sent to the HTTP API (a host report, a session request), named
    /// as the body names them.
    ApiBodyField {
        Pool => "pool", None;
        User => "user", None;
        Cores => "cores", None;
        Memory => "memory_mb", None;
        Gpus => "gpus", None;
        Load => "load", None;
        Sessions => "sessions", None;
        Hostname => "hostname", None;
        Address => "address", None;
        Version => "version", None;
        Credential => "credential", None;
    }
}

form_fields! {
    /// An LDAP config's fields.
    LdapField {
        Name => "Name", Some("name");
        Url => "URL", Some("url");
        StartTls => "StartTLS", Some("start_tls");
        AllowUnencrypted => "Allow unencrypted LDAP (test only)", Some("allow_unencrypted");
        SearchBase => "Search Base", Some("search_base");
        ServiceAccountDn => "Service Account DN", Some("service_account_dn");
        ServiceAccountPassword => "Service Account Password", None;
        ConnectionTimeout => "Connection Timeout (s)", Some("connection_timeout_s");
        CaCertificate => "CA Certificate", Some("ca_certificate");
    }
}

form_fields! {
    /// An AutoScale config's own fields, both kinds' scaling fields among them.
    AutoScaleField {
        Name => "Name", Some("name");
        Zone => "Deployment Zone", Some("zone");
        Pool => "Pool", Some("pool");
        Kind => "AutoScale Type", Some("scaling");
        DownscaleBackoff => "Downscale Backoff (Seconds)", Some("downscale_backoff_s");
        ProvisionTimeout => "Provision Timeout (s)", Some("provision_timeout_s");
        VmProviderConfig => "VM Provider Config", Some("vm_provider");
        DnsProviderConfig => "DNS Provider Config", Some("dns_provider");
        LdapConfig => "LDAP Config", Some("ldap_config");
        ConnectionPort => "Connection Port", Some("scaling.Servers.connection_port");
        ConnectionUsername => "Connection Username", Some("scaling.Servers.connection_username");
        ConnectionPassword => "Connection Password", None;
        ConnectionInfo => "Connection Info (JSON)", Some("scaling.Servers.connection_info");
        AdComputerOuDn => "Active Directory Computer OU DN", Some("scaling.Servers.ad_computer_ou_dn");
        ComputerNamePattern => "Computer Name Pattern", Some("scaling.Servers.computer_name_pattern");
        MinimumAvailableSessions => "Minimum Available Sessions", Some("scaling.Servers.minimum_available_sessions");
        MaxSessionsPerServer => "Max Simultaneous Sessions Per Server", Some("scaling.Servers.max_sessions_per_server");
        ServersBaseDomain => "Base Domain Name", Some("scaling.Servers.base_domain_name");
        StandbyCores => "Standby Cores", Some("scaling.Agents.standby_cores");
        StandbyGpus => "Standby GPUs", Some("scaling.Agents.standby_gpus");
        StandbyMemory => "Standby Memory (MB)", Some("scaling.Agents.standby_memory_mb");
        AgentCoresOverride => "Agent Cores Override", Some("scaling.Agents.agent_cores_override");
        AgentGpusOverride => "Agent GPUs Override", Some("scaling.Agents.agent_gpus_override");
        AgentMemoryOverride => "Agent Memory Override (GB)", Some("scaling.Agents.agent_memory_override_gb");
        NginxCert => "NGINX Cert", Some("scaling.Agents.nginx_cert");
        NginxKey => "NGINX Key", None;
        AgentsBaseDomain => "Base Domain Name", Some("scaling.Agents.base_domain_name");
    }
}

form_fields! {
    /// One field of a schedule row (a window or a date override).
    SchedulePart {
        Days => "Days", Some("days");
        Start => "Start", Some("start");
        End => "End", Some("end");
        TimeZone => "Time Zone", Some("time_zone");
        Date => "Date", Some("date");
        StandbyCores => "Standby Cores", Some("values.standby_cores");
        StandbyGpus => "Standby GPUs", Some("values.standby_gpus");
        StandbyMemory => "Standby Memory (MB)", Some("values.standby_memory_mb");
        MinimumAvailableSessions => "Minimum Available Sessions", Some("values.minimum_available_sessions");
    }
}

/// A row of an AutoScale config's timetable, counted from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScheduleRow {
    /// The n-th schedule window.
    Window(usize),
    /// The n-th date override.
    Override(usize),
}

/// A field of one timetable row: "Schedule window 2: Start" is `windows[1].start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ScheduleField {
    /// Which row.
    pub row: ScheduleRow,
    /// Which of its fields.
    pub part: SchedulePart,
}

impl ScheduleField {
    /// What the form shows above the row ("Schedule window 2").
    pub fn row_label(self) -> String {
        match self.row {
            ScheduleRow::Window(n) => format!("Schedule window {}", n + 1),
            ScheduleRow::Override(n) => format!("Date override {}", n + 1),
        }
    }

    fn label(self) -> String {
        format!("{}: {}", self.row_label(), self.part.label())
    }

    fn key(self) -> Option<String> {
        let (list, n) = match self.row {
            ScheduleRow::Window(n) => ("windows", n),
            ScheduleRow::Override(n) => ("overrides", n),
        };
        Some(format!("schedule.{list}[{n}].{}", self.part.key()?))
    }
}

form_fields! {
    /// The HTTP API's settings (the API page).
    ApiSettingsField {
        ListenAddress => "Listen Address", None;
        TlsCertificate => "TLS Certificate", None;
        TlsKey => "TLS Key", None;
        AgentUrl => "Agent URL", None;
        HostMissing => "Host Missing Expiration (s)", None;
        HostDead => "Host Dead Expiration (s)", None;
        RateLimit => "Rate Limit (requests/s per key)", None;
        MaxConnections => "Max Connections", None;
        KeyName => "Key Name", None;
        KeyPools => "Key Pools", None;
    }
}

form_fields! {
    /// The General settings page.
    AppSettingsField {
        Currency => "Currency", None;
        HistoryDays => "Keep Session History (days)", None;
    }
}

/// One field of one form or file item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// A deployment zone's.
    Zone(ZoneField),
    /// A pool's.
    Pool(PoolField),
    /// A server's.
    Server(ServerField),
    /// A docker agent's.
    Agent(AgentField),
    /// A staging config's.
    Staging(StagingField),
    /// A session request's.
    Session(SessionField),
    /// A field of a body sent to the HTTP API.
    ApiBody(ApiBodyField),
    /// An LDAP config's.
    Ldap(LdapField),
    /// An AutoScale config's own.
    AutoScale(AutoScaleField),
    /// A field of an AutoScale config's timetable.
    Schedule(ScheduleField),
    /// A VM Provider config's.
    VmProvider(VmProviderField),
    /// A DNS Provider config's.
    DnsProvider(DnsProviderField),
    /// The HTTP API's settings'.
    ApiSettings(ApiSettingsField),
    /// The General settings'.
    AppSettings(AppSettingsField),
}

impl Field {
    /// The label the form shows ("Port", "Schedule window 2: Start").
    pub fn label(self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Self::Zone(f) => f.label(),
            Self::Pool(f) => f.label(),
            Self::Server(f) => f.label(),
            Self::Agent(f) => f.label(),
            Self::Staging(f) => f.label(),
            Self::Session(f) => f.label(),
            Self::ApiBody(f) => f.label(),
            Self::Ldap(f) => f.label(),
            Self::AutoScale(f) => f.label(),
            Self::Schedule(f) => return Cow::Owned(f.label()),
            Self::VmProvider(f) => f.label(),
            Self::DnsProvider(DnsProviderField::Own(f)) => f.label(),
            Self::DnsProvider(DnsProviderField::AzureCredential(f)) => f.label(),
            Self::DnsProvider(DnsProviderField::OciCredential(f)) => f.label(),
            Self::ApiSettings(f) => f.label(),
            Self::AppSettings(f) => f.label(),
        })
    }

    /// Where a configuration file keeps it, within its item (`port`,
    /// `settings.Aws.region`, `schedule.windows[1].start`); `None` for a secret, and for
    /// what files do not hold.
    pub fn json_key(self) -> Option<String> {
        let own = |key: Option<&str>| key.map(str::to_owned);
        match self {
            Self::Zone(f) => own(f.key()),
            Self::Pool(f) => own(f.key()),
            Self::Server(f) => own(f.key()),
            Self::Agent(f) => own(f.key()),
            Self::Staging(f) => own(f.key()),
            Self::Session(f) => own(f.key()),
            Self::ApiBody(f) => own(f.key()),
            Self::Ldap(f) => own(f.key()),
            Self::AutoScale(f) => own(f.key()),
            Self::Schedule(f) => f.key(),
            Self::VmProvider(f) => f.key(),
            Self::DnsProvider(DnsProviderField::Own(f)) => own(f.key()),
            Self::DnsProvider(DnsProviderField::AzureCredential(f)) => {
                Some(format!("settings.Azure.{}", f.key()?))
            }
            Self::DnsProvider(DnsProviderField::OciCredential(f)) => {
                Some(format!("settings.Oci.{}", f.key()?))
            }
            Self::ApiSettings(f) => own(f.key()),
            Self::AppSettings(f) => own(f.key()),
        }
    }

    /// A VM Provider config's Azure sign-in field.
    pub fn vm_azure(f: AzureCredentialField) -> Self {
        Self::VmProvider(VmProviderField::AzureCredential(f))
    }

    /// A DNS Provider config's Azure sign-in field.
    pub fn dns_azure(f: AzureCredentialField) -> Self {
        Self::DnsProvider(DnsProviderField::AzureCredential(f))
    }

    /// A VM Provider config's Oracle Cloud sign-in field.
    pub fn vm_oci(f: OciCredentialField) -> Self {
        Self::VmProvider(VmProviderField::OciCredential(f))
    }

    /// A DNS Provider config's Oracle Cloud sign-in field.
    pub fn dns_oci(f: OciCredentialField) -> Self {
        Self::DnsProvider(DnsProviderField::OciCredential(f))
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// Lets a form's own field stand for a [`Field`] wherever errors are recorded or looked up.
macro_rules! into_field {
    ($($leaf:ty => $wrap:expr;)*) => {
        $(impl From<$leaf> for Field {
            fn from(field: $leaf) -> Self {
                let wrap: fn($leaf) -> Field = $wrap;
                wrap(field)
            }
        })*
    };
}

into_field! {
    ZoneField => Field::Zone;
    PoolField => Field::Pool;
    ServerField => Field::Server;
    AgentField => Field::Agent;
    StagingField => Field::Staging;
    SessionField => Field::Session;
    ApiBodyField => Field::ApiBody;
    LdapField => Field::Ldap;
    AutoScaleField => Field::AutoScale;
    ScheduleField => Field::Schedule;
    VmProviderField => Field::VmProvider;
    ProviderField => |f| Field::VmProvider(VmProviderField::Common(f));
    AwsField => |f| Field::VmProvider(VmProviderField::Aws(f));
    AzureField => |f| Field::VmProvider(VmProviderField::Azure(f));
    DigitalOceanField => |f| Field::VmProvider(VmProviderField::DigitalOcean(f));
    GcpField => |f| Field::VmProvider(VmProviderField::Gcp(f));
    OciField => |f| Field::VmProvider(VmProviderField::Oci(f));
    SimulatorField => |f| Field::VmProvider(VmProviderField::Simulator(f));
    DnsProviderField => Field::DnsProvider;
    DnsField => |f| Field::DnsProvider(DnsProviderField::Own(f));
    ApiSettingsField => Field::ApiSettings;
    AppSettingsField => Field::AppSettings;
}

#[cfg(test)]
mod tests;

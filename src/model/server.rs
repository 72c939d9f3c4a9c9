//! Servers: fixed systems reached by KasmVNC, RDP, SSH or VNC.

use super::validation::{check_host, check_json_object, check_name, parse_whole};
use super::{Origin, PoolId, Secret, ServerId, ValidationErrors, ZoneId};
use crate::model::field::ServerField;
use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The most sessions one server may host at once.
pub const MAX_SESSIONS_PER_SERVER: i64 = 1000;

/// How users reach a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ConnectionType {
    /// KasmVNC in the browser.
    KasmVnc,
    /// Remote Desktop Protocol.
    Rdp,
    /// Secure Shell.
    Ssh,
    /// Plain VNC.
    Vnc,
}

impl ConnectionType {
    /// Every type, in the order the form offers them.
    pub const ALL: [ConnectionType; 4] = [Self::KasmVnc, Self::Rdp, Self::Ssh, Self::Vnc];

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::KasmVnc => "kasmvnc",
            Self::Rdp => "rdp",
            Self::Ssh => "ssh",
            Self::Vnc => "vnc",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// What the form shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::KasmVnc => "KasmVNC",
            Self::Rdp => "RDP",
            Self::Ssh => "SSH",
            Self::Vnc => "VNC",
        }
    }

    /// The port a form proposes when this type is chosen.
    pub fn default_port(self) -> u16 {
        match self {
            Self::KasmVnc => 443,
            Self::Rdp => 3389,
            Self::Ssh => 22,
            Self::Vnc => 5900,
        }
    }
}

/// Where the credentials of a connection come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum CredentialType {
    /// A username and password stored here.
    Static,
    /// The signed-in user's own credentials, through `{sso_username}` / `{sso_cred}`.
    SsoPlaceholders,
    /// The user is asked when connecting; nothing is stored.
    Prompt,
}

/// The placeholder that stands for the signed-in user's name.
pub const SSO_USERNAME: &str = "{sso_username}";
/// The placeholder that stands for the signed-in user's password.
pub const SSO_CREDENTIAL: &str = "{sso_cred}";

impl CredentialType {
    /// Every type, in the order the form offers them.
    pub const ALL: [CredentialType; 3] = [Self::Static, Self::SsoPlaceholders, Self::Prompt];

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Static => "static",
            Self::SsoPlaceholders => "sso",
            Self::Prompt => "prompt",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// What the form shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Static => "Static username and password",
            Self::SsoPlaceholders => "Single sign-on ({sso_username} / {sso_cred})",
            Self::Prompt => "Prompt the user when connecting",
        }
    }
}

/// Everything an administrator sets on a server.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerSpec {
    /// Name shown to administrators; unique.
    pub friendly_name: String,
    /// Disabled servers take no new sessions.
    pub enabled: bool,
    /// Deployment zone.
    pub zone: ZoneId,
    /// Server pool it belongs to, if any.
    pub pool: Option<PoolId>,
    /// KasmVNC, RDP, SSH or VNC.
    pub connection_type: ConnectionType,
    /// Host name or IP address.
    pub host: String,
    /// Connection port.
    pub port: u16,
    /// Where credentials come from.
    pub credential_type: CredentialType,
    /// Connection username (static credentials) or `{sso_username}`.
    pub username: String,
    /// Connection password (static credentials) or `{sso_cred}`.
    pub password: Secret,
    /// Extra connection info: a JSON object, kept as typed.
    pub connection_info: String,
    /// Max simultaneous sessions.
    pub max_sessions: u32,
    /// Whether the server may be reused after a session ends.
    pub reusable: bool,
}

impl ServerSpec {
    /// Checks every field again, as the store does before writing.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        self.check(&mut errors);
        errors.into_result(())
    }

    fn check(&self, errors: &mut ValidationErrors) {
        check_name(errors, ServerField::FriendlyName, &self.friendly_name);
        check_host(errors, ServerField::Host, &self.host);
        if self.port == 0 {
            errors.push(ServerField::Port, "expected a whole number from 1 to 65535");
        }
        if self.max_sessions == 0 || i64::from(self.max_sessions) > MAX_SESSIONS_PER_SERVER {
            errors.push(
                ServerField::MaxSessions,
                format!("expected a whole number from 1 to {MAX_SESSIONS_PER_SERVER}"),
            );
        }
        check_json_object(errors, ServerField::ConnectionInfo, &self.connection_info);
        match self.credential_type {
            CredentialType::Static if self.username.trim().is_empty() => {
                errors.push(
                    ServerField::Username,
                    "must not be blank for static credentials",
                );
            }
            // A domain around the name is fine: CORP\{sso_username}, {sso_username}@corp.
            CredentialType::SsoPlaceholders
                if !self.username.contains(SSO_USERNAME)
                    || !self.password.expose().contains(SSO_CREDENTIAL) =>
            {
                errors.push(
                    ServerField::Username,
                    format!("single sign-on uses {SSO_USERNAME} and {SSO_CREDENTIAL}"),
                );
            }
            _ => {}
        }
    }
}

/// A stored server.
#[derive(Clone, Debug, PartialEq)]
pub struct Server {
    /// Its key in the database, stable for its life.
    pub id: ServerId,
    /// What the administrator set.
    pub spec: ServerSpec,
    /// Added by hand or autoscaled.
    pub origin: Origin,
    /// When it was added; older servers win placement ties.
    pub created_at: Timestamp,
    /// When its agent last reported through the API, if ever.
    pub last_report: Option<Timestamp>,
}

/// The server form as typed: numbers are still text so a bad value can be shown and named.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerDraft {
    /// Friendly Name.
    pub friendly_name: String,
    /// Enabled.
    pub enabled: bool,
    /// Deployment Zone; `None` until chosen.
    pub zone: Option<ZoneId>,
    /// Pool.
    pub pool: Option<PoolId>,
    /// Connection Type.
    pub connection_type: ConnectionType,
    /// Host.
    pub host: String,
    /// Port.
    pub port: String,
    /// Credential Type.
    pub credential_type: CredentialType,
    /// Username.
    pub username: String,
    /// Password.
    pub password: Secret,
    /// Connection Info (JSON).
    pub connection_info: String,
    /// Max Simultaneous Sessions.
    pub max_sessions: String,
    /// Reusable.
    pub reusable: bool,
}

impl ServerDraft {
    /// An empty form with sane defaults: enabled, RDP on 3389, one session, reusable.
    pub fn new(zone: Option<ZoneId>, pool: Option<PoolId>) -> Self {
        Self {
            friendly_name: String::new(),
            enabled: true,
            zone,
            pool,
            connection_type: ConnectionType::Rdp,
            host: String::new(),
            port: ConnectionType::Rdp.default_port().to_string(),
            credential_type: CredentialType::Static,
            username: String::new(),
            password: Secret::default(),
            connection_info: "{}".to_owned(),
            max_sessions: "1".to_owned(),
            reusable: true,
        }
    }

    /// The form filled from a stored server, for editing.
    pub fn from_spec(spec: &ServerSpec) -> Self {
        Self {
            friendly_name: spec.friendly_name.clone(),
            enabled: spec.enabled,
            zone: Some(spec.zone),
            pool: spec.pool,
            connection_type: spec.connection_type,
            host: spec.host.clone(),
            port: spec.port.to_string(),
            credential_type: spec.credential_type,
            username: spec.username.clone(),
            password: spec.password.clone(),
            connection_info: spec.connection_info.clone(),
            max_sessions: spec.max_sessions.to_string(),
            reusable: spec.reusable,
        }
    }

    /// Parses and checks every field; the errors name each bad field.
    pub fn parse(&self) -> Result<ServerSpec, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let zone = self.zone.unwrap_or_else(|| {
            errors.push(ServerField::Zone, "choose a deployment zone");
            ZoneId(0)
        });
        let port = parse_whole(&mut errors, ServerField::Port, &self.port, 1, 65535);
        let max_sessions = parse_whole(
            &mut errors,
            ServerField::MaxSessions,
            &self.max_sessions,
            1,
            MAX_SESSIONS_PER_SERVER,
        );
        let (username, password) = match self.credential_type {
            CredentialType::Static => (self.username.trim().to_owned(), self.password.clone()),
            CredentialType::SsoPlaceholders => {
                (SSO_USERNAME.to_owned(), Secret::new(SSO_CREDENTIAL))
            }
            CredentialType::Prompt => (String::new(), Secret::default()),
        };
        let spec = ServerSpec {
            friendly_name: self.friendly_name.trim().to_owned(),
            enabled: self.enabled,
            zone,
            pool: self.pool,
            connection_type: self.connection_type,
            host: self.host.trim().to_owned(),
            port: u16::try_from(port).unwrap_or(0),
            credential_type: self.credential_type,
            username,
            password,
            connection_info: check_json_object(
                &mut errors,
                ServerField::ConnectionInfo,
                &self.connection_info,
            ),
            max_sessions: u32::try_from(max_sessions).unwrap_or(0),
            reusable: self.reusable,
        };
        spec.check(&mut errors);
        errors.into_result(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_draft() -> ServerDraft {
        let mut draft = ServerDraft::new(Some(ZoneId(1)), None);
        draft.friendly_name = "rdp-01".into();
        draft.host = "rdp-01.example.com".into();
        draft.username = "administrator".into();
        draft
    }

    #[test]
    fn a_valid_draft_parses() {
        let spec = valid_draft().parse().unwrap();
        assert_eq!(spec.port, 3389);
        assert_eq!(spec.max_sessions, 1);
        assert_eq!(ServerDraft::from_spec(&spec).parse().unwrap(), spec);
    }

    #[test]
    fn each_bad_field_is_named() {
        let mut draft = valid_draft();
        draft.friendly_name = " ".into();
        draft.port = "0".into();
        draft.host = "no spaces".into();
        draft.connection_info = "{oops".into();
        draft.max_sessions = "-1".into();
        draft.zone = None;
        let errors = draft.parse().unwrap_err();
        for field in [
            ServerField::FriendlyName,
            ServerField::Port,
            ServerField::Host,
            ServerField::ConnectionInfo,
            ServerField::MaxSessions,
            ServerField::Zone,
        ] {
            assert!(
                errors.for_field(field).is_some(),
                "{field} not reported: {errors}"
            );
        }
    }

    #[test]
    fn sso_fills_the_placeholders() {
        let mut draft = valid_draft();
        draft.credential_type = CredentialType::SsoPlaceholders;
        let spec = draft.parse().unwrap();
        assert_eq!(spec.username, SSO_USERNAME);
        assert_eq!(spec.password.expose(), SSO_CREDENTIAL);
    }
}

//! Settings of pooladmin's HTTP API (issue 12): where it listens, its TLS, the URL agents
//! check in at, how long a silent host is trusted, and the per-key rate limit. The form's
//! text is a [`ApiSettingsDraft`]; what the server and the placement use is the typed
//! [`ApiSettings`], parsed once when saved.

use super::pem_text::{PemKind, check_pem};
use super::validation::parse_whole;
use super::{Secret, ValidationErrors};
use crate::model::field::ApiSettingsField;
use std::net::SocketAddr;

/// Where the API listens unless told otherwise: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8443";
/// Host Missing Expiration (s), Kasm's default: no new sessions after this much silence.
pub const DEFAULT_HOST_MISSING_S: u32 = 600;
/// Host Dead Expiration (s), Kasm's default: an autoscaled host is replaced after this.
pub const DEFAULT_HOST_DEAD_S: u32 = 3600;
/// Requests per second a portal key may make (a burst of as many is allowed).
pub const DEFAULT_RATE_LIMIT: u32 = 2000;
/// The largest connection cap that can be typed (0 derives it from the open-file limit).
pub const MAX_CONNECTIONS_LIMIT: u32 = 1_000_000;

/// The API settings, typed.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiSettings {
    /// Serve the API at all.
    pub enabled: bool,
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// TLS certificate chain (PEM); empty serves plain HTTP (loopback only).
    pub tls_cert: String,
    /// TLS private key (PEM).
    pub tls_key: Secret,
    /// The URL agents reach the API at (`{checkin_url}`); empty means the listen address.
    pub agent_url: String,
    /// Seconds of silence after which a reporting host takes no new sessions.
    pub host_missing_s: u32,
    /// Seconds of silence after which an autoscaled host is destroyed and replaced.
    pub host_dead_s: u32,
    /// Requests per second per portal key.
    pub rate_limit: u32,
    /// Open connections the API accepts at once; 0 derives the cap from the process's
    /// open-file limit, keeping a reserve for the scaler, the database and the clouds.
    pub max_connections: u32,
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 8443)),
            tls_cert: String::new(),
            tls_key: Secret::default(),
            agent_url: String::new(),
            host_missing_s: DEFAULT_HOST_MISSING_S,
            host_dead_s: DEFAULT_HOST_DEAD_S,
            rate_limit: DEFAULT_RATE_LIMIT,
            max_connections: 0,
        }
    }
}

impl ApiSettings {
    /// Whether the API speaks TLS.
    pub fn uses_tls(&self) -> bool {
        !self.tls_cert.trim().is_empty()
    }

    /// The URL agents check in at: the Agent URL when set, else the listen address.
    pub fn checkin_url(&self) -> String {
        checkin_url(&self.agent_url, self.listen, self.uses_tls())
    }

    /// The form's text for these settings.
    pub fn draft(&self) -> ApiSettingsDraft {
        ApiSettingsDraft {
            enabled: self.enabled,
            listen: self.listen.to_string(),
            tls_cert: self.tls_cert.clone(),
            tls_key: self.tls_key.clone(),
            agent_url: self.agent_url.clone(),
            host_missing_s: self.host_missing_s.to_string(),
            host_dead_s: self.host_dead_s.to_string(),
            rate_limit: self.rate_limit.to_string(),
            max_connections: self.max_connections.to_string(),
        }
    }
}

/// The URL agents check in at: `agent_url` when set, else the address the API listens on.
pub fn checkin_url(agent_url: &str, listen: SocketAddr, tls: bool) -> String {
    let base = if agent_url.trim().is_empty() {
        let scheme = if tls { "https" } else { "http" };
        format!("{scheme}://{listen}")
    } else {
        agent_url.trim().trim_end_matches('/').to_owned()
    };
    format!("{base}/v1/checkin")
}

/// The API page's form as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiSettingsDraft {
    /// Enabled.
    pub enabled: bool,
    /// Listen Address.
    pub listen: String,
    /// TLS Certificate.
    pub tls_cert: String,
    /// TLS Key.
    pub tls_key: Secret,
    /// Agent URL.
    pub agent_url: String,
    /// Host Missing Expiration (s).
    pub host_missing_s: String,
    /// Host Dead Expiration (s).
    pub host_dead_s: String,
    /// Rate Limit (requests/s per key).
    pub rate_limit: String,
    /// Max Connections (0 = from the open-file limit).
    pub max_connections: String,
}

impl ApiSettingsDraft {
    /// Parses and checks every field; the errors name each bad field.
    pub fn parse(&self) -> Result<ApiSettings, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let listen = match self.listen.trim().parse::<SocketAddr>() {
            Ok(addr) => Some(addr),
            Err(_) => {
                errors.push(
                    ApiSettingsField::ListenAddress,
                    "expected an IP address and port, e.g. 127.0.0.1:8443 or [::1]:8443",
                );
                None
            }
        };
        let cert = self.tls_cert.trim();
        let key = self.tls_key.expose().trim();
        if !cert.is_empty() {
            if let Some(problem) = check_pem(cert, PemKind::Certificate) {
                errors.push(ApiSettingsField::TlsCertificate, problem);
            }
            if key.is_empty() {
                errors.push(
                    ApiSettingsField::TlsKey,
                    "the certificate needs its private key (PEM)",
                );
            }
        }
        if !key.is_empty() {
            if let Some(problem) = check_pem(key, PemKind::PrivateKey) {
                errors.push(ApiSettingsField::TlsKey, problem);
            }
            if cert.is_empty() {
                errors.push(
                    ApiSettingsField::TlsCertificate,
                    "the key needs its certificate (PEM)",
                );
            }
        }
        if let Some(addr) = listen
            && !addr.ip().is_loopback()
            && cert.is_empty()
        {
            errors.push(
                ApiSettingsField::ListenAddress,
                format!(
                    "{} is reachable from other machines: give a TLS certificate and key, or listen on 127.0.0.1",
                    addr.ip()
                ),
            );
        }
        let agent_url = self.agent_url.trim();
        let is_url = agent_url.starts_with("http://") || agent_url.starts_with("https://");
        if !agent_url.is_empty() && !is_url {
            errors.push(
                ApiSettingsField::AgentUrl,
                "expected a URL starting with https:// (or http://), e.g. https://pooladmin.example.com:8443",
            );
        }
        let whole = |errors: &mut ValidationErrors, field, text: &str, min, max| {
            u32::try_from(parse_whole(errors, field, text, min, max)).unwrap_or(u32::MAX)
        };
        let host_missing_s = whole(
            &mut errors,
            ApiSettingsField::HostMissing,
            &self.host_missing_s,
            10,
            86_400,
        );
        let host_dead_s = whole(
            &mut errors,
            ApiSettingsField::HostDead,
            &self.host_dead_s,
            10,
            7 * 86_400,
        );
        if errors.for_field(ApiSettingsField::HostMissing).is_none()
            && errors.for_field(ApiSettingsField::HostDead).is_none()
            && host_dead_s <= host_missing_s
        {
            errors.push(
                ApiSettingsField::HostDead,
                format!("expected more than the Host Missing Expiration ({host_missing_s} s)"),
            );
        }
        let rate_limit = whole(
            &mut errors,
            ApiSettingsField::RateLimit,
            &self.rate_limit,
            1,
            1_000_000,
        );
        let max_connections = whole(
            &mut errors,
            ApiSettingsField::MaxConnections,
            &self.max_connections,
            0,
            i64::from(MAX_CONNECTIONS_LIMIT),
        );
        match listen {
            Some(listen) if errors.is_empty() => Ok(ApiSettings {
                enabled: self.enabled,
                listen,
                tls_cert: cert.to_owned(),
                tls_key: Secret::new(key),
                agent_url: agent_url.to_owned(),
                host_missing_s,
                host_dead_s,
                rate_limit,
                max_connections,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_through_the_form() {
        let settings = ApiSettings::default();
        assert_eq!(settings.draft().parse().unwrap(), settings);
        assert_eq!(settings.checkin_url(), "http://127.0.0.1:8443/v1/checkin");
        assert_eq!(settings.listen.to_string(), DEFAULT_LISTEN);
    }

    #[test]
    fn another_address_needs_tls() {
        let mut draft = ApiSettings::default().draft();
        draft.listen = "0.0.0.0:8443".into();
        let errors = draft.parse().unwrap_err();
        assert!(
            errors
                .for_field(ApiSettingsField::ListenAddress)
                .unwrap()
                .contains("TLS certificate"),
            "{errors}"
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let mut draft = ApiSettings::default().draft();
        draft.listen = "localhost".into();
        draft.host_missing_s = "soon".into();
        draft.agent_url = "pooladmin.example.com".into();
        draft.tls_key = Secret::new("not pem");
        let errors = draft.parse().unwrap_err();
        for field in [
            ApiSettingsField::ListenAddress,
            ApiSettingsField::HostMissing,
            ApiSettingsField::AgentUrl,
            ApiSettingsField::TlsKey,
            ApiSettingsField::TlsCertificate,
        ] {
            assert!(errors.for_field(field).is_some(), "{field}: {errors}");
        }
    }

    #[test]
    fn dead_comes_after_missing() {
        let mut draft = ApiSettings::default().draft();
        draft.host_dead_s = "300".into();
        let errors = draft.parse().unwrap_err();
        assert!(errors.for_field(ApiSettingsField::HostDead).is_some());
    }
}

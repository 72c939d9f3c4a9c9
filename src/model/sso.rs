//! Single sign-on to servers: a server (or an AutoScale config's connection fields) may say
//! `{sso_username}` / `{sso_cred}`; starting a session fills them with the user's own name
//! and credential for that session alone. The result lives in memory only.

use super::Secret;
use super::server::{SSO_CREDENTIAL, SSO_USERNAME, ServerSpec};

/// Who a session is for, as typed when it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct SsoIdentity {
    /// The user's name (`{sso_username}`).
    pub username: String,
    /// The user's credential (`{sso_cred}`).
    pub credential: Secret,
}

/// What one session connects with: never stored, never logged (the password redacts).
#[derive(Clone, Debug, PartialEq)]
pub struct SessionCredentials {
    /// The connection username.
    pub username: String,
    /// The connection password.
    pub password: Secret,
}

/// Whether a server signs in as the session's user.
pub fn uses_sso(server: &ServerSpec) -> bool {
    server.username.contains(SSO_USERNAME)
        || server.password.expose().contains(SSO_CREDENTIAL)
        || server.password.expose().contains(SSO_USERNAME)
}

/// The server's connection fields with the placeholders filled for `who`.
pub fn resolve(server: &ServerSpec, who: &SsoIdentity) -> SessionCredentials {
    let fill = |text: &str| {
        text.replace(SSO_USERNAME, who.username.trim())
            .replace(SSO_CREDENTIAL, who.credential.expose())
    };
    SessionCredentials {
        username: fill(&server.username),
        password: Secret::new(fill(server.password.expose())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::server::CredentialType;

    fn server(username: &str, password: &str) -> ServerSpec {
        ServerSpec {
            friendly_name: "vdi".into(),
            enabled: true,
            zone: crate::model::ZoneId(1),
            pool: None,
            connection_type: crate::model::ConnectionType::Rdp,
            host: "10.0.0.5".into(),
            port: 3389,
            credential_type: CredentialType::SsoPlaceholders,
            username: username.into(),
            password: Secret::new(password),
            connection_info: "{}".into(),
            max_sessions: 1,
            reusable: true,
        }
    }

    #[test]
    fn placeholders_are_filled_for_the_session_only() {
        let who = SsoIdentity {
            username: "alice".into(),
            credential: Secret::new("S3cret!"),
        };
        let spec = server(r"CORP\{sso_username}", "{sso_cred}");
        assert!(uses_sso(&spec));
        let creds = resolve(&spec, &who);
        assert_eq!(creds.username, r"CORP\alice");
        assert_eq!(creds.password.expose(), "S3cret!");
        assert!(!format!("{creds:?}").contains("S3cret!"), "Debug redacts");
        assert!(!uses_sso(&server("admin", "static")));
    }
}

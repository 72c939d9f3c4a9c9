//! Active Directory computer records over LDAP (ldap3 with rustls): a server config with
//! **Create Active Directory Computer Record** gets its computer object before its VM, and
//! loses it when the server goes.

mod computer;
mod connection;
mod join_password;

pub use computer::{
    ComputerRecord, Placement, Removal, computer_dn, delete_computer, ensure_computer,
};
pub use connection::test_connection;
pub use join_password::{new_join_password, powershell_single_quoted};

/// The directory refused or could not be reached; the text is the directory's own (or the
/// network's), with what pooladmin was doing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DirectoryError {
    /// What was being done and what the directory (or the network) said.
    pub message: String,
    /// Whether trying again can help.
    pub kind: DirectoryErrorKind,
}

/// What a directory error means for the config that met it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirectoryErrorKind {
    /// A refusal that stands until someone edits the config or the directory (wrong
    /// password, no rights on the OU, OU missing, password policy): the config stops.
    Refused,
    /// The directory is down, busy or slow: the config backs off and tries again.
    Unavailable,
}

impl DirectoryError {
    /// The directory cannot be reached (network, TLS, timeout): back off.
    fn new(doing: &str, error: impl std::fmt::Display) -> Self {
        Self {
            message: format!("{doing}: {error}"),
            kind: DirectoryErrorKind::Unavailable,
        }
    }

    /// A refusal that trying again will not change.
    pub fn refused(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            kind: DirectoryErrorKind::Refused,
        }
    }

    /// What ldap3 said, classified by the LDAP result code (RFC 4511).
    fn ldap(doing: &str, error: &ldap3::LdapError) -> Self {
        let kind = match error {
            ldap3::LdapError::LdapResult { result } => result_kind(result.rc),
            _ => DirectoryErrorKind::Unavailable,
        };
        Self {
            message: format!("{doing}: {error}"),
            kind,
        }
    }

    /// Whether the config stops (rather than backs off).
    pub fn stops(&self) -> bool {
        self.kind == DirectoryErrorKind::Refused
    }
}

/// LDAP result codes that stand until something is changed; the others (busy, unavailable,
/// time limits, anything unknown) are worth another try.
fn result_kind(rc: u32) -> DirectoryErrorKind {
    match rc {
        // strongAuthRequired, confidentialityRequired, constraintViolation (password
        // policy), invalidAttributeSyntax, noSuchObject, invalidDNSyntax,
        // invalidCredentials, insufficientAccessRights, unwillingToPerform,
        // objectClassViolation
        8 | 13 | 19 | 21 | 32 | 34 | 49 | 50 | 53 | 65 => DirectoryErrorKind::Refused,
        _ => DirectoryErrorKind::Unavailable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_stop_and_outages_back_off() {
        for rc in [19, 32, 49, 50, 53] {
            assert_eq!(result_kind(rc), DirectoryErrorKind::Refused, "{rc}");
        }
        for rc in [3, 51, 52, 80] {
            assert_eq!(result_kind(rc), DirectoryErrorKind::Unavailable, "{rc}");
        }
    }
}

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
#[error("{0}")]
pub struct DirectoryError(pub String);

impl DirectoryError {
    fn new(doing: &str, error: impl std::fmt::Display) -> Self {
        Self(format!("{doing}: {error}"))
    }
}

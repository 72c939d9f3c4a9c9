//! LDAP configs: the directory connection used to pre-create Active Directory computer
//! records for new servers.

use super::credentials::{note, required};
use super::pem_text::{PemKind, check_pem};
use super::validation::{check_name, parse_whole};
use super::{Secret, ValidationErrors};
use crate::model::field::LdapField;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A directory connection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct LdapSpec {
    /// Name; unique.
    pub name: String,
    /// URL: ldap://host[:port] or ldaps://host[:port].
    pub url: String,
    /// Upgrade an ldap:// connection with StartTLS.
    pub start_tls: bool,
    /// Allow unencrypted LDAP (test only): an ldap:// URL without StartTLS sends the service
    /// account's password in clear, so it is refused unless this is ticked.
    pub allow_unencrypted: bool,
    /// Search Base (DN).
    pub search_base: String,
    /// Service Account DN.
    pub service_account_dn: String,
    /// Service Account Password.
    #[serde(skip)]
    pub service_account_password: Secret,
    /// Enabled (for sign-in; AD records may use a disabled config, as the seed allows).
    pub enabled: bool,
    /// Connection Timeout (s).
    pub connection_timeout_s: String,
    /// CA Certificate (PEM; optional, for a private CA).
    pub ca_certificate: String,
}

impl Default for LdapSpec {
    fn default() -> Self {
        Self {
            name: String::new(),
            url: "ldaps://".into(),
            start_tls: false,
            allow_unencrypted: false,
            search_base: String::new(),
            service_account_dn: String::new(),
            service_account_password: Secret::default(),
            enabled: true,
            connection_timeout_s: "5".into(),
            ca_certificate: String::new(),
        }
    }
}

/// A distinguished name: comma-separated `attr=value` parts.
pub fn check_dn(text: &str) -> Option<String> {
    let ok = !text.trim().is_empty()
        && text.split(',').all(|rdn| {
            rdn.split_once('=')
                .is_some_and(|(k, v)| !k.trim().is_empty() && !v.trim().is_empty())
        });
    (!ok).then(|| "expected a DN like OU=Computers,DC=example,DC=com".to_owned())
}

impl LdapSpec {
    /// Every secret field with its label, for sealing.
    pub fn secrets_mut(&mut self) -> Vec<(&'static str, &mut Secret)> {
        vec![(
            LdapField::ServiceAccountPassword.label(),
            &mut self.service_account_password,
        )]
    }

    /// Whether the bind would send the password unencrypted: ldap:// without StartTLS.
    pub fn sends_password_in_clear(&self) -> bool {
        self.url.trim().starts_with("ldap://") && !self.start_tls
    }

    /// Why this config may not connect: an unencrypted bind nobody allowed. Checked when a
    /// config is saved and again before every connection (a config saved by an older version
    /// may predate the rule).
    pub fn cleartext_refusal(&self) -> Option<&'static str> {
        (self.sends_password_in_clear() && !self.allow_unencrypted).then_some(
            "ldap:// without StartTLS sends the password in clear: use ldaps://, tick StartTLS, \
             or tick Allow unencrypted LDAP (test only)",
        )
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        check_name(&mut errors, LdapField::Name, &self.name);
        let url = self.url.trim();
        let host = url
            .strip_prefix("ldaps://")
            .or_else(|| url.strip_prefix("ldap://"));
        match host {
            Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {}
            _ => errors.push(
                LdapField::Url,
                "expected ldap://host[:port] or ldaps://host[:port]",
            ),
        }
        if let Some(refusal) = self.cleartext_refusal() {
            errors.push(LdapField::Url, refusal);
        }
        if self.start_tls && url.starts_with("ldaps://") {
            errors.push(
                LdapField::StartTls,
                "an ldaps:// URL is already encrypted; StartTLS is for ldap://",
            );
        }
        if required(&mut errors, LdapField::SearchBase, &self.search_base) {
            note(
                &mut errors,
                LdapField::SearchBase,
                check_dn(&self.search_base),
            );
        }
        if required(
            &mut errors,
            LdapField::ServiceAccountDn,
            &self.service_account_dn,
        ) {
            note(
                &mut errors,
                LdapField::ServiceAccountDn,
                check_dn(&self.service_account_dn),
            );
        }
        required(
            &mut errors,
            LdapField::ServiceAccountPassword,
            self.service_account_password.expose(),
        );
        parse_whole(
            &mut errors,
            LdapField::ConnectionTimeout,
            &self.connection_timeout_s,
            1,
            300,
        );
        if !self.ca_certificate.trim().is_empty() {
            note(
                &mut errors,
                LdapField::CaCertificate,
                check_pem(&self.ca_certificate, PemKind::Certificate),
            );
        }
        errors.into_result(())
    }
}

/// The DNS name of the domain a DN lies in, from its DC components:
/// `OU=VMs,DC=corp,DC=example,DC=com` → `corp.example.com` (what `{domain}` becomes).
pub fn domain_of(dn: &str) -> Option<String> {
    let parts: Vec<&str> = dn
        .split(',')
        .filter_map(|rdn| {
            let (key, value) = rdn.split_once('=')?;
            key.trim().eq_ignore_ascii_case("dc").then(|| value.trim())
        })
        .filter(|v| !v.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join("."))
}

#[cfg(test)]
mod domain_tests {
    use super::domain_of;

    #[test]
    fn the_domain_comes_from_the_dc_components() {
        assert_eq!(
            domain_of("OU=VMs, dc=corp,DC=example,DC=com").as_deref(),
            Some("corp.example.com")
        );
        assert_eq!(domain_of("OU=VMs,O=Example"), None);
    }
}

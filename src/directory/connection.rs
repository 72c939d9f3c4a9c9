//! One bound connection to the directory of an LDAP config: LDAPS, or ldap:// upgraded with
//! StartTLS; the server's certificate checked against the config's CA (else the system's).

use super::DirectoryError;
use crate::model::ldap::LdapSpec;
use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, LdapError, Scope};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::sync::Arc;
use std::time::Duration;

/// LDAP result code: the entry named does not exist.
pub(super) const NO_SUCH_OBJECT: u32 = 32;

/// A bound connection; every operation has the config's timeout.
pub(super) struct Directory {
    pub ldap: Ldap,
    pub timeout: Duration,
    pub encrypted: bool,
}

impl Directory {
    /// Connects and binds as the config's service account.
    pub async fn open(spec: &LdapSpec) -> Result<Self, DirectoryError> {
        let url = spec.url.trim();
        if let Some(refusal) = spec.cleartext_refusal() {
            return Err(DirectoryError::refused(refusal));
        }
        let timeout = Duration::from_secs(spec.connection_timeout_s.trim().parse().unwrap_or(5));
        let mut settings = LdapConnSettings::new()
            .set_conn_timeout(timeout)
            .set_starttls(spec.start_tls);
        if !spec.ca_certificate.trim().is_empty() {
            settings = settings.set_config(tls_config(&spec.ca_certificate)?);
        }
        let (conn, mut ldap) = LdapConnAsync::with_settings(settings, url)
            .await
            .map_err(|e| DirectoryError::ldap(&format!("cannot connect to {url}"), &e))?;
        ldap3::drive!(conn);
        ldap.with_timeout(timeout)
            .simple_bind(
                spec.service_account_dn.trim(),
                spec.service_account_password.expose(),
            )
            .await
            .and_then(|r| r.success())
            .map_err(|e| {
                DirectoryError::ldap(
                    &format!("bind as {} refused", spec.service_account_dn.trim()),
                    &e,
                )
            })?;
        Ok(Self {
            ldap,
            timeout,
            encrypted: url.starts_with("ldaps://") || spec.start_tls,
        })
    }

    /// Whether the entry `dn` exists.
    pub async fn exists(&mut self, dn: &str) -> Result<bool, DirectoryError> {
        let found = self
            .ldap
            .with_timeout(self.timeout)
            .search(dn, Scope::Base, "(objectClass=*)", vec!["1.1"])
            .await
            .and_then(|r| r.success());
        match found {
            Ok(_) => Ok(true),
            Err(LdapError::LdapResult { result }) if result.rc == NO_SUCH_OBJECT => Ok(false),
            Err(e) => Err(DirectoryError::ldap(&format!("cannot read {dn}"), &e)),
        }
    }

    /// Ends the connection politely; a failure here changes nothing.
    pub async fn close(mut self) {
        let _ = self.ldap.unbind().await;
    }
}

/// A TLS configuration that trusts the CA certificates of `pem` only.
fn tls_config(pem: &str) -> Result<Arc<rustls::ClientConfig>, DirectoryError> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        let cert = cert.map_err(|e| DirectoryError::refused(format!("CA Certificate: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| DirectoryError::refused(format!("CA Certificate: {e}")))?;
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| DirectoryError::new("TLS", e))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// **Test connection** for an LDAP config: bind, then check that the search base and each
/// OU in `ous` exist. Answers what was found.
pub async fn test_connection(spec: &LdapSpec, ous: &[String]) -> Result<String, DirectoryError> {
    let mut directory = Directory::open(spec).await?;
    let base = spec.search_base.trim();
    let mut missing = Vec::new();
    for dn in std::iter::once(base).chain(ous.iter().map(|ou| ou.trim())) {
        if !directory.exists(dn).await? {
            missing.push(dn.to_owned());
        }
    }
    directory.close().await;
    if missing.is_empty() {
        let checked = if ous.is_empty() {
            "the search base exists".to_owned()
        } else {
            format!("the search base and {} exist", ous.join(", "))
        };
        Ok(format!(
            "bound as {}; {checked}",
            spec.service_account_dn.trim()
        ))
    } else {
        Err(DirectoryError::refused(format!(
            "bound, but the directory has no {}",
            missing.join(", no ")
        )))
    }
}

//! The Samba AD domain controller that scripts/test.sh provisions and starts on 127.0.0.1
//! (scripts/samba_dc.sh) and names in POOLADMIN_SAMBA_*. Without it the directory tests
//! fail: they never skip.

use pooladmin::model::Secret;
use pooladmin::model::ldap::LdapSpec;

/// One setting of the running Samba.
pub fn samba_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the tests with scripts/test.sh, which starts Samba")
    })
}

/// An LDAP config for the test domain, binding as its Administrator over LDAPS, trusting
/// the test CA.
pub fn samba_ldap() -> LdapSpec {
    let ca = samba_env("POOLADMIN_SAMBA_CA");
    LdapSpec {
        name: "Samba".into(),
        url: samba_env("POOLADMIN_SAMBA_URL"),
        start_tls: false,
        search_base: samba_env("POOLADMIN_SAMBA_BASE"),
        service_account_dn: samba_env("POOLADMIN_SAMBA_ADMIN_DN"),
        service_account_password: Secret::new(samba_env("POOLADMIN_SAMBA_PASSWORD")),
        enabled: true,
        connection_timeout_s: "5".into(),
        ca_certificate: std::fs::read_to_string(&ca)
            .unwrap_or_else(|e| panic!("cannot read the Samba CA {ca}: {e}")),
    }
}

/// The OU the script made for the tests.
pub fn samba_ou() -> String {
    samba_env("POOLADMIN_SAMBA_OU")
}

/// A computer name no other test uses: at most 15 characters.
pub fn fresh_computer_name(prefix: &str) -> String {
    let n: u32 = rand::random::<u32>() % 1_000_000;
    format!("{prefix}{n:06}")
}

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
        allow_unencrypted: false,
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

/// The reference document's AD join script (the VM Provider's Startup Script).
pub const JOIN_SCRIPT: &str = "$joinCred = New-Object pscredential -ArgumentList ([pscustomobject]@{{ UserName = $null; Password = (ConvertTo-SecureString -String '{ad_join_credential}' -AsPlainText -Force)[0] }})\nAdd-Computer -Domain \"{domain}\" -Options UnsecuredJoin,PasswordPass -Credential $joinCred -Force -Restart\n";

/// A Server pool whose config creates computer records in `ou` through `ldap`, named by
/// `pattern`, on the simulator (VMs boot in a second); one server kept available.
pub fn ad_server_pool(ldap: LdapSpec, ou: &str, pattern: &str) -> super::scaling::Bench {
    use pooladmin::cloud::simulated::Behaviour;
    use pooladmin::model::PoolKind;
    use pooladmin::model::autoscale::{AutoScaleSpec, Scaling};
    use pooladmin::model::vm_provider::{ProviderKind, VmProviderSpec};
    use pooladmin::store::Store;
    use std::time::Duration;

    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("ad.sqlite")).expect("open store");
    let zone = store.zones().expect("zones")[0].id;
    let pool = store.add_pool("windows", PoolKind::Server).expect("pool");
    let ldap_id = store.add_config(&ldap).expect("LDAP config");
    let mut provider = VmProviderSpec::new(ProviderKind::Simulator);
    provider.name = "simulated".into();
    provider.startup_script = JOIN_SCRIPT.into();
    let mut spec = AutoScaleSpec::new(pool, PoolKind::Server, Some(zone));
    spec.name = "windows on the simulator".into();
    if let Scaling::Servers(s) = &mut spec.scaling {
        s.create_ad_record = true;
        s.ldap_config = Some(ldap_id);
        s.ad_computer_ou_dn = ou.into();
        s.computer_name_pattern = pattern.into();
        s.minimum_available_sessions = "1".into();
        s.max_sessions_per_server = "1".into();
    }
    let behaviour = Behaviour {
        api_latency: Duration::from_millis(20),
        boot_delay: Duration::from_secs(1),
        ..Behaviour::default()
    };
    super::scaling::Bench::saving(dir, store, &spec, provider, behaviour)
}

/// A computer-name pattern no other test uses: `Q` + 5 random letters + `-{n}`.
pub fn fresh_pattern() -> String {
    let letters: String = (0..5)
        .map(|_| char::from(b'A' + rand::random::<u8>() % 26))
        .collect();
    format!("Q{letters}-{{n}}")
}

/// The test domain as its Administrator, straight through ldap3: the tests read and set
/// what the product does not (the product itself verifies the certificate).
pub async fn as_administrator() -> ldap3::Ldap {
    use ldap3::{LdapConnAsync, LdapConnSettings};
    let settings = LdapConnSettings::new().set_no_tls_verify(true);
    let (conn, mut ldap) =
        LdapConnAsync::with_settings(settings, &samba_env("POOLADMIN_SAMBA_URL"))
            .await
            .expect("connect to Samba");
    ldap3::drive!(conn);
    ldap.simple_bind(
        &samba_env("POOLADMIN_SAMBA_ADMIN_DN"),
        &samba_env("POOLADMIN_SAMBA_PASSWORD"),
    )
    .await
    .and_then(|r| r.success())
    .expect("bind as the administrator");
    ldap
}

/// The DNs of the computer records in the test OU that `installation` made (their
/// description carries its owner mark), read straight from the directory.
pub async fn computers_made_by(installation: &str) -> Vec<String> {
    use ldap3::{Scope, SearchEntry};
    let mut ldap = as_administrator().await;
    let filter = format!(
        "(&(objectClass=computer)(description=pooladmin-owner={}*))",
        ldap3::ldap_escape(installation)
    );
    let (entries, _) = ldap
        .search(&samba_ou(), Scope::Subtree, &filter, vec!["1.1"])
        .await
        .and_then(|r| r.success())
        .expect("search");
    let mut dns: Vec<String> = entries
        .into_iter()
        .map(|e| SearchEntry::construct(e).dn)
        .collect();
    dns.sort();
    let _ = ldap.unbind().await;
    dns
}

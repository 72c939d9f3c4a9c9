//! The domain's password policy at its strictest (issue 14): the longest minimum Active
//! Directory allows (14 characters) with complexity on still takes the 32-character join
//! password of four kinds pooladmin generates, so a policy never holds a record back; had
//! the directory refused (constraint violation, 19), the config would stop — the
//! classification's unit test. A test binary of its own: it tightens the whole test
//! domain's policy for its duration, and cargo runs test binaries one after another.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::samba::{as_administrator, fresh_computer_name, samba_env, samba_ldap, samba_ou};
use ldap3::{Mod, Scope, SearchEntry};
use pooladmin::directory::{
    ComputerRecord, Placement, computer_dn, delete_computer, ensure_computer, new_join_password,
    test_connection,
};
use pooladmin::model::ldap::{LdapSpec, domain_of};
use std::collections::HashSet;

/// Sets the domain's minimum password length and complexity (`pwdProperties`), answering
/// what they were.
async fn set_policy(length: &str, properties: &str) -> (String, String) {
    let mut ldap = as_administrator().await;
    let base = samba_env("POOLADMIN_SAMBA_BASE");
    let (entries, _) = ldap
        .search(
            &base,
            Scope::Base,
            "(objectClass=*)",
            vec!["minPwdLength", "pwdProperties"],
        )
        .await
        .and_then(|r| r.success())
        .expect("read the domain's policy");
    let entry = entries
        .into_iter()
        .next()
        .map(SearchEntry::construct)
        .expect("the domain object");
    let value = |name: &str| {
        entry
            .attrs
            .get(name)
            .and_then(|v| v.first().cloned())
            .unwrap_or_else(|| panic!("the domain has no {name}"))
    };
    let before = (value("minPwdLength"), value("pwdProperties"));
    ldap.modify(
        &base,
        vec![
            Mod::Replace("minPwdLength", HashSet::from([length])),
            Mod::Replace("pwdProperties", HashSet::from([properties])),
        ],
    )
    .await
    .and_then(|r| r.success())
    .expect("set the domain's minimum password length");
    let _ = ldap.unbind().await;
    before
}

#[tokio::test]
async fn the_strictest_password_policy_takes_the_join_password() {
    let password = new_join_password();
    assert_eq!(password.expose().len(), 32);
    // 14 characters (the most AD allows), complexity on (pwdProperties bit 1).
    let (length, properties) = set_policy("14", "1").await;
    let spec = samba_ldap();
    let record = ComputerRecord {
        ou_dn: samba_ou(),
        name: fresh_computer_name("PAP"),
        domain: domain_of(&spec.search_base),
        password,
        owner: "pooladmin-owner=tests pooladmin-instance=1".into(),
    };
    let outcome = ensure_computer(&spec, &record).await;
    // The domain as it was, before anything is judged.
    set_policy(&length, &properties).await;
    assert_eq!(outcome.expect("the policy takes it"), Placement::Created);
    // The computer signs in with it: the password was set, not dropped.
    let computer = LdapSpec {
        service_account_dn: computer_dn(&record.name, &samba_ou()),
        service_account_password: record.password.clone(),
        ..samba_ldap()
    };
    test_connection(&computer, &[])
        .await
        .expect("the computer binds with its join password");
    delete_computer(&samba_ldap(), &computer.service_account_dn, &record.owner)
        .await
        .expect("cleaned up");
}

//! Computer records against a real Samba AD domain controller, started by the README's test
//! command (scripts/samba_dc.sh): create, bind as the computer, name collisions, reclaim,
//! delete, a missing OU, Test connection.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::samba::{fresh_computer_name, samba_ldap, samba_ou};
use pooladmin::directory::{
    ComputerRecord, Placement, Removal, computer_dn, delete_computer, ensure_computer,
    new_join_password, test_connection,
};
use pooladmin::model::Secret;
use pooladmin::model::ldap::{LdapSpec, domain_of};

const OWNER: &str = "pooladmin-owner=tests pooladmin-instance=1";

/// The LDAP config signing in as the computer itself.
fn as_computer(name: &str, password: &Secret) -> LdapSpec {
    LdapSpec {
        service_account_dn: computer_dn(name, &samba_ou()),
        service_account_password: password.clone(),
        ..samba_ldap()
    }
}

async fn create(name: &str, password: &Secret, owner: &str) -> Placement {
    let spec = samba_ldap();
    let ou = samba_ou();
    let domain = domain_of(&spec.search_base);
    let record = ComputerRecord {
        ou_dn: ou,
        name: name.to_owned(),
        domain,
        password: password.clone(),
        owner: owner.to_owned(),
    };
    ensure_computer(&spec, &record)
        .await
        .expect("ensure computer")
}

#[tokio::test]
async fn a_created_computer_binds_with_its_password_only() {
    let name = fresh_computer_name("PAC");
    let password = new_join_password();
    assert_eq!(create(&name, &password, OWNER).await, Placement::Created);
    test_connection(&as_computer(&name, &password), &[])
        .await
        .expect("the computer binds with the generated password");
    let wrong = Secret::new(format!("{}x", password.expose()));
    let refused = test_connection(&as_computer(&name, &wrong), &[])
        .await
        .expect_err("a wrong password is refused");
    assert!(refused.message.contains("bind"), "{refused}");
    let dn = computer_dn(&name, &samba_ou());
    assert_eq!(
        delete_computer(&samba_ldap(), &dn, OWNER).await.unwrap(),
        Removal::Removed
    );
}

#[tokio::test]
async fn a_name_taken_by_another_object_is_reported_not_reused() {
    let name = fresh_computer_name("PAT");
    let other = "someone-else";
    assert_eq!(
        create(&name, &new_join_password(), other).await,
        Placement::Created
    );
    let dn = computer_dn(&name, &samba_ou());
    match create(&name, &new_join_password(), OWNER).await {
        Placement::Taken(by) => assert!(by.eq_ignore_ascii_case(&dn), "{by}"),
        placement => panic!("expected Taken, got {placement:?}"),
    }
    // Not ours: a delete leaves it alone.
    assert_eq!(
        delete_computer(&samba_ldap(), &dn, OWNER).await.unwrap(),
        Removal::NotOurs
    );
    assert_eq!(
        delete_computer(&samba_ldap(), &dn, other).await.unwrap(),
        Removal::Removed
    );
}

#[tokio::test]
async fn a_second_attempt_for_the_same_instance_resets_the_password() {
    let name = fresh_computer_name("PAR");
    let first = new_join_password();
    assert_eq!(create(&name, &first, OWNER).await, Placement::Created);
    let second = new_join_password();
    assert_eq!(create(&name, &second, OWNER).await, Placement::Reclaimed);
    test_connection(&as_computer(&name, &second), &[])
        .await
        .expect("the new password binds");
    // The old one may still bind for a while: AD's "old password allowed period".
    let dn = computer_dn(&name, &samba_ou());
    delete_computer(&samba_ldap(), &dn, OWNER).await.unwrap();
}

#[tokio::test]
async fn delete_removes_the_object_and_a_second_delete_finds_it_gone() {
    let name = fresh_computer_name("PAD");
    create(&name, &new_join_password(), OWNER).await;
    let dn = computer_dn(&name, &samba_ou());
    assert_eq!(
        delete_computer(&samba_ldap(), &dn, OWNER).await.unwrap(),
        Removal::Removed
    );
    assert_eq!(
        delete_computer(&samba_ldap(), &dn, OWNER).await.unwrap(),
        Removal::Gone
    );
    let ou = samba_ou();
    let error = test_connection(&samba_ldap(), std::slice::from_ref(&dn))
        .await
        .expect_err("the object is gone");
    assert!(error.message.contains(&dn), "{error}");
    test_connection(&samba_ldap(), &[ou])
        .await
        .expect("the OU is there");
}

#[tokio::test]
async fn a_missing_ou_is_a_clear_error() {
    let spec = samba_ldap();
    let missing = format!("OU=Nowhere,{}", spec.search_base);
    let password = new_join_password();
    let record = ComputerRecord {
        ou_dn: missing.clone(),
        name: "PAMISSING1".into(),
        domain: None,
        password,
        owner: OWNER.into(),
    };
    let error = ensure_computer(&spec, &record)
        .await
        .expect_err("no OU, no computer");
    assert!(
        error.message.contains("OU=Nowhere") && error.message.contains("does not exist"),
        "{error}"
    );
    assert!(error.stops(), "a missing OU stands until someone fixes it");
}

#[tokio::test]
async fn a_wrong_service_password_is_refused_with_the_directory_message() {
    let spec = LdapSpec {
        service_account_password: Secret::new("not-the-password"),
        ..samba_ldap()
    };
    let error = test_connection(&spec, &[]).await.expect_err("bind refused");
    assert!(error.message.contains("invalidCredentials"), "{error}");
    assert!(error.stops(), "a wrong password is not retried");
}

#[tokio::test]
async fn starttls_upgrades_a_plain_connection_and_plain_binds_are_refused() {
    let plain_url = samba_ldap()
        .url
        .replace("ldaps://", "ldap://")
        .replace(":636", ":389");
    let starttls = LdapSpec {
        url: plain_url.clone(),
        start_tls: true,
        ..samba_ldap()
    };
    test_connection(&starttls, &[samba_ou()])
        .await
        .expect("StartTLS binds");
    // Without TLS pooladmin does not send the password at all unless told it is a test...
    let plain = LdapSpec {
        url: plain_url,
        start_tls: false,
        ..samba_ldap()
    };
    let error = test_connection(&plain, &[]).await.expect_err("refused");
    assert!(error.message.contains("in clear"), "{error}");
    assert!(error.stops(), "the config stops until someone edits it");
    // ...and when told, AD itself refuses a simple bind in clear (strongerAuthRequired).
    let allowed = LdapSpec {
        allow_unencrypted: true,
        ..plain
    };
    let error = test_connection(&allowed, &[]).await.expect_err("refused");
    assert!(error.message.contains("bind"), "{error}");
}

#[tokio::test]
async fn an_account_without_rights_on_the_ou_is_refused_and_the_refusal_stands() {
    let spec = LdapSpec {
        service_account_dn: common::samba::samba_env("POOLADMIN_SAMBA_NORIGHTS_DN"),
        service_account_password: Secret::new(common::samba::samba_env(
            "POOLADMIN_SAMBA_NORIGHTS_PASSWORD",
        )),
        ..samba_ldap()
    };
    let record = ComputerRecord {
        ou_dn: samba_ou(),
        name: fresh_computer_name("PANR"),
        domain: None,
        password: new_join_password(),
        owner: OWNER.into(),
    };
    let error = ensure_computer(&spec, &record)
        .await
        .expect_err("no rights on the OU, no computer");
    assert!(
        error.message.contains("insufficientAccessRights") || error.message.contains("rc=50"),
        "{error}"
    );
    assert!(error.stops(), "missing rights are not retried");
}

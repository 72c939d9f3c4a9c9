//! The scaler with computer records, end to end: the simulated cloud for VMs, the real
//! Samba AD DC (started by the README's test command) for the directory. Real time: the
//! directory answers over a real network, which a paused tokio clock would time out.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::samba::{ad_server_pool, fresh_pattern, samba_ldap, samba_ou};
use common::scaling::{Bench, Running, settings};
use pooladmin::directory::{
    ComputerRecord, Placement, computer_dn, ensure_computer, new_join_password, test_connection,
};
use pooladmin::model::Secret;
use pooladmin::model::instance::{InstanceId, InstanceState};
use pooladmin::model::ldap::{LdapSpec, domain_of};
use pooladmin::scaler::{Command, ScalerSettings};
use std::time::Duration;

fn quick() -> ScalerSettings {
    ScalerSettings {
        tick: Duration::from_millis(500),
        poll_every: Duration::from_millis(100),
        ..settings()
    }
}

/// Waits (real time) until `done` holds, or fails saying `what`.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..300 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting until {what}");
}

/// Drains the server of `id`; once it is deleted its claim has ended and the directory no
/// longer holds the record `dn`.
async fn drain_and_see_the_record_go(bench: &Bench, running: &Running, id: InstanceId, dn: &str) {
    running.commands.send(Command::Drain(id)).expect("drain");
    until("the record is removed", || {
        let row = bench.store.instance(id).expect("row");
        row.state == InstanceState::Deleted && row.computer_dn.is_none()
    })
    .await;
    let error = test_connection(&samba_ldap(), &[dn.to_owned()])
        .await
        .expect_err("the record is gone");
    assert!(error.message.contains(dn), "{error}");
}

fn start(bench: &Bench) -> Running {
    bench.start(quick(), None)
}

#[tokio::test]
async fn a_server_gets_its_computer_record_first_and_loses_it_when_deleted() {
    let pattern = fresh_pattern();
    let bench = ad_server_pool(samba_ldap(), &samba_ou(), &pattern);
    let running = start(&bench);
    until("a server runs", || bench.count(InstanceState::Running) == 1).await;
    let instance = bench.live().remove(0);
    let name = pattern.replace("{n}", "1");
    assert_eq!(instance.computer_name.as_deref(), Some(name.as_str()));
    let vm = bench.cloud.vms().remove(0);
    assert_eq!(vm.name, name, "the VM is named after its computer record");

    // The script carries the password and the domain once each, PowerShell-ready.
    let script = bench.cloud.startup_script(&vm.cloud_id).expect("script");
    let password = script
        .split("-String '")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the password in single quotes")
        .to_owned();
    assert_eq!(password.len(), 32);
    assert_eq!(script.matches(&password).count(), 1);
    let domain = domain_of(&samba_ldap().search_base).unwrap();
    assert_eq!(script.matches(&format!("\"{domain}\"")).count(), 1);
    assert!(
        script.contains("[pscustomobject]@{ UserName = $null;"),
        "{script}"
    );
    assert!(!script.contains("{ad_join_credential}") && !script.contains("{domain}"));

    // The record exists and the VM can use that password.
    let dn = computer_dn(&name, &samba_ou());
    let as_computer = LdapSpec {
        service_account_dn: dn.clone(),
        service_account_password: Secret::new(password),
        ..samba_ldap()
    };
    test_connection(&as_computer, &[])
        .await
        .expect("the computer binds");

    // Delete the server: the record goes with it, and the claim ends.
    drain_and_see_the_record_go(&bench, &running, instance.id, &dn).await;
    running.stop().await;
}

#[tokio::test]
async fn a_name_taken_in_the_directory_is_skipped() {
    let pattern = fresh_pattern();
    let spec = samba_ldap();
    let ou = samba_ou();
    let taken = pattern.replace("{n}", "1");
    let password = new_join_password();
    let record = ComputerRecord {
        ou_dn: ou.clone(),
        name: taken.clone(),
        domain: None,
        password,
        owner: "another tool".into(),
    };
    assert_eq!(
        ensure_computer(&spec, &record).await.unwrap(),
        Placement::Created
    );
    let bench = ad_server_pool(spec, &ou, &pattern);
    let running = start(&bench);
    until("a server runs", || bench.count(InstanceState::Running) == 1).await;
    let instance = bench.live().remove(0);
    assert_eq!(
        instance.computer_name,
        Some(pattern.replace("{n}", "2")),
        "the taken name is skipped"
    );
    let events = bench
        .store
        .events(&Default::default(), 100)
        .expect("events");
    assert!(
        events
            .iter()
            .any(|(_, e)| e.message.contains(&format!("{taken} is taken"))),
        "the skip is explained"
    );
    running.stop().await;
}

/// Waits until the config has stopped, and returns why.
async fn stopped_reason(bench: &Bench) -> String {
    until("the config stops", || {
        bench
            .store
            .config_health()
            .expect("health")
            .get(&bench.config)
            .is_some_and(|h| h.stopped_reason.is_some())
    })
    .await;
    let health = bench.store.config_health().unwrap()[&bench.config].clone();
    assert!(
        health.backoff_until.is_none(),
        "a standing refusal stops, it does not back off"
    );
    health.stopped_reason.unwrap_or_default()
}

#[tokio::test]
async fn a_missing_ou_means_no_vm_and_a_stopped_config() {
    let spec = samba_ldap();
    let missing = format!("OU=Missing,{}", spec.search_base);
    let bench = ad_server_pool(spec, &missing, &fresh_pattern());
    let running = start(&bench);
    let error = stopped_reason(&bench).await;
    assert!(
        error.contains("OU=Missing") && error.contains("does not exist"),
        "{error}"
    );
    assert_eq!(bench.cloud.calls().creates, 0, "no VM was asked for");
    assert!(bench.cloud.vms().is_empty());
    running.stop().await;
}

#[tokio::test]
async fn a_wrong_service_password_stops_the_config_with_the_directorys_words() {
    let mut spec = samba_ldap();
    spec.service_account_password = Secret::new("not-the-password-1A");
    let ou = samba_ou();
    let bench = ad_server_pool(spec, &ou, &fresh_pattern());
    let running = start(&bench);
    let error = stopped_reason(&bench).await;
    assert!(error.contains("bind as") && error.contains("49"), "{error}");
    assert_eq!(bench.cloud.calls().creates, 0, "no VM was asked for");
    running.stop().await;
}

/// A crash at any step of the AD path (claim written, record made, VM asked for, answer
/// lost…) and a restart: one server runs, and the directory holds exactly the records of
/// live instances: none left behind, none missing.
#[tokio::test]
async fn a_crash_at_any_step_leaves_no_stray_computer_record() {
    use pooladmin::scaler::failpoint::Failpoint;
    use std::sync::Arc;
    for step in 1..=12 {
        let bench = ad_server_pool(samba_ldap(), &samba_ou(), &fresh_pattern());
        let crashing = bench.start(quick(), Some(Arc::new(Failpoint::at_step(step))));
        let crashed = tokio::time::timeout(Duration::from_secs(20), crashing.task)
            .await
            .expect("the scaler crashes or stops")
            .expect("scaler task");
        assert!(crashed.is_err(), "step {step}: the failpoint trips");
        let running = start(&bench);
        until("a server runs after the restart", || {
            bench.count(InstanceState::Running) == 1
        })
        .await;
        let installation = bench.store.installation_id().to_owned();
        let mut expected: Vec<String> = bench
            .live()
            .into_iter()
            .filter_map(|i| i.computer_dn)
            .collect();
        expected.sort();
        // Records of instances that ended are removed on the next pass.
        let mut found = Vec::new();
        for _ in 0..50 {
            found = common::samba::computers_made_by(&installation).await;
            if found.len() == expected.len() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let lower = |v: &[String]| v.iter().map(|d| d.to_lowercase()).collect::<Vec<_>>();
        assert_eq!(lower(&found), lower(&expected), "step {step}");
        assert_eq!(bench.cloud.vms().len(), 1, "step {step}: one VM");
        running.stop().await;
    }
}

#[tokio::test]
async fn a_record_goes_even_after_its_config_stops_creating_records() {
    use pooladmin::model::autoscale::Scaling;
    use pooladmin::store::Choice;
    let pattern = fresh_pattern();
    let mut bench = ad_server_pool(samba_ldap(), &samba_ou(), &pattern);
    let running = start(&bench);
    until("a server runs", || bench.count(InstanceState::Running) == 1).await;
    let instance = bench.live().remove(0);
    let dn = instance.computer_dn.clone().expect("a record");
    let ldap = instance
        .computer_ldap
        .expect("the directory it was made in");
    if let Scaling::Servers(s) = &mut bench.spec.scaling {
        s.create_ad_record = false;
        s.ldap_config = None;
    }
    bench
        .store
        .save_autoscale(
            Some(bench.config),
            &bench.spec,
            &Choice::Existing(bench.provider),
            None,
        )
        .expect("save config");
    // The LDAP config is no longer used by any config, but a record made through it lives.
    let refused = bench
        .store
        .delete_config::<LdapSpec>(ldap)
        .expect_err("kept while a record made through it may exist");
    assert!(refused.to_string().contains("computer record"), "{refused}");
    drain_and_see_the_record_go(&bench, &running, instance.id, &dn).await;
    running.stop().await;
    bench
        .store
        .delete_config::<LdapSpec>(ldap)
        .expect("no record left: the LDAP config can go");
}

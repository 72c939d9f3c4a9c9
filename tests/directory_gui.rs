//! Test connection for the directory, end to end: on the LDAP Configs page and in the
//! wizard's first step, the window sends the config (and OU) as typed to a real scaler,
//! which binds to the Samba AD DC started by the README's test command and looks for the
//! search base and the OU.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::samba::{samba_ldap, samba_ou};
use common::ui_driver::{harness_with, settle, until, until_still};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use pooladmin::cloud::{Clock, ProviderClouds};
use pooladmin::model::PoolKind;
use pooladmin::model::autoscale::{AutoScaleSpec, Scaling};
use pooladmin::model::vm_provider::{ProviderKind, VmProviderSpec};
use pooladmin::scaler::{ScalerHandle, ScalerSettings};
use pooladmin::store::{Choice, Store};
use pooladmin::ui::PoolAdminApp;
use std::sync::Arc;
use std::time::Duration;

/// The window on `store` with a real scaler on a sibling connection.
fn window_with_scaler(store: Store) -> Harness<'static, PoolAdminApp> {
    let scaler = ScalerHandle::start(
        store.sibling().unwrap(),
        Arc::new(ProviderClouds::new(Clock::new(), None)),
        ScalerSettings::default(),
        Arc::new(|| {}),
        None,
    )
    .unwrap();
    harness_with(PoolAdminApp::new(store).with_scaler(scaler))
}

#[test]
fn test_connection_binds_and_finds_the_ou_of_the_config_that_uses_it() {
    let (_dir, mut store) = common::temp_store();
    let zone = common::default_zone(&store);
    let pool = store.add_pool("windows", PoolKind::Server).unwrap();
    let ldap = store.add_config(&samba_ldap()).unwrap();
    let mut spec = AutoScaleSpec::new(pool, PoolKind::Server, Some(zone));
    spec.name = "windows".into();
    if let Scaling::Servers(s) = &mut spec.scaling {
        s.create_ad_record = true;
        s.ldap_config = Some(ldap);
        s.ad_computer_ou_dn = samba_ou();
        // Nothing to create: this test is about the directory only.
        s.minimum_available_sessions = "0".into();
    }
    let mut provider = VmProviderSpec::new(ProviderKind::Simulator);
    provider.name = "simulated".into();
    store
        .save_autoscale(None, &spec, &Choice::New(provider), None)
        .unwrap();
    let mut h = window_with_scaler(store);
    settle(&mut h);
    h.get_by_label_contains("LDAP Configs").click();
    settle(&mut h);
    h.get_by_role_and_label(Role::Button, "Edit").click();
    settle(&mut h);
    // The dialog sizes itself over its first frames; click once it stands still.
    until_still(&mut h, Role::Button, "Test connection");
    h.get_by_role_and_label(Role::Button, "Test connection")
        .click();
    let answer = format!("the search base and {} exist", samba_ou());
    until(
        &mut h,
        Duration::from_secs(10),
        "the directory's answer",
        |h| h.query_by_label_contains(&answer).is_some(),
    );
}

#[test]
fn the_wizard_tests_the_chosen_ldap_config_and_ou() {
    use pooladmin::ui::Page;
    let (_dir, mut store) = common::temp_store();
    let pool = store.add_pool("windows", PoolKind::Server).unwrap();
    let mut ldap = samba_ldap();
    ldap.name = "corp".into();
    store.add_config(&ldap).unwrap();
    let mut h = window_with_scaler(store);
    h.state_mut().open_page(Page::Pool(pool));
    settle(&mut h);
    h.get_by_label("Add AutoScale config").click();
    settle(&mut h);
    h.get_by_role_and_label(Role::CheckBox, "Create Active Directory Computer Record")
        .click_accesskit();
    settle(&mut h);
    h.get_by_role_and_label(Role::ComboBox, "LDAP Config")
        .click_accesskit();
    settle(&mut h);
    h.get_by_label("corp").click_accesskit();
    settle(&mut h);
    let missing = format!("OU=Nowhere,{}", samba_ldap().search_base);
    h.get_by_role_and_label(Role::TextInput, "Active Directory Computer OU DN")
        .focus();
    settle(&mut h);
    h.get_by_role_and_label(Role::TextInput, "Active Directory Computer OU DN")
        .type_text(&missing);
    settle(&mut h);
    h.get_by_role_and_label(Role::Button, "Test connection")
        .click_accesskit();
    until(
        &mut h,
        Duration::from_secs(10),
        "the directory's answer about the OU",
        |h| h.query_by_label_contains("the directory has no").is_some(),
    );
    assert!(h.query_by_label_contains(&missing).is_some());
}

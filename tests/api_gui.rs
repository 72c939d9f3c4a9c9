//! The API page and the members' agent tokens, driven through AccessKit.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::api::host_report;
use common::temp_store;
use common::ui_driver::{click, harness, settle, type_into, until};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use pooladmin::model::{PoolKind, Resources};

#[test]
fn api_settings_are_checked_before_saving_and_keys_are_shown_once_then_revoked() {
    let (_dir, store) = temp_store();
    let mut h = harness(store);
    settle(&mut h);
    click(&mut h, "API");
    assert!(
        h.query_by_label("Not running here: no scaler runs beside this window")
            .is_some()
    );
    type_into(&mut h, "Listen Address", "0.0.0.0:8443");
    click(&mut h, "Save API settings");
    assert!(
        h.query_all_by_label_contains("reachable from other machines: give a TLS certificate")
            .next()
            .is_some(),
        "the error is shown under the field"
    );
    assert_eq!(
        h.state().store().api_settings().unwrap().listen.to_string(),
        "127.0.0.1:8443",
        "nothing saved"
    );
    type_into(&mut h, "Listen Address", "127.0.0.1:9443");
    type_into(&mut h, "Host Missing Expiration (s)", "120");
    click(&mut h, "Save API settings");
    let saved = h.state().store().api_settings().unwrap();
    assert_eq!(saved.listen.to_string(), "127.0.0.1:9443");
    assert_eq!(saved.host_missing_s, 120);

    type_into(&mut h, "Key Name", "portal");
    click(&mut h, "Create key");
    assert!(h.query_by_label("API key portal").is_some());
    let key = h
        .get_by_role_and_label(Role::TextInput, "Secret")
        .value()
        .expect("the key is shown");
    assert!(key.starts_with("pa_k_"), "{key}");
    click(&mut h, "Done");
    assert!(
        h.query_by_label("API key portal").is_none(),
        "shown once: the dialog is gone"
    );
    let mut store = h.state().store().sibling().unwrap();
    assert!(
        store
            .authenticate_api_key(&key, jiff::Timestamp::now())
            .unwrap()
            .is_some()
    );
    click(&mut h, "Revoke…");
    click(&mut h, "Revoke");
    assert!(
        store
            .authenticate_api_key(&key, jiff::Timestamp::now())
            .unwrap()
            .is_none()
    );
    assert!(h.query_by_label("No keys yet.").is_some());
    h.check_accessibility();
}

#[test]
fn a_static_agent_gets_a_token_and_its_silence_shows() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
    common::add_agent(&mut store, "agent-01", Some(pool), 8);
    let mut h = harness(store);
    settle(&mut h);
    h.get_by_label_contains("Docker Agents  (").click();
    settle(&mut h);
    assert!(h.query_by_label("never").is_some());
    click(&mut h, "Actions ⏷");
    click(&mut h, "Agent token…");
    assert!(h.query_by_label("Agent token for agent-01").is_some());
    let token = h
        .get_by_role_and_label(Role::TextInput, "Secret")
        .value()
        .unwrap();
    click(&mut h, "Done");
    let mut store = h.state().store().sibling().unwrap();
    let owner = store
        .token_owner(&token)
        .unwrap()
        .expect("the token speaks for the agent");
    let report = host_report("agent-01", "10.0.0.7", Resources::new(8.0, 16384, 0));
    store
        .check_in(
            owner,
            &report,
            jiff::Timestamp::now() - jiff::SignedDuration::from_secs(2 * 3600),
        )
        .unwrap();
    // Another connection wrote: the window reads again on its own (at most every 300 ms).
    until(
        &mut h,
        std::time::Duration::from_secs(5),
        "the silence is shown",
        |h| h.query_by_label("2 h ago · dead").is_some(),
    );
}

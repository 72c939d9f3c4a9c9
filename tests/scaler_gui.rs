//! The pool's Status tab and the Events page, fed by a real scaler run on the simulated
//! cloud; the window's commands come back through an injected channel.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::scaling::{agent_pool, settings, wait};
use common::ui_driver::{click, harness_with, settle};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use pooladmin::cloud::simulated::Behaviour;
use pooladmin::scaler::{Command, ScalerHandle};
use pooladmin::ui::PoolAdminApp;
use std::time::Duration;
use tokio::sync::mpsc;

#[test]
fn status_tab_shows_members_capacity_decisions_and_pauses_a_config() {
    // The scaler fills the pool on tokio's paused clock; its updates are kept for the window.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    let (bench, updates) = runtime.block_on(async {
        let behaviour = Behaviour {
            boot_delay: Duration::from_secs(20),
            ..Behaviour::default()
        };
        let bench = agent_pool(behaviour, 8, 10);
        let mut scaler = bench.start(settings(), None);
        wait(60).await;
        let updates = scaler.drain();
        scaler.stop().await;
        (bench, updates)
    });

    let (command_tx, mut commands) = mpsc::unbounded_channel();
    let (update_tx, update_rx) = mpsc::unbounded_channel();
    for update in updates {
        update_tx.send(update).unwrap();
    }
    let app = PoolAdminApp::new(bench.store.sibling().unwrap())
        .with_scaler(ScalerHandle::from_channels(command_tx, update_rx));
    let mut h = harness_with(app);
    settle(&mut h);

    click(&mut h, "agents");
    click(&mut h, "Status");
    assert!(
        h.query_by_label("Running: 2").is_some(),
        "two agents running"
    );
    assert!(h.query_by_label("Free 8 of target 8 cores").is_some());
    assert!(
        h.query_by_label_contains("standby cores 8 > free 0 → create 2 agents")
            .is_some(),
        "the decision and its reason are shown"
    );
    assert!(
        h.query_by_label_contains("Autoscaled instances (2)")
            .is_some()
    );

    h.get_by_role_and_label(Role::Button, "Pause").click();
    settle(&mut h);
    assert_eq!(commands.try_recv().ok(), Some(Command::Pause(bench.config)));

    // Drain asks first, then sends.
    h.get_all_by_label("Drain…").next().unwrap().click();
    settle(&mut h);
    assert!(
        commands.try_recv().is_err(),
        "nothing sent before the confirmation"
    );
    h.get_by_role_and_label(Role::Button, "Drain").click();
    settle(&mut h);
    assert!(matches!(commands.try_recv(), Ok(Command::Drain(_))));

    // The Events page lists the transitions, filtered by text.
    h.get_by_label("Events").click();
    settle(&mut h);
    assert_eq!(h.query_all_by_label_contains("checked in at").count(), 2);
    h.get_by_role_and_label(Role::TextInput, "Filter").focus();
    settle(&mut h);
    h.get_by_role_and_label(Role::TextInput, "Filter")
        .type_text("create call");
    settle(&mut h);
    assert_eq!(h.query_all_by_label_contains("checked in at").count(), 0);
    assert_eq!(h.query_all_by_label_contains("create call sent").count(), 2);
}

#[test]
fn test_connection_sends_the_form_as_typed_and_shows_the_answer() {
    use pooladmin::scaler::{ConnectionTarget, Update};
    let (_dir, store) = common::temp_store();
    let (command_tx, mut commands) = mpsc::unbounded_channel();
    let (update_tx, update_rx) = mpsc::unbounded_channel();
    let app =
        PoolAdminApp::new(store).with_scaler(ScalerHandle::from_channels(command_tx, update_rx));
    let mut h = harness_with(app);
    settle(&mut h);
    h.get_by_label_contains("VM Provider Configs").click();
    settle(&mut h);
    click(&mut h, "Add VM Provider config");
    common::ui_driver::type_into(&mut h, "Name", "aws east");
    h.get_by_role_and_label(Role::Button, "Test connection")
        .click();
    settle(&mut h);
    let Ok(Command::TestConnection(id, ConnectionTarget::Vm(spec))) = commands.try_recv() else {
        panic!("the click sends the config to the scaler");
    };
    assert_eq!(spec.name, "aws east", "the form as typed, not yet saved");
    assert!(
        h.query_by_label("asking the cloud…").is_some(),
        "a spinner while it runs"
    );
    update_tx
        .send(Update::ConnectionTested(id, Err("authentication refused: AuthFailure: AWS was not able to validate the provided access credentials".into())))
        .unwrap();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("AWS was not able to validate")
            .is_some()
    );
    assert!(h.query_by_label("asking the cloud…").is_none());
}

#[test]
fn the_autoscale_table_says_when_an_enabled_config_is_not_scaling() {
    let bench = agent_pool(Behaviour::default(), 8, 10);
    let mut health = pooladmin::model::config_health::ConfigHealth::default();
    health.stop("AuthFailure: AWS was not able to validate the provided access credentials");
    let mut store = bench.store.sibling().unwrap();
    store
        .set_config_health(bench.config, &health, None)
        .unwrap();
    let mut h = harness_with(PoolAdminApp::new(store));
    settle(&mut h);
    h.get_by_label_contains("AutoScale Configs  (").click();
    settle(&mut h);
    assert!(h.query_by_label("Yes, stopped").is_some());
}

//! Cost, budget and Preview in the window, driven through AccessKit: a priced pool shows
//! its cost on the Pools page, the General page saves the currency (and refuses a wrong
//! one, naming it), and a config's Preview runs and shows both sides.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::scaling::agent_pool;
use common::ui_driver::{click, harness_with, settle, type_into, until};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use jiff::Timestamp;
use pooladmin::cloud::simulated::Behaviour;
use pooladmin::model::Resources;
use pooladmin::model::instance::{InstanceSize, InstanceState};
use pooladmin::model::scaler_event::{EventKind, ScalerEvent};
use pooladmin::store::InstanceRequest;
use pooladmin::ui::PoolAdminApp;
use pooladmin::ui::page::Page;

#[test]
fn a_priced_pool_shows_its_cost_and_the_currency_is_a_setting() {
    let mut bench = agent_pool(Behaviour::default(), 8, 10);
    bench.set_cost("0.5", "");
    // One instance live since its create call.
    let request = InstanceRequest {
        config: bench.config,
        vm_provider: bench.provider,
        pool: bench.pool,
        size: InstanceSize::Agent(Resources::new(4.0, 8192, 0)),
        provision_timeout_s: 600,
    };
    let event = ScalerEvent::new(Timestamp::now(), EventKind::Transition, "requested");
    let instance = bench
        .store
        .request_instance(&request, Timestamp::now(), event.clone())
        .unwrap();
    assert_eq!(instance.state, InstanceState::Requested);

    let mut h = harness_with(PoolAdminApp::new(bench.store.sibling().unwrap()));
    settle(&mut h);
    assert!(
        h.query_by_label_contains("0.50/h").is_some(),
        "one live instance at 0.50 an hour"
    );
    assert!(h.query_by_label_contains("USD month").is_some());

    click(&mut h, "General");
    type_into(&mut h, "Currency", "euro");
    h.get_by_role_and_label(Role::Button, "Save").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("expected a three-letter currency code")
            .is_some(),
        "the field says what it expects"
    );
    assert_eq!(
        bench.store.app_settings().unwrap().currency,
        "USD",
        "nothing saved"
    );
    type_into(&mut h, "Currency", "eur");
    h.get_by_role_and_label(Role::Button, "Save").click();
    settle(&mut h);
    assert_eq!(bench.store.app_settings().unwrap().currency, "EUR");
    h.state_mut().open_page(Page::Pools);
    settle(&mut h);
    assert!(h.query_by_label_contains("EUR month").is_some());
}

#[test]
fn a_configs_preview_runs_and_shows_both_sides() {
    let bench = agent_pool(Behaviour::default(), 8, 10);
    let mut h = harness_with(PoolAdminApp::new(bench.store.sibling().unwrap()));
    settle(&mut h);
    h.state_mut().open_page(Page::AutoScale);
    settle(&mut h);
    click(&mut h, "Actions ⏷");
    click(&mut h, "Preview…");
    assert!(
        h.query_by_label("Preview of agents on the simulator")
            .is_some()
    );
    type_into(&mut h, "Standby Cores", "16");
    h.get_by_role_and_label(Role::Button, "Run Preview").click();
    settle(&mut h);
    // The replay runs on its own thread; the panel takes its answer when it comes.
    until(
        &mut h,
        std::time::Duration::from_secs(60),
        "the Preview's report",
        |h| {
            if let Some(node) = h.query_by_label_contains("Preview could not") {
                panic!("{node:?}");
            }
            h.query_by_label("Session requests").is_some()
        },
    );
    assert!(h.query_by_label("Candidate").is_some());
    assert!(h.query_by_label("Current").is_some());
    assert!(
        h.query_by_label_contains("the demo's demand generator stands in")
            .is_some(),
        "no history yet: the report says what stood in"
    );
    assert!(h.query_by_label_contains("standby_cores 8 → 16").is_some());
}

crate::also_on_postgres!(a_configs_preview_runs_and_shows_both_sides);

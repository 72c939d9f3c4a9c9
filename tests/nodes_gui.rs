//! The window as a node of a deployment on PostgreSQL (issue 24): with no node running the
//! scaler a red banner says so; **Run the scaler here** makes the window take the lease
//! (through its real election on the database) and the banner goes; the Nodes page lists
//! the nodes, their roles and which one runs the scaler, and hands the scaler back.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::backend::on_postgres;
use common::ui_driver::{harness_with, until};
use egui_kittest::kittest::Queryable;
use pooladmin::model::node::NodeRole;
use pooladmin::scaler::Leadership;
use pooladmin::scaler::election::{self, ElectionSettings};
use pooladmin::store::NodeBeat;
use pooladmin::ui::PoolAdminApp;
use std::sync::Arc;
use std::time::Duration;

const BANNER: &str = "No node runs the scaler";

fn the_window_runs_the_scaler_only_when_asked_and_the_nodes_page_says_who_does() {
    let (_dir, store) = common::temp_store();
    // A standby headless node elsewhere, alive but not leading.
    store
        .node_heartbeat(&NodeBeat {
            name: "node-b",
            role: NodeRole::Standby,
            note: "",
            first: true,
        })
        .unwrap();
    let leadership = Arc::new(Leadership::new("desk", false));
    let thread = election::start(
        store.sibling().unwrap(),
        Arc::clone(&leadership),
        ElectionSettings::default(),
    )
    .unwrap();
    let mut app = PoolAdminApp::new(store.sibling().unwrap());
    app.scaler_view().leadership = Some(Arc::clone(&leadership));
    let mut h = harness_with(app);
    let patience = Duration::from_secs(10);
    until(&mut h, patience, "the banner", |h| {
        h.query_by_label_contains(BANNER).is_some()
    });
    assert!(
        store.lease().unwrap().leader().is_none(),
        "a window does not lead unasked"
    );

    h.get_by_label("Run the scaler here").click();
    until(&mut h, patience, "the window to take the lease", |h| {
        h.query_by_label_contains(BANNER).is_none()
    });
    assert_eq!(store.lease().unwrap().leader(), Some("desk"));
    assert!(leadership.leading().is_some());

    h.get_by_label("Nodes").click();
    until(&mut h, patience, "the Nodes page", |h| {
        h.query_by_label_contains("The scaler runs on desk")
            .is_some()
            && h.query_by_label("node-b").is_some()
    });
    assert!(h.query_by_label("standby").is_some());
    assert!(h.query_by_label("scaler").is_some());
    h.get_by_label("Stop running the scaler here").click();
    until(&mut h, patience, "the hand-back", |_| {
        store.lease().unwrap().leader().is_none()
    });
    until(&mut h, patience, "the banner again", |h| {
        h.query_by_label_contains(BANNER).is_some()
    });
    leadership.stop();
    thread.join().unwrap();
    let desk = store
        .nodes()
        .unwrap()
        .into_iter()
        .find(|n| n.name == "desk")
        .unwrap();
    assert_eq!(desk.role, NodeRole::Stopped);
}

#[test]
fn window_as_a_node() {
    on_postgres(the_window_runs_the_scaler_only_when_asked_and_the_nodes_page_says_who_does);
}

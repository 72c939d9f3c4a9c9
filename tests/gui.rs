//! The window driven through AccessKit, as an administrator would use it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::temp_store;
use common::ui_driver::{click, harness, settle, type_into, type_into_role};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use pooladmin::model::PoolKind;
use pooladmin::ui::PoolAdminApp;

fn add_server(h: &mut Harness<'_, PoolAdminApp>, name: &str, port: &str) {
    h.get_by_label_contains("Servers  (").click();
    settle(h);
    click(h, "Add server");
    type_into(h, "Friendly Name", name);
    type_into(h, "Host", &format!("{name}.example.com"));
    type_into(h, "Port", port);
    type_into(h, "Username", "administrator");
    click(h, "Save");
}

#[test]
fn pool_server_assign_refuse_delete_unassign_delete() {
    let (_dir, store) = temp_store();
    let mut h = harness(store);
    settle(&mut h);

    // Create a pool.
    click(&mut h, "Add pool");
    type_into(&mut h, "Name", "Desktops");
    click(&mut h, "Add");
    let pools = h.state().store().pools().unwrap();
    assert_eq!(pools.len(), 1);
    assert_eq!(pools[0].name, "Desktops");
    assert_eq!(pools[0].kind, PoolKind::Server);

    // Add a server.
    add_server(&mut h, "rdp-01", "3389");
    let servers = h.state().store().servers().unwrap();
    assert_eq!(servers.len(), 1, "the server was not saved");
    assert_eq!(servers[0].server.spec.pool, None);

    // Assign it from the pool page.
    h.get_by_label_contains("Pools  (").click();
    settle(&mut h);
    click(&mut h, "Desktops");
    click(&mut h, "Assign");
    h.get_by_role_and_label(Role::CheckBox, "rdp-01").click();
    settle(&mut h);
    click(&mut h, "Assign 1");
    let servers = h.state().store().servers().unwrap();
    assert_eq!(servers[0].server.spec.pool, Some(pools[0].id));
    // The pool's Servers List shows it.
    assert!(h.query_by_label("Servers List").is_some());
    assert!(h.query_by_label("rdp-01").is_some());

    // Deleting the pool is refused while the server is assigned.
    click(&mut h, "Delete pool");
    click(&mut h, "Delete");
    assert_eq!(h.state().store().pools().unwrap().len(), 1);
    assert!(h.query_by_label_contains("unassign them first").is_some());

    // Unassign, then delete.
    click(&mut h, "Actions ⏷");
    click(&mut h, "Unassign");
    assert_eq!(
        h.state().store().servers().unwrap()[0].server.spec.pool,
        None
    );
    assert!(h.query_by_label("rdp-01").is_none());
    click(&mut h, "Delete pool");
    click(&mut h, "Delete");
    assert!(h.state().store().pools().unwrap().is_empty());
}

#[test]
fn a_bad_port_is_shown_and_nothing_is_saved() {
    let (_dir, store) = temp_store();
    let mut h = harness(store);
    settle(&mut h);
    add_server(&mut h, "rdp-01", "70000");
    assert!(
        h.query_by_label("expected a whole number from 1 to 65535")
            .is_some()
    );
    assert!(h.state().store().servers().unwrap().is_empty());
    // Fixing the port clears the error and saves.
    type_into(&mut h, "Port", "3390");
    assert!(
        h.query_by_label("expected a whole number from 1 to 65535")
            .is_none()
    );
    click(&mut h, "Save");
    let servers = h.state().store().servers().unwrap();
    assert_eq!(servers.len(), 1);
    assert_eq!(servers[0].server.spec.port, 3390);
}

#[test]
fn malformed_connection_info_is_named() {
    let (_dir, store) = temp_store();
    let mut h = harness(store);
    settle(&mut h);
    h.get_by_label_contains("Servers  (").click();
    settle(&mut h);
    click(&mut h, "Add server");
    type_into(&mut h, "Friendly Name", "rdp-01");
    type_into(&mut h, "Host", "rdp-01.example.com");
    type_into(&mut h, "Username", "administrator");
    type_into_role(
        &mut h,
        Role::MultilineTextInput,
        "Connection Info (JSON)",
        "{\"a\": ",
    );
    click(&mut h, "Save");
    assert!(h.query_by_label_contains("is not valid JSON").is_some());
    assert!(h.state().store().servers().unwrap().is_empty());
}

#[test]
fn escape_cancels_and_enter_submits() {
    let (_dir, store) = temp_store();
    let mut h = harness(store);
    settle(&mut h);
    click(&mut h, "Add pool");
    type_into(&mut h, "Name", "Typed then abandoned");
    h.key_press(egui::Key::Escape);
    settle(&mut h);
    assert!(h.query_by_role_and_label(Role::TextInput, "Name").is_none());
    assert!(h.state().store().pools().unwrap().is_empty());

    click(&mut h, "Add pool");
    type_into(&mut h, "Name", "Agents");
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    assert_eq!(h.state().store().pools().unwrap().len(), 1);
}

#[test]
fn start_session_says_where_it_landed_or_why_not() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Desktops", PoolKind::Server).unwrap();
    common::add_server(&mut store, "rdp-01", Some(pool), 1);
    let (command_tx, mut commands) = tokio::sync::mpsc::unbounded_channel();
    let (_update_tx, update_rx) = tokio::sync::mpsc::unbounded_channel();
    let app = pooladmin::ui::PoolAdminApp::new(store).with_scaler(
        pooladmin::scaler::ScalerHandle::from_channels(command_tx, update_rx),
    );
    let mut h = common::ui_driver::harness_with(app);
    settle(&mut h);
    h.get_by_label_contains("Sessions  (").click();
    settle(&mut h);
    click(&mut h, "Start session");
    type_into(&mut h, "User", "alice");
    click(&mut h, "Start");
    assert!(
        h.query_by_label("Session of alice started on rdp-01 in pool Desktops")
            .is_some()
    );
    assert_eq!(h.state().store().sessions().unwrap().len(), 1);

    click(&mut h, "Start session");
    while commands.try_recv().is_ok() {}
    type_into(&mut h, "User", "bob");
    click(&mut h, "Start");
    assert!(
        h.query_by_label_contains("no capacity in pool Desktops")
            .is_some()
    );
    assert_eq!(h.state().store().sessions().unwrap().len(), 1);
    // No room is demand: the scaler is woken at once, though nothing was written.
    let mut woken = false;
    while let Ok(command) = commands.try_recv() {
        woken |= command == pooladmin::scaler::Command::Wake;
    }
    assert!(woken, "a failed start wakes the scaler");
}

#[test]
fn every_page_and_dialog_labels_its_inputs() {
    let (_dir, mut store) = temp_store();
    pooladmin::demo::seed(&mut store).unwrap();
    let mut h = harness(store);
    settle(&mut h);
    let pages = [
        ("Pools  (", "Add pool"),
        ("Servers  (", "Add server"),
        ("Docker Agents  (", "Add docker agent"),
        ("Deployment Zones  (", "Add zone"),
        ("Staging Configs  (", "Add staging config"),
        ("Sessions  (", "Start session"),
        ("VM Provider Configs  (", "Add VM Provider config"),
        ("DNS Provider Configs  (", "Add DNS Provider config"),
        ("LDAP Configs  (", "Add LDAP config"),
    ];
    for (nav, add) in pages {
        h.get_by_label_contains(nav).click();
        settle(&mut h);
        h.check_accessibility();
        click(&mut h, add);
        h.check_accessibility();
        h.key_press(egui::Key::Escape);
        settle(&mut h);
    }
    h.get_by_label_contains("Pools  (").click();
    settle(&mut h);
    click(&mut h, "Browser Isolation");
    assert!(h.query_by_label("Docker Agents List").is_some());
    click(&mut h, "Assign");
    assert!(
        h.query_by_role_and_label(Role::CheckBox, "agent-spare.demo.internal")
            .is_some()
    );
    h.check_accessibility();
}

#[test]
fn an_agent_is_drained_and_disabled_from_its_menu() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
    let agent = common::add_agent(&mut store, "agent-01", Some(pool), 8);
    let mut h = harness(store);
    settle(&mut h);
    h.get_by_label_contains("Docker Agents  (").click();
    settle(&mut h);
    click(&mut h, "Actions ⏷");
    click(&mut h, "Drain");
    let row = &h.state().store().agents().unwrap()[0];
    assert_eq!(row.agent.id, agent);
    assert!(row.agent.draining);
    assert!(h.query_by_label("Draining").is_some());
    click(&mut h, "Actions ⏷");
    click(&mut h, "Disable");
    assert!(!h.state().store().agents().unwrap()[0].agent.spec.enabled);
}

#[test]
fn pools_sort_by_header_and_filter() {
    let (_dir, mut store) = temp_store();
    pooladmin::demo::seed(&mut store).unwrap();
    let mut h = harness(store);
    settle(&mut h);
    let y = |h: &Harness<'_, PoolAdminApp>, name: &str| h.get_by_label(name).rect().min.y;
    assert!(y(&h, "Browser Isolation") < y(&h, "Windows Desktops"));
    click(&mut h, "Name ▲");
    assert!(y(&h, "Browser Isolation") > y(&h, "Windows Desktops"));
    // Sessions, ascending: GPU Workloads has the fewest.
    click(&mut h, "Sessions");
    assert!(y(&h, "GPU Workloads") < y(&h, "Browser Isolation"));

    h.get_by_role_and_label(Role::TextInput, "Filter").focus();
    settle(&mut h);
    h.get_by_role_and_label(Role::TextInput, "Filter")
        .type_text("gpu");
    settle(&mut h);
    assert!(h.query_by_label("GPU Workloads").is_some());
    assert!(h.query_by_label("Browser Isolation").is_none());
}

#[test]
fn ldap_in_clear_needs_the_test_only_tick_and_shows_a_warning() {
    use pooladmin::model::Secret;
    use pooladmin::model::ldap::LdapSpec;
    let (_dir, mut store) = temp_store();
    store
        .add_config(&LdapSpec {
            name: "corp".into(),
            url: "ldaps://dc1.corp.example.com".into(),
            search_base: "DC=corp,DC=example,DC=com".into(),
            service_account_dn: "CN=svc,DC=corp,DC=example,DC=com".into(),
            service_account_password: Secret::new("p"),
            ..LdapSpec::default()
        })
        .unwrap();
    let mut h = harness(store);
    settle(&mut h);
    h.get_by_label_contains("LDAP Configs").click();
    settle(&mut h);
    h.get_by_role_and_label(Role::Button, "Edit").click();
    settle(&mut h);
    type_into(&mut h, "URL", "ldap://dc1.corp.example.com");
    click(&mut h, "Save");
    assert!(
        h.query_by_label_contains("sends the password in clear")
            .is_some()
    );
    let stored = || {
        h.state().store().configs::<LdapSpec>().unwrap()[0]
            .spec
            .url
            .clone()
    };
    assert_eq!(stored(), "ldaps://dc1.corp.example.com", "nothing saved");
    h.get_by_role_and_label(Role::CheckBox, "Allow unencrypted LDAP (test only)")
        .click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("crosses the network in clear")
            .is_some()
    );
    click(&mut h, "Save");
    let saved = h.state().store().configs::<LdapSpec>().unwrap();
    assert_eq!(saved[0].spec.url, "ldap://dc1.corp.example.com");
    assert!(saved[0].spec.allow_unencrypted);
}

//! The window's shell: what it remembers between runs, and the theme switch.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::temp_store;
use common::ui_driver::{click, harness_with, settle, type_into};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use pooladmin::model::PoolKind;
use pooladmin::ui::{Page, PoolAdminApp};

#[test]
fn the_page_and_each_filter_come_back_in_the_next_run() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Desktops", PoolKind::Server).unwrap();
    let sibling = store.sibling().unwrap();
    let mut h = harness_with(PoolAdminApp::new(store));
    settle(&mut h);
    h.get_by_label_contains("Servers  (").click();
    settle(&mut h);
    type_into(&mut h, "Filter", "rdp");
    h.state_mut().open_page(Page::Pool(pool));
    settle(&mut h);
    let state = h.state_mut().ui_state();
    assert_eq!(state.page, Some(Page::Pool(pool)));
    assert_eq!(state.views["Servers"].filter, "rdp", "{state:?}");
    // As eframe would hand it over: written out and read back.
    let text = serde_json::to_string(&state).unwrap();
    let state = serde_json::from_str(&text).unwrap();

    let mut next = harness_with(PoolAdminApp::new(sibling).with_ui_state(state));
    settle(&mut next);
    assert_eq!(next.state().page(), Page::Pool(pool));
    next.get_by_label_contains("Servers  (").click();
    settle(&mut next);
    let filter = next.get_by_role_and_label(Role::TextInput, "Filter");
    assert_eq!(filter.value().as_deref(), Some("rdp"));
}

#[test]
fn a_remembered_pool_that_is_gone_opens_the_pools_page() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Desktops", PoolKind::Server).unwrap();
    store.delete_pool(pool).unwrap();
    let state = pooladmin::ui::ui_state::UiState {
        page: Some(Page::Pool(pool)),
        ..Default::default()
    };
    let h = harness_with(PoolAdminApp::new(store).with_ui_state(state));
    assert_eq!(h.state().page(), Page::Pools);
}

#[test]
fn the_view_menu_switches_between_light_dark_and_the_system() {
    let (_dir, store) = temp_store();
    let mut h = harness_with(PoolAdminApp::new(store));
    settle(&mut h);
    for (choice, dark) in [("Light", false), ("Dark", true)] {
        click(&mut h, "View");
        click(&mut h, choice);
        h.key_press(egui::Key::Escape);
        settle(&mut h);
        assert_eq!(h.ctx.global_style().visuals.dark_mode, dark, "{choice}");
    }
    click(&mut h, "View");
    click(&mut h, "Follow the system");
    assert_eq!(
        h.ctx.options(|o| o.theme_preference),
        egui::ThemePreference::System
    );
}

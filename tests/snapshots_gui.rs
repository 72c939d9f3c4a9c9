//! What every page and every wizard step looks like, compared with the checked-in PNGs in
//! `tests/snapshots/` (rendered with wgpu; headless on Mesa's software Vulkan). A change of
//! layout, colour or wording fails here until `UPDATE_SNAPSHOTS=1 cargo test --test
//! snapshots_gui` writes the new pictures, which a reviewer then looks at in the diff.
//!
//! The data is the demo's configuration (pools, servers, agents, configs) without its
//! sessions and without a scaler, so nothing on screen depends on the clock.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::temp_store;
use common::ui_driver::{click, harness, settle, type_into};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use egui_kittest::{Harness, SnapshotResults};
use pooladmin::config_file::{ImportOptions, import, parse};
use pooladmin::model::PoolKind;
use pooladmin::ui::{Page, PoolAdminApp};

type App = Harness<'static, PoolAdminApp>;

/// The window on the demo's configuration.
fn demo_window() -> (tempfile::TempDir, App) {
    let (dir, mut store) = temp_store();
    let file = parse(include_str!("../assets/demo.json")).unwrap();
    import(&mut store, &file, None, ImportOptions::default()).unwrap();
    let mut h = harness(store);
    settle(&mut h);
    (dir, h)
}

/// Lets the page lay itself out (tables size their columns over a few frames), then
/// compares it.
fn snapshot(h: &mut App, name: &str) {
    h.run_steps(8);
    h.snapshot(name);
}

fn pool_of_kind(h: &App, kind: PoolKind) -> Page {
    let pools = h.state().store().pools().unwrap();
    let pool = pools.iter().find(|p| p.kind == kind).unwrap();
    Page::Pool(pool.id)
}

#[test]
fn every_page_looks_as_it_did() {
    let (_dir, mut h) = demo_window();
    for page in Page::NAVIGATION {
        h.state_mut().open_page(page);
        let name = format!("page-{}", page.title().to_lowercase().replace(' ', "-"));
        snapshot(&mut h, &name);
    }
    for (kind, name) in [
        (PoolKind::Server, "page-pool-of-servers"),
        (PoolKind::DockerAgent, "page-pool-of-agents"),
    ] {
        let page = pool_of_kind(&h, kind);
        h.state_mut().open_page(page);
        snapshot(&mut h, name);
    }
}

#[test]
fn every_wizard_step_looks_as_it_did() {
    let mut results = SnapshotResults::new();
    for (kind, prefix) in [
        (PoolKind::Server, "wizard-servers"),
        (PoolKind::DockerAgent, "wizard-agents"),
    ] {
        let (_dir, mut h) = demo_window();
        let page = pool_of_kind(&h, kind);
        h.state_mut().open_page(page);
        settle(&mut h);
        click(&mut h, "Add AutoScale config");
        snapshot(&mut h, &format!("{prefix}-1-config"));
        type_into(&mut h, "Name", "snapshot config");
        click(&mut h, "Next");
        snapshot(&mut h, &format!("{prefix}-2-vm-provider"));
        // The simulated cloud needs nothing more than a name.
        h.get_by_role_and_label(Role::ComboBox, "Provider").click();
        settle(&mut h);
        click(&mut h, "Simulator");
        type_into(&mut h, "Name", "snapshot cloud");
        click(&mut h, "Next");
        snapshot(&mut h, &format!("{prefix}-3-dns-provider"));
        results.extend_harness(&mut h);
    }
    results.unwrap();
}

#[test]
fn the_light_theme_looks_as_it_did() {
    let (_dir, mut h) = demo_window();
    // Chosen as an administrator would: View → Light.
    click(&mut h, "View");
    click(&mut h, "Light");
    h.key_press(egui::Key::Escape);
    snapshot(&mut h, "page-pools-light");
    let page = pool_of_kind(&h, PoolKind::DockerAgent);
    h.state_mut().open_page(page);
    snapshot(&mut h, "page-pool-of-agents-light");
}

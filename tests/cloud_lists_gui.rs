//! The VM Provider form's pickers, driven through AccessKit with the scaler's channels in
//! the test's hands: a pick asks the scaler (the window never calls a cloud), a chosen size
//! fills the agent overrides of step 1, a value the account lacks is noted, and a cloud's
//! refusal is shown in its own words under the field.
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
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use pooladmin::model::PoolKind;
use pooladmin::model::cloud_list::{ListEntry, ListKind, SizeFacts};
use pooladmin::scaler::{Command, ScalerHandle, Update};
use pooladmin::ui::{Page, PoolAdminApp};
use tokio::sync::mpsc;

fn field(h: &Harness<'_, PoolAdminApp>, label: &str) -> String {
    h.get_by_role_and_label(Role::TextInput, label)
        .value()
        .unwrap_or_default()
}

/// The next list the window asked for: its number, what config and which kind.
fn asked(commands: &mut mpsc::UnboundedReceiver<Command>) -> (u64, ListKind, String) {
    loop {
        match commands.try_recv() {
            Ok(Command::ListCloud(id, spec, kind, _)) => {
                return (id, kind, spec.settings.kind().label().to_owned());
            }
            Ok(_) => continue,
            Err(e) => panic!("no list was asked for: {e}"),
        }
    }
}

fn size(slug: &str, cores: f64, memory_mb: i64, gpus: i64) -> ListEntry {
    let mut entry = ListEntry::new(slug).detailed(format!("{cores} vCPUs"));
    entry.size = Some(SizeFacts {
        cores,
        memory_mb,
        gpus,
    });
    entry
}

#[test]
fn a_picked_size_fills_the_overrides_and_a_refusal_is_shown_in_the_clouds_words() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Pool A", PoolKind::DockerAgent).unwrap();
    let (command_tx, mut commands) = mpsc::unbounded_channel();
    let (update_tx, update_rx) = mpsc::unbounded_channel();
    let app =
        PoolAdminApp::new(store).with_scaler(ScalerHandle::from_channels(command_tx, update_rx));
    let mut h = harness_with(app);
    h.state_mut().open_page(Page::Pool(pool));
    settle(&mut h);
    click(&mut h, "Add AutoScale config");
    type_into(&mut h, "Name", "droplets");
    click(&mut h, "Next");
    h.get_by_role_and_label(Role::ComboBox, "Provider").click();
    settle(&mut h);
    click(&mut h, "Digital Ocean");
    type_into(&mut h, "Name", "DigitalOcean agents");
    h.query_all_by_label("Show").next().unwrap().click();
    settle(&mut h);
    type_into(&mut h, "Token", "dop_v1_0123456789abcdef0123456789abcdef");

    // Pick… asks the scaler; its answer fills the list.
    h.get_by_role_and_label(Role::Button, "Pick Droplet Size")
        .click();
    settle(&mut h);
    let (id, kind, cloud) = asked(&mut commands);
    assert_eq!((kind, cloud.as_str()), (ListKind::Sizes, "Digital Ocean"));
    update_tx
        .send(Update::CloudListed(
            id,
            Ok(vec![
                size("s-2vcpu-4gb", 2.0, 4096, 0),
                size("g-8vcpu-32gb", 8.0, 32_768, 1),
                size("c-2", 2.0, 1536, 0),
            ]),
        ))
        .unwrap();
    settle(&mut h);
    h.get_by_label_contains("g-8vcpu-32gb").click();
    settle(&mut h);
    assert_eq!(field(&h, "Droplet Size"), "g-8vcpu-32gb");

    // A region the account lacks is noted; a refusal is the cloud's words, under the field.
    type_into(&mut h, "Region", "mars1");
    h.get_by_role_and_label(Role::Button, "Pick Region").click();
    settle(&mut h);
    let (id, kind, _) = asked(&mut commands);
    assert_eq!(kind, ListKind::Regions);
    update_tx
        .send(Update::CloudListed(
            id,
            Ok(vec![ListEntry::new("nyc3").labelled("New York 3")]),
        ))
        .unwrap();
    settle(&mut h);
    assert!(h.query_by_label("not found in the account").is_some());
    h.get_by_role_and_label(Role::Button, "Pick Tags").click();
    settle(&mut h);
    let (id, kind, _) = asked(&mut commands);
    assert_eq!(kind, ListKind::Tags);
    update_tx
        .send(Update::CloudListed(
            id,
            Err("401 Unauthorized: Unable to authenticate you".into()),
        ))
        .unwrap();
    settle(&mut h);
    assert!(
        h.query_by_label("tags could not be read: 401 Unauthorized: Unable to authenticate you")
            .is_some()
    );
    // Asking again within ten minutes reads the kept list, not the cloud.
    h.get_by_role_and_label(Role::Button, "Pick Tags").click();
    settle(&mut h);
    h.get_by_role_and_label(Role::Button, "Pick Tags").click();
    settle(&mut h);
    assert!(commands.try_recv().is_err(), "kept for ten minutes");

    // Back on step 1: the overrides are the picked size's.
    click(&mut h, "Back");
    assert_eq!(field(&h, "Agent Cores Override"), "8");
    assert_eq!(field(&h, "Agent Memory Override (GB)"), "32");
    assert_eq!(field(&h, "Agent GPUs Override"), "1");
}

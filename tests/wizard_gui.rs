//! The AutoScale wizard driven through AccessKit: end to end for every cloud, Next held back
//! by a bad field, Cancel writing nothing, the AD fields, and the sharing notice.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::configs::{KEY, SSH_KEY, gcp_key_json};
use common::temp_store;
use common::ui_driver::{click, harness, settle, type_into, type_into_role};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use pooladmin::model::autoscale::AutoScaleSpec;
use pooladmin::model::vm_provider::{ProviderKind, VmProviderSpec};
use pooladmin::model::{PoolId, PoolKind};
use pooladmin::store::{Choice, Store};
use pooladmin::ui::{Page, PoolAdminApp};

type App<'a> = Harness<'a, PoolAdminApp>;

/// A store with one pool of `kind`, and the window on that pool's page.
fn on_pool_page(
    kind: PoolKind,
    prepare: impl FnOnce(&mut Store, PoolId),
) -> (tempfile::TempDir, App<'static>) {
    let (dir, mut store) = temp_store();
    let pool = store.add_pool("Pool A", kind).unwrap();
    prepare(&mut store, pool);
    let mut h = harness(store);
    h.state_mut().open_page(Page::Pool(pool));
    settle(&mut h);
    (dir, h)
}

fn next_is_enabled(h: &App<'_>, label: &str) -> bool {
    !h.get_by_label(label).accesskit_node().is_disabled()
}

fn choose(h: &mut App<'_>, combo: &str, option: &str) {
    h.get_by_role_and_label(Role::ComboBox, combo).click();
    settle(h);
    h.get_by_label(option).click();
    settle(h);
}

/// Step 1 of an agent config, then Next.
fn config_step(h: &mut App<'_>, name: &str) {
    click(h, "Add AutoScale config");
    type_into(h, "Name", name);
    assert!(next_is_enabled(h, "Next"), "step 1 should be valid");
    click(h, "Next");
}

/// The fields each cloud needs beyond its defaults: (label, value, multi-line).
fn required_fields(kind: ProviderKind) -> Vec<(&'static str, String, bool)> {
    let ssh = SSH_KEY.trim().to_owned();
    match kind {
        ProviderKind::Aws => vec![
            ("AWS Access Key ID", "AKIAIOSFODNN7EXAMPLE".into(), false),
            ("AWS Secret Access Key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(), false),
            ("AWS: EC2 AMI ID", "ami-0123456789abcdef0".into(), false),
            ("AWS: EC2 Security Group IDs", r#"["sg-0123456789abcdef0"]"#.into(), true),
            ("AWS: EC2 Subnet ID", "subnet-0123456789abcdef0".into(), false),
        ],
        ProviderKind::Azure => vec![
            ("Subscription ID", "0a1b2c3d-4e5f-6789-abcd-ef0123456789".into(), false),
            ("Resource Group", "kasm-rg".into(), false),
            ("Tenant ID", "1a1b2c3d-4e5f-6789-abcd-ef0123456789".into(), false),
            ("Client ID", "2a1b2c3d-4e5f-6789-abcd-ef0123456789".into(), false),
            ("Client Secret", "azure-client-secret".into(), false),
            (
                "OS Image Reference (JSON)",
                r#"{"publisher": "Canonical", "offer": "ubuntu", "sku": "22_04-lts", "version": "latest"}"#.into(),
                true,
            ),
            (
                "Network Security Group",
                "/subscriptions/0a1b/resourceGroups/kasm-rg/providers/Microsoft.Network/networkSecurityGroups/nsg".into(),
                false,
            ),
            (
                "Subnet",
                "/subscriptions/0a1b/resourceGroups/kasm-rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s".into(),
                false,
            ),
            ("SSH Public Key", ssh, false),
        ],
        ProviderKind::DigitalOcean => vec![("Token", "dop_v1_0123456789abcdef0123456789abcdef".into(), false)],
        ProviderKind::Gcp => vec![
            ("GCP Credentials", gcp_key_json().expose().to_owned(), true),
            ("Project ID", "pensive-voice-547511".into(), false),
            ("Machine Image", "projects/ubuntu-os-cloud/global/images/ubuntu-2004".into(), false),
            ("Network", "projects/pensive-voice-547511/global/networks/default".into(), false),
            ("Sub Network", "projects/pensive-voice-547511/regions/us-east4/subnetworks/default".into(), false),
        ],
        ProviderKind::Oci => vec![
            ("User OCID", "ocid1.user.oc1..aaaaexampleuser".into(), false),
            ("Public Key Fingerprint", "12:34:56:78:9a:bc:de:f0:12:34:56:78:9a:bc:de:f0".into(), false),
            ("Private Key", KEY.into(), true),
            ("Tenancy OCID", "ocid1.tenancy.oc1..aaaaexampletenancy".into(), false),
            ("Compartment OCID", "ocid1.compartment.oc1..aaaaexamplecomp".into(), false),
            ("Availability Domain", "BEol:US-ASHBURN-AD-1".into(), false),
            ("Image OCID", "ocid1.image.oc1.iad.aaaaexampleimage".into(), false),
            ("Subnet OCID", "ocid1.subnet.oc1.iad.aaaaexamplesubnet".into(), false),
            ("SSH Public Key", ssh, false),
        ],
        ProviderKind::Simulator => Vec::new(),
    }
}

#[test]
fn the_wizard_creates_a_config_on_every_cloud() {
    for kind in ProviderKind::ALL {
        let (_dir, mut h) = on_pool_page(PoolKind::DockerAgent, |_, _| {});
        config_step(&mut h, "agents-east");
        // Step 2: a new VM Provider config of this cloud.
        choose(&mut h, "Provider", kind.label());
        type_into(&mut h, "Name", &format!("{} agents", kind.label()));
        // Whole-file secrets are masked until shown.
        let has_show = h.query_all_by_label("Show").next().is_some();
        if has_show {
            h.query_all_by_label("Show").next().unwrap().click();
            settle(&mut h);
        }
        for (label, value, multiline) in required_fields(kind) {
            let role = if multiline {
                Role::MultilineTextInput
            } else {
                Role::TextInput
            };
            type_into_role(&mut h, role, label, &value);
        }
        assert!(
            next_is_enabled(&h, "Next"),
            "{}: step 2 still invalid: {:?}",
            kind.label(),
            h.query_by_label_contains("To continue")
                .map(|n| format!("{n:?}"))
        );
        h.check_accessibility();
        click(&mut h, "Next");
        // Step 3: no DNS; Finish writes it all.
        assert!(
            h.query_by_label("Step 3 of 3: DNS Provider Config")
                .is_some()
        );
        click(&mut h, "Create a new DNS Provider config");
        h.check_accessibility();
        click(&mut h, "None");
        click(&mut h, "Finish");
        let store = h.state().store();
        let configs = store.autoscale_configs().unwrap();
        assert_eq!(configs.len(), 1, "{}: nothing saved", kind.label());
        let vms = store.configs::<VmProviderSpec>().unwrap();
        assert_eq!(vms[0].spec.settings.kind(), kind);
        assert_eq!(configs[0].spec.vm_provider, Some(vms[0].id));
        // Its row shows on the pool page.
        assert!(h.query_by_label("agents-east").is_some());
    }
}

#[test]
fn an_invalid_json_field_holds_next_back_and_says_why() {
    let (_dir, mut h) = on_pool_page(PoolKind::DockerAgent, |_, _| {});
    config_step(&mut h, "agents-east");
    type_into(&mut h, "Name", "aws");
    click(&mut h, "Show");
    for (label, value, multiline) in required_fields(ProviderKind::Aws) {
        let role = if multiline {
            Role::MultilineTextInput
        } else {
            Role::TextInput
        };
        type_into_role(&mut h, role, label, &value);
    }
    assert!(next_is_enabled(&h, "Next"));
    type_into_role(
        &mut h,
        Role::MultilineTextInput,
        "AWS: EC2 Security Group IDs",
        "[\"sg-01234567\",",
    );
    assert!(!next_is_enabled(&h, "Next"));
    // Said at the field and in the reason under Next.
    assert_eq!(
        h.query_all_by_label_contains("is not valid JSON").count(),
        2
    );
    type_into_role(
        &mut h,
        Role::MultilineTextInput,
        "AWS: EC2 Security Group IDs",
        "{\"a\": \"b\"}",
    );
    assert!(!next_is_enabled(&h, "Next"));
    assert_eq!(
        h.query_all_by_label_contains("expected a list of strings")
            .count(),
        2
    );
}

#[test]
fn enter_goes_on_and_escape_cancels() {
    let (_dir, mut h) = on_pool_page(PoolKind::DockerAgent, |_, _| {});
    click(&mut h, "Add AutoScale config");
    // Invalid (no name): Enter stays on step 1.
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    assert!(h.query_by_label("Step 1 of 3: AutoScale Config").is_some());
    type_into(&mut h, "Name", "agents-east");
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    assert!(
        h.query_by_label("Step 2 of 3: VM Provider Config")
            .is_some()
    );
    h.key_press(egui::Key::Escape);
    settle(&mut h);
    assert!(
        h.query_by_label("Step 2 of 3: VM Provider Config")
            .is_none()
    );
    assert!(h.state().store().autoscale_configs().unwrap().is_empty());
}

#[test]
fn cancel_writes_nothing() {
    let (_dir, mut h) = on_pool_page(PoolKind::DockerAgent, |_, _| {});
    config_step(&mut h, "agents-east");
    choose(&mut h, "Provider", "Simulator");
    type_into(&mut h, "Name", "sim");
    click(&mut h, "Next");
    click(&mut h, "Cancel");
    let store = h.state().store();
    assert!(store.autoscale_configs().unwrap().is_empty());
    assert!(store.configs::<VmProviderSpec>().unwrap().is_empty());
    assert!(
        h.query_by_label("Step 3 of 3: DNS Provider Config")
            .is_none()
    );
}

#[test]
fn the_ad_fields_appear_only_when_ticked() {
    let (_dir, mut h) = on_pool_page(PoolKind::Server, |_, _| {});
    click(&mut h, "Add AutoScale config");
    assert!(
        h.query_by_label("Active Directory Computer OU DN")
            .is_none()
    );
    assert!(
        h.query_by_role_and_label(Role::ComboBox, "LDAP Config")
            .is_none()
    );
    // Below the fold of the step: an AccessKit click needs no scrolling.
    h.get_by_role_and_label(Role::CheckBox, "Create Active Directory Computer Record")
        .click_accesskit();
    settle(&mut h);
    assert!(
        h.query_by_role_and_label(Role::TextInput, "Active Directory Computer OU DN")
            .is_some()
    );
    assert!(
        h.query_by_role_and_label(Role::ComboBox, "LDAP Config")
            .is_some()
    );
    // Ticked but not filled: Next is held back.
    type_into(&mut h, "Name", "windows");
    assert!(!next_is_enabled(&h, "Next"));
}

#[test]
fn choosing_a_shared_vm_config_names_the_configs_sharing_it() {
    let (_dir, mut h) = on_pool_page(PoolKind::DockerAgent, |store, pool| {
        let mut cloud = VmProviderSpec::new(ProviderKind::Simulator);
        cloud.name = "shared cloud".into();
        let cloud = store.add_config(&cloud).unwrap();
        let zone = store.zones().unwrap()[0].id;
        for name in ["first", "second"] {
            let mut spec = AutoScaleSpec::new(pool, PoolKind::DockerAgent, Some(zone));
            spec.name = name.into();
            store
                .save_autoscale(None, &spec, &Choice::Existing(cloud), None)
                .unwrap();
        }
    });
    config_step(&mut h, "third");
    h.get_by_role_and_label(Role::RadioButton, "Select an existing VM Provider config")
        .click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("Shared with first, second")
            .is_some()
    );
    click(&mut h, "Next");
    click(&mut h, "Finish");
    let configs = h.state().store().configs::<VmProviderSpec>().unwrap();
    assert_eq!(configs.len(), 1);
    assert_eq!(configs[0].used_by, ["first", "second", "third"]);
}

#[test]
fn a_server_config_registers_dns_with_a_base_domain_and_a_register_choice() {
    let (_dir, mut h) = on_pool_page(PoolKind::Server, |_, _| {});
    click(&mut h, "Add AutoScale config");
    type_into(&mut h, "Name", "desktops");
    assert!(
        h.query_by_role_and_label(Role::TextInput, "Base Domain Name")
            .is_none()
    );
    h.get_by_role_and_label(Role::CheckBox, "Register DNS")
        .click_accesskit();
    settle(&mut h);
    // Ticked but no domain: Next is held back.
    assert!(!next_is_enabled(&h, "Next"));
    type_into(&mut h, "Base Domain Name", "desktops.example.com");
    assert!(next_is_enabled(&h, "Next"));
    click(&mut h, "Next");
    choose(&mut h, "Provider", ProviderKind::Simulator.label());
    type_into(&mut h, "Name", "simulated");
    click(&mut h, "Next");
    // Step 3: a DNS Provider config is needed now, with its Register choice.
    click(&mut h, "Create a new DNS Provider config");
    assert!(
        h.query_by_role_and_label(Role::ComboBox, "Register")
            .is_some()
    );
    choose(&mut h, "Register", "Private address");
    h.check_accessibility();
}

#[test]
fn a_schedule_window_is_added_checked_and_saved_with_the_config() {
    let (_dir, mut h) = on_pool_page(PoolKind::DockerAgent, |_, _| {});
    click(&mut h, "Add AutoScale config");
    type_into(&mut h, "Name", "office-hours");
    h.get_by_label("Add window").click_accesskit();
    settle(&mut h);
    type_into(&mut h, "Schedule window 1: Start", "8am");
    assert!(
        !next_is_enabled(&h, "Next"),
        "a start that is not a time holds Next"
    );
    assert!(
        h.query_all_by_label_contains("Start: expected a time like 08:00")
            .next()
            .is_some(),
        "the row says what is wrong"
    );
    type_into(&mut h, "Schedule window 1: Start", "07:30");
    type_into(&mut h, "Schedule window 1: Standby Cores", "24");
    // The time zone from the database, found by a search.
    h.get_by_label("Schedule window 1: Time Zone")
        .click_accesskit();
    settle(&mut h);
    type_into(&mut h, "Time zone search", "york");
    assert!(
        h.query_by_label("Europe/Berlin").is_none(),
        "the search narrows the list"
    );
    h.get_by_label("America/New_York").click();
    settle(&mut h);
    assert!(next_is_enabled(&h, "Next"));
    click(&mut h, "Next");
    choose(&mut h, "Provider", ProviderKind::Simulator.label());
    type_into(&mut h, "Name", "simulated");
    click(&mut h, "Next");
    click(&mut h, "Finish");
    let store = h.state().store();
    let configs = store.autoscale_configs().unwrap();
    assert_eq!(configs.len(), 1);
    let windows = &configs[0].spec.schedule.windows;
    assert_eq!(windows.len(), 1);
    assert_eq!(windows[0].start, "07:30");
    assert_eq!(windows[0].values.standby_cores, "24");
    assert_eq!(
        windows[0].days,
        [true, true, true, true, true, false, false]
    );
}

#[test]
fn the_preview_sees_the_vm_provider_config_made_in_step_two() {
    let (_dir, mut h) = on_pool_page(PoolKind::DockerAgent, |_, _| {});
    config_step(&mut h, "agents-east");
    choose(&mut h, "Provider", ProviderKind::Simulator.label());
    type_into(&mut h, "Name", "simulated");
    click(&mut h, "Next");
    click(&mut h, "Create a new DNS Provider config");
    click(&mut h, "None");
    click(&mut h, "Run Preview");
    common::ui_driver::until(
        &mut h,
        std::time::Duration::from_secs(30),
        "the Preview's report",
        |h| h.query_by_label_contains("Demand:").is_some(),
    );
    assert!(
        h.query_by_label_contains("choose or create").is_none(),
        "the Preview asked for a VM Provider config step 2 made"
    );
    assert!(h.query_by_label_contains("could not").is_none());
}

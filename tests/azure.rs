//! Azure against a local fake of the authority and Resource Manager
//! (tests/common/azure_fake.rs): the token, every resource of a VM and its body, long-running
//! operations, listing by tag across pages, the four-part delete, errors, Azure DNS, and the
//! scaler end to end (scale up and down, a crash between the create and the store).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use base64::Engine;
use common::azure_fake::{CLIENT_ID, CLIENT_SECRET, FakeAzure, GROUP, SUBSCRIPTION, TENANT};
use common::real_cloud::{cloud_pool, crash_after_create_is_adopted, scale_up_and_down};
use pooladmin::cloud::azure::{AzureCloud, AzureDns};
use pooladmin::cloud::{CloudError, CreateRequest, DnsCloud, ErrorClass, VmCloud, VmState, tags};
use pooladmin::model::Secret;
use pooladmin::model::credentials::AzureCredentials;
use pooladmin::model::vm_names::vm_names;
use pooladmin::model::vm_provider::{
    AzureSettings, ProviderKind, ProviderSettings, VmProviderSpec,
};
use std::sync::Arc;

const SSH_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICApxE2Cniapn7VTx/opGm91BnztyWVBGLo8Mid0unmz admin@example";

/// The fake's endpoint stands for both the authority host and Resource Manager.
fn credentials(endpoint: &str) -> AzureCredentials {
    AzureCredentials {
        authority_host: endpoint.into(),
        subscription_id: SUBSCRIPTION.into(),
        resource_group: GROUP.into(),
        tenant_id: TENANT.into(),
        client_id: CLIENT_ID.into(),
        client_secret: Secret::new(CLIENT_SECRET),
        region: "eastus".into(),
        ..AzureCredentials::default()
    }
}

fn settings(endpoint: &str) -> AzureSettings {
    let network =
        format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}/providers/Microsoft.Network");
    AzureSettings {
        credentials: credentials(endpoint),
        image_reference: r#"{"publisher":"Canonical","offer":"ubuntu-24_04-lts","sku":"server","version":"latest"}"#.into(),
        network_security_group: format!("{network}/networkSecurityGroups/agents-nsg"),
        subnet: format!("{network}/virtualNetworks/vnet/subnets/default"),
        tags: r#"{"team":"vdi"}"#.into(),
        ssh_public_key: SSH_KEY.into(),
        config_override: r#"{"zones":["2"]}"#.into(),
        ..AzureSettings::default()
    }
}

fn request(name: &str) -> CreateRequest {
    CreateRequest {
        name: name.into(),
        host_name: name.into(),
        token: "unused-by-azure".into(),
        tags: tags::ownership("install-1", 7, 3),
        startup_script: "#!/bin/sh\necho hello\n".into(),
    }
}

#[tokio::test]
async fn create_sends_every_setting_and_makes_ip_nic_and_vm() {
    let fake = FakeAzure::start().await;
    let cloud = AzureCloud::new(&settings(&fake.endpoint), &fake.endpoint).unwrap();
    let vm = cloud.create(&request("pa-abcd-7")).await.unwrap();
    assert_eq!(vm.cloud_id, "pa-abcd-7");
    assert_eq!(
        vm.address.as_deref().map(|a| a.starts_with("10.0.0.")),
        Some(true)
    );
    let w = fake.world();
    let body = &w.vm_bodies[0];
    let p = |pointer: &str| body.pointer(pointer).cloned().unwrap_or_default();
    assert_eq!(p("/properties/hardwareProfile/vmSize"), "Standard_D2s_v3");
    assert_eq!(p("/properties/storageProfile/osDisk/diskSizeGB"), 64);
    assert_eq!(
        p("/properties/storageProfile/osDisk/managedDisk/storageAccountType"),
        "StandardSSD_LRS"
    );
    assert_eq!(
        p("/properties/storageProfile/imageReference/offer"),
        "ubuntu-24_04-lts"
    );
    assert_eq!(p("/properties/osProfile/adminUsername"), "kasm");
    assert_eq!(
        p("/properties/osProfile/linuxConfiguration/ssh/publicKeys/0/keyData"),
        SSH_KEY
    );
    let custom = base64::engine::general_purpose::STANDARD
        .decode(p("/properties/osProfile/customData").as_str().unwrap())
        .unwrap();
    assert_eq!(custom, b"#!/bin/sh\necho hello\n");
    assert_eq!(p("/tags/team"), "vdi");
    assert_eq!(p("/tags/pooladmin-owner"), "install-1");
    assert_eq!(p("/tags/pooladmin-instance"), "7");
    assert_eq!(
        p("/zones"),
        serde_json::json!(["2"]),
        "the Config Override's keys"
    );
    assert_eq!(w.of_kind("Microsoft.Network/publicIPAddresses").len(), 1);
    assert_eq!(w.of_kind("Microsoft.Network/networkInterfaces").len(), 1);
    assert_eq!(w.of_kind("Microsoft.Compute/disks").len(), 1);
    // The operations were followed: each was polled to its end.
    assert!(
        w.calls
            .iter()
            .filter(|(_, path)| path.starts_with("/operations/"))
            .count()
            >= 6
    );
    // One token served every call.
    assert_eq!(w.tokens.len(), 1);
}

#[tokio::test]
async fn a_repeated_create_updates_the_same_resources() {
    let fake = FakeAzure::start().await;
    let cloud = AzureCloud::new(&settings(&fake.endpoint), &fake.endpoint).unwrap();
    cloud.create(&request("pa-abcd-8")).await.unwrap();
    cloud.create(&request("pa-abcd-8")).await.unwrap();
    let w = fake.world();
    assert_eq!(
        w.of_kind("Microsoft.Compute/virtualMachines").len(),
        1,
        "no twin"
    );
    assert_eq!(w.of_kind("Microsoft.Network/networkInterfaces").len(), 1);
}

#[tokio::test]
async fn list_status_and_delete_leave_nothing_behind() {
    let fake = FakeAzure::start().await;
    let cloud = AzureCloud::new(&settings(&fake.endpoint), &fake.endpoint).unwrap();
    for name in ["pa-a-1", "pa-a-2", "pa-a-3"] {
        cloud.create(&request(name)).await.unwrap();
    }
    // Three VMs on two pages.
    let listed = cloud.list_owned("install-1").await.unwrap();
    assert_eq!(listed.len(), 3);
    assert!(cloud.list_owned("someone-else").await.unwrap().is_empty());
    let vm = cloud.status("pa-a-2").await.unwrap();
    assert_eq!(vm.state, VmState::Running);
    assert_eq!(vm.tags.get(tags::INSTANCE).map(String::as_str), Some("7"));
    cloud.delete("pa-a-2").await.unwrap();
    cloud.delete("pa-a-2").await.unwrap();
    for kind in [
        "Microsoft.Compute/virtualMachines",
        "Microsoft.Network/networkInterfaces",
        "Microsoft.Compute/disks",
        "Microsoft.Network/publicIPAddresses",
    ] {
        let left = fake.world().of_kind(kind).len();
        assert_eq!(left, 2, "{kind}: the deleted VM's is gone");
    }
    let gone = cloud.status("pa-a-2").await.unwrap_err();
    assert_eq!(gone.class, ErrorClass::NotFound);
}

#[tokio::test]
async fn errors_are_classified_with_azures_words() {
    let fake = FakeAzure::start().await;
    let mut wrong = settings(&fake.endpoint);
    wrong.credentials.client_secret = Secret::new("not-it");
    let refused: CloudError = AzureCloud::new(&wrong, &fake.endpoint)
        .unwrap()
        .test_connection()
        .await
        .unwrap_err();
    assert_eq!(refused.class, ErrorClass::Auth);
    assert!(refused.message.contains("AADSTS7000215"), "{refused}");

    let cloud = AzureCloud::new(&settings(&fake.endpoint), &fake.endpoint).unwrap();
    assert!(cloud.test_connection().await.unwrap().contains(GROUP));
    fake.world().fail_next_vm = Some((axum::http::StatusCode::CONFLICT, "SkuNotAvailable".into()));
    let full = cloud.create(&request("pa-b-1")).await.unwrap_err();
    assert_eq!(full.class, ErrorClass::Capacity);
    assert!(full.message.contains("SkuNotAvailable"), "{full}");
    let w = fake.world();
    assert!(
        w.of_kind("Microsoft.Network/networkInterfaces").is_empty()
            && w.of_kind("Microsoft.Network/publicIPAddresses").is_empty(),
        "a refused VM leaves no NIC or public IP behind"
    );
}

#[tokio::test]
async fn dns_records_go_in_the_zone_and_come_out() {
    let fake = FakeAzure::start().await;
    let dns = AzureDns::new(&credentials(&fake.endpoint), &fake.endpoint).unwrap();
    dns.upsert_a("pa-c-1.agents.example.com", "10.0.0.9")
        .await
        .unwrap();
    assert_eq!(
        fake.world()
            .records
            .get(&("example.com".into(), "pa-c-1.agents".into())),
        Some(&"10.0.0.9".to_owned())
    );
    dns.delete_a("pa-c-1.agents.example.com").await.unwrap();
    dns.delete_a("pa-c-1.agents.example.com").await.unwrap();
    assert!(fake.world().records.is_empty());
    let outside = dns.upsert_a("x.example.org", "10.0.0.9").await.unwrap_err();
    assert_eq!(outside.class, ErrorClass::InvalidConfig);
}

fn provider(endpoint: &str) -> VmProviderSpec {
    let mut provider = VmProviderSpec::new(ProviderKind::Azure);
    provider.name = "azure".into();
    provider.max_instances = "10".into();
    provider.endpoint_override = endpoint.into();
    provider.settings = ProviderSettings::Azure(settings(endpoint));
    provider
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scaler_grows_and_shrinks_a_pool_on_azure() {
    let fake = FakeAzure::start().await;
    let dir = tempfile::tempdir().unwrap();
    let pool = cloud_pool(dir.path(), provider(&fake.endpoint), 12);
    let cloud = Arc::new(AzureCloud::new(&settings(&fake.endpoint), &fake.endpoint).unwrap());
    scale_up_and_down(pool, cloud, 3).await;
    let w = fake.world();
    assert!(w.of_kind("Microsoft.Network/networkInterfaces").is_empty());
    assert!(w.of_kind("Microsoft.Compute/disks").is_empty());
    assert!(w.of_kind("Microsoft.Network/publicIPAddresses").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_the_create_is_adopted_on_azure() {
    let fake = FakeAzure::start().await;
    let dir = tempfile::tempdir().unwrap();
    let pool = cloud_pool(dir.path(), provider(&fake.endpoint), 8);
    let cloud = Arc::new(AzureCloud::new(&settings(&fake.endpoint), &fake.endpoint).unwrap());
    crash_after_create_is_adopted(pool, cloud, 2).await;
}

#[tokio::test]
async fn test_connection_reaches_azure_through_the_scaler() {
    use pooladmin::model::dns_provider::{DnsProviderSpec, DnsSettings};
    use pooladmin::scaler::ConnectionTarget;
    let fake = FakeAzure::start().await;
    let dns = DnsProviderSpec {
        register: Default::default(),
        name: "azure dns".into(),
        endpoint_override: fake.endpoint.clone(),
        settings: DnsSettings::Azure(credentials(&fake.endpoint)),
    };
    let answers = common::real_cloud::test_connections(vec![
        ConnectionTarget::Vm(Box::new(provider(&fake.endpoint))),
        ConnectionTarget::Dns(Box::new(dns)),
    ])
    .await;
    assert!(answers[0].as_ref().unwrap().contains(GROUP), "{answers:?}");
    assert!(
        answers[1].as_ref().unwrap().contains("1 DNS zone"),
        "{answers:?}"
    );
}

#[test]
fn each_authority_signs_in_at_its_own_cloud_for_its_own_audience() {
    use pooladmin::model::credentials::AzureAuthority;
    let hosts = |a: AzureAuthority| (a.login_host(), a.management_host(), a.management_audience());
    assert_eq!(
        hosts(AzureAuthority::Public),
        (
            "https://login.microsoftonline.com",
            "https://management.azure.com",
            "https://management.azure.com"
        )
    );
    assert_eq!(
        hosts(AzureAuthority::Government).1,
        "https://management.usgovcloudapi.net"
    );
    assert_eq!(
        hosts(AzureAuthority::China).0,
        "https://login.chinacloudapi.cn"
    );
    assert_eq!(
        hosts(AzureAuthority::Germany).1,
        "https://management.microsoftazure.de"
    );
    // Without an override the authority's own host signs in.
    let own = AzureCredentials {
        authority: AzureAuthority::Government,
        ..AzureCredentials::default()
    };
    assert_eq!(own.login_host(), "https://login.microsoftonline.us");
}

#[tokio::test]
async fn an_endpoint_override_keeps_the_clouds_token_audience() {
    // The fake refuses a token for any audience but the public cloud's Resource Manager:
    // an override (a private endpoint) must not become the scope.
    let fake = FakeAzure::start().await;
    let cloud = AzureCloud::new(&settings(&fake.endpoint), &fake.endpoint).unwrap();
    cloud.test_connection().await.unwrap();
    assert_eq!(
        fake.world().scopes,
        vec!["https://management.azure.com/.default".to_owned()]
    );
}

/// The request the scaler makes for instance `name` on `settings`.
fn named_request(settings: &AzureSettings, name: &str) -> CreateRequest {
    let names = vm_names(&ProviderSettings::Azure(settings.clone()), name, None);
    CreateRequest {
        name: names.vm_name,
        host_name: names.host_name,
        ..request(name)
    }
}

#[tokio::test]
async fn a_windows_vm_runs_its_startup_script_through_the_custom_script_extension() {
    let fake = FakeAzure::start().await;
    let mut windows = settings(&fake.endpoint);
    windows.image_is_windows = true;
    windows.assign_public_ip = false;
    windows.ssh_public_key = String::new();
    windows.os_password = Secret::new("Str0ng-Passw0rd!");
    let cloud = AzureCloud::new(&windows, &fake.endpoint).unwrap();
    let mut request = named_request(&windows, "pa-1a2b3c4d-12345");
    request.startup_script = "Add-Computer -DomainName 'corp.example.com' -Restart".into();
    cloud.create(&request).await.unwrap();
    // A retried create PUTs the same extension again: one extension, the same command.
    cloud.create(&request).await.unwrap();
    {
        let w = fake.world();
        let os = &w.vm_bodies[0]["properties"]["osProfile"];
        assert_eq!(os["adminPassword"], "Str0ng-Passw0rd!");
        assert!(os.get("linuxConfiguration").is_none());
        assert_eq!(os["windowsConfiguration"]["provisionVMAgent"], true);
        assert_eq!(
            os["computerName"], "pa1a2b3c4-12345",
            "15 characters, the counter whole, no leading hyphen"
        );
        assert!(
            os.get("customData").is_none(),
            "Windows does not run customData"
        );
        assert!(w.of_kind("Microsoft.Network/publicIPAddresses").is_empty());
        assert_eq!(w.extensions.len(), 2, "one PUT per create");
        let (vm, extension) = &w.extensions[1];
        assert_eq!(vm, "pa1a2b3c4-12345");
        let command = extension["properties"]["protectedSettings"]["commandToExecute"]
            .as_str()
            .unwrap();
        assert!(
            extension["properties"]["settings"]
                .get("commandToExecute")
                .is_none(),
            "the script stays in protectedSettings"
        );
        let encoded = command.rsplit(' ').next().unwrap();
        let utf16 = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap();
        let units: Vec<u16> = utf16
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(String::from_utf16(&units).unwrap(), request.startup_script);
    }
    cloud.delete(&request.name).await.unwrap();
    assert!(
        fake.world()
            .resources
            .keys()
            .all(|k| !k.contains("/extensions/"))
    );
}

#[tokio::test]
async fn linux_ssh_password_logins_stay_off_whenever_a_key_is_given() {
    let fake = FakeAzure::start().await;
    let mut both = settings(&fake.endpoint);
    both.os_password = Secret::new("Str0ng-Passw0rd!");
    let cloud = AzureCloud::new(&both, &fake.endpoint).unwrap();
    cloud
        .create(&named_request(&both, "pa-1a2b3c4d-1"))
        .await
        .unwrap();
    let mut password_only = both.clone();
    password_only.ssh_public_key = String::new();
    let cloud = AzureCloud::new(&password_only, &fake.endpoint).unwrap();
    cloud
        .create(&named_request(&password_only, "pa-1a2b3c4d-2"))
        .await
        .unwrap();
    let w = fake.world();
    let disabled = |i: usize| {
        w.vm_bodies[i]["properties"]["osProfile"]["linuxConfiguration"]
            ["disablePasswordAuthentication"]
            .clone()
    };
    assert_eq!(disabled(0), true, "a key and a password: the key only");
    assert_eq!(disabled(1), false, "a password alone: password logins");
    assert!(both.password_note().unwrap().contains("key only"));
    assert!(password_only.password_note().unwrap().contains("enabled"));
    assert_eq!(
        w.vm_bodies[0]["properties"]["osProfile"]["computerName"], "pa-1a2b3c4d-1",
        "Linux names are not cut to 15"
    );
}

#[tokio::test]
async fn the_fake_refuses_a_computer_name_that_starts_with_a_hyphen() {
    let fake = FakeAzure::start().await;
    let cloud = AzureCloud::new(&settings(&fake.endpoint), &fake.endpoint).unwrap();
    let mut request = request("pa-1a2b3c4d-9");
    request.host_name = "-a2b3c4d-12345".into();
    let refused = cloud.create(&request).await.unwrap_err();
    assert_eq!(refused.class, ErrorClass::InvalidConfig, "{refused}");
}

/// The form's pickers: locations (logical ones left out), VM sizes from the resource SKUs
/// (cores, memory, GPUs; a size the subscription may not use left out; two per page, so
/// `nextLink` is followed), the image reference walked down publisher → offer → SKU →
/// version, resource groups, virtual networks' subnets and network security groups.
#[tokio::test]
async fn the_pickers_list_what_the_subscription_has() {
    use pooladmin::model::cloud_list::ListKind;
    use serde_json::json;
    let fake = FakeAzure::start().await;
    let sub = format!("/subscriptions/{SUBSCRIPTION}");
    let group = format!("{sub}/resourceGroups/{GROUP}");
    let images = format!("{sub}/providers/Microsoft.Compute/locations/eastus/publishers");
    let sku = |name: &str, cores: &str, gb: &str, gpus: Option<&str>, restricted: bool| {
        let mut caps = vec![
            json!({ "name": "vCPUs", "value": cores }),
            json!({ "name": "MemoryGB", "value": gb }),
        ];
        if let Some(g) = gpus {
            caps.push(json!({ "name": "GPUs", "value": g }));
        }
        let restrictions = if restricted {
            json!([{ "type": "Location", "reasonCode": "NotAvailableForSubscription" }])
        } else {
            json!([])
        };
        json!({ "resourceType": "virtualMachines", "name": name, "family": "standardDSv5Family", "capabilities": caps, "restrictions": restrictions })
    };
    {
        let mut w = fake.world();
        let mut add = |path: String, version: &str, answer: serde_json::Value| {
            w.catalog
                .insert(path.to_lowercase(), (version.to_owned(), answer));
        };
        add(
            format!("{sub}/locations"),
            "2022-12-01",
            json!({ "value": [
                { "name": "eastus", "displayName": "East US", "metadata": { "regionType": "Physical" } },
                { "name": "westeurope", "displayName": "West Europe", "metadata": { "regionType": "Physical" } },
                { "name": "global", "displayName": "Global", "metadata": { "regionType": "Logical" } },
            ] }),
        );
        add(
            format!("{sub}/providers/Microsoft.Compute/skus"),
            "2021-07-01",
            json!({ "value": [
                sku("Standard_D2s_v5", "2", "8", None, false),
                sku("Standard_NC4as_T4_v3", "4", "28", Some("1"), false),
                { "resourceType": "disks", "name": "Premium_LRS" },
                sku("Standard_M416ms_v2", "416", "11400", None, true),
                sku("Standard_D4s_v5", "4", "16", None, false),
            ] }),
        );
        add(
            images.clone(),
            "2024-07-01",
            json!([{ "name": "Canonical" }, { "name": "MicrosoftWindowsDesktop" }]),
        );
        add(
            format!("{images}/Canonical/artifacttypes/vmimage/offers"),
            "2024-07-01",
            json!([{ "name": "ubuntu-24_04-lts" }]),
        );
        add(
            format!("{images}/Canonical/artifacttypes/vmimage/offers/ubuntu-24_04-lts/skus"),
            "2024-07-01",
            json!([{ "name": "server" }, { "name": "minimal" }]),
        );
        add(
            format!(
                "{images}/Canonical/artifacttypes/vmimage/offers/ubuntu-24_04-lts/skus/server/versions"
            ),
            "2024-07-01",
            json!([{ "name": "24.04.202410010" }, { "name": "24.04.202411010" }]),
        );
        add(
            format!("{sub}/resourcegroups"),
            "2021-04-01",
            json!({ "value": [{ "name": GROUP, "location": "eastus" }] }),
        );
        add(
            format!("{group}/providers/Microsoft.Network/virtualNetworks"),
            "2024-05-01",
            json!({ "value": [{ "id": format!("{group}/providers/Microsoft.Network/virtualNetworks/vnet"), "name": "vnet", "properties": { "subnets": [
                { "id": format!("{group}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default"), "name": "default", "properties": { "addressPrefix": "10.1.0.0/24" } },
                { "id": format!("{group}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/agents"), "name": "agents", "properties": { "addressPrefix": "10.1.1.0/24" } },
            ] } }] }),
        );
        add(
            format!("{group}/providers/Microsoft.Network/networkSecurityGroups"),
            "2024-05-01",
            json!({ "value": [{ "id": format!("{group}/providers/Microsoft.Network/networkSecurityGroups/agents-nsg"), "name": "agents-nsg" }] }),
        );
    }
    let mut s = settings(&fake.endpoint);
    let cloud = |s: &AzureSettings| AzureCloud::new(s, &fake.endpoint).unwrap();
    let regions = cloud(&s).list(ListKind::Regions, "").await.unwrap();
    assert_eq!(
        regions.iter().map(|r| r.value.as_str()).collect::<Vec<_>>(),
        ["eastus", "westeurope"]
    );
    let sizes = cloud(&s).list(ListKind::Sizes, "").await.unwrap();
    assert_eq!(
        sizes.iter().map(|r| r.value.as_str()).collect::<Vec<_>>(),
        ["Standard_D2s_v5", "Standard_D4s_v5", "Standard_NC4as_T4_v3"],
        "every page, VM sizes only, none restricted"
    );
    let t4 = sizes[2].size.unwrap();
    assert_eq!((t4.cores, t4.memory_mb, t4.gpus), (4.0, 28 * 1024, 1));

    // Down the image reference: publishers, then offers, SKUs and versions.
    s.image_reference = "{}".into();
    let publishers = cloud(&s).list(ListKind::Images, "").await.unwrap();
    assert_eq!(publishers[0].label, "Canonical");
    s.image_reference = publishers[0].value.clone();
    let offers = cloud(&s).list(ListKind::Images, "").await.unwrap();
    assert_eq!(offers[0].label, "ubuntu-24_04-lts");
    s.image_reference = offers[0].value.clone();
    let skus = cloud(&s).list(ListKind::Images, "").await.unwrap();
    s.image_reference = skus[0].value.clone();
    let versions = cloud(&s).list(ListKind::Images, "").await.unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| v.label.as_str())
            .collect::<Vec<_>>(),
        ["latest", "24.04.202411010", "24.04.202410010"]
    );
    let chosen: serde_json::Value = serde_json::from_str(&versions[0].value).unwrap();
    assert_eq!(
        chosen,
        json!({ "publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest" })
    );
    // The reference picked passes the form's checks.
    s.image_reference = versions[0].value.clone();
    let mut spec = provider(&fake.endpoint);
    spec.settings = ProviderSettings::Azure(s.clone());
    assert!(spec.validate().is_ok(), "{:?}", spec.validate());

    let groups = cloud(&s).list(ListKind::ResourceGroups, "").await.unwrap();
    assert_eq!(groups[0].value, GROUP);
    let subnets = cloud(&s).list(ListKind::Subnets, "").await.unwrap();
    assert_eq!(subnets.len(), 2);
    assert_eq!(subnets[0].value, s.subnet);
    assert_eq!(subnets[1].label, "vnet/agents");
    let nsgs = cloud(&s).list(ListKind::SecurityGroups, "").await.unwrap();
    assert_eq!(nsgs[0].value, s.network_security_group);
}

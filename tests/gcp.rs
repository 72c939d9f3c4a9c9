//! Google Cloud: the service account's JWT exchanged at a local token endpoint that verifies
//! it (tests/common/gcp_token_fake.rs); Compute Engine against gcplocal (PyPI), which the
//! README's test command starts on 127.0.0.1 and names in POOLADMIN_GCPLOCAL_ENDPOINT, with
//! the scaler end to end; Cloud DNS against a local fake (gcplocal does not serve DNS). Each test uses a project of its
//! own, so they share one gcplocal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::gcp_dns_fake::FakeCloudDns;
use common::gcp_token_fake::{FakeGoogleToken, key_pem};
use common::real_cloud::{cloud_pool, crash_after_create_is_adopted, scale_up_and_down};
use pooladmin::cloud::gcp::{GcpCloud, GcpDns, ServiceAccount, classify};
use pooladmin::cloud::{CreateRequest, DnsCloud, ErrorClass, VmCloud, VmState, tags};
use pooladmin::model::Secret;
use pooladmin::model::credentials::GcpCredentials;
use pooladmin::model::vm_provider::{GcpSettings, ProviderKind, ProviderSettings, VmProviderSpec};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

fn gcplocal() -> String {
    std::env::var("POOLADMIN_GCPLOCAL_ENDPOINT").expect(
        "POOLADMIN_GCPLOCAL_ENDPOINT is not set: run the tests with scripts/test.sh, which starts gcplocal",
    )
}

/// What gcplocal holds at `path`.
async fn peek(path: &str) -> Value {
    reqwest::get(format!("{}{path}", gcplocal()))
        .await
        .unwrap_or_else(|e| panic!("gcplocal is not answering: {e}"))
        .json()
        .await
        .unwrap()
}

fn settings(token: &FakeGoogleToken, project: &str) -> GcpSettings {
    GcpSettings {
        credentials: GcpCredentials {
            key_json: Secret::new(token.key_file(&key_pem())),
        },
        project_id: project.into(),
        machine_image: "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64".into(),
        network: format!("projects/{project}/global/networks/default"),
        subnetwork: format!("projects/{project}/regions/us-east4/subnetworks/default"),
        network_tags: r#"["agents"]"#.into(),
        custom_labels: r#"{"team":"vdi"}"#.into(),
        metadata: r#"[{"key":"enable-oslogin","value":"TRUE"}]"#.into(),
        service_account: r#"{"email":"vm@pooladmin-tests.iam.gserviceaccount.com","scopes":["https://www.googleapis.com/auth/cloud-platform"]}"#.into(),
        guest_accelerators: r#"[{"type":"nvidia-tesla-t4","count":1}]"#.into(),
        cmek: "projects/keys/locations/us-east4/keyRings/ring/cryptoKeys/disk".into(),
        config_override: r#"{"minCpuPlatform":"Intel Ice Lake"}"#.into(),
        ..GcpSettings::default()
    }
}

fn request(name: &str) -> CreateRequest {
    CreateRequest {
        name: name.into(),
        host_name: name.into(),
        token: "0123456789abcdef0123456789abcdef".into(),
        tags: tags::ownership("Install-1", 7, 3),
        startup_script: "#!/bin/sh\necho hello\n".into(),
    }
}

#[tokio::test]
async fn the_jwt_is_signed_and_exchanged_once_and_a_wrong_key_is_refused() {
    let token = FakeGoogleToken::start().await;
    let http = reqwest::Client::new();
    let account =
        ServiceAccount::new(&Secret::new(token.key_file(&key_pem())), http.clone()).unwrap();
    let first = account.token().await.unwrap();
    let second = account.token().await.unwrap();
    assert_eq!(first.expose(), second.expose(), "cached");
    assert_eq!(token.world().issued, 1);

    // Another key than the one the account's public half belongs to.
    let other = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/impostor_key_pkcs8.pem"
    ))
    .unwrap();
    let impostor = ServiceAccount::new(&Secret::new(token.key_file(&other)), http).unwrap();
    let refused = impostor.token().await.unwrap_err();
    assert_eq!(refused.class, ErrorClass::Auth);
    assert!(
        refused.message.contains("Invalid JWT Signature"),
        "{refused}"
    );
}

#[tokio::test]
async fn insert_sends_every_setting_and_the_instance_lives_and_goes() {
    let token = FakeGoogleToken::start().await;
    let project = "pa-gcp-insert";
    let cloud = GcpCloud::new(&settings(&token, project), &gcplocal()).unwrap();
    let vm = cloud.create(&request("pa-g-1")).await.unwrap();
    assert_eq!(vm.cloud_id, "pa-g-1");
    assert_eq!(vm.state, VmState::Running);
    let zone = format!("/compute/v1/projects/{project}/zones/us-east4-b");
    let stored = peek(&format!("{zone}/instances/pa-g-1")).await;
    assert_eq!(
        stored["machineType"],
        "zones/us-east4-b/machineTypes/e2-standard-2"
    );
    let disk = &stored["disks"][0];
    assert_eq!(disk["boot"], true);
    assert_eq!(
        disk["autoDelete"], true,
        "the boot disk goes with the instance"
    );
    assert_eq!(disk["initializeParams"]["diskSizeGb"], "50");
    assert_eq!(
        disk["initializeParams"]["diskType"],
        "zones/us-east4-b/diskTypes/pd-balanced"
    );
    assert_eq!(
        disk["diskEncryptionKey"]["kmsKeyName"],
        "projects/keys/locations/us-east4/keyRings/ring/cryptoKeys/disk"
    );
    assert_eq!(
        stored["networkInterfaces"][0]["accessConfigs"][0]["type"],
        "ONE_TO_ONE_NAT"
    );
    assert_eq!(stored["tags"]["items"], json!(["agents"]));
    assert_eq!(stored["labels"]["team"], "vdi");
    assert_eq!(
        stored["labels"]["pooladmin-owner"], "install-1",
        "labels are lower case"
    );
    let items = stored["metadata"]["items"].as_array().unwrap();
    assert!(
        items.contains(&json!({ "key": "startup-script", "value": "#!/bin/sh\necho hello\n" }))
    );
    assert!(items.contains(&json!({ "key": "enable-oslogin", "value": "TRUE" })));
    assert_eq!(
        stored["serviceAccounts"][0]["email"],
        "vm@pooladmin-tests.iam.gserviceaccount.com"
    );
    assert_eq!(
        stored["scheduling"]["onHostMaintenance"], "TERMINATE",
        "GPUs cannot migrate"
    );
    // gcplocal keeps no accelerators: the body as sent says them.
    let launch = settings(&token, project).launch().unwrap();
    let body = cloud.insert_body(&request("pa-g-1"), &launch, false);
    assert_eq!(
        body["guestAccelerators"][0]["acceleratorType"],
        "zones/us-east4-b/acceleratorTypes/nvidia-tesla-t4"
    );
    assert_eq!(body["guestAccelerators"][0]["acceleratorCount"], 1);
    assert_eq!(
        body["minCpuPlatform"], "Intel Ice Lake",
        "the Config Override's keys"
    );

    assert_eq!(cloud.list_owned("install-1").await.unwrap().len(), 1);
    assert!(cloud.list_owned("someone-else").await.unwrap().is_empty());
    cloud.delete("pa-g-1").await.unwrap();
    cloud.delete("pa-g-1").await.unwrap();
    assert_eq!(
        cloud.status("pa-g-1").await.unwrap_err().class,
        ErrorClass::NotFound
    );
    assert!(cloud.list_owned("install-1").await.unwrap().is_empty());
    assert!(cloud.test_connection().await.unwrap().contains(project));
    assert_eq!(token.world().issued, 1, "one token served every call");
}

/// A Compute Engine that answers `images.get` only: a custom Windows image (its path says
/// nothing of Windows) and a Linux one.
async fn image_server() -> (String, Arc<std::sync::Mutex<u32>>) {
    use axum::extract::{Path, State};
    let reads = Arc::new(std::sync::Mutex::new(0u32));
    let app = axum::Router::new().route(
        "/compute/v1/projects/{project}/global/images/{image}",
        axum::routing::get(
            |State(reads): State<Arc<std::sync::Mutex<u32>>>,
             Path((_, image)): Path<(String, String)>| async move {
                *reads.lock().unwrap() += 1;
                let features = if image == "golden-desktop-2025" {
                    json!([{ "type": "MULTI_IP_SUBNET" }, { "type": "WINDOWS" }])
                } else {
                    json!([{ "type": "UEFI_COMPATIBLE" }])
                };
                axum::Json(json!({ "name": image, "guestOsFeatures": features }))
            },
        ),
    );
    let endpoint = common::serve::serve(app, &reads).await;
    (endpoint, reads)
}

#[tokio::test]
async fn windows_is_told_by_the_images_guest_os_features_then_by_its_path() {
    let token = FakeGoogleToken::start().await;
    let (images, reads) = image_server().await;
    let mut custom = settings(&token, "pa-gcp-images");
    custom.machine_image = "projects/pa-gcp-images/global/images/golden-desktop-2025".into();
    let cloud = GcpCloud::new(&custom, &images).unwrap();
    assert!(
        cloud.image_is_windows().await,
        "guestOsFeatures has WINDOWS"
    );
    assert!(cloud.image_is_windows().await);
    assert_eq!(*reads.lock().unwrap(), 1, "read once, then cached");
    let launch = custom.launch().unwrap();
    let body = cloud.insert_body(&request("pa-g-9"), &launch, true);
    let keys: Vec<&str> = body["metadata"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["key"].as_str())
        .collect();
    assert!(keys.contains(&"windows-startup-script-ps1"), "{keys:?}");
    assert!(!keys.contains(&"startup-script"), "{keys:?}");

    let mut linux = custom.clone();
    linux.machine_image = "projects/pa-gcp-images/global/images/windows-named-linux".into();
    let cloud = GcpCloud::new(&linux, &images).unwrap();
    assert!(
        !cloud.image_is_windows().await,
        "the features win over the name"
    );

    // gcplocal serves no images: the path decides.
    let mut unread = custom.clone();
    unread.machine_image = "projects/windows-cloud/global/images/family/windows-2022".into();
    assert!(
        GcpCloud::new(&unread, &gcplocal())
            .unwrap()
            .image_is_windows()
            .await
    );
    assert!(
        !GcpCloud::new(&settings(&token, "pa-gcp-images"), &gcplocal())
            .unwrap()
            .image_is_windows()
            .await
    );
}

#[tokio::test]
async fn a_domain_joined_servers_vm_gets_a_lower_case_name() {
    use pooladmin::model::vm_names::vm_names;
    let token = FakeGoogleToken::start().await;
    let project = "pa-gcp-names";
    let settings = settings(&token, project);
    let names = vm_names(
        &ProviderSettings::Gcp(settings.clone()),
        "pa-1a2b3c4d-5",
        Some("VDI-1"),
    );
    let request = CreateRequest {
        name: names.vm_name,
        host_name: names.host_name,
        ..request("unused")
    };
    let cloud = GcpCloud::new(&settings, &gcplocal()).unwrap();
    let vm = cloud.create(&request).await.unwrap();
    assert_eq!(vm.cloud_id, "vdi-1", "[a-z]([-a-z0-9]*[a-z0-9])?");
    cloud.delete("vdi-1").await.unwrap();
}

#[test]
fn googles_reasons_are_classified() {
    assert_eq!(
        classify(StatusCode::OK, "ZONE_RESOURCE_POOL_EXHAUSTED"),
        ErrorClass::Capacity
    );
    assert_eq!(
        classify(StatusCode::FORBIDDEN, "QUOTA_EXCEEDED"),
        ErrorClass::Quota
    );
    assert_eq!(
        classify(StatusCode::TOO_MANY_REQUESTS, "rateLimitExceeded"),
        ErrorClass::Throttled
    );
    assert_eq!(
        classify(StatusCode::UNAUTHORIZED, "authError"),
        ErrorClass::Auth
    );
    assert_eq!(
        classify(StatusCode::NOT_FOUND, "notFound"),
        ErrorClass::NotFound
    );
    assert_eq!(
        classify(StatusCode::BAD_REQUEST, "invalid"),
        ErrorClass::InvalidConfig
    );
}

#[tokio::test]
async fn dns_changes_replace_and_remove_the_record() {
    let token = FakeGoogleToken::start().await;
    let fake = FakeCloudDns::start(&[
        ("example", "example.com."),
        ("agents", "agents.example.com."),
    ])
    .await;
    let credentials = GcpCredentials {
        key_json: Secret::new(token.key_file(&key_pem())),
    };
    let dns = GcpDns::new("pa-gcp-dns", &credentials, &fake.endpoint).unwrap();
    let key = ("agents".to_owned(), "pa-1.agents.example.com.".to_owned());
    dns.upsert_a("pa-1.agents.example.com", "10.0.0.7")
        .await
        .unwrap();
    assert_eq!(fake.world().rrsets[&key]["rrdatas"], json!(["10.0.0.7"]));
    // A second upsert replaces the set: its deletion matches what stands.
    dns.upsert_a("pa-1.agents.example.com", "10.0.0.8")
        .await
        .unwrap();
    assert_eq!(fake.world().rrsets[&key]["rrdatas"], json!(["10.0.0.8"]));
    dns.delete_a("pa-1.agents.example.com").await.unwrap();
    dns.delete_a("pa-1.agents.example.com").await.unwrap();
    assert!(fake.world().rrsets.is_empty());
    assert_eq!(
        fake.world().changes.len(),
        3,
        "a delete of nothing sends no change"
    );
    let outside = dns.upsert_a("x.example.org", "10.0.0.9").await.unwrap_err();
    assert_eq!(outside.class, ErrorClass::InvalidConfig);
}

fn provider(token: &FakeGoogleToken, project: &str) -> VmProviderSpec {
    let mut provider = VmProviderSpec::new(ProviderKind::Gcp);
    provider.name = "gcp".into();
    provider.max_instances = "10".into();
    provider.endpoint_override = gcplocal();
    provider.settings = ProviderSettings::Gcp(settings(token, project));
    provider
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scaler_grows_and_shrinks_a_pool_on_gcp() {
    let token = FakeGoogleToken::start().await;
    let project = "pa-gcp-scaler";
    let dir = tempfile::tempdir().unwrap();
    let pool = cloud_pool(dir.path(), provider(&token, project), 12);
    let cloud = Arc::new(GcpCloud::new(&settings(&token, project), &gcplocal()).unwrap());
    scale_up_and_down(pool, cloud, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_the_insert_is_adopted_on_gcp() {
    let token = FakeGoogleToken::start().await;
    let project = "pa-gcp-crash";
    let dir = tempfile::tempdir().unwrap();
    let pool = cloud_pool(dir.path(), provider(&token, project), 8);
    let cloud = Arc::new(GcpCloud::new(&settings(&token, project), &gcplocal()).unwrap());
    crash_after_create_is_adopted(pool, cloud, 2).await;
}

#[tokio::test]
async fn test_connection_reaches_google_through_the_scaler() {
    use pooladmin::model::dns_provider::{DnsProviderSpec, DnsSettings};
    use pooladmin::scaler::ConnectionTarget;
    let token = FakeGoogleToken::start().await;
    let fake = FakeCloudDns::start(&[("example", "example.com.")]).await;
    let dns = DnsProviderSpec {
        register: Default::default(),
        name: "cloud dns".into(),
        endpoint_override: fake.endpoint.clone(),
        settings: DnsSettings::Gcp {
            project: "pa-gcp-test".into(),
            credentials: GcpCredentials {
                key_json: Secret::new(token.key_file(&key_pem())),
            },
        },
    };
    let answers = common::real_cloud::test_connections(vec![
        ConnectionTarget::Vm(Box::new(provider(&token, "pa-gcp-test"))),
        ConnectionTarget::Dns(Box::new(dns)),
    ])
    .await;
    assert!(
        answers[0].as_ref().unwrap().contains("pa-gcp-test"),
        "{answers:?}"
    );
    assert!(
        answers[1].as_ref().unwrap().contains("1 managed zone"),
        "{answers:?}"
    );
}

/// The form's pickers: networks, the region's subnetworks and the service accounts from
/// gcplocal; zones, machine types (with an A2's built-in GPU), accelerator types and image
/// families (the newest image of each, deprecated ones left out) from a fake that serves
/// three items a page, so every page is followed.
#[tokio::test]
async fn the_pickers_list_what_the_project_has() {
    use common::gcp_catalog_fake::FakeGcpCatalog;
    use pooladmin::model::cloud_list::ListKind;
    use serde_json::json;
    let token = FakeGoogleToken::start().await;
    let project = "pa-gcp-lists";
    let mut s = settings(&token, project);
    s.region = "us-central1".into();
    s.zone = "us-central1-a".into();
    let post = |path: String, body: serde_json::Value| async move {
        let answer = reqwest::Client::new()
            .post(format!("{}{path}", gcplocal()))
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("gcplocal is not answering: {e}"));
        assert!(answer.status().is_success(), "{path}: {}", answer.status());
    };
    post(
        format!("/compute/v1/projects/{project}/global/networks"),
        json!({ "name": "vdi", "autoCreateSubnetworks": false }),
    )
    .await;
    post(
        format!("/compute/v1/projects/{project}/regions/us-central1/subnetworks"),
        json!({ "name": "vdi-a", "network": format!("projects/{project}/global/networks/vdi"), "ipCidrRange": "10.8.0.0/24" }),
    )
    .await;
    post(
        format!("/v1/projects/{project}/serviceAccounts"),
        json!({ "accountId": "agents", "serviceAccount": { "displayName": "Kasm agents" } }),
    )
    .await;
    let cloud = GcpCloud::new(&s, &gcplocal()).unwrap();
    let networks = cloud.list(ListKind::Networks, "").await.unwrap();
    assert!(
        networks
            .iter()
            .any(|n| n.value == format!("projects/{project}/global/networks/vdi"))
    );
    let subnets = cloud.list(ListKind::Subnets, "").await.unwrap();
    let subnet = subnets.iter().find(|n| n.label == "vdi-a").expect("vdi-a");
    assert_eq!(
        subnet.value,
        format!("projects/{project}/regions/us-central1/subnetworks/vdi-a")
    );
    assert!(subnet.detail.contains("10.8.0.0/24"));
    let accounts = cloud.list(ListKind::Identities, "").await.unwrap();
    assert!(
        accounts
            .iter()
            .any(|a| a.value == format!("agents@{project}.iam.gserviceaccount.com"))
    );

    let compute = format!("/compute/v1/projects/{project}");
    let zones: Vec<_> = ["us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f", "europe-west1-b"]
        .iter()
        .map(|z| json!({ "name": z, "region": format!("https://compute.googleapis.com{compute}/regions/us-central1"), "status": "UP" }))
        .collect();
    let types = vec![
        json!({ "name": "e2-standard-2", "guestCpus": 2, "memoryMb": 8192, "description": "2 vCPUs, 8 GB RAM" }),
        json!({ "name": "e2-standard-4", "guestCpus": 4, "memoryMb": 16384 }),
        json!({ "name": "n2-standard-8", "guestCpus": 8, "memoryMb": 32768 }),
        json!({ "name": "a2-highgpu-1g", "guestCpus": 12, "memoryMb": 87040, "accelerators": [{ "guestAcceleratorType": "nvidia-tesla-a100", "guestAcceleratorCount": 1 }] }),
    ];
    let accelerators = vec![
        json!({ "name": "nvidia-tesla-t4", "description": "NVIDIA T4", "maximumCardsPerInstance": 4 }),
    ];
    let images = vec![
        json!({ "name": "vdi-agent-1", "family": "vdi-agent", "creationTimestamp": "2026-10-01T00:00:00Z" }),
        json!({ "name": "vdi-agent-2", "family": "vdi-agent", "creationTimestamp": "2026-11-01T00:00:00Z", "description": "agent image" }),
        json!({ "name": "vdi-agent-0", "family": "vdi-agent", "creationTimestamp": "2026-12-01T00:00:00Z", "deprecated": { "state": "DEPRECATED" } }),
    ];
    let debian = vec![
        json!({ "name": "debian-12-v1", "family": "debian-12", "creationTimestamp": "2026-11-20T00:00:00Z" }),
    ];
    let fake = FakeGcpCatalog::start(
        [
            (format!("{compute}/zones"), zones),
            (format!("{compute}/zones/us-central1-a/machineTypes"), types),
            (
                format!("{compute}/zones/us-central1-a/acceleratorTypes"),
                accelerators,
            ),
            (format!("{compute}/global/images"), images),
            (
                "/compute/v1/projects/debian-cloud/global/images".to_owned(),
                debian,
            ),
        ]
        .into_iter()
        .collect(),
    )
    .await;
    let cloud = GcpCloud::new(&s, &fake.endpoint).unwrap();
    let zones = cloud.list(ListKind::Zones, "").await.unwrap();
    assert_eq!(zones.len(), 5, "two pages of three");
    assert!(
        zones[0].detail.starts_with("us-central1 · UP"),
        "{}",
        zones[0].detail
    );
    let sizes = cloud.list(ListKind::Sizes, "").await.unwrap();
    let a2 = sizes
        .iter()
        .find(|s| s.value == "a2-highgpu-1g")
        .unwrap()
        .size
        .unwrap();
    assert_eq!((a2.cores, a2.memory_mb, a2.gpus), (12.0, 87_040, 1));
    let t4 = cloud.list(ListKind::Accelerators, "").await.unwrap();
    assert_eq!(t4[0].value, "nvidia-tesla-t4");
    let families = cloud.list(ListKind::Images, "").await.unwrap();
    let own = &families[0];
    assert_eq!(
        own.value,
        format!("projects/{project}/global/images/family/vdi-agent")
    );
    assert!(own.detail.ends_with("newest vdi-agent-2"), "{}", own.detail);
    assert!(
        families
            .iter()
            .any(|f| f.value == "projects/debian-cloud/global/images/family/debian-12")
    );
}

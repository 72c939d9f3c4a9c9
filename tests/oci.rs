//! Oracle Cloud: golden tests of the request signer against the `oci` PyPI package's own
//! `Signer` (tests/peers/oci_sign.py, run with the Python that scripts/test.sh installs it
//! in and names in POOLADMIN_PEERS_PYTHON), and the compute and DNS clients against a local
//! fake that verifies every signature (tests/common/oci_fake.rs), with the scaler end to end.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use base64::Engine;
use common::oci_fake::{COMPARTMENT, FINGERPRINT, FakeOci, TENANCY, USER, key_pem};
use common::real_cloud::{cloud_pool, crash_after_create_is_adopted, scale_up_and_down};
use pooladmin::cloud::oci::signer::Signer;
use pooladmin::cloud::oci::{OciCloud, OciDns};
use pooladmin::cloud::{CreateRequest, DnsCloud, ErrorClass, VmCloud, VmState, tags};
use pooladmin::model::Secret;
use pooladmin::model::credentials::OciCredentials;
use pooladmin::model::vm_provider::{OciSettings, ProviderKind, ProviderSettings, VmProviderSpec};
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;

const DATE: &str = "Thu, 05 Jan 2014 21:31:40 GMT";
const SSH_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICApxE2Cniapn7VTx/opGm91BnztyWVBGLo8Mid0unmz admin@example";

/// The headers the `oci` SDK sends for this request.
fn sdk_headers(method: &str, url: &str, body: Option<&str>) -> Value {
    let python = std::env::var("POOLADMIN_PEERS_PYTHON").expect(
        "POOLADMIN_PEERS_PYTHON is not set: run the tests with scripts/test.sh, which installs the oci SDK",
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/oci_sign.py");
    let mut child = Command::new(&python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let spec = json!({
        "tenancy": TENANCY, "user": USER, "fingerprint": FINGERPRINT, "key_pem": key_pem(),
        "method": method, "url": url, "date": DATE, "body": body,
    });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(spec.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the oci SDK script failed");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn ours(key: &str, method: &str, url: &str, body: Option<&str>) -> Vec<(String, String)> {
    let signer = Signer::new(TENANCY, USER, FINGERPRINT, &Secret::new(key)).unwrap();
    let url = reqwest::Url::parse(url).unwrap();
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    signer
        .sign(
            method,
            url.host_str().unwrap(),
            &target,
            DATE,
            body.map(str::as_bytes),
        )
        .unwrap()
        .headers
}

#[test]
fn signatures_equal_the_oci_sdks_for_fixed_requests() {
    let pkcs8 = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/oci_test_key_pkcs8.pem"
    ))
    .unwrap();
    let base = "https://iaas.us-ashburn-1.oraclecloud.com";
    let cases: [(&str, String, Option<&str>); 4] = [
        ("GET", format!("{base}/20160918/instances?compartmentId={COMPARTMENT}&limit=100"), None),
        ("DELETE", format!("{base}/20160918/instances/ocid1.instance.oc1.iad.x?preserveBootVolume=false"), None),
        ("POST", format!("{base}/20160918/instances"), Some(r#"{"displayName":"pa-1","shape":"VM.Standard.E4.Flex"}"#)),
        ("PUT", "https://dns.us-ashburn-1.oraclecloud.com/20180115/zones/example.com/records/a.example.com".into(), Some(r#"{"items":[]}"#)),
    ];
    for (method, url, body) in cases {
        let sdk = sdk_headers(method, &url, body);
        for key in [key_pem(), pkcs8.clone()] {
            let mine = ours(&key, method, &url, body);
            for (name, value) in &mine {
                if name == "host" {
                    continue;
                }
                assert_eq!(
                    sdk.get(name).and_then(Value::as_str),
                    Some(value.as_str()),
                    "{method} {url}: header {name}"
                );
            }
            let expected = if body.is_some() { 6 } else { 3 };
            assert_eq!(
                mine.len(),
                expected,
                "{method}: the headers signed and sent"
            );
        }
    }
}

fn credentials() -> OciCredentials {
    OciCredentials {
        user_ocid: USER.into(),
        fingerprint: FINGERPRINT.into(),
        private_key: Secret::new(key_pem()),
        region: "us-ashburn-1".into(),
        tenancy_ocid: TENANCY.into(),
        compartment_ocid: COMPARTMENT.into(),
    }
}

fn settings() -> OciSettings {
    OciSettings {
        credentials: credentials(),
        availability_domain: "Uocm:US-ASHBURN-AD-1".into(),
        image_ocid: "ocid1.image.oc1.iad.aaaaimage".into(),
        subnet_ocid: "ocid1.subnet.oc1.iad.aaaasubnet".into(),
        ssh_public_key: SSH_KEY.into(),
        custom_tags: r#"{"team":"vdi"}"#.into(),
        ..OciSettings::default()
    }
}

fn request(name: &str, token: &str) -> CreateRequest {
    CreateRequest {
        name: name.into(),
        host_name: name.into(),
        token: token.into(),
        tags: tags::ownership("install-1", 7, 3),
        startup_script: "#!/bin/sh\necho hello\n".into(),
    }
}

#[tokio::test]
async fn launch_sends_every_setting_signed_and_a_retry_makes_no_twin() {
    let fake = FakeOci::start().await;
    let cloud = OciCloud::new(&settings(), &fake.endpoint).unwrap();
    let first = cloud.create(&request("pa-x-1", "token-1")).await.unwrap();
    let again = cloud.create(&request("pa-x-1", "token-1")).await.unwrap();
    assert_eq!(first.cloud_id, again.cloud_id, "opc-retry-token honoured");
    let w = fake.world();
    assert_eq!(w.launch_bodies.len(), 1);
    let body = &w.launch_bodies[0];
    assert_eq!(body["compartmentId"], COMPARTMENT);
    assert_eq!(body["availabilityDomain"], "Uocm:US-ASHBURN-AD-1");
    assert_eq!(body["shape"], "VM.Standard.E4.Flex");
    assert_eq!(
        body["shapeConfig"],
        json!({ "ocpus": 2.0, "memoryInGBs": 8.0 })
    );
    assert_eq!(
        body["sourceDetails"]["imageId"],
        "ocid1.image.oc1.iad.aaaaimage"
    );
    assert_eq!(body["sourceDetails"]["bootVolumeSizeInGBs"], 50);
    assert_eq!(
        body["createVnicDetails"]["subnetId"],
        "ocid1.subnet.oc1.iad.aaaasubnet"
    );
    assert_eq!(body["metadata"]["ssh_authorized_keys"], SSH_KEY);
    let user_data = base64::engine::general_purpose::STANDARD
        .decode(body["metadata"]["user_data"].as_str().unwrap())
        .unwrap();
    assert_eq!(user_data, b"#!/bin/sh\necho hello\n");
    assert_eq!(body["freeformTags"]["team"], "vdi");
    assert_eq!(body["freeformTags"]["pooladmin-owner"], "install-1");
    assert_eq!(w.signatures_checked, 2);
}

#[tokio::test]
async fn list_status_and_terminate_with_the_boot_volume() {
    let fake = FakeOci::start().await;
    let cloud = OciCloud::new(&settings(), &fake.endpoint).unwrap();
    let mut ids = Vec::new();
    for n in 1..=3 {
        ids.push(
            cloud
                .create(&request(&format!("pa-y-{n}"), &format!("t{n}")))
                .await
                .unwrap()
                .cloud_id,
        );
    }
    assert_eq!(
        cloud.list_owned("install-1").await.unwrap().len(),
        3,
        "across pages"
    );
    assert!(cloud.list_owned("another").await.unwrap().is_empty());
    assert_eq!(cloud.status(&ids[0]).await.unwrap().state, VmState::Pending);
    let vm = cloud.status(&ids[0]).await.unwrap();
    assert_eq!(vm.state, VmState::Running);
    assert!(vm.address.unwrap().starts_with("10.0.1."));
    cloud.delete(&ids[0]).await.unwrap();
    assert!(
        !fake.world().boot_volumes.contains_key(&ids[0]),
        "the boot volume went too"
    );
    assert_eq!(
        cloud.list_owned("install-1").await.unwrap().len(),
        2,
        "terminated ones are not listed"
    );
    cloud
        .delete("ocid1.instance.oc1.iad.nothere")
        .await
        .unwrap();
}

#[tokio::test]
async fn errors_are_classified_with_ocis_words() {
    let fake = FakeOci::start().await;
    let mut other_key = settings();
    other_key.credentials.fingerprint = "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff".into();
    let refused = OciCloud::new(&other_key, &fake.endpoint)
        .unwrap()
        .test_connection()
        .await
        .unwrap_err();
    assert_eq!(refused.class, ErrorClass::Auth);
    assert!(refused.message.contains("NotAuthenticated"), "{refused}");
    let cloud = OciCloud::new(&settings(), &fake.endpoint).unwrap();
    cloud.test_connection().await.unwrap();
    fake.world().out_of_capacity = true;
    let full = cloud.create(&request("pa-z-1", "tz")).await.unwrap_err();
    assert_eq!(full.class, ErrorClass::Capacity);
    assert!(full.message.contains("Out of host capacity"), "{full}");
}

#[tokio::test]
async fn dns_records_go_in_the_longest_zone() {
    let fake = FakeOci::start().await;
    let dns = OciDns::new(&credentials(), &fake.endpoint).unwrap();
    dns.upsert_a("pa-1.agents.example.com", "10.0.1.5")
        .await
        .unwrap();
    let key = "/20180115/zones/agents.example.com/records/pa-1.agents.example.com";
    assert_eq!(fake.world().records[key]["rdata"], "10.0.1.5");
    dns.delete_a("pa-1.agents.example.com").await.unwrap();
    dns.delete_a("pa-1.agents.example.com").await.unwrap();
    assert!(fake.world().records.is_empty());
}

fn provider(endpoint: &str) -> VmProviderSpec {
    let mut provider = VmProviderSpec::new(ProviderKind::Oci);
    provider.name = "oci".into();
    provider.max_instances = "10".into();
    provider.endpoint_override = endpoint.into();
    provider.settings = ProviderSettings::Oci(settings());
    provider
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scaler_grows_and_shrinks_a_pool_on_oci() {
    let fake = FakeOci::start().await;
    let dir = tempfile::tempdir().unwrap();
    let pool = cloud_pool(dir.path(), provider(&fake.endpoint), 12);
    let cloud = Arc::new(OciCloud::new(&settings(), &fake.endpoint).unwrap());
    scale_up_and_down(pool, cloud, 3).await;
    assert!(fake.world().boot_volumes.is_empty(), "no boot volume left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_the_launch_is_adopted_on_oci() {
    let fake = FakeOci::start().await;
    let dir = tempfile::tempdir().unwrap();
    let pool = cloud_pool(dir.path(), provider(&fake.endpoint), 8);
    let cloud = Arc::new(OciCloud::new(&settings(), &fake.endpoint).unwrap());
    crash_after_create_is_adopted(pool, cloud, 2).await;
}

#[tokio::test]
async fn test_connection_reaches_oci_through_the_scaler() {
    use pooladmin::model::dns_provider::{DnsProviderSpec, DnsSettings};
    use pooladmin::scaler::ConnectionTarget;
    let fake = FakeOci::start().await;
    let dns = DnsProviderSpec {
        register: Default::default(),
        name: "oci dns".into(),
        endpoint_override: fake.endpoint.clone(),
        settings: DnsSettings::Oci(credentials()),
    };
    let answers = common::real_cloud::test_connections(vec![
        ConnectionTarget::Vm(Box::new(provider(&fake.endpoint))),
        ConnectionTarget::Dns(Box::new(dns)),
    ])
    .await;
    assert!(
        answers[0].as_ref().unwrap().contains("connected"),
        "{answers:?}"
    );
    assert!(
        answers[1].as_ref().unwrap().contains("2 DNS zone"),
        "{answers:?}"
    );
}

/// The form's pickers, every call signed: the tenancy's availability domains, the domain's
/// shapes (a Flex shape with its ranges, two a page), the images compatible with the shape
/// and the compartment's subnets.
#[tokio::test]
async fn the_pickers_list_what_the_tenancy_has_signed() {
    use common::oci_fake::{COMPARTMENT, TENANCY};
    use pooladmin::model::cloud_list::ListKind;
    use serde_json::json;
    let fake = FakeOci::start().await;
    let mut s = settings();
    s.shape = "VM.Standard.E4.Flex".into();
    {
        let mut w = fake.world();
        let in_compartment = || vec![("compartmentId".to_owned(), COMPARTMENT.to_owned())];
        w.catalog.insert(
            "/20160918/availabilityDomains".into(),
            (
                vec![("compartmentId".into(), TENANCY.into())],
                vec![
                    json!({ "name": "Uocm:US-ASHBURN-AD-1" }),
                    json!({ "name": "Uocm:US-ASHBURN-AD-2" }),
                ],
            ),
        );
        let mut shape_query = in_compartment();
        shape_query.push(("availabilityDomain".into(), "Uocm:US-ASHBURN-AD-1".into()));
        w.catalog.insert(
            "/20160918/shapes".into(),
            (
                shape_query,
                vec![
                    json!({ "shape": "VM.Standard2.1", "ocpus": 1.0, "memoryInGBs": 15.0, "gpus": 0, "isFlexible": false }),
                    json!({ "shape": "VM.Standard.E4.Flex", "isFlexible": true, "ocpuOptions": { "min": 1.0, "max": 64.0 }, "memoryOptions": { "minInGBs": 1.0, "maxInGBs": 1024.0 }, "processorDescription": "2.55 GHz AMD EPYC 7J13" }),
                    json!({ "shape": "VM.GPU3.1", "ocpus": 6.0, "memoryInGBs": 90.0, "gpus": 1, "isFlexible": false }),
                ],
            ),
        );
        let mut image_query = in_compartment();
        image_query.push(("shape".into(), "VM.Standard.E4.Flex".into()));
        w.catalog.insert(
            "/20160918/images".into(),
            (
                image_query,
                vec![json!({ "id": "ocid1.image.oc1.iad.aaaanew", "displayName": "Oracle-Linux-9.4-2026.11.01-0", "operatingSystem": "Oracle Linux", "operatingSystemVersion": "9", "timeCreated": "2026-11-01T00:00:00Z" })],
            ),
        );
        w.catalog.insert(
            "/20160918/subnets".into(),
            (
                in_compartment(),
                vec![json!({ "id": "ocid1.subnet.oc1.iad.aaaasubnet", "displayName": "agents", "cidrBlock": "10.0.1.0/24", "vcnId": "ocid1.vcn.oc1.iad.aaaavcn" })],
            ),
        );
    }
    let cloud = OciCloud::new(&s, &fake.endpoint).unwrap();
    let domains = cloud.list(ListKind::Zones, "").await.unwrap();
    assert_eq!(domains.len(), 2);
    let shapes = cloud.list(ListKind::Sizes, "").await.unwrap();
    assert_eq!(shapes.len(), 3, "both pages");
    let flex = shapes
        .iter()
        .find(|e| e.value == "VM.Standard.E4.Flex")
        .unwrap();
    let range = flex.flex.unwrap();
    assert_eq!((range.ocpus, range.memory_gb), ((1.0, 64.0), (1.0, 1024.0)));
    assert_eq!(
        range.check("65", "16"),
        ["Flex CPUs: this shape takes 1 to 64 OCPUs"]
    );
    assert!(range.check("4", "64").is_empty());
    let gpu = shapes
        .iter()
        .find(|e| e.value == "VM.GPU3.1")
        .unwrap()
        .size
        .unwrap();
    assert_eq!((gpu.cores, gpu.memory_mb, gpu.gpus), (12.0, 90 * 1024, 1));
    let images = cloud.list(ListKind::Images, "").await.unwrap();
    assert_eq!(images[0].value, "ocid1.image.oc1.iad.aaaanew");
    let subnets = cloud.list(ListKind::Subnets, "").await.unwrap();
    assert_eq!(subnets[0].label, "agents");
    assert_eq!(
        fake.world().signatures_checked,
        5,
        "every call signed and checked"
    );
}

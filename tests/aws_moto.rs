//! AWS through the real SDK against moto (a real AWS API emulator) that the README's test
//! command starts on 127.0.0.1 and names in POOLADMIN_MOTO_ENDPOINT. Without it these tests
//! fail: they never skip.

mod common;

use aws_sdk_ec2::types::{Filter, ResourceType};
use common::scaling::{run_scaler, settings};
use pooladmin::cloud::aws::{AwsCloud, AwsDns};
use pooladmin::cloud::{
    Clock, CloudError, CloudFactory, CloudVm, CreateRequest, DnsCloud, OneCloud, VmCloud, tags,
};
use pooladmin::model::autoscale::{AutoScaleSpec, Scaling};
use pooladmin::model::instance::InstanceState;
use pooladmin::model::vm_provider::{AwsSettings, ProviderKind, ProviderSettings, VmProviderSpec};
use pooladmin::model::{PoolKind, Secret};
use pooladmin::scaler::{Command, ScalerSettings};
use pooladmin::store::{Choice, Store};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// moto's state is global: one test at a time, each on a freshly reset moto.
static MOTO: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn endpoint() -> String {
    std::env::var("POOLADMIN_MOTO_ENDPOINT").expect(
        "POOLADMIN_MOTO_ENDPOINT is not set: run the tests with scripts/test.sh, which starts moto_server",
    )
}

/// Takes moto for this test and resets it (POST /moto-api/reset).
async fn fresh_moto() -> tokio::sync::MutexGuard<'static, ()> {
    let guard = MOTO.lock().await;
    let address = endpoint().trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&address)
        .unwrap_or_else(|e| panic!("moto is not answering at {address}: {e}"));
    write!(
        stream,
        "POST /moto-api/reset HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "moto reset: {answer}");
    guard
}

/// A subnet, a security group and a key pair in moto, and settings that use them.
async fn aws_settings() -> AwsSettings {
    let mut settings = AwsSettings::default();
    settings.credentials.access_key_id = "AKIAIOSFODNN7EXAMPLE".into();
    settings.credentials.secret_access_key =
        Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    settings.region = "us-east-1".into();
    let ec2 = AwsCloud::new(&settings, &endpoint()).client().clone();
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.20.0.0/16")
        .send()
        .await
        .unwrap();
    let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_owned();
    let subnet = ec2
        .create_subnet()
        .vpc_id(&vpc_id)
        .cidr_block("10.20.1.0/24")
        .send()
        .await
        .unwrap();
    let group = ec2
        .create_security_group()
        .group_name("agents")
        .description("kasm agents")
        .vpc_id(&vpc_id)
        .send()
        .await
        .unwrap();
    ec2.create_key_pair()
        .key_name("admin-key")
        .send()
        .await
        .unwrap();
    settings.ami_id = "ami-1e749f67".into();
    settings.instance_type = "t3.medium".into();
    settings.subnet_id = subnet.subnet().unwrap().subnet_id().unwrap().to_owned();
    settings.security_group_ids = format!("[\"{}\"]", group.group_id().unwrap());
    settings.volume_size_gb = "60".into();
    settings.volume_type = "gp3".into();
    settings.custom_tags = r#"{"team": "desktops"}"#.into();
    settings.key_pair = "admin-key".into();
    settings
}

fn request(name: &str, instance: i64) -> CreateRequest {
    CreateRequest {
        name: name.into(),
        token: format!("token-{name}"),
        tags: tags::ownership("owner-under-test", instance, 7),
        startup_script: "#!/bin/sh\necho hello from pooladmin\n".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_lists_and_terminates_with_every_field() {
    let _moto = fresh_moto().await;
    let settings = aws_settings().await;
    let cloud = AwsCloud::new(&settings, &endpoint());
    let vm = cloud.create(&request("pa-test-1", 1)).await.unwrap();
    assert!(vm.cloud_id.starts_with("i-"));
    assert_eq!(vm.tags.get(tags::INSTANCE).map(String::as_str), Some("1"));

    // What EC2 holds, read back through the SDK.
    let ec2 = cloud.client();
    let described = ec2
        .describe_instances()
        .instance_ids(&vm.cloud_id)
        .send()
        .await
        .unwrap();
    let instance = &described.reservations()[0].instances()[0];
    assert_eq!(instance.image_id(), Some("ami-1e749f67"));
    assert_eq!(instance.instance_type().unwrap().as_str(), "t3.medium");
    assert_eq!(instance.subnet_id(), Some(settings.subnet_id.as_str()));
    assert_eq!(instance.key_name(), Some("admin-key"));
    let groups: Vec<&str> = instance
        .security_groups()
        .iter()
        .filter_map(|g| g.group_id())
        .collect();
    assert!(settings.security_group_ids.contains(groups[0]));
    let tag = |key: &str| {
        instance
            .tags()
            .iter()
            .find(|t| t.key() == Some(key))
            .and_then(|t| t.value())
            .map(str::to_owned)
    };
    assert_eq!(tag(tags::OWNER).as_deref(), Some("owner-under-test"));
    assert_eq!(tag(tags::CONFIG).as_deref(), Some("7"));
    assert_eq!(tag("team").as_deref(), Some("desktops"));
    assert_eq!(tag("Name").as_deref(), Some("pa-test-1"));
    let user_data = ec2
        .describe_instance_attribute()
        .instance_id(&vm.cloud_id)
        .attribute(aws_sdk_ec2::types::InstanceAttributeName::UserData)
        .send()
        .await
        .unwrap();
    let encoded = user_data
        .user_data()
        .and_then(|u| u.value())
        .unwrap()
        .to_owned();
    use base64::Engine;
    let script = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    assert_eq!(script, b"#!/bin/sh\necho hello from pooladmin\n");
    // The volume carries the ownership tags too.
    let volumes = ec2
        .describe_volumes()
        .filters(
            Filter::builder()
                .name("tag:pooladmin-owner")
                .values("owner-under-test")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(volumes.volumes().len(), 1, "the volume is tagged");
    let tagged = ec2
        .describe_tags()
        .filters(
            Filter::builder()
                .name("resource-type")
                .values("volume")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(tagged.tags().iter().any(
        |t| t.key() == Some(tags::INSTANCE) && t.resource_type() == Some(&ResourceType::Volume)
    ));

    // Test connection: one cheap read.
    let answer = cloud.test_connection().await.unwrap();
    assert!(answer.contains("regions visible"), "{answer}");

    // Listed by owner tag, then gone once terminated.
    let listed = cloud.list_owned("owner-under-test").await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(cloud.list_owned("someone-else").await.unwrap().is_empty());
    let running = cloud.status(&vm.cloud_id).await.unwrap();
    assert!(running.address.is_some(), "{running:?}");
    cloud.delete(&vm.cloud_id).await.unwrap();
    assert!(
        cloud
            .list_owned("owner-under-test")
            .await
            .unwrap()
            .is_empty()
    );
    // Deleting what is gone succeeds; looking at it says NotFound.
    cloud.delete(&vm.cloud_id).await.unwrap();
    let gone = cloud.status(&vm.cloud_id).await.unwrap_err();
    assert_eq!(gone.class, pooladmin::cloud::ErrorClass::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_subnet_is_an_invalid_config_with_aws_message() {
    let _moto = fresh_moto().await;
    let mut settings = aws_settings().await;
    settings.subnet_id = "subnet-0000000000000000f".into();
    let cloud = AwsCloud::new(&settings, &endpoint());
    let error = cloud
        .create(&request("pa-bad-subnet", 2))
        .await
        .unwrap_err();
    assert_eq!(
        error.class,
        pooladmin::cloud::ErrorClass::InvalidConfig,
        "{error}"
    );
    assert!(error.message.contains("InvalidSubnetID"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route53_records_are_written_and_removed_in_the_right_zone() {
    let _moto = fresh_moto().await;
    let keys = aws_settings().await.credentials;
    let dns = AwsDns::new(&keys, &endpoint());
    let route53 = aws_sdk_route53::Client::from_conf(
        aws_sdk_route53::Config::builder()
            .credentials_provider(aws_sdk_route53::config::Credentials::new(
                "AKIAIOSFODNN7EXAMPLE",
                "secret",
                None,
                None,
                "test",
            ))
            .region(aws_sdk_route53::config::Region::new("us-east-1"))
            .endpoint_url(endpoint())
            .build(),
    );
    for zone in ["example.com", "agents.example.com"] {
        route53
            .create_hosted_zone()
            .name(zone)
            .caller_reference(zone)
            .send()
            .await
            .unwrap();
    }
    let answer = dns.test_connection().await.unwrap();
    assert!(answer.contains("2 hosted zones"), "{answer}");
    let name = "pa-abc-12.agents.example.com";
    dns.upsert_a(name, "10.0.0.12").await.unwrap();
    let record = dns.record(name).await.unwrap().expect("the record exists");
    assert_eq!(record.resource_records()[0].value(), "10.0.0.12");
    // Upsert again with another address replaces it.
    dns.upsert_a(name, "10.0.0.13").await.unwrap();
    let record = dns.record(name).await.unwrap().unwrap();
    assert_eq!(record.resource_records()[0].value(), "10.0.0.13");
    dns.delete_a(name).await.unwrap();
    assert!(dns.record(name).await.unwrap().is_none());
    // Deleting what is gone succeeds.
    dns.delete_a(name).await.unwrap();
    let outside = dns
        .upsert_a("pa-1.elsewhere.org", "10.0.0.1")
        .await
        .unwrap_err();
    assert!(outside.message.contains("no Route 53 hosted zone"));
}

/// A database with one Docker Agent pool on an AWS VM Provider config pointing at moto.
fn aws_pool(
    dir: &std::path::Path,
    settings: AwsSettings,
    standby: u32,
) -> (
    Store,
    pooladmin::model::AutoScaleId,
    pooladmin::model::VmProviderId,
    AutoScaleSpec,
) {
    let mut store = Store::open(&dir.join("aws.sqlite")).unwrap();
    let zone = store.zones().unwrap()[0].id;
    let pool = store.add_pool("agents", PoolKind::DockerAgent).unwrap();
    let mut provider = VmProviderSpec::new(ProviderKind::Aws);
    provider.name = "moto".into();
    provider.max_instances = "10".into();
    provider.endpoint_override = endpoint();
    provider.settings = ProviderSettings::Aws(settings);
    let mut spec = AutoScaleSpec::new(pool, PoolKind::DockerAgent, Some(zone));
    spec.name = "agents on aws".into();
    spec.require_check_in = false;
    spec.downscale_backoff_s = "2".into();
    if let Scaling::Agents(a) = &mut spec.scaling {
        a.standby_cores = standby.to_string();
        a.standby_memory_mb = "0".into();
        a.agent_cores_override = "4".into();
    }
    let config = store
        .save_autoscale(None, &spec, &Choice::New(provider), None)
        .unwrap();
    let provider = store.autoscale_configs().unwrap()[0]
        .spec
        .vm_provider
        .unwrap();
    (store, config, provider, spec)
}

fn quick() -> ScalerSettings {
    ScalerSettings {
        poll_every: Duration::from_millis(200),
        tick: Duration::from_secs(1),
        grace: Duration::from_secs(1),
        ..settings()
    }
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "waited 60 s for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scaler_grows_a_pool_to_five_on_aws_and_back_after_the_backoff() {
    let _moto = fresh_moto().await;
    let dir = tempfile::tempdir().unwrap();
    let (mut store, config, provider, mut spec) = aws_pool(dir.path(), aws_settings().await, 20);
    let clouds = Arc::new(pooladmin::cloud::ProviderClouds::new(Clock::new(), None));
    let scaler = run_scaler(&store, clouds, Clock::new(), quick(), None);
    let running = |store: &Store| {
        store
            .live_instances()
            .unwrap()
            .iter()
            .filter(|i| i.state == InstanceState::Running)
            .count()
    };
    until("5 agents running on moto", || running(&store) == 5).await;
    let cloud = AwsCloud::new(
        match &store.configs::<VmProviderSpec>().unwrap()[0].spec.settings {
            ProviderSettings::Aws(s) => s,
            _ => unreachable!(),
        },
        &endpoint(),
    );
    let owner = store.installation_id().to_owned();
    assert_eq!(cloud.list_owned(&owner).await.unwrap().len(), 5);

    // Standby to 0: after the 2 s backoff every agent goes.
    if let Scaling::Agents(a) = &mut spec.scaling {
        a.standby_cores = "0".into();
    }
    store
        .save_autoscale(Some(config), &spec, &Choice::Existing(provider), None)
        .unwrap();
    scaler.commands.send(Command::Wake).unwrap();
    until("the pool back to 0", || {
        store.live_instances().unwrap().is_empty()
    })
    .await;
    assert!(
        cloud.list_owned(&owner).await.unwrap().is_empty(),
        "every instance terminated"
    );
    scaler.stop().await;
}

/// A cloud whose create call reaches AWS, then never answers: the scaler is killed there.
struct HangsAfterCreate {
    inner: AwsCloud,
    created: Arc<Mutex<Vec<String>>>,
}

#[async_trait::async_trait]
impl VmCloud for HangsAfterCreate {
    async fn create(&self, request: &CreateRequest) -> Result<CloudVm, CloudError> {
        let vm = self.inner.create(request).await?;
        self.created.lock().unwrap().push(vm.cloud_id);
        std::future::pending().await
    }
    async fn list_owned(&self, owner: &str) -> Result<Vec<CloudVm>, CloudError> {
        self.inner.list_owned(owner).await
    }
    async fn status(&self, cloud_id: &str) -> Result<CloudVm, CloudError> {
        self.inner.status(cloud_id).await
    }
    async fn delete(&self, cloud_id: &str) -> Result<(), CloudError> {
        self.inner.delete(cloud_id).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_run_instances_and_the_store_is_adopted_by_tag() {
    let _moto = fresh_moto().await;
    let dir = tempfile::tempdir().unwrap();
    let settings = aws_settings().await;
    let (store, _, _, _) = aws_pool(dir.path(), settings.clone(), 8);
    let created = Arc::new(Mutex::new(Vec::new()));
    let hanging: Arc<dyn CloudFactory> = Arc::new(OneCloud(Arc::new(HangsAfterCreate {
        inner: AwsCloud::new(&settings, &endpoint()),
        created: created.clone(),
    })));
    let running = run_scaler(&store, hanging, Clock::new(), quick(), None);
    until("both RunInstances calls", || {
        created.lock().unwrap().len() == 2
    })
    .await;
    // Killed: the answers never reached the store.
    running.task.abort();
    let _ = running.task.await;
    assert!(
        store
            .live_instances()
            .unwrap()
            .iter()
            .all(|i| i.cloud_id.is_none())
    );

    // moto ignores ClientToken: only the look-up by tag keeps a retry from making twins.
    let clouds = Arc::new(pooladmin::cloud::ProviderClouds::new(Clock::new(), None));
    let running = run_scaler(&store, clouds, Clock::new(), quick(), None);
    until("both instances running", || {
        store
            .live_instances()
            .unwrap()
            .iter()
            .filter(|i| i.state == InstanceState::Running)
            .count()
            == 2
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    running.stop().await;

    let cloud = AwsCloud::new(&settings, &endpoint());
    let vms = cloud.list_owned(store.installation_id()).await.unwrap();
    let mut ids: Vec<String> = vms.iter().map(|vm| vm.cloud_id.clone()).collect();
    ids.sort();
    let mut first: Vec<String> = created.lock().unwrap().clone();
    first.sort();
    assert_eq!(
        ids, first,
        "the VMs of the first run were adopted, none made twice"
    );
    let rows: Vec<String> = store
        .live_instances()
        .unwrap()
        .into_iter()
        .filter_map(|i| i.cloud_id)
        .collect();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter().all(|id| ids.contains(id)),
        "no row points at nothing"
    );
}

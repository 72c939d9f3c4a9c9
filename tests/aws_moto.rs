//! AWS through the real SDK against moto (a real AWS API emulator) that the README's test
//! command starts on 127.0.0.1 and names in POOLADMIN_MOTO_ENDPOINT. Without it these tests
//! fail: they never skip.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use aws_sdk_ec2::types::{Filter, ResourceType};
use common::real_cloud::{cloud_pool, crash_after_create_is_adopted, scale_up_and_down};
use pooladmin::cloud::aws::{AwsCloud, AwsDns};
use pooladmin::cloud::{CreateRequest, DnsCloud, VmCloud, tags};
use pooladmin::model::Secret;
use pooladmin::model::vm_provider::{AwsSettings, ProviderKind, ProviderSettings, VmProviderSpec};
use std::io::{Read, Write};
use std::sync::Arc;

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
        host_name: name.into(),
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

/// The configured size and type go to the AMI's own root device (Amazon Linux boots from
/// `/dev/xvda`, moto's Ubuntu from `/dev/sda1`), never to an extra empty volume.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_volume_settings_go_to_the_amis_root_device() {
    let _moto = fresh_moto().await;
    let mut settings = aws_settings().await;
    for (n, (ami, root)) in [
        ("ami-04681a1dbd79675a5", "/dev/xvda"),
        ("ami-1e749f67", "/dev/sda1"),
    ]
    .into_iter()
    .enumerate()
    {
        settings.ami_id = ami.into();
        let cloud = AwsCloud::new(&settings, &endpoint());
        let ec2 = cloud.client();
        let image = ec2.describe_images().image_ids(ami).send().await.unwrap();
        assert_eq!(
            image.images()[0].root_device_name(),
            Some(root),
            "moto's {ami}"
        );
        let n = n as i64 * 10;
        let vm = cloud
            .create(&request(&format!("pa-root-{n}"), n))
            .await
            .unwrap();
        // A second create on the same AMI reads the cached root device; still right.
        let second = cloud
            .create(&request(&format!("pa-root-{}", n + 1), n + 1))
            .await
            .unwrap();
        for id in [&vm.cloud_id, &second.cloud_id] {
            let described = ec2
                .describe_instances()
                .instance_ids(id)
                .send()
                .await
                .unwrap();
            let instance = &described.reservations()[0].instances()[0];
            let devices: Vec<&str> = instance
                .block_device_mappings()
                .iter()
                .filter_map(|m| m.device_name())
                .collect();
            assert_eq!(devices, vec![root], "{ami}: one volume, on the root device");
            let volume_id = instance.block_device_mappings()[0]
                .ebs()
                .and_then(|e| e.volume_id())
                .unwrap();
            let volumes = ec2
                .describe_volumes()
                .volume_ids(volume_id)
                .send()
                .await
                .unwrap();
            let volume = &volumes.volumes()[0];
            assert_eq!(volume.size(), Some(60), "{ami}");
            assert_eq!(volume.volume_type().map(|t| t.as_str()), Some("gp3"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_ami_is_an_invalid_config_with_aws_words() {
    let _moto = fresh_moto().await;
    let mut settings = aws_settings().await;
    settings.ami_id = "ami-00000000000000000".into();
    let cloud = AwsCloud::new(&settings, &endpoint());
    let refused = cloud.create(&request("pa-noami-1", 1)).await.unwrap_err();
    assert_eq!(refused.class, pooladmin::cloud::ErrorClass::InvalidConfig);
    assert!(refused.message.contains("InvalidAMIID"), "{refused}");
    assert!(
        cloud
            .list_owned("owner-under-test")
            .await
            .unwrap()
            .is_empty()
    );
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
fn provider(settings: AwsSettings) -> VmProviderSpec {
    let mut provider = VmProviderSpec::new(ProviderKind::Aws);
    provider.name = "moto".into();
    provider.max_instances = "10".into();
    provider.endpoint_override = endpoint();
    provider.settings = ProviderSettings::Aws(settings);
    provider
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scaler_grows_a_pool_to_five_on_aws_and_back_after_the_backoff() {
    let _moto = fresh_moto().await;
    let dir = tempfile::tempdir().unwrap();
    let settings = aws_settings().await;
    let pool = cloud_pool(dir.path(), provider(settings.clone()), 20);
    let cloud = Arc::new(AwsCloud::new(&settings, &endpoint()));
    scale_up_and_down(pool, cloud, 5).await;
}

/// moto ignores ClientToken: only the look-up by tag keeps a retry from making twins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_run_instances_and_the_store_is_adopted_by_tag() {
    let _moto = fresh_moto().await;
    let dir = tempfile::tempdir().unwrap();
    let settings = aws_settings().await;
    let pool = cloud_pool(dir.path(), provider(settings.clone()), 8);
    let cloud = Arc::new(AwsCloud::new(&settings, &endpoint()));
    crash_after_create_is_adopted(pool, cloud, 2).await;
}

/// The form's pickers read what moto holds: the regions, the instance types with their
/// sizes, the subnets, the security groups of the configured subnet's VPC only, the key
/// pairs, the IAM instance profiles, and public AMIs searched by name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pickers_list_what_the_account_has() {
    use pooladmin::model::cloud_list::ListKind;
    let _moto = fresh_moto().await;
    let settings = aws_settings().await;
    let cloud = AwsCloud::new(&settings, &endpoint());
    let ec2 = cloud.client().clone();
    // Another VPC with a group of its own: not offered for this subnet.
    let other = ec2
        .create_vpc()
        .cidr_block("10.30.0.0/16")
        .send()
        .await
        .unwrap();
    let other_vpc = other.vpc().unwrap().vpc_id().unwrap().to_owned();
    ec2.create_security_group()
        .group_name("elsewhere")
        .description("another VPC")
        .vpc_id(&other_vpc)
        .send()
        .await
        .unwrap();
    let iam_config = aws_sdk_iam::Config::builder()
        .credentials_provider(aws_credential_types::Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test",
        ))
        .region(aws_sdk_iam::config::Region::new("us-east-1"))
        .endpoint_url(endpoint())
        .behavior_version_latest()
        .build();
    aws_sdk_iam::Client::from_conf(iam_config)
        .create_instance_profile()
        .instance_profile_name("kasm-agents")
        .send()
        .await
        .unwrap();

    let regions = cloud.list(ListKind::Regions, "").await.unwrap();
    assert!(
        regions.iter().any(|r| r.value == "eu-west-1"),
        "{regions:?}"
    );

    let sizes = cloud.list(ListKind::Sizes, "").await.unwrap();
    let medium = sizes
        .iter()
        .find(|s| s.value == "t3.medium")
        .expect("t3.medium");
    let facts = medium.size.unwrap();
    assert_eq!((facts.cores, facts.memory_mb, facts.gpus), (2.0, 4096, 0));
    assert!(sizes.len() > 100, "every page read: {}", sizes.len());
    let gpu = sizes
        .iter()
        .find(|s| s.value == "g4dn.2xlarge")
        .expect("g4dn.2xlarge");
    assert_eq!(gpu.size.unwrap().gpus, 1);

    let subnets = cloud.list(ListKind::Subnets, "").await.unwrap();
    assert!(subnets.iter().any(|s| s.value == settings.subnet_id));

    let groups = cloud.list(ListKind::SecurityGroups, "").await.unwrap();
    assert!(groups.iter().any(|g| g.label == "agents"), "{groups:?}");
    assert!(
        !groups.iter().any(|g| g.label == "elsewhere"),
        "only the subnet's VPC: {groups:?}"
    );

    let keys = cloud.list(ListKind::KeyPairs, "").await.unwrap();
    assert_eq!(
        keys.iter().map(|k| k.value.as_str()).collect::<Vec<_>>(),
        ["admin-key"]
    );

    let profiles = cloud.list(ListKind::Identities, "").await.unwrap();
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0].value, "kasm-agents");
    assert!(profiles[0].detail.starts_with("arn:aws:iam::"));

    // Nothing of its own yet; a public search by name, newest first.
    assert!(cloud.list(ListKind::Images, "").await.unwrap().is_empty());
    let found = cloud.list(ListKind::Images, "amzn").await.unwrap();
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|i| i.label.to_lowercase().contains("amzn"))
    );
    assert!(found.windows(2).all(|w| {
        let date = |e: &pooladmin::model::cloud_list::ListEntry| {
            e.detail.rsplit(" · ").next().unwrap_or("").to_owned()
        };
        date(&w[0]) >= date(&w[1])
    }));

    // A wrong key is the cloud's own words.
    let mut wrong = settings.clone();
    wrong.region = "nowhere-1".into();
    let error = AwsCloud::new(&wrong, "http://127.0.0.1:9")
        .list(ListKind::Regions, "")
        .await
        .unwrap_err();
    assert!(!error.message.is_empty());
}

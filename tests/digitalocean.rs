//! DigitalOcean against a local fake of its API that checks the token and every body:
//! create, list by tag, delete; the missing-tag flow; 429 with Retry-After; a refused token
//! stops the config with DigitalOcean's message; domain records.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::do_fake::FakeDo;
use common::scaling::run_scaler;
use pooladmin::cloud::digitalocean::{DigitalOceanCloud, DigitalOceanDns, tag_of};
use pooladmin::cloud::{Clock, CreateRequest, DnsCloud, ErrorClass, ProviderClouds, VmCloud, tags};
use pooladmin::model::autoscale::{AutoScaleSpec, Scaling};
use pooladmin::model::config_health::HealthStatus;
use pooladmin::model::vm_provider::{
    DigitalOceanSettings, ProviderKind, ProviderSettings, VmProviderSpec,
};
use pooladmin::model::{PoolKind, Secret};
use pooladmin::scaler::ScalerSettings;
use pooladmin::scaler::retry::RetryPolicy;
use pooladmin::store::{Choice, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKEN: &str = "dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";

fn settings() -> DigitalOceanSettings {
    DigitalOceanSettings {
        token: Secret::new(TOKEN),
        region: "nyc3".into(),
        image: "docker-20-04".into(),
        size: "s-2vcpu-4gb".into(),
        tag: "kasm-agents".into(),
        ssh_key_name: "admin".into(),
        firewall_name: "agents".into(),
    }
}

fn request(name: &str, instance: i64) -> CreateRequest {
    CreateRequest {
        name: name.into(),
        host_name: name.into(),
        token: format!("unused-{name}"),
        tags: tags::ownership("owner1", instance, 3),
        startup_script: "#!/bin/sh\necho agent\n".into(),
    }
}

#[tokio::test]
async fn creates_lists_and_deletes_droplets_as_the_api_reference_says() {
    let fake = FakeDo::start(TOKEN).await;
    fake.world().tags.extend(
        [
            "kasm-agents",
            "pooladmin-owner:owner1",
            "pooladmin-instance:1",
            "pooladmin-config:3",
        ]
        .map(String::from),
    );
    let cloud = DigitalOceanCloud::new(&settings(), &fake.endpoint).unwrap();
    let vm = cloud.create(&request("pa-do-1", 1)).await.unwrap();
    {
        let world = fake.world();
        let body = &world.droplet_bodies[0];
        assert_eq!(body["region"], "nyc3");
        assert_eq!(body["size"], "s-2vcpu-4gb");
        assert_eq!(body["image"], "docker-20-04");
        assert_eq!(body["ssh_keys"], serde_json::json!([512_189]));
        assert_eq!(body["user_data"], "#!/bin/sh\necho agent\n");
        let tags: Vec<&str> = body["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(tags.contains(&"kasm-agents"));
        assert!(tags.contains(&"pooladmin-owner:owner1"));
        assert!(tags.contains(&"pooladmin-instance:1"));
        assert_eq!(
            world.firewalls[0].2,
            vec![vm.cloud_id.parse::<u64>().unwrap()],
            "the firewall got it"
        );
    }
    // Its state and addresses once DigitalOcean reports it active.
    let seen = cloud.status(&vm.cloud_id).await.unwrap();
    assert_eq!(seen.state, pooladmin::cloud::VmState::Running);
    assert!(seen.address.as_deref().unwrap().starts_with("10.132."));
    let listed = cloud.list_owned("owner1").await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(tags::instance_of(&listed[0].tags), Some(1));
    assert!(cloud.list_owned("owner2").await.unwrap().is_empty());

    // No token in DigitalOcean: a second create for the same instance finds the first.
    let again = cloud.create(&request("pa-do-1", 1)).await.unwrap();
    assert_eq!(again.cloud_id, vm.cloud_id);
    assert_eq!(fake.world().droplets.len(), 1);

    cloud.delete(&vm.cloud_id).await.unwrap();
    assert!(cloud.list_owned("owner1").await.unwrap().is_empty());
    cloud.delete(&vm.cloud_id).await.unwrap();
    assert_eq!(
        cloud.status(&vm.cloud_id).await.unwrap_err().class,
        ErrorClass::NotFound
    );
}

/// A try that made the droplet and ended before the firewall join (a crash, a failed call):
/// the retry finds the droplet and joins it; later retries do not join it twice.
#[tokio::test]
async fn a_retried_create_that_finds_its_droplet_still_joins_the_firewall() {
    let fake = FakeDo::start(TOKEN).await;
    let mut first_try = settings();
    first_try.firewall_name = String::new();
    let made = DigitalOceanCloud::new(&first_try, &fake.endpoint)
        .unwrap()
        .create(&request("pa-do-7", 7))
        .await
        .unwrap();
    assert!(fake.world().firewalls[0].2.is_empty(), "not joined yet");
    let cloud = DigitalOceanCloud::new(&settings(), &fake.endpoint).unwrap();
    for _ in 0..2 {
        let found = cloud.create(&request("pa-do-7", 7)).await.unwrap();
        assert_eq!(found.cloud_id, made.cloud_id, "no twin");
    }
    let world = fake.world();
    assert_eq!(world.droplets.len(), 1);
    assert_eq!(
        world.firewalls[0].2,
        vec![made.cloud_id.parse::<u64>().unwrap()],
        "joined once"
    );
}

#[tokio::test]
async fn a_missing_tag_is_created_and_the_create_repeated() {
    let fake = FakeDo::start(TOKEN).await;
    let cloud = DigitalOceanCloud::new(&settings(), &fake.endpoint).unwrap();
    cloud.create(&request("pa-do-2", 2)).await.unwrap();
    let world = fake.world();
    for tag in [
        "kasm-agents",
        &tag_of(tags::OWNER, "owner1"),
        &tag_of(tags::INSTANCE, "2"),
    ] {
        assert!(world.tags.contains(tag), "{tag} was created");
    }
    let tag_posts = world
        .calls
        .iter()
        .filter(|(m, p)| m == "POST" && p == "/v2/tags")
        .count();
    assert_eq!(tag_posts, 4, "the four missing tags, each once");
    assert_eq!(world.droplets.len(), 1);
}

#[tokio::test]
async fn a_429_is_waited_out_as_retry_after_says() {
    let fake = FakeDo::start(TOKEN).await;
    fake.world().throttle_next = 1;
    let cloud = DigitalOceanCloud::new(&settings(), &fake.endpoint).unwrap();
    let first = cloud.list_owned("owner1").await.unwrap_err();
    assert_eq!(first.class, ErrorClass::Throttled);
    assert_eq!(first.retry_after, Some(Duration::from_secs(1)));
    fake.world().throttle_next = 1;
    let started = Instant::now();
    let listed = RetryPolicy::default()
        .run(|| cloud.list_owned("owner1"))
        .await
        .unwrap();
    assert!(listed.is_empty());
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited as asked"
    );
}

#[tokio::test]
async fn domain_records_are_created_updated_and_deleted() {
    let fake = FakeDo::start(TOKEN).await;
    let dns = DigitalOceanDns::new(&Secret::new(TOKEN), &fake.endpoint).unwrap();
    dns.upsert_a("pa-do-3.agents.example.com", "10.132.0.3")
        .await
        .unwrap();
    assert_eq!(
        dns.records("pa-do-3.agents.example.com")
            .await
            .unwrap()
            .first()
            .map(|r| r.1.as_str()),
        Some("10.132.0.3")
    );
    dns.upsert_a("pa-do-3.agents.example.com", "10.132.0.4")
        .await
        .unwrap();
    let records = dns.records("pa-do-3.agents.example.com").await.unwrap();
    assert_eq!(records.len(), 1, "updated in place");
    assert_eq!(records[0].1, "10.132.0.4");
    dns.delete_a("pa-do-3.agents.example.com").await.unwrap();
    assert!(
        dns.records("pa-do-3.agents.example.com")
            .await
            .unwrap()
            .is_empty()
    );
    let outside = dns
        .upsert_a("pa-1.elsewhere.org", "10.0.0.1")
        .await
        .unwrap_err();
    assert_eq!(outside.class, ErrorClass::InvalidConfig);
}

#[tokio::test]
async fn a_refused_token_stops_the_config_with_digitaloceans_message() {
    let fake = FakeDo::start(TOKEN).await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("do.sqlite")).unwrap();
    let zone = store.zones().unwrap()[0].id;
    let pool = store.add_pool("agents", PoolKind::DockerAgent).unwrap();
    let mut wrong = settings();
    wrong.token =
        Secret::new("dop_v1_ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    let mut provider = VmProviderSpec::new(ProviderKind::DigitalOcean);
    provider.name = "do".into();
    provider.endpoint_override = fake.endpoint.clone();
    provider.settings = ProviderSettings::DigitalOcean(wrong);
    let mut spec = AutoScaleSpec::new(pool, PoolKind::DockerAgent, Some(zone));
    spec.name = "agents on do".into();
    if let Scaling::Agents(a) = &mut spec.scaling {
        a.standby_cores = "4".into();
    }
    let config = store
        .save_autoscale(None, &spec, &Choice::New(provider), None)
        .unwrap();
    let running = run_scaler(
        &store,
        Arc::new(ProviderClouds::new(Clock::new(), None)),
        Clock::new(),
        ScalerSettings::default(),
        None,
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let reason = loop {
        let health = store
            .config_health()
            .unwrap()
            .get(&config)
            .cloned()
            .unwrap_or_default();
        if let HealthStatus::Stopped(reason) = health.status(jiff::Timestamp::now()) {
            break reason;
        }
        assert!(
            Instant::now() < deadline,
            "the config never stopped: {health:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(reason.contains("Unable to authenticate you"), "{reason}");
    assert!(fake.world().droplets.is_empty());
    running.stop().await;
}

#[tokio::test]
async fn test_connection_is_a_command_whose_answer_comes_back_as_an_update() {
    use pooladmin::model::dns_provider::{DnsProviderSpec, DnsSettings};
    use pooladmin::scaler::ConnectionTarget;
    let fake = FakeDo::start(TOKEN).await;
    let mut vm = VmProviderSpec::new(ProviderKind::DigitalOcean);
    vm.endpoint_override = fake.endpoint.clone();
    vm.settings = ProviderSettings::DigitalOcean(settings());
    let dns = DnsProviderSpec {
        register: Default::default(),
        name: "do dns".into(),
        endpoint_override: fake.endpoint.clone(),
        settings: DnsSettings::DigitalOcean {
            token: Secret::new("dop_v1_wrong"),
        },
    };
    let answers = common::real_cloud::test_connections(vec![
        ConnectionTarget::Vm(Box::new(vm)),
        ConnectionTarget::Dns(Box::new(dns)),
    ])
    .await;
    assert_eq!(answers[0], Ok("connected as admin@example.com".to_owned()));
    let refused = answers[1].as_ref().unwrap_err();
    assert!(refused.contains("Unable to authenticate you"), "{refused}");
}

/// The form's pickers read every page: regions, sizes with what one brings (a GPU size
/// too), distributions and 250 snapshots (two pages of 200), SSH keys, firewalls, tags and
/// VPCs; a refused token is DigitalOcean's own words.
#[tokio::test]
async fn the_pickers_read_every_page_of_the_account() {
    use pooladmin::model::cloud_list::ListKind;
    use serde_json::json;
    let fake = FakeDo::start(TOKEN).await;
    {
        let mut w = fake.world();
        w.catalog.insert(
            "regions",
            vec![
                json!({ "slug": "nyc3", "name": "New York 3", "available": true }),
                json!({ "slug": "ams2", "name": "Amsterdam 2", "available": false }),
            ],
        );
        w.catalog.insert(
            "sizes",
            vec![
                json!({ "slug": "s-2vcpu-4gb", "memory": 4096, "vcpus": 2, "price_hourly": 0.02976, "available": true, "description": "Basic" }),
                json!({ "slug": "gpu-h100x1-80gb", "memory": 245760, "vcpus": 20, "price_hourly": 3.39, "available": true, "description": "H100 GPU", "gpu_info": { "count": 1, "model": "nvidia_h100" } }),
            ],
        );
        let mut images = vec![
            json!({ "id": 1, "slug": "ubuntu-24-04-x64", "name": "24.04 (LTS) x64", "distribution": "Ubuntu", "type": "base", "public": true }),
        ];
        images[0]["type"] = json!("distribution");
        for n in 0..250 {
            images.push(json!({ "id": 9000 + n, "slug": null, "name": format!("agent-{n}"), "distribution": "Ubuntu", "type": "snapshot", "public": false }));
        }
        w.catalog.insert("images", images);
        w.catalog.insert(
            "vpcs",
            vec![json!({ "id": "5a4981aa-9653-4bd1-bef5-d6bff52042e4", "name": "default-nyc3", "region": "nyc3", "ip_range": "10.116.0.0/20" })],
        );
        w.tags.insert("kasm-agents".into());
    }
    let cloud = DigitalOceanCloud::new(&settings(), &fake.endpoint).unwrap();
    let regions = cloud.list(ListKind::Regions, "").await.unwrap();
    assert_eq!(regions.len(), 1, "an unavailable region is not offered");
    let sizes = cloud.list(ListKind::Sizes, "").await.unwrap();
    let gpu = sizes.iter().find(|s| s.value == "gpu-h100x1-80gb").unwrap();
    let facts = gpu.size.unwrap();
    assert_eq!(
        (facts.cores, facts.memory_mb, facts.gpus),
        (20.0, 245_760, 1)
    );
    assert!(gpu.detail.contains("$3.39"), "{}", gpu.detail);
    let images = cloud.list(ListKind::Images, "").await.unwrap();
    assert_eq!(images.len(), 251, "every page of snapshots");
    assert_eq!(images[0].value, "ubuntu-24-04-x64");
    assert!(
        images.iter().any(|i| i.value == "9249"),
        "a snapshot by its id"
    );
    let pages = fake
        .world()
        .calls
        .iter()
        .filter(|(_, path)| path.starts_with("/v2/images?private=true"))
        .count();
    assert_eq!(pages, 2);
    let keys = cloud.list(ListKind::KeyPairs, "").await.unwrap();
    assert_eq!(keys[0].value, "admin");
    let firewalls = cloud.list(ListKind::Firewalls, "").await.unwrap();
    assert_eq!(firewalls[0].value, "agents");
    let tags = cloud.list(ListKind::Tags, "").await.unwrap();
    assert_eq!(tags[0].value, "kasm-agents");
    let vpcs = cloud.list(ListKind::Networks, "").await.unwrap();
    assert_eq!(vpcs[0].label, "default-nyc3");

    let mut wrong = settings();
    wrong.token = Secret::new("dop_v1_wrong");
    let error = DigitalOceanCloud::new(&wrong, &fake.endpoint)
        .unwrap()
        .list(ListKind::Sizes, "")
        .await
        .unwrap_err();
    assert_eq!(error.class, ErrorClass::Auth);
    assert!(
        error.message.contains("Unable to authenticate you"),
        "{}",
        error.message
    );
}

/// A list asked of a real scaler comes back with the same number, the cloud reached
/// through its factory; and `pooladmin cloud list` prints it, as a table or JSON, naming
/// what is wrong.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_come_through_the_scaler_and_the_command_line() {
    use pooladmin::model::cloud_list::ListKind;
    use pooladmin::scaler::{Command, Update};
    use serde_json::json;
    let fake = FakeDo::start(TOKEN).await;
    fake.world().catalog.insert(
        "sizes",
        vec![json!({ "slug": "s-2vcpu-4gb", "memory": 4096, "vcpus": 2, "price_hourly": 0.02976, "description": "Basic" })],
    );
    let mut spec = VmProviderSpec::new(ProviderKind::DigitalOcean);
    spec.name = "do".into();
    spec.endpoint_override = fake.endpoint.clone();
    spec.settings = ProviderSettings::DigitalOcean(settings());

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lists.sqlite");
    let mut store = Store::open(&db).unwrap();
    let clouds = Arc::new(ProviderClouds::new(Clock::new(), None));
    let mut running = run_scaler(
        &store,
        clouds,
        Clock::new(),
        ScalerSettings::default(),
        None,
    );
    running
        .commands
        .send(Command::ListCloud(
            41,
            Box::new(spec.clone()),
            ListKind::Sizes,
            String::new(),
        ))
        .unwrap();
    let answer = loop {
        let update = tokio::time::timeout(Duration::from_secs(20), running.updates.recv())
            .await
            .expect("an answer within 20 s")
            .expect("scaler alive");
        if let Update::CloudListed(id, answer) = update {
            assert_eq!(id, 41);
            break answer;
        }
    };
    running.stop().await;
    assert_eq!(answer.unwrap()[0].value, "s-2vcpu-4gb");

    store.add_config(&spec).unwrap();
    drop(store);
    let run = move |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_pooladmin"))
            .arg("--db")
            .arg(&db)
            .args(["cloud", "list", "--provider-config", "do"])
            .args(args)
            .output()
            .unwrap()
    };
    let table = tokio::task::spawn_blocking(move || {
        let table = run(&["sizes"]);
        let json = run(&["sizes", "--json"]);
        let wrong = run(&["colours"]);
        let not_here = run(&["zones"]);
        (table, json, wrong, not_here)
    })
    .await
    .unwrap();
    let (table, json, wrong, not_here) = table;
    assert!(
        table.status.success(),
        "{}",
        String::from_utf8_lossy(&table.stderr)
    );
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.starts_with("VALUE"), "{text}");
    assert!(
        text.contains("s-2vcpu-4gb") && text.contains("2 vCPUs · 4096 MB"),
        "{text}"
    );
    let entries: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(entries[0]["size"]["memory_mb"], 4096);
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("'colours' is not a list"));
    assert!(String::from_utf8_lossy(&not_here.stderr).contains("offers no list of zones"));
}

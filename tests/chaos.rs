//! Process-level chaos (issue 14): the real binary (`pooladmin headless` on the simulated
//! cloud, whose state outlives the process in a file beside the database) is killed with
//! SIGKILL at random moments 50 times while the demand changes between runs, then left to
//! settle. The simulated cloud's VMs and the instance rows must then agree: no orphan VM,
//! no twin VMs for one instance, no live row whose VM is gone, no row stuck in requested,
//! creating or deleting.

mod common;

use common::scaling::{Bench, agent_pool};
use pooladmin::cloud::simulated::Behaviour;
use pooladmin::model::instance::InstanceState;
use pooladmin::store::Store;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const KILLS: usize = 50;

fn headless(db: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_pooladmin"))
        .arg("--db")
        .arg(db)
        .arg("headless")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("pooladmin headless")
}

/// What disagrees between the simulated cloud's file and the instance rows.
fn disagreements(db: &Path, cloud_file: &Path) -> Vec<String> {
    let store = Store::open_for_command(db, &pooladmin::store::KeySource::KeyFile).expect("open");
    let world: serde_json::Value = match std::fs::read_to_string(cloud_file) {
        Ok(text) => serde_json::from_str(&text).expect("the simulated cloud's state"),
        Err(_) => serde_json::json!({"vms": {}}),
    };
    let vms = world["vms"].as_object().cloned().unwrap_or_default();
    let live = store.live_instances().expect("instances");
    let mut problems = Vec::new();
    let mut per_instance: HashMap<String, usize> = HashMap::new();
    for (cloud_id, vm) in &vms {
        let tag = vm["tags"]["pooladmin-instance"]
            .as_str()
            .unwrap_or("?")
            .to_owned();
        *per_instance.entry(tag.clone()).or_default() += 1;
        if !live
            .iter()
            .any(|i| i.cloud_id.as_deref() == Some(cloud_id.as_str()))
        {
            problems.push(format!("orphan VM {cloud_id} (instance tag {tag})"));
        }
    }
    for (tag, n) in per_instance {
        if n > 1 {
            problems.push(format!("{n} VMs for instance {tag}"));
        }
    }
    for row in &live {
        if let Some(id) = &row.cloud_id
            && !vms.contains_key(id)
        {
            problems.push(format!("row {} points at {id}, which is gone", row.name));
        }
        if matches!(
            row.state,
            InstanceState::Requested | InstanceState::Creating | InstanceState::Deleting
        ) {
            problems.push(format!("row {} is still {}", row.name, row.state));
        }
    }
    problems
}

/// The config the runs scale with, as the wizard saved it.
struct Config {
    spec: pooladmin::model::autoscale::AutoScaleSpec,
    id: pooladmin::model::AutoScaleId,
    provider: pooladmin::model::VmProviderId,
}

/// Changes the demand between runs (the standby cores; surplus goes at once).
fn running_agents(db: &Path) -> usize {
    let store = Store::open_for_command(db, &pooladmin::store::KeySource::KeyFile).expect("open");
    store
        .live_instances()
        .expect("instances")
        .iter()
        .filter(|i| i.state == InstanceState::Running)
        .count()
}

fn set_standby(db: &Path, config: &Config, cores: u32) {
    let mut store = Store::open(db).expect("open between runs");
    let mut spec = config.spec.clone();
    if let pooladmin::model::autoscale::Scaling::Agents(a) = &mut spec.scaling {
        a.standby_cores = cores.to_string();
    }
    spec.downscale_backoff_s = "0".into();
    store
        .save_autoscale(
            Some(config.id),
            &spec,
            &pooladmin::store::Choice::Existing(config.provider),
            None,
        )
        .expect("save");
}

#[test]
fn fifty_sigkills_leave_no_orphan_no_twin_and_nothing_dangling() {
    let behaviour = Behaviour {
        boot_delay: Duration::from_secs(1),
        ..Behaviour::default()
    };
    let Bench {
        dir,
        store,
        spec,
        config,
        provider,
        ..
    } = agent_pool(behaviour, 8, 10);
    let db: PathBuf = store.path().to_path_buf();
    // The test's own connection lets go, so each headless run may take the database.
    drop(store);
    let cloud_file = PathBuf::from(format!("{}.simulated-cloud-{provider}.json", db.display()));
    let config = Config {
        spec,
        id: config,
        provider,
    };
    let mut rng = rand::rngs::StdRng::seed_from_u64(50);
    let demands = [8, 16, 0, 12, 4];
    for kill in 0..KILLS {
        let mut child = headless(&db);
        std::thread::sleep(Duration::from_millis(rng.random_range(150..2500)));
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        set_standby(&db, &config, demands[kill % demands.len()]);
    }
    // Let the last run settle: past the 60 s grace, so orphans are swept.
    set_standby(&db, &config, 8);
    let mut child = headless(&db);
    let deadline = Instant::now() + Duration::from_secs(150);
    let settled = || {
        let problems = disagreements(&db, &cloud_file);
        let running = running_agents(&db);
        (problems, running)
    };
    let (mut problems, mut running) = settled();
    while (!problems.is_empty() || running != 2) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_secs(1));
        (problems, running) = settled();
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    assert!(problems.is_empty(), "after {KILLS} kills: {problems:#?}");
    assert_eq!(running, 2, "8 standby cores = 2 agents of 4");
    let made = std::fs::read_to_string(&cloud_file)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|w| w["next_id"].as_u64())
        .unwrap_or(0);
    assert!(
        made > 4,
        "the runs made and removed VMs between the kills ({made} made)"
    );
    println!(
        "{KILLS} kills, {made} VMs made in all; settled with {running} agents running and no disagreement"
    );
    drop(dir);
}

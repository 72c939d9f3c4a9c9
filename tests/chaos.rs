//! Process-level chaos (issue 14): the real binary (`pooladmin headless` on the simulated
//! cloud, whose state outlives the process in a file beside the database) is killed with
//! SIGKILL at random moments 50 times while the demand changes between runs, then left to
//! settle. The simulated cloud's VMs and the instance rows must then agree: no orphan VM,
//! no twin VMs for one instance, no live row whose VM is gone, no row stuck in requested,
//! creating or deleting. A second test aims its kills: at each kind of cloud call (list,
//! create, status, delete) while it is in flight, on a cloud that takes 1.5 s to answer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

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

/// One chaos test at a time: each keeps the machine's two cores busy with its own
/// processes, and the timings of the aimed kills assume a machine that is not starved.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn headless(db: &Path) -> Child {
    spawn_headless(db, "warn", Stdio::null())
}

/// `pooladmin headless` on `db`, logging at `level` to `stdout`, its errors to a file.
fn spawn_headless(db: &Path, level: &str, stdout: Stdio) -> Child {
    Command::new(env!("CARGO_BIN_EXE_pooladmin"))
        .arg("--db")
        .arg(db)
        .arg("headless")
        .env("RUST_LOG", level)
        .stdout(stdout)
        .stderr(Stdio::from(errors_file(db)))
        .spawn()
        .expect("pooladmin headless")
}

/// The last lines the runs wrote to standard error, newest first.
fn last_errors(db: &Path) -> Vec<String> {
    let errors = std::fs::read_to_string(format!("{}.stderr", db.display())).unwrap_or_default();
    errors.lines().rev().take(20).map(str::to_owned).collect()
}

/// Where the runs' standard error goes (appended), to say why one ended.
fn errors_file(db: &Path) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(format!("{}.stderr", db.display()))
        .expect("a file for headless's errors")
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

/// Runs headless until the cloud and the rows agree and two agents run (or 150 s
/// passed, past the 60 s grace that sweeps orphans): what still disagrees, and how many run.
fn settle(db: &Path, cloud_file: &Path) -> (Vec<String>, usize) {
    let mut child = headless(db);
    let deadline = Instant::now() + Duration::from_secs(150);
    let (mut problems, mut running) = (disagreements(db, cloud_file), running_agents(db));
    while (!problems.is_empty() || running != 2) && Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("headless") {
            panic!(
                "headless ended while settling: {status}; its last errors: {:#?}",
                last_errors(db)
            );
        }
        std::thread::sleep(Duration::from_secs(1));
        (problems, running) = (disagreements(db, cloud_file), running_agents(db));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    (problems, running)
}

/// The config the runs scale with, as the wizard saved it.
struct Config {
    spec: pooladmin::model::autoscale::AutoScaleSpec,
    id: pooladmin::model::AutoScaleId,
    provider: pooladmin::model::VmProviderId,
}

/// An agent pool on the simulator keeping `standby` cores, its database let go so each
/// headless run may take it: the folder, the database, the simulated cloud's file, and
/// the config.
fn prepare(behaviour: Behaviour, standby: u32) -> (tempfile::TempDir, PathBuf, PathBuf, Config) {
    let Bench {
        dir,
        store,
        spec,
        config,
        provider,
        ..
    } = agent_pool(behaviour, standby, 10);
    let db: PathBuf = store
        .database()
        .file()
        .expect("an SQLite file")
        .to_path_buf();
    drop(store);
    let cloud_file = PathBuf::from(format!("{}.simulated-cloud-{provider}.json", db.display()));
    let config = Config {
        spec,
        id: config,
        provider,
    };
    (dir, db, cloud_file, config)
}

/// How many agents run, as the rows say.
fn running_agents(db: &Path) -> usize {
    let store = Store::open_for_command(db, &pooladmin::store::KeySource::KeyFile).expect("open");
    store
        .live_instances()
        .expect("instances")
        .iter()
        .filter(|i| i.state == InstanceState::Running)
        .count()
}

/// Changes the demand between runs (the standby cores; surplus goes at once).
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
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let behaviour = Behaviour {
        boot_delay: Duration::from_secs(1),
        ..Behaviour::default()
    };
    let (dir, db, cloud_file, config) = prepare(behaviour, 8);
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
    let (problems, running) = settle(&db, &cloud_file);
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

/// `pooladmin headless` with its log on a channel, line by line.
fn headless_logged(db: &Path) -> (Child, std::sync::mpsc::Receiver<String>) {
    let mut child = spawn_headless(db, "info", Stdio::piped());
    let stdout = child.stdout.take().expect("its log");
    let (lines, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// Starts headless, waits for a log line holding `trigger` (none: the start itself), then
/// kills it after a random moment within `window`. Whether `answered` showed before the
/// kill (the call was no longer in flight) comes back.
fn kill_during(
    db: &Path,
    trigger: Option<&str>,
    answered: &str,
    window: std::ops::Range<u64>,
    rng: &mut rand::rngs::StdRng,
) -> bool {
    let (mut child, log) = headless_logged(db);
    let mut seen = Vec::new();
    if let Some(trigger) = trigger {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match log.recv_timeout(left) {
                Ok(line) if line.contains(trigger) => break,
                Ok(line) => seen.push(line),
                Err(_) => {
                    let _ = child.kill();
                    panic!("no {trigger:?} within 30 s; the log: {seen:#?}");
                }
            }
        }
    }
    std::thread::sleep(Duration::from_millis(rng.random_range(window)));
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    log.try_iter().any(|line| line.contains(answered))
}

/// Runs headless until `n` agents run (within 90 s), then kills it.
fn run_until_running(db: &Path, n: usize) {
    let mut child = headless(db);
    let deadline = Instant::now() + Duration::from_secs(90);
    while running_agents(db) < n {
        if let Some(status) = child.try_wait().expect("headless") {
            panic!(
                "headless ended: {status}; its last errors: {:#?}",
                last_errors(db)
            );
        }
        assert!(Instant::now() < deadline, "{n} agents did not come up");
        std::thread::sleep(Duration::from_millis(250));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
}

/// The simulated cloud of `config` answers each call in 1.5 s and boots a VM in `boot_s`.
fn slow_cloud(db: &Path, config: &Config, boot_s: u32) {
    let mut store = Store::open(db).expect("open");
    let mut provider = store
        .configs::<pooladmin::model::vm_provider::VmProviderSpec>()
        .expect("providers")
        .into_iter()
        .find(|p| p.id == config.provider)
        .expect("the provider")
        .spec;
    if let pooladmin::model::vm_provider::ProviderSettings::Simulator(s) = &mut provider.settings {
        s.api_latency_ms = "1500".into();
        s.boot_delay_s = boot_s.to_string();
    }
    store
        .update_config(config.provider, &provider)
        .expect("save");
}

#[test]
fn a_sigkill_during_each_kind_of_cloud_call_leaves_nothing_inconsistent() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    const TRIALS: usize = 4;
    let (dir, db, cloud_file, config) = prepare(Behaviour::default(), 0);
    let mut rng = rand::rngs::StdRng::seed_from_u64(14);
    let mut in_flight: HashMap<&str, usize> = HashMap::new();
    // List: every start reconciles first, with one listing of 1.5 s.
    slow_cloud(&db, &config, 600);
    for _ in 0..TRIALS {
        kill_during(&db, None, "orphan", 100..1400, &mut rng);
        *in_flight.entry("list").or_default() += 1;
    }
    // Status: two VMs that take ten minutes to boot are looked at on each start's first
    // pass, right after its listing.
    set_standby(&db, &config, 8);
    kill_during(&db, Some("; booting"), "", 1500..1501, &mut rng);
    for _ in 0..TRIALS {
        if !kill_during(&db, None, "; running", 1700..2900, &mut rng) {
            *in_flight.entry("status").or_default() += 1;
        }
    }
    // Create: each trial wants two agents more.
    slow_cloud(&db, &config, 2);
    for trial in 0..TRIALS {
        set_standby(&db, &config, 16 + 8 * trial as u32);
        if !kill_during(
            &db,
            Some("create call sent"),
            "created as",
            0..1500,
            &mut rng,
        ) {
            *in_flight.entry("create").or_default() += 1;
        }
    }
    // Delete: two agents up, then nothing wanted and no backoff: the surplus goes.
    for _ in 0..TRIALS {
        set_standby(&db, &config, 8);
        run_until_running(&db, 2);
        set_standby(&db, &config, 0);
        if !kill_during(
            &db,
            Some("delete the newest idle"),
            ": deleted",
            0..1500,
            &mut rng,
        ) {
            *in_flight.entry("delete").or_default() += 1;
        }
    }
    set_standby(&db, &config, 8);
    let (problems, running) = settle(&db, &cloud_file);
    println!("kills with the call still in flight, by kind: {in_flight:?}");
    if !problems.is_empty() {
        // What the scaler last said, to see why.
        let store =
            Store::open_for_command(&db, &pooladmin::store::KeySource::KeyFile).expect("open");
        let events = store
            .events(&pooladmin::store::EventFilter::default(), 80)
            .expect("events");
        for (_, e) in events.iter().rev() {
            eprintln!("{} {:?} {}", e.at, e.kind, e.message);
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(running, 2, "8 standby cores = 2 agents of 4");
    for kind in ["list", "status", "create", "delete"] {
        assert!(
            in_flight.get(kind).is_some_and(|n| *n >= 2),
            "too few kills landed during a {kind} call: {in_flight:?}"
        );
    }
    drop(dir);
}

//! Process-level chaos (issue 14): the real binary (`pooladmin headless` on the simulated
//! cloud, whose state outlives the process in a file beside the database) is killed with
//! SIGKILL at random moments 50 times while the demand changes between runs, then left to
//! settle. The simulated cloud's VMs and the instance rows must then agree: no orphan VM,
//! no twin VMs for one instance, no live row whose VM is gone, no row stuck in requested,
//! creating or deleting. A second test aims its kills: at each kind of cloud call (list,
//! create, status, delete) while it is in flight, on a cloud that takes 1.5 s to answer.
//! Both run on an SQLite file and again on a PostgreSQL database (fewer random kills there:
//! the same code paths, half the time).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::backend::postgres;
use common::headless::{ScaledConfig, Target, disagreements, edit_simulator, prepare, set_standby};
use common::scaling::running_instances;
use pooladmin::cloud::simulated::Behaviour;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Random kills on SQLite; on PostgreSQL, where each run also connects over TLS, fewer.
const KILLS: usize = 50;
const KILLS_ON_POSTGRES: usize = 8;

/// One chaos test at a time: each keeps the machine's two cores busy with its own
/// processes, and the timings of the aimed kills assume a machine that is not starved.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn headless(t: &Target) -> Child {
    spawn_headless(t, "warn", Stdio::null())
}

/// `pooladmin headless` on the target, logging at `level` to `stdout`, its errors to a file.
fn spawn_headless(t: &Target, level: &str, stdout: Stdio) -> Child {
    t.pooladmin()
        .arg("headless")
        .env("RUST_LOG", level)
        .stdout(stdout)
        .stderr(Stdio::from(errors_file(t)))
        .spawn()
        .expect("pooladmin headless")
}

/// The last lines the runs wrote to standard error, newest first.
fn last_errors(t: &Target) -> Vec<String> {
    let errors = std::fs::read_to_string(&t.errors).unwrap_or_default();
    errors.lines().rev().take(20).map(str::to_owned).collect()
}

/// Where the runs' standard error goes (appended), to say why one ended.
fn errors_file(t: &Target) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&t.errors)
        .expect("a file for headless's errors")
}

/// Runs headless until the cloud and the rows agree and two agents run (or 150 s
/// passed, past the 60 s grace that sweeps orphans): what still disagrees, and how many run.
fn settle(t: &Target, cloud_file: &Path) -> (Vec<String>, usize) {
    let mut child = headless(t);
    let deadline = Instant::now() + Duration::from_secs(150);
    let (mut problems, mut running) = (disagreements(t, cloud_file), running_agents(t));
    while (!problems.is_empty() || running != 2) && Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("headless") {
            panic!(
                "headless ended while settling: {status}; its last errors: {:#?}",
                last_errors(t)
            );
        }
        std::thread::sleep(Duration::from_secs(1));
        (problems, running) = (disagreements(t, cloud_file), running_agents(t));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    (problems, running)
}

/// How many agents run, as the rows say.
fn running_agents(t: &Target) -> usize {
    running_instances(&t.open_for_command())
}

#[test]
fn fifty_sigkills_leave_no_orphan_no_twin_and_nothing_dangling() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let behaviour = Behaviour {
        boot_delay: Duration::from_secs(1),
        ..Behaviour::default()
    };
    let (dir, t, cloud_file, config) = prepare(behaviour, 8);
    let mut rng = rand::rngs::StdRng::seed_from_u64(50);
    let demands = [8, 16, 0, 12, 4];
    let kills = if postgres() { KILLS_ON_POSTGRES } else { KILLS };
    for kill in 0..kills {
        let mut child = headless(&t);
        std::thread::sleep(Duration::from_millis(rng.random_range(150..2500)));
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        set_standby(&t, &config, demands[kill % demands.len()]);
    }
    // Let the last run settle: past the 60 s grace, so orphans are swept.
    set_standby(&t, &config, 8);
    let (problems, running) = settle(&t, &cloud_file);
    assert!(problems.is_empty(), "after {kills} kills: {problems:#?}");
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
        "{kills} kills, {made} VMs made in all; settled with {running} agents running and no disagreement"
    );
    drop(dir);
}

/// `pooladmin headless` with its log on a channel, line by line.
fn headless_logged(t: &Target) -> (Child, std::sync::mpsc::Receiver<String>) {
    let mut child = spawn_headless(t, "info", Stdio::piped());
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
    t: &Target,
    trigger: Option<&str>,
    answered: &str,
    window: std::ops::Range<u64>,
    rng: &mut rand::rngs::StdRng,
) -> bool {
    let (mut child, log) = headless_logged(t);
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
fn run_until_running(t: &Target, n: usize) {
    let mut child = headless(t);
    let deadline = Instant::now() + Duration::from_secs(90);
    while running_agents(t) < n {
        if let Some(status) = child.try_wait().expect("headless") {
            panic!(
                "headless ended: {status}; its last errors: {:#?}",
                last_errors(t)
            );
        }
        assert!(Instant::now() < deadline, "{n} agents did not come up");
        std::thread::sleep(Duration::from_millis(250));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
}

/// The simulated cloud of `config` answers each call in 1.5 s and boots a VM in `boot_s`.
fn slow_cloud(t: &Target, config: &ScaledConfig, boot_s: u32) {
    edit_simulator(t, config.provider, |s| {
        s.api_latency_ms = "1500".into();
        s.boot_delay_s = boot_s.to_string();
    });
}

#[test]
fn a_sigkill_during_each_kind_of_cloud_call_leaves_nothing_inconsistent() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    const TRIALS: usize = 4;
    let (dir, t, cloud_file, config) = prepare(Behaviour::default(), 0);
    let mut rng = rand::rngs::StdRng::seed_from_u64(14);
    let mut in_flight: HashMap<&str, usize> = HashMap::new();
    // List: every start reconciles first, with one listing of 1.5 s.
    slow_cloud(&t, &config, 600);
    for _ in 0..TRIALS {
        kill_during(&t, None, "orphan", 100..1400, &mut rng);
        *in_flight.entry("list").or_default() += 1;
    }
    // Status: two VMs that take ten minutes to boot are looked at on each start's first
    // pass, right after its listing.
    set_standby(&t, &config, 8);
    kill_during(&t, Some("; booting"), "", 1500..1501, &mut rng);
    for _ in 0..TRIALS {
        if !kill_during(&t, None, "; running", 1700..2900, &mut rng) {
            *in_flight.entry("status").or_default() += 1;
        }
    }
    // Create: each trial wants two agents more.
    slow_cloud(&t, &config, 2);
    for trial in 0..TRIALS {
        set_standby(&t, &config, 16 + 8 * trial as u32);
        if !kill_during(
            &t,
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
        set_standby(&t, &config, 8);
        run_until_running(&t, 2);
        set_standby(&t, &config, 0);
        if !kill_during(
            &t,
            Some("delete the newest idle"),
            ": deleted",
            0..1500,
            &mut rng,
        ) {
            *in_flight.entry("delete").or_default() += 1;
        }
    }
    set_standby(&t, &config, 8);
    let (problems, running) = settle(&t, &cloud_file);
    println!("kills with the call still in flight, by kind: {in_flight:?}");
    if !problems.is_empty() {
        // What the scaler last said, to see why.
        let store = t.open_for_command();
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

crate::also_on_postgres!(
    fifty_sigkills_leave_no_orphan_no_twin_and_nothing_dangling,
    a_sigkill_during_each_kind_of_cloud_call_leaves_nothing_inconsistent,
);

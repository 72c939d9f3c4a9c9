//! `pooladmin headless`: the scaler without a window, logging to stdout, stopped cleanly by
//! SIGTERM and SIGINT.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::scaling::{Bench, agent_pool};
use pooladmin::cloud::simulated::Behaviour;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A database whose Docker Agent pool lacks its 8 standby cores, on the simulator.
fn short_pool() -> (tempfile::TempDir, std::path::PathBuf) {
    let behaviour = Behaviour {
        boot_delay: Duration::from_secs(1),
        ..Behaviour::default()
    };
    let Bench { dir, store, .. } = agent_pool(behaviour, 8, 10);
    let path = store
        .database()
        .file()
        .expect("an SQLite file")
        .to_path_buf();
    // The test's connection goes, so the headless pooladmin may take the database.
    drop(store);
    (dir, path)
}

/// Starts `pooladmin headless` and forwards its stdout lines.
fn start(db: &Path) -> (Child, mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pooladmin"))
        .args(["headless", "--db"])
        .arg(db)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start pooladmin");
    let stdout = child.stdout.take().expect("stdout");
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    (child, received)
}

/// Waits for a line containing `text`, collecting what came before it.
fn wait_for(lines: &mpsc::Receiver<String>, text: &str, seen: &mut Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(line) = lines.recv_timeout(Duration::from_millis(200)) {
            let found = line.contains(text);
            seen.push(line);
            if found {
                return;
            }
        }
    }
    panic!(
        "no line with {text:?} within 30 s; got:\n{}",
        seen.join("\n")
    );
}

fn stops_cleanly_on(signal: &str) {
    let (_dir, db) = short_pool();
    let (mut child, lines) = start(&db);
    let mut seen = Vec::new();
    wait_for(&lines, "scaler running headless", &mut seen);
    // The pool is short of standby: the scaler acts and says why.
    wait_for(&lines, "checked in at", &mut seen);
    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running 20 s after {signal}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status}");
    wait_for(&lines, "scaler stopped", &mut seen);
    // Each decision is logged with its numbers as fields (and its reason in words).
    let decision = seen
        .iter()
        .find(|l| l.contains("kind=\"decision\"") && l.contains("count="))
        .unwrap_or_else(|| panic!("no create decision logged: {seen:#?}"));
    for field in ["count=2", "need_cores=8", "free_cores=0"] {
        assert!(decision.contains(field), "{field} in {decision}");
    }
    // The database is free again and every instance is accounted for.
    let store = pooladmin::store::Store::open(&db).expect("reopen after a clean stop");
    assert!(!store.live_instances().expect("instances").is_empty());
}

#[test]
fn sigterm_stops_the_headless_scaler_cleanly() {
    stops_cleanly_on("-TERM");
}

#[test]
fn sigint_stops_the_headless_scaler_cleanly() {
    stops_cleanly_on("-INT");
}

/// The demo's database opened beside the running demo, with its passphrase.
fn beside_the_demo(db: &Path) -> pooladmin::store::Store {
    use pooladmin::store::{KeySource, Store};
    let key = KeySource::Passphrase(pooladmin::model::Secret::new(
        common::demo_process::PASSPHRASE,
    ));
    Store::open_for_command(db, &key).expect("open beside the demo")
}

/// Every member in a pool with its last report (or none).
fn reports(store: &pooladmin::store::Store) -> Vec<(String, bool, Option<jiff::Timestamp>)> {
    use pooladmin::model::Origin;
    let agents = store.agents().unwrap().into_iter().map(|r| {
        let a = r.agent;
        (
            a.spec.hostname,
            a.origin == Origin::Autoscaled,
            a.last_report,
        )
    });
    let servers = store.servers().unwrap().into_iter().map(|r| {
        let s = r.server;
        (
            s.spec.friendly_name,
            s.origin == Origin::Autoscaled,
            s.last_report,
        )
    });
    agents.chain(servers).collect()
}

/// Waits up to `patience` for `done` on what the database says.
fn wait_until(
    store: &pooladmin::store::Store,
    patience: Duration,
    what: &str,
    done: impl Fn(&[(String, bool, Option<jiff::Timestamp>)]) -> bool,
) {
    let deadline = Instant::now() + patience;
    loop {
        let now = reports(store);
        if done(&now) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what} within {patience:?}: {now:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn every_member_of_a_restarted_demo_reports_again_and_its_export_stays_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    let export = || {
        let out = Command::new(env!("CARGO_BIN_EXE_pooladmin"))
            .args(["export", "--db"])
            .arg(&db)
            .env("POOLADMIN_PASSPHRASE", common::demo_process::PASSPHRASE)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let first = common::demo_process::start_demo(&db, None);
    let store = beside_the_demo(&db);
    wait_until(
        &store,
        Duration::from_secs(120),
        "an autoscaled member reporting",
        |members| {
            members
                .iter()
                .any(|(_, auto, last)| *auto && last.is_some())
        },
    );
    // The scaler acts, the configuration stays: two exports are byte-identical, and hold
    // no autoscaled member.
    let before = export();
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(
        export(),
        before,
        "the export changed while nobody edited anything"
    );
    for (name, autoscaled, _) in reports(&store) {
        assert_eq!(
            before.contains(&format!("\"{name}\"")),
            !autoscaled,
            "{name}"
        );
    }
    drop(first);
    let restarted = jiff::Timestamp::now();
    let _second = common::demo_process::start_demo(&db, None);
    wait_until(
        &store,
        Duration::from_secs(15),
        "every member reporting after the restart",
        |members| {
            members
                .iter()
                .all(|(_, _, last)| last.is_some_and(|t| t > restarted))
        },
    );
}

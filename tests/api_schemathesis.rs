//! The API against its own OpenAPI document (issue 25): schemathesis, the standard
//! property-based API tester, runs every check against `headless --demo` — the portal
//! operations with a portal key, the host operations with a static agent's token — on a
//! bounded number of examples, and must find nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

mod common;

use common::demo_process::{PASSPHRASE, create_key, start_demo};
use pooladmin::model::{Origin, Secret, SessionHost};
use pooladmin::store::{KeySource, Store};
use std::path::PathBuf;
use std::process::Command;

/// Examples per operation and phase: enough to find what the schema and the server
/// disagree on, bounded so the run takes a couple of minutes.
const EXAMPLES: &str = "60";

fn schemathesis() -> PathBuf {
    let python = std::env::var("POOLADMIN_PEERS_PYTHON")
        .expect("POOLADMIN_PEERS_PYTHON names the peers' Python (scripts/test.sh sets it)");
    let tool = PathBuf::from(python).with_file_name("schemathesis");
    assert!(
        tool.exists(),
        "schemathesis is not installed beside {}: run scripts/test.sh",
        tool.display()
    );
    tool
}

/// Runs schemathesis on the operations `filter` picks with `token`; panics with its report
/// when it finds anything.
fn run(base: &str, token: &str, filter: &[&str]) {
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/schemathesis.toml");
    let out = Command::new(schemathesis())
        .args(["--config-file", config])
        .args(["run", &format!("{base}/openapi.json")])
        .args(["--checks", "all"])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--max-examples", EXAMPLES])
        .args(["--seed", "25"])
        .args(["--workers", "1"])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--no-color", "--generation-database", "none"])
        .args(filter)
        .output()
        .expect("run schemathesis");
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "schemathesis found problems:\n{report}"
    );
    assert!(
        report.contains("passed") || report.contains("No issues found"),
        "{report}"
    );
}

#[test]
fn the_api_keeps_to_its_openapi_document() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    let demo = start_demo(&db, None);
    let key = create_key(&db, "schemathesis", &[]);
    let token = {
        let mut store =
            Store::open_for_command(&db, &KeySource::Passphrase(Secret::new(PASSPHRASE))).unwrap();
        let agent = store
            .agents()
            .unwrap()
            .into_iter()
            .find(|a| a.agent.origin == Origin::Static)
            .expect("the demo has a static agent");
        store
            .issue_agent_token(SessionHost::Agent(agent.agent.id), jiff::Timestamp::now())
            .unwrap()
    };
    run(&demo.base, &key, &["--exclude-tag", "hosts"]);
    run(&demo.base, token.expose(), &["--include-tag", "hosts"]);
}

//! 10,000 agents heartbeating every 10 s (1,000 requests/s) against `pooladmin headless`.
//! Criterion times one heartbeat through HTTP; with `cargo bench`, the load run also paces
//! 1,000 heartbeats/s for 10 s at the real binary and prints the server's CPU use, read from
//! /proc/<pid>/stat (user + system time over wall time). Target: ≤ 15 % of one core.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use pooladmin::model::{AgentId, SessionHost};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const AGENTS: usize = 10_000;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// CPU seconds (user + system) the process has used so far.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc stat");
    // Fields after the command name (which is in parentheses): utime is the 12th, stime the 13th.
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    // The kernel's USER_HZ is 100 on Linux.
    ticks / 100.0
}

fn start_server(db: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_pooladmin"))
        .arg("--db")
        .arg(db)
        .args(["headless", "--listen", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("pooladmin headless")
}

fn api_heartbeats(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.sqlite");
    let mut store = support::large_deployment(&path, support::Shape::new(10, AGENTS, 0));
    let now = jiff::Timestamp::now();
    let ids: Vec<AgentId> = store
        .agents()
        .expect("agents")
        .iter()
        .map(|a| a.agent.id)
        .collect();
    let tokens: Vec<String> = ids
        .iter()
        .map(|id| {
            store
                .issue_agent_token(SessionHost::Agent(*id), now)
                .expect("token")
                .expose()
                .to_owned()
        })
        .collect();
    drop(store);
    let port = free_port();
    let mut server = start_server(&path, port);
    let url = format!("http://127.0.0.1:{port}/v1/heartbeat");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let client = reqwest::Client::new();
    runtime.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(30);
        while client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "pooladmin headless did not come up"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let beat = |token: String| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            let answer = client
                .post(&url)
                .bearer_auth(token)
                .json(&json!({"load": 0.5}))
                .send()
                .await
                .expect("answered");
            assert_eq!(answer.status(), reqwest::StatusCode::OK);
            let _ = answer.bytes().await;
        }
    };
    let mut next = 0usize;
    c.bench_function("api_heartbeats/one_heartbeat", |b| {
        b.iter(|| {
            next = (next + 1) % tokens.len();
            runtime.block_on(beat(tokens[next].clone()));
        })
    });

    // The load run: only under `cargo bench`, not when the suite runs each bench once.
    if std::env::args().any(|a| a == "--bench") {
        let seconds = 10;
        let cpu_before = cpu_seconds(server.id());
        let wall = Instant::now();
        runtime.block_on(async {
            let mut tick = tokio::time::interval(Duration::from_millis(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut inflight = tokio::task::JoinSet::new();
            for i in 0..seconds * 1000 {
                tick.tick().await;
                inflight.spawn(beat(tokens[i % tokens.len()].clone()));
                while inflight.try_join_next().is_some() {}
            }
            while inflight.join_next().await.is_some() {}
        });
        let elapsed = wall.elapsed().as_secs_f64();
        let cpu = cpu_seconds(server.id()) - cpu_before;
        println!(
            "api_heartbeats/load: {} heartbeats in {elapsed:.2} s ({:.0}/s); server CPU {cpu:.2} s = {:.1} % of one core",
            seconds * 1000,
            (seconds * 1000) as f64 / elapsed,
            100.0 * cpu / elapsed
        );
    }
    let _ = server.kill();
    let _ = server.wait();
}

criterion_group!(benches, api_heartbeats);
criterion_main!(benches);

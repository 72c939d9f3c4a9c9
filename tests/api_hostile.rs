//! The API under hostile traffic (issue 25): `pooladmin headless --demo` with an open-file
//! limit of 1,024, 5,000 connections that send half a request line and stay silent, and 200
//! slow bodies. A good request is answered throughout, the scaler keeps making its passes,
//! every bad connection is closed within its timeout, and the log stays short.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::demo_process::{create_key, start_demo};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

/// The half-request attack comes from one address, the slow bodies from another; good
/// requests from 127.0.0.1.
const SILENT_FROM: [u8; 4] = [127, 0, 0, 2];
const SLOW_FROM: [u8; 4] = [127, 0, 0, 3];
const SILENT_CONNECTIONS: usize = 5_000;
const SLOW_BODIES: usize = 200;

/// The scaler's passes so far, from `/metrics` (loopback needs no key).
async fn scaler_passes(http: &reqwest::Client, base: &str) -> u64 {
    let text = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("pooladmin_scaler_pass_seconds_count "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// Opens a connection from `from`, sends `first`, then (for a slow body) one byte a second,
/// and returns how long the server took to close it and what it answered.
async fn bad_connection(
    from: [u8; 4],
    to: SocketAddr,
    first: Vec<u8>,
    trickle: bool,
) -> Option<(Duration, String)> {
    let socket = TcpSocket::new_v4().ok()?;
    socket.bind(SocketAddr::new(IpAddr::from(from), 0)).ok()?;
    let mut stream = socket.connect(to).await.ok()?;
    let opened = Instant::now();
    let _ = stream.write_all(&first).await;
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let read = if trickle {
            tokio::select! {
                read = stream.read(&mut buf) => read,
                () = tokio::time::sleep(Duration::from_secs(1)) => {
                    if stream.write_all(b"x").await.is_err() {
                        break;
                    }
                    continue;
                }
            }
        } else {
            stream.read(&mut buf).await
        };
        match read {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
        if opened.elapsed() > Duration::from_secs(120) {
            break;
        }
    }
    Some((
        opened.elapsed(),
        String::from_utf8_lossy(&answer).into_owned(),
    ))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[test]
fn silent_and_slow_clients_cannot_take_the_api_down() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    let server = start_demo(&db, Some(1024));
    let base = server.base.clone();
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    // Up and planning.
    runtime.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let up = http.get(format!("{base}/healthz")).send().await;
            if up.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            assert!(Instant::now() < deadline, "the API did not come up");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let key = create_key(&db, "hostile-test", &[]);
    let to: SocketAddr = ([127, 0, 0, 1], port).into();
    let attack_started = Instant::now();
    let (silent, slow, good, passes_before, passes_after) = runtime.block_on(async {
        let passes_before = scaler_passes(&http, &base).await;
        // 5,000 half requests from one address.
        let silent: Vec<_> = (0..SILENT_CONNECTIONS)
            .map(|_| {
                tokio::spawn(bad_connection(
                    SILENT_FROM,
                    to,
                    b"GET /v1/pools HT".to_vec(),
                    false,
                ))
            })
            .collect();
        // 200 bodies that never finish, with a good key, from another.
        let head = format!(
            "POST /v1/pools/Browser%20Isolation/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{"
        );
        let slow: Vec<_> = (0..SLOW_BODIES)
            .map(|_| {
                tokio::spawn(bad_connection(
                    SLOW_FROM,
                    to,
                    head.clone().into_bytes(),
                    true,
                ))
            })
            .collect();
        // Good requests throughout, each on a new connection, until the slow bodies are
        // closed.
        let mut good = Vec::new();
        while attack_started.elapsed() < Duration::from_secs(35) {
            let fresh = reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap();
            let asked = Instant::now();
            let answer = fresh
                .get(format!("{base}/v1/pools"))
                .bearer_auth(&key)
                .send()
                .await;
            let took = asked.elapsed();
            match answer {
                Ok(r) => assert!(r.status().is_success(), "a good request got {}", r.status()),
                Err(e) => panic!("a good request failed under attack: {e}"),
            }
            good.push(took);
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let passes_after = scaler_passes(&http, &base).await;
        let mut silent_closed = Vec::new();
        for task in silent {
            silent_closed.push(task.await.unwrap());
        }
        let mut slow_closed = Vec::new();
        for task in slow {
            slow_closed.push(task.await.unwrap());
        }
        (
            silent_closed,
            slow_closed,
            good,
            passes_before,
            passes_after,
        )
    });
    let silent: Vec<_> = silent.into_iter().flatten().collect();
    let slow: Vec<_> = slow.into_iter().flatten().collect();
    assert_eq!(
        silent.len(),
        SILENT_CONNECTIONS,
        "every connect went through"
    );
    // Refused at once (over the per-address cap), or closed by the 10 s head timeout.
    let refused = silent
        .iter()
        .filter(|(t, _)| *t < Duration::from_secs(2))
        .count();
    let longest_silent = silent.iter().map(|(t, _)| *t).max().unwrap();
    assert!(
        longest_silent < Duration::from_secs(13),
        "a half request stayed open {longest_silent:?}"
    );
    assert!(
        refused > SILENT_CONNECTIONS / 2,
        "only {refused} refused at once"
    );
    // Slow bodies: closed by the 30 s body timeout (408), or refused over the cap.
    let longest_slow = slow.iter().map(|(t, _)| *t).max().unwrap();
    assert!(
        longest_slow < Duration::from_secs(34),
        "a slow body stayed open {longest_slow:?}"
    );
    let timed_out = slow.iter().filter(|(_, a)| a.contains(" 408 ")).count();
    assert!(timed_out > 0, "no slow body was answered 408");
    // The scaler kept planning.
    assert!(
        passes_after > passes_before,
        "the scaler made no pass under attack ({passes_before} → {passes_after})"
    );
    // Good requests answered, quickly.
    let mut sorted = good.clone();
    sorted.sort();
    let (p50, p99) = (percentile(&sorted, 0.5), percentile(&sorted, 0.99));
    println!(
        "good requests under attack: {} answered, p50 {p50:?}, p99 {p99:?}, max {:?}; half requests refused at once {refused} of {SILENT_CONNECTIONS}, longest open {longest_silent:?}; slow bodies answered 408 {timed_out} of {SLOW_BODIES}, longest open {longest_slow:?}",
        sorted.len(),
        sorted.last().unwrap()
    );
    assert!(p50 < Duration::from_millis(100), "p50 {p50:?}");
    // The log: the refusals are summed up, not one line each.
    let lines = server.lines.lock().unwrap();
    let warnings = lines
        .iter()
        .filter(|(at, l)| *at >= attack_started && l.contains("refused a connection"))
        .count();
    let during = lines.iter().filter(|(at, _)| *at >= attack_started).count();
    println!("log lines during the attack: {during}, of them refusal warnings: {warnings}");
    assert!(warnings <= 6, "{warnings} refusal warnings logged");
    assert!(
        !lines.iter().any(|(_, l)| l.contains("Too many open files")),
        "the process ran out of file descriptors"
    );
}

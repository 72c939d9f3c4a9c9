//! `pooladmin headless --demo` as a process of its own, on a database of the test's, with a
//! passphrase for its key (no keyring needed), its API on a loopback port, and its log kept
//! with the time each line came.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The passphrase the demo's secrets are sealed with.
pub const PASSPHRASE: &str = "demo-process-test";

/// A running `headless --demo`; killed when dropped.
pub struct DemoProcess {
    child: Child,
    /// Its API's base URL.
    pub base: String,
    /// Its log lines, with when each came.
    pub lines: Arc<Mutex<Vec<(Instant, String)>>>,
}

impl Drop for DemoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free on 127.0.0.1 now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port()
}

/// Starts `headless --demo` on `db`, its open files limited to `open_files` when given, and
/// waits until its API answers.
pub fn start_demo(db: &Path, open_files: Option<u32>) -> DemoProcess {
    let port = free_port();
    let limit = open_files.map_or_else(String::new, |n| format!("ulimit -n {n} && "));
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(r#"{limit}exec "$0" "$@""#))
        .arg(env!("CARGO_BIN_EXE_pooladmin"))
        .args(["headless", "--demo", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--db")
        .arg(db)
        .env("POOLADMIN_PASSPHRASE", PASSPHRASE)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start pooladmin headless --demo");
    let stdout = child.stdout.take().expect("stdout");
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            sink.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((Instant::now(), line));
        }
    });
    let process = DemoProcess {
        child,
        base: format!("http://127.0.0.1:{port}"),
        lines,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the demo's API did not come up");
        std::thread::sleep(Duration::from_millis(200));
    }
    process
}

/// A new portal key on `db` (`pooladmin api-key create`), with `extra` arguments.
pub fn create_key(db: &Path, name: &str, extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_pooladmin"))
        .args(["api-key", "create", "--name", name])
        .args(extra)
        .arg("--db")
        .arg(db)
        .env("POOLADMIN_PASSPHRASE", PASSPHRASE)
        .output()
        .expect("run pooladmin api-key create");
    assert!(
        out.status.success(),
        "api-key create: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .last()
        .expect("the key")
        .trim()
        .to_owned()
}

//! The API's command line and deployment paths, through the real binary: portal keys made
//! while pooladmin holds the database, `headless --listen`, `session start`/`end`, the
//! reference agent, TLS with a generated certificate, and a SIGKILL with requests in flight
//! that loses no session answered 201 and duplicates none.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::api::{loopback_settings, serve_api};
use common::{add_agent, add_server, temp_store};
use pooladmin::model::api_settings::ApiSettings;
use pooladmin::model::{PoolKind, Secret, SessionHost};
use pooladmin::store::Store;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn pooladmin(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pooladmin"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run pooladmin")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn headless(db: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_pooladmin"))
        .arg("--db")
        .arg(db)
        .args(["headless", "--listen", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start pooladmin headless")
}

async fn wait_healthy(port: u16) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(answer) = client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            && answer.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the API on port {port} did not come up");
}

#[test]
fn api_keys_are_made_listed_and_revoked_while_pooladmin_holds_the_database() {
    let (dir, store) = temp_store();
    let db = store
        .database()
        .file()
        .expect("an SQLite file")
        .to_path_buf();
    // `store` holds the single-instance lock, as a window would.
    let created = pooladmin(&db, &["api-key", "create", "--name", "portal"]);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let out = String::from_utf8(created.stdout).unwrap();
    let key = out.lines().last().unwrap();
    assert!(key.starts_with("pa_k_") && key.len() == 48, "{out}");
    assert!(
        !std::fs::read(&db)
            .unwrap()
            .windows(key.len())
            .any(|w| w == key.as_bytes()),
        "the key is not stored"
    );
    let mut store = store;
    assert!(
        store
            .authenticate_api_key(key, jiff::Timestamp::now())
            .unwrap()
            .is_some()
    );

    let again = pooladmin(&db, &["api-key", "create", "--name", "portal"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    let listed = pooladmin(&db, &["api-key", "list"]);
    let text = String::from_utf8(listed.stdout).unwrap();
    assert!(
        text.contains("portal\t") && text.contains("s ago"),
        "{text}"
    );
    let exported = pooladmin(&db, &["export"]);
    assert!(
        exported.status.success(),
        "export beside a running pooladmin: {}",
        String::from_utf8_lossy(&exported.stderr)
    );

    let revoked = pooladmin(&db, &["api-key", "revoke", "portal"]);
    assert!(revoked.status.success());
    assert!(
        store
            .authenticate_api_key(key, jiff::Timestamp::now())
            .unwrap()
            .is_none()
    );
    let unknown = pooladmin(&db, &["api-key", "revoke", "portal"]);
    assert!(!unknown.status.success());
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_address_is_refused_without_tls() {
    let (_dir, store) = temp_store();
    let mut settings = loopback_settings();
    settings.listen = "0.0.0.0:0".parse().unwrap();
    let refused = pooladmin::api::start_api(
        store.sibling().unwrap(),
        &settings,
        std::sync::Arc::new(|| {}),
        std::sync::Arc::default(),
    )
    .await;
    assert!(refused.err().unwrap().contains("without TLS"));
    let db = store
        .database()
        .file()
        .expect("an SQLite file")
        .to_path_buf();
    drop(store);
    let out = pooladmin(&db, &["headless", "--listen", "0.0.0.0:18443"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("TLS"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a certificate for 127.0.0.1 signed by it, made with openssl.
fn generated_certificate(dir: &Path) -> (String, String, String) {
    let run = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stderr(Stdio::null())
            .status()
            .expect("openssl");
        assert!(status.success(), "openssl {args:?}");
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=pooladmin test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "api.key",
        "-out",
        "api.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "api.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "api.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    (read("ca.pem"), read("api.pem"), read("api.key"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_a_generated_certificate() {
    let (dir, mut store) = temp_store();
    let pool = store.add_pool("Desktops", PoolKind::Server).unwrap();
    add_server(&mut store, "vdi-1", Some(pool), 2);
    let (ca, cert, key) = generated_certificate(dir.path());
    let draft = ApiSettings {
        tls_cert: cert,
        tls_key: Secret::new(key.clone()),
        ..loopback_settings()
    }
    .draft();
    let settings = draft
        .parse()
        .expect("the generated pair is accepted by the form");
    store.save_api_settings(&settings).unwrap();
    assert_eq!(store.api_settings().unwrap(), settings);
    let marker = key.lines().nth(1).unwrap();
    assert!(
        !String::from_utf8_lossy(
            &std::fs::read(store.database().file().expect("an SQLite file")).unwrap()
        )
        .contains(marker),
        "the TLS key is sealed"
    );
    let portal = store
        .create_api_key(
            "portal",
            &pooladmin::store::KeyRights::default(),
            jiff::Timestamp::now(),
        )
        .unwrap();
    let api = serve_api(&store, &settings).await;
    assert!(api.url().starts_with("https://127.0.0.1:"));
    let client = pooladmin::api::client::ApiClient::new(api.url(), portal, Some(&ca)).unwrap();
    let placed = client
        .start_session(
            "Desktops",
            &pooladmin::api::types::SessionStartRequest {
                user: "alice".into(),
                cores: None,
                memory_mb: None,
                gpus: None,
                credential: None,
            },
        )
        .await
        .expect("placed over TLS");
    assert_eq!(placed.host, "vdi-1.example.com");
    assert_eq!(placed.connection_type, "rdp");
    // Plain HTTP to the TLS port gets no answer.
    assert!(
        reqwest::get(api.url().replace("https", "http") + "/healthz")
            .await
            .is_err()
    );
    // A client that does not trust the CA is refused.
    let stranger =
        pooladmin::api::client::ApiClient::new(api.url(), Secret::new("x"), None).unwrap();
    assert!(stranger.pools().await.unwrap_err().status.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_agent_checks_in_heartbeats_and_stops_on_sigterm() {
    let (dir, mut store) = temp_store();
    let pool = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
    let agent = add_agent(&mut store, "agent-01", Some(pool), 1);
    let token = store
        .issue_agent_token(SessionHost::Agent(agent), jiff::Timestamp::now())
        .unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, token.expose()).unwrap();
    let api = serve_api(&store, &loopback_settings()).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_pooladmin"))
        .args([
            "agent",
            "--url",
            &format!("{}/v1/checkin", api.url()),
            "--token-file",
        ])
        .arg(&token_file)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let row = &store.agents().unwrap()[0];
        if row.agent.last_report.is_some() {
            let cores = std::thread::available_parallelism().unwrap().get() as f64;
            assert_eq!(
                row.agent.spec.reported.cores, cores,
                "the agent reported this machine's cores"
            );
            assert!(row.agent.spec.reported.memory_mb > 0);
            break;
        }
        assert!(Instant::now() < deadline, "the agent did not check in");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "the agent stops cleanly on SIGTERM: {status}"
    );

    // A refused token stops the agent with a clear error.
    std::fs::write(&token_file, "pa_a_revoked").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pooladmin"))
        .args(["agent", "--url", api.url(), "--token-file"])
        .arg(&token_file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("refused the token"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_with_requests_in_flight_loses_no_answered_session() {
    let (dir, mut store) = temp_store();
    let pool = store.add_pool("Desktops", PoolKind::Server).unwrap();
    for i in 0..3 {
        add_server(&mut store, &format!("vdi-{i}"), Some(pool), 1000);
    }
    let key = store
        .create_api_key(
            "portal",
            &pooladmin::store::KeyRights::default(),
            jiff::Timestamp::now(),
        )
        .unwrap();
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, key.expose()).unwrap();
    let db = store
        .database()
        .file()
        .expect("an SQLite file")
        .to_path_buf();
    drop(store);

    let port = free_port();
    let mut child = headless(&db, port);
    wait_healthy(port).await;

    // The portal's one line of shell.
    let api = format!("http://127.0.0.1:{port}");
    let started = Command::new(env!("CARGO_BIN_EXE_pooladmin"))
        .args(["session", "start", "--api", &api, "--key-file"])
        .arg(&key_file)
        .args(["--pool", "Desktops", "--user", "alice"])
        .output()
        .unwrap();
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    let answer: serde_json::Value = serde_json::from_slice(&started.stdout).unwrap();
    let first = answer["session_id"].as_str().unwrap().to_owned();
    let ended = Command::new(env!("CARGO_BIN_EXE_pooladmin"))
        .args(["session", "end", "--api", &api, "--key-file"])
        .arg(&key_file)
        .arg(&first)
        .output()
        .unwrap();
    assert!(
        ended.status.success(),
        "{}",
        String::from_utf8_lossy(&ended.stderr)
    );

    let client = reqwest::Client::new();
    let mut answered = std::collections::HashSet::new();
    let mut kills = 0;
    for round in 0..3 {
        let mut tasks = tokio::task::JoinSet::new();
        for user in 0..150 {
            let client = client.clone();
            let url = format!("{api}/v1/pools/Desktops/sessions");
            let key = key.expose().to_owned();
            tasks.spawn(async move {
                let answer = client
                    .post(url)
                    .bearer_auth(key)
                    .json(&serde_json::json!({"user": format!("u{round}-{user}")}))
                    .send()
                    .await
                    .ok()?;
                if answer.status() != reqwest::StatusCode::CREATED {
                    return None;
                }
                let body: serde_json::Value = answer.json().await.ok()?;
                Some(body["session_id"].as_str()?.to_owned())
            });
        }
        tokio::time::sleep(Duration::from_millis(30 + 40 * round)).await;
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
        while let Some(done) = tasks.join_next().await {
            if let Some(id) = done.unwrap() {
                assert!(answered.insert(id), "one id answered twice");
            }
        }
        child = headless(&db, port);
        wait_healthy(port).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let store = Store::open(&db).unwrap();
    let stored: std::collections::HashSet<String> = store
        .sessions()
        .unwrap()
        .into_iter()
        .map(|s| s.session.id.0.to_string())
        .collect();
    assert!(
        !answered.is_empty(),
        "some requests were answered before the kills"
    );
    for id in &answered {
        assert!(
            stored.contains(id),
            "session {id} was answered 201 and is gone after {kills} kills"
        );
    }
    println!(
        "{kills} kills: {} sessions answered 201, {} stored",
        answered.len(),
        stored.len()
    );
    let count: u32 = store.servers().unwrap().iter().map(|s| s.sessions).sum();
    assert_eq!(
        count as usize,
        stored.len(),
        "the session counts match the sessions"
    );
}

//! The HTTP API through real HTTP on 127.0.0.1: portal keys, sessions placed evenly and
//! durably, every bad input answered with its status and nothing written, check-ins and
//! heartbeats, missing hosts, rate limits, TLS, and the OpenAPI document.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::api::host_report;
use common::api::{loopback_settings, portal_key, serve_api};
use common::{add_agent, add_server, temp_store};
use pooladmin::model::{PoolKind, Resources, SessionHost};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_spread_evenly_and_end_idempotently() {
    let (_dir, mut store) = temp_store();
    let pool = store
        .add_pool("Browser Isolation", PoolKind::DockerAgent)
        .unwrap();
    for name in ["agent-01", "agent-02", "agent-03"] {
        add_agent(&mut store, name, Some(pool), 8);
    }
    let key = portal_key(&mut store, "portal");
    let api = serve_api(&store, &loopback_settings()).await;
    let mut hosts = Vec::new();
    let mut ids = Vec::new();
    for user in 0..6 {
        let answer = api
            .request(
                Method::POST,
                "/v1/pools/Browser%20Isolation/sessions",
                key.expose(),
            )
            .json(&json!({"user": format!("user{user}"), "cores": 2, "memory_mb": 2048, "gpus": 0}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::CREATED);
        let body: Value = answer.json().await.unwrap();
        hosts.push(body["host"].as_str().unwrap().to_owned());
        ids.push(body["session_id"].as_str().unwrap().to_owned());
        assert_eq!(body["port"], 443);
        assert_eq!(body["pool"], "Browser Isolation");
    }
    for name in ["agent-01", "agent-02", "agent-03"] {
        assert_eq!(hosts.iter().filter(|h| *h == name).count(), 2, "{hosts:?}");
    }
    assert_eq!(store.sessions().unwrap().len(), 6);
    assert!(api.wakes() >= 6, "every start wakes the scaler");
    for _ in 0..2 {
        let ended = api
            .request(
                Method::DELETE,
                &format!("/v1/sessions/{}", ids[0]),
                key.expose(),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    }
    assert_eq!(store.sessions().unwrap().len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_its_status_and_writes_nothing() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
    add_agent(&mut store, "agent-01", Some(pool), 4);
    let key = portal_key(&mut store, "portal");
    let api = serve_api(&store, &loopback_settings()).await;
    let start = |bearer: &str, body: reqwest::Body| {
        api.request(Method::POST, "/v1/pools/Agents/sessions", bearer)
            .header("content-type", "application/json")
            .body(body)
    };

    let no_key = api
        .http
        .post(format!("{}/v1/pools/Agents/sessions", api.url()))
        .json(&json!({"user": "a", "cores": 1, "memory_mb": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_key.status(), StatusCode::UNAUTHORIZED);
    let wrong = start(
        "pa_k_not-a-key",
        r#"{"user":"a","cores":1,"memory_mb":1}"#.into(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let wrong_body: Value = wrong.json().await.unwrap();
    assert_eq!(
        wrong_body["error"],
        "missing, unknown or revoked key or token"
    );

    let malformed = start(key.expose(), "{not json".into())
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let wrong_type = start(
        key.expose(),
        r#"{"user":"a","cores":"two","memory_mb":1}"#.into(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(wrong_type.status(), StatusCode::BAD_REQUEST);
    let body: Value = wrong_type.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "cores", "{body}");
    // What a Docker Agent pool needs is a matter of the pool, not of the request's form.
    let no_cores = start(key.expose(), r#"{"user":"a"}"#.into())
        .send()
        .await
        .unwrap();
    assert_eq!(no_cores.status(), StatusCode::CONFLICT);
    let body: Value = no_cores.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("needs cores and memory_mb"),
        "{body}"
    );
    let bad_values = start(
        key.expose(),
        r#"{"user":" ","cores":0,"memory_mb":0.5}"#.into(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(bad_values.status(), StatusCode::BAD_REQUEST);
    let body: Value = bad_values.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "memory_mb", "{body}");
    let zero_cores = start(
        key.expose(),
        r#"{"user":" ","cores":0,"memory_mb":1}"#.into(),
    )
    .send()
    .await
    .unwrap();
    let body: Value = zero_cores.json().await.unwrap();
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["user", "cores"], "{body}");
    let unknown_key = start(
        key.expose(),
        r#"{"user":"a","cores":1,"memory_mb":1,"colour":"red"}"#.into(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(unknown_key.status(), StatusCode::BAD_REQUEST);

    let huge = format!(
        r#"{{"user":"{}","cores":1,"memory_mb":1}}"#,
        "x".repeat(70 * 1024)
    );
    let too_big = start(key.expose(), huge.into()).send().await.unwrap();
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let no_pool = api
        .post(
            "/v1/pools/Nowhere/sessions",
            key.expose(),
            &json!({"user": "a"}),
        )
        .await;
    assert_eq!(no_pool.status(), StatusCode::NOT_FOUND);
    let no_route = api
        .request(Method::GET, "/v2/anything", key.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(no_route.status(), StatusCode::NOT_FOUND);
    let bad_id = api
        .request(Method::DELETE, "/v1/sessions/abc", key.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(bad_id.status(), StatusCode::NOT_FOUND);
    let checkin_with_key = api
        .post(
            "/v1/checkin",
            key.expose(),
            &json!({"hostname": "h", "address": "10.0.0.1", "cores": 1, "memory_mb": 1}),
        )
        .await;
    assert_eq!(
        checkin_with_key.status(),
        StatusCode::UNAUTHORIZED,
        "a portal key is no agent token"
    );

    assert!(
        store.sessions().unwrap().is_empty(),
        "no bad request wrote a session"
    );

    // Nothing has room: 503 with the placement's reason and Retry-After, the scaler woken.
    let before = api.wakes();
    let full = start(
        key.expose(),
        r#"{"user":"a","cores":64,"memory_mb":1}"#.into(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(full.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(full.headers().contains_key("retry-after"));
    let body: Value = full.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("no capacity in pool Agents"),
        "{body}"
    );
    assert_eq!(api.wakes(), before + 1);
    assert!(store.sessions().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_key_is_refused_on_the_next_request_and_keys_are_rate_limited() {
    let (_dir, mut store) = temp_store();
    let key = portal_key(&mut store, "portal");
    let mut settings = loopback_settings();
    settings.rate_limit = 3;
    let api = serve_api(&store, &settings).await;
    for _ in 0..3 {
        let ok = api
            .request(Method::GET, "/v1/pools", key.expose())
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
    }
    let limited = api
        .request(Method::GET, "/v1/pools", key.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
    let listed = store.api_keys().unwrap();
    assert!(listed[0].last_used.is_some(), "the key's use is noted");

    let other = portal_key(&mut store, "other");
    let ok = api
        .request(Method::GET, "/v1/pools", other.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    store.revoke_api_key("other").unwrap();
    let refused = api
        .request(Method::GET, "/v1/pools", other.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_in_and_heartbeats_report_a_static_agent_and_a_silent_one_goes_missing() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
    let agent = add_agent(&mut store, "agent-01", Some(pool), 2);
    let token = store
        .issue_agent_token(SessionHost::Agent(agent), jiff::Timestamp::now())
        .unwrap();
    let key = portal_key(&mut store, "portal");
    let api = serve_api(&store, &loopback_settings()).await;

    let checked_in = api.post("/v1/checkin", token.expose(), &json!({"hostname": "agent-01", "address": "10.0.0.7", "cores": 8, "memory_mb": 16384, "gpus": 1, "version": "test"})).await;
    assert_eq!(checked_in.status(), StatusCode::OK);
    let body: Value = checked_in.json().await.unwrap();
    assert_eq!(body["name"], "agent-01");
    assert_eq!(body["heartbeat_interval_s"], 10);
    let row = &store.agents().unwrap()[0];
    assert_eq!(row.agent.spec.reported, Resources::new(8.0, 16384, 1));
    assert!(row.agent.last_report.is_some());

    // A bad report names its field and changes nothing.
    let bad = api.post("/v1/checkin", token.expose(), &json!({"hostname": "agent-01", "address": "10.0.0.7", "cores": -3, "memory_mb": 16384})).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "cores");
    assert_eq!(store.agents().unwrap()[0].agent.spec.reported.cores, 8.0);

    // Sessions it reports stay; a fresh one it does not report yet stays too (grace).
    let started = api
        .post(
            "/v1/pools/Agents/sessions",
            key.expose(),
            &json!({"user": "alice", "cores": 1, "memory_mb": 512}),
        )
        .await;
    assert_eq!(started.status(), StatusCode::CREATED);
    let beat = api
        .post(
            "/v1/heartbeat",
            token.expose(),
            &json!({"sessions": [], "load": 0.5}),
        )
        .await;
    assert_eq!(beat.status(), StatusCode::OK);
    assert_eq!(
        store.sessions().unwrap().len(),
        1,
        "a session younger than the grace stays"
    );
    // An id the API never gave out names no session: it ends nothing by being listed, and a
    // malformed field is still refused.
    let unknown_id = api
        .post(
            "/v1/heartbeat",
            token.expose(),
            &json!({"sessions": ["seven"]}),
        )
        .await;
    assert_eq!(unknown_id.status(), StatusCode::OK);
    let bad_beat = api
        .post("/v1/heartbeat", token.expose(), &json!({"load": -1}))
        .await;
    assert_eq!(bad_beat.status(), StatusCode::BAD_REQUEST);

    // Silent past the Host Missing Expiration: no new session goes there.
    let long_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(900);
    let owner = store.token_owner(token.expose()).unwrap().unwrap();
    let report = host_report("agent-01", "10.0.0.7", Resources::new(8.0, 16384, 1));
    store.check_in(owner, &report, long_ago).unwrap();
    let refused = api
        .post(
            "/v1/pools/Agents/sessions",
            key.expose(),
            &json!({"user": "bob", "cores": 1, "memory_mb": 512}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("missing"),
        "{body}"
    );
    let pools: Value = api
        .request(Method::GET, "/v1/pools/Agents", key.expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pools["members"]["missing"], 1, "{pools}");

    // A new token replaces the old one, which stops working.
    let fresh = store
        .issue_agent_token(SessionHost::Agent(agent), jiff::Timestamp::now())
        .unwrap();
    let old = api.post("/v1/heartbeat", token.expose(), &json!({})).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = api.post("/v1/heartbeat", fresh.expose(), &json!({})).await;
    assert_eq!(new.status(), StatusCode::OK);
    // The token dies with its member.
    store
        .end_session(store.sessions().unwrap()[0].session.id)
        .unwrap();
    store.unassign_agent(agent).unwrap();
    store.delete_agent(agent).unwrap();
    assert!(store.token_owner(fresh.expose()).unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_end_sessions_the_host_no_longer_runs() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
    let agent = add_agent(&mut store, "agent-01", Some(pool), 8);
    let token = store
        .issue_agent_token(SessionHost::Agent(agent), jiff::Timestamp::now())
        .unwrap();
    let request = pooladmin::model::SessionRequest {
        pool,
        user_label: "alice".into(),
        resources: Resources::new(1.0, 512, 0),
        staged: false,
    };
    let kept = store.start_session(&request).unwrap().id;
    let gone = store.start_session(&request).unwrap().id;
    let owner = store.token_owner(token.expose()).unwrap().unwrap();
    let beat = pooladmin::model::host_report::Heartbeat {
        sessions: Some(vec![kept]),
        load: None,
    };
    // With no grace, the session the host did not list ends at once.
    let receipt = store
        .heartbeat(
            owner,
            &beat,
            0,
            jiff::Timestamp::now() + jiff::SignedDuration::from_secs(1),
        )
        .unwrap();
    assert_eq!(receipt.ended, vec![gone]);
    let left: Vec<_> = store
        .sessions()
        .unwrap()
        .into_iter()
        .map(|s| s.session.id)
        .collect();
    assert_eq!(left, vec![kept]);
    // Without a list, nothing is checked.
    let quiet = pooladmin::model::host_report::Heartbeat {
        sessions: None,
        load: Some(1.0),
    };
    store
        .heartbeat(
            owner,
            &quiet,
            0,
            jiff::Timestamp::now() + jiff::SignedDuration::from_secs(1),
        )
        .unwrap();
    assert_eq!(store.sessions().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_placements_never_exceed_the_slots() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Desktops", PoolKind::Server).unwrap();
    for i in 0..3 {
        add_server(&mut store, &format!("vdi-{i}"), Some(pool), 100);
    }
    let key = portal_key(&mut store, "portal");
    let mut settings = loopback_settings();
    settings.rate_limit = 100_000;
    let api = std::sync::Arc::new(serve_api(&store, &settings).await);
    let mut tasks = tokio::task::JoinSet::new();
    for user in 0..1000 {
        let api = std::sync::Arc::clone(&api);
        let key = key.expose().to_owned();
        tasks.spawn(async move {
            let answer = api
                .request(Method::POST, "/v1/pools/Desktops/sessions", &key)
                .json(&json!({"user": format!("user{user}")}))
                .send()
                .await
                .expect("answered");
            let status = answer.status();
            let body: Value = answer.json().await.expect("a JSON body");
            (status, body)
        });
    }
    let mut placed = std::collections::HashSet::new();
    let mut refused = 0;
    while let Some(done) = tasks.join_next().await {
        let (status, body) = done.unwrap();
        match status {
            StatusCode::CREATED => {
                assert!(
                    placed.insert(body["session_id"].as_str().unwrap().to_owned()),
                    "a twin id"
                );
            }
            StatusCode::SERVICE_UNAVAILABLE => refused += 1,
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(placed.len(), 300);
    assert_eq!(refused, 700);
    let rows = store.servers().unwrap();
    assert!(
        rows.iter().all(|r| r.sessions == 100),
        "{:?}",
        rows.iter().map(|r| r.sessions).collect::<Vec<_>>()
    );
    assert_eq!(store.sessions().unwrap().len(), 300);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_and_health_answer() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
    add_agent(&mut store, "agent-01", Some(pool), 8);
    let api = serve_api(&store, &loopback_settings()).await;
    let health: Value = api
        .http
        .get(format!("{}/healthz", api.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(
        health["scaler_running"], false,
        "no scaler runs beside this API"
    );
    let text = api
        .http
        .get(format!("{}/metrics", api.url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("pooladmin_sessions{pool=\"Agents\"} 0"),
        "{text}"
    );
    assert!(
        text.contains("pooladmin_api_requests_total{route=\"/healthz\",status=\"200\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("pooladmin_instances{state=\"running\"} 0"),
        "{text}"
    );
}

#[test]
fn the_shipped_openapi_document_matches_the_code() {
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/api-openapi.json"
    ))
    .expect("assets/api-openapi.json");
    let generated = pooladmin::api::openapi_json();
    assert!(
        shipped == generated,
        "assets/api-openapi.json is stale: run `cargo run -- api-schema > assets/api-openapi.json`"
    );
    let doc: Value = serde_json::from_str(&generated).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    // The patterns the server checks with are the ones the document publishes.
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["CheckinRequest"]["properties"]["address"]["pattern"],
        pooladmin::model::api_text::HOST_PATTERN
    );
    assert_eq!(
        schemas["SessionStartRequest"]["properties"]["user"]["pattern"],
        pooladmin::model::api_text::USER_PATTERN
    );
    for path in [
        "/v1/checkin",
        "/v1/heartbeat",
        "/v1/pools/{pool}/sessions",
        "/v1/sessions/{id}",
        "/v1/pools",
        "/metrics",
        "/healthz",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} is not in the document"
        );
    }
}

#[test]
fn the_startup_script_examples_use_the_checkin_placeholders_and_nothing_unknown() {
    for file in ["linux-agent.sh", "windows-server.ps1"] {
        let path = format!("{}/assets/agent-setup/{file}", env!("CARGO_MANIFEST_DIR"));
        let script = std::fs::read_to_string(&path).expect("example script");
        assert!(
            pooladmin::model::startup_script::unknown_placeholders(&script).is_empty(),
            "{file}: {:?}",
            pooladmin::model::startup_script::unknown_placeholders(&script)
        );
        let rendered = pooladmin::model::startup_script::render(
            &script,
            &[
                ("checkin_url", "https://pa.example.com:8443/v1/checkin"),
                ("checkin_token", "pa_a_TOKEN"),
            ],
        );
        assert!(
            rendered.contains("--url https://pa.example.com:8443/v1/checkin"),
            "{file}"
        );
        assert!(rendered.contains("pa_a_TOKEN"), "{file}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_without_sessions_are_written_within_a_second() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
    let agent = add_agent(&mut store, "agent-01", Some(pool), 2);
    let token = store
        .issue_agent_token(SessionHost::Agent(agent), jiff::Timestamp::now())
        .unwrap();
    let api = serve_api(&store, &loopback_settings()).await;
    let before = jiff::Timestamp::now();
    let beat = api
        .post("/v1/heartbeat", token.expose(), &json!({"load": 1.5}))
        .await;
    assert_eq!(beat.status(), StatusCode::OK);
    let body: Value = beat.json().await.unwrap();
    assert_eq!(body["name"], "agent-01");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        let last = store.agents().unwrap()[0].agent.last_report;
        if last.is_some_and(|t| t >= before - jiff::SignedDuration::from_secs(1)) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the heartbeat was not written"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Stopping the API writes what it answered.
    let beat = api.post("/v1/heartbeat", token.expose(), &json!({})).await;
    assert_eq!(beat.status(), StatusCode::OK);
    let written = store.agents().unwrap()[0].agent.last_report;
    api.running.stop().await;
    assert!(store.agents().unwrap()[0].agent.last_report >= written);
}

#[test]
fn a_silent_member_is_no_free_capacity_for_the_scaler() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
    let agent = add_agent(&mut store, "agent-01", Some(pool), 8);
    let now = jiff::Timestamp::now();
    assert!(
        store.scaling_members(now).unwrap()[0].enabled,
        "never reported: not judged"
    );
    let token = store
        .issue_agent_token(SessionHost::Agent(agent), now)
        .unwrap();
    let owner = store.token_owner(token.expose()).unwrap().unwrap();
    let report = host_report("agent-01", "10.0.0.7", Resources::new(8.0, 16384, 0));
    store
        .check_in(owner, &report, now - jiff::SignedDuration::from_secs(601))
        .unwrap();
    assert!(
        !store.scaling_members(now).unwrap()[0].enabled,
        "missing: its room is not free"
    );
    store.check_in(owner, &report, now).unwrap();
    assert!(store.scaling_members(now).unwrap()[0].enabled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_body_makes_the_server_fail() {
    use rand::{Rng, SeedableRng};
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
    let agent = add_agent(&mut store, "agent-01", Some(pool), 8);
    let token = store
        .issue_agent_token(SessionHost::Agent(agent), jiff::Timestamp::now())
        .unwrap();
    let key = portal_key(&mut store, "portal");
    let mut settings = loopback_settings();
    settings.rate_limit = 100_000;
    let api = serve_api(&store, &settings).await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(12);
    let shapes = [
        r#"{"hostname":"a","address":"10.0.0.1","cores":1,"memory_mb":1}"#,
        r#"{"sessions":["1","2"],"load":0.1}"#,
        r#"{"user":"alice","cores":1,"memory_mb":512,"gpus":0}"#,
    ];
    for round in 0..300 {
        let body: Vec<u8> = match round % 3 {
            // Random bytes.
            0 => (0..rng.random_range(0..200))
                .map(|_| rng.random())
                .collect(),
            // A valid shape with bytes flipped.
            1 => {
                let mut b = shapes[rng.random_range(0..shapes.len())]
                    .as_bytes()
                    .to_vec();
                for _ in 0..rng.random_range(1..4) {
                    let i = rng.random_range(0..b.len());
                    b[i] = rng.random();
                }
                b
            }
            // A valid shape with extreme numbers.
            _ => shapes[rng.random_range(0..shapes.len())]
                .replace(":1,", ":1e308,")
                .replace(":512", ":-99999999999999999999")
                .into_bytes(),
        };
        for (path, bearer) in [
            ("/v1/checkin", token.expose()),
            ("/v1/heartbeat", token.expose()),
            ("/v1/pools/Agents/sessions", key.expose()),
        ] {
            let answer = api
                .request(Method::POST, path, bearer)
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
                .expect("answered");
            assert!(
                !answer.status().is_server_error(),
                "{path} answered {} to {:?}",
                answer.status(),
                String::from_utf8_lossy(&body)
            );
        }
    }
    let health = api
        .http
        .get(format!("{}/healthz", api.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

// The tests above that need no file of their own run again on PostgreSQL.
crate::also_on_postgres!(
    sessions_spread_evenly_and_end_idempotently,
    bad_input_gets_its_status_and_writes_nothing,
    a_revoked_key_is_refused_on_the_next_request_and_keys_are_rate_limited,
    check_in_and_heartbeats_report_a_static_agent_and_a_silent_one_goes_missing,
    heartbeats_end_sessions_the_host_no_longer_runs,
    a_thousand_concurrent_placements_never_exceed_the_slots,
    metrics_and_health_answer,
    heartbeats_without_sessions_are_written_within_a_second,
    a_silent_member_is_no_free_capacity_for_the_scaler,
    no_body_makes_the_server_fail,
);

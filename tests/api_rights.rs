//! Portal keys with less power and addresses that keep failing (issue 25), through real HTTP:
//! a read-only key lists but starts and ends nothing, a key limited to a pool sees and uses
//! only it, and an address that keeps presenting wrong keys gets 429 while a good key from it
//! is still served.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

mod common;

use common::api::{loopback_settings, serve_api};
use common::{add_agent, temp_store};
use pooladmin::api::auth_failures::FAILURE_BUDGET;
use pooladmin::model::PoolKind;
use pooladmin::store::KeyRights;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_and_pool_limited_keys_do_only_what_they_may() {
    let (_dir, mut store) = temp_store();
    let browsers = store.add_pool("Browsers", PoolKind::DockerAgent).unwrap();
    let gpus = store.add_pool("GPUs", PoolKind::DockerAgent).unwrap();
    add_agent(&mut store, "agent-b", Some(browsers), 8);
    add_agent(&mut store, "agent-g", Some(gpus), 8);
    let now = jiff::Timestamp::now();
    let full = store
        .create_api_key("full", &KeyRights::default(), now)
        .unwrap();
    let reader = store
        .create_api_key(
            "reader",
            &KeyRights {
                read_only: true,
                pools: Vec::new(),
            },
            now,
        )
        .unwrap();
    let browsers_only = store
        .create_api_key(
            "browsers-only",
            &KeyRights {
                read_only: false,
                pools: vec!["Browsers".to_owned()],
            },
            now,
        )
        .unwrap();
    // A pool that does not exist is named, and nothing is made.
    let refused = store
        .create_api_key(
            "typo",
            &KeyRights {
                read_only: false,
                pools: vec!["Browsrs".to_owned()],
            },
            now,
        )
        .unwrap_err();
    assert!(
        refused.to_string().contains("no pool named Browsrs"),
        "{refused}"
    );
    let api = serve_api(&store, &loopback_settings()).await;
    let session = json!({"user": "alice", "cores": 1, "memory_mb": 512});
    let start = |key: &str, pool: &str| {
        api.request(Method::POST, &format!("/v1/pools/{pool}/sessions"), key)
            .json(&session)
            .send()
    };

    // Read-only: lists every pool, starts nothing, ends nothing.
    let listed: Value = api
        .request(Method::GET, "/v1/pools", reader.expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["pools"].as_array().unwrap().len(), 2);
    let denied = start(reader.expose(), "Browsers").await.unwrap();
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    assert!(store.sessions().unwrap().is_empty());
    let gpu_session: Value = start(full.expose(), "GPUs")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let gpu_id = gpu_session["session_id"].as_str().unwrap().to_owned();
    let end = |key: &str, id: &str| {
        api.request(Method::DELETE, &format!("/v1/sessions/{id}"), key)
            .send()
    };
    assert_eq!(
        end(reader.expose(), &gpu_id).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    // Limited to Browsers: sees only it, starts only there, ends only its sessions.
    let listed: Value = api
        .request(Method::GET, "/v1/pools", browsers_only.expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = listed["pools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Browsers"]);
    let other = api
        .request(Method::GET, "/v1/pools/GPUs", browsers_only.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        start(browsers_only.expose(), "GPUs")
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        end(browsers_only.expose(), &gpu_id).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(store.sessions().unwrap().len(), 1, "the GPU session stays");
    let own = start(browsers_only.expose(), "Browsers").await.unwrap();
    assert_eq!(own.status(), StatusCode::CREATED);
    let own: Value = own.json().await.unwrap();
    assert_eq!(
        end(browsers_only.expose(), own["session_id"].as_str().unwrap())
            .await
            .unwrap()
            .status(),
        StatusCode::NO_CONTENT
    );
    // The list says what each key may do.
    let rights: Vec<String> = store
        .api_keys()
        .unwrap()
        .iter()
        .map(|k| format!("{}: {}", k.name, k.rights.describe()))
        .collect();
    assert_eq!(
        rights,
        [
            "browsers-only: full, pools: Browsers",
            "full: full, every pool",
            "reader: read-only, every pool"
        ]
    );
    // Its only pool deleted, a limited key may use no pool (not every pool).
    let empty = store.add_pool("Empty", PoolKind::Server).unwrap();
    let empty_only = store
        .create_api_key(
            "empty-only",
            &KeyRights {
                read_only: false,
                pools: vec!["Empty".to_owned()],
            },
            jiff::Timestamp::now(),
        )
        .unwrap();
    store.delete_pool(empty).unwrap();
    let listed: Value = api
        .request(Method::GET, "/v1/pools", empty_only.expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed["pools"].as_array().unwrap().is_empty(), "{listed}");
    assert_eq!(
        start(empty_only.expose(), "Browsers")
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_that_keeps_failing_is_slowed_and_a_good_key_is_not() {
    let (_dir, mut store) = temp_store();
    store.add_pool("Browsers", PoolKind::DockerAgent).unwrap();
    let good = store
        .create_api_key("good", &KeyRights::default(), jiff::Timestamp::now())
        .unwrap();
    let api = serve_api(&store, &loopback_settings()).await;
    let list = |key: String| api.request(Method::GET, "/v1/pools", &key).send();
    for n in 0..FAILURE_BUDGET {
        let wrong = list(format!("pa_k_wrong{n}")).await.unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "failure {n}");
    }
    let slowed = list("pa_k_wrong-again".to_owned()).await.unwrap();
    assert_eq!(slowed.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = slowed.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    // The good key from the same address is served at once.
    let served = list(good.expose().to_owned()).await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    // No credential at all is a client not set up: 401, whatever the budget.
    let bare = api
        .http
        .get(format!("{}/v1/pools", api.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::UNAUTHORIZED);
}

// The tests above that need no file of their own run again on PostgreSQL.
crate::also_on_postgres!(
    read_only_and_pool_limited_keys_do_only_what_they_may,
    an_address_that_keeps_failing_is_slowed_and_a_good_key_is_not,
);

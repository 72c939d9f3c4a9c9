//! The HTTP API on a temporary database, on 127.0.0.1 with a port the system chose.
#![allow(dead_code)]

use pooladmin::api::{RunningApi, Wake, start_api};
use pooladmin::model::Secret;
use pooladmin::model::api_settings::ApiSettings;
use pooladmin::scaler::gauges::ScalerGauges;
use pooladmin::store::Store;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A running API and how often it woke the scaler.
pub struct Api {
    pub running: RunningApi,
    pub wakes: Arc<AtomicUsize>,
    pub http: reqwest::Client,
}

impl Api {
    /// `http://127.0.0.1:port`.
    pub fn url(&self) -> &str {
        &self.running.url
    }

    /// Wake-ups so far.
    pub fn wakes(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }

    /// `POST path` with `bearer` and the JSON `body`, answered.
    pub async fn post(
        &self,
        path: &str,
        bearer: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.request(reqwest::Method::POST, path, bearer)
            .json(body)
            .send()
            .await
            .expect("answered")
    }

    /// A request to `path` with `bearer`.
    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        bearer: &str,
    ) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.url()))
            .bearer_auth(bearer)
    }
}

/// Settings on 127.0.0.1:0 (any free port).
pub fn loopback_settings() -> ApiSettings {
    ApiSettings {
        enabled: true,
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ApiSettings::default()
    }
}

/// Serves the API on a sibling of `store` with `settings`.
pub async fn serve_api(store: &Store, settings: &ApiSettings) -> Api {
    serve_api_waking(store, settings, None).await
}

/// Serves the API; its wake-ups also call `wake` when given.
pub async fn serve_api_waking(store: &Store, settings: &ApiSettings, wake: Option<Wake>) -> Api {
    let wakes = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&wakes);
    let running = start_api(
        store.sibling().expect("sibling"),
        settings,
        Arc::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            if let Some(wake) = &wake {
                wake();
            }
        }),
        Arc::new(ScalerGauges::default()),
    )
    .await
    .expect("API starts");
    Api {
        running,
        wakes,
        http: reqwest::Client::new(),
    }
}

/// A new portal key.
pub fn portal_key(store: &mut Store, name: &str) -> Secret {
    store
        .create_api_key(
            name,
            &pooladmin::store::KeyRights::default(),
            jiff::Timestamp::now(),
        )
        .expect("key")
}

/// What an agent on `hostname` at `address` with `resources` checks in with.
pub fn host_report(
    hostname: &str,
    address: &str,
    resources: pooladmin::model::Resources,
) -> pooladmin::model::host_report::HostReport {
    pooladmin::model::host_report::HostReport {
        hostname: hostname.into(),
        address: address.into(),
        resources,
        version: "test".into(),
    }
}

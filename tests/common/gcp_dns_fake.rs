//! A local stand-in for Cloud DNS v1 on 127.0.0.1 (gcplocal does not serve DNS): managed
//! zones, record sets, and `changes.create`, which applies deletions and additions
//! atomically and refuses a deletion that does not match the record set exactly, as Cloud
//! DNS does. It accepts only bearer tokens the token fake issued (`ya29.fake-…`).
#![allow(dead_code)]

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct World {
    /// zone name → DNS name.
    pub zones: BTreeMap<String, String>,
    /// (zone, fqdn) → record set.
    pub rrsets: BTreeMap<(String, String), Value>,
    pub changes: Vec<Value>,
}

pub struct FakeCloudDns {
    pub endpoint: String,
    pub world: Arc<Mutex<World>>,
}

impl FakeCloudDns {
    pub async fn start(zones: &[(&str, &str)]) -> Self {
        let world = Arc::new(Mutex::new(World {
            zones: zones
                .iter()
                .map(|(n, d)| ((*n).to_owned(), (*d).to_owned()))
                .collect(),
            ..World::default()
        }));
        let endpoint = super::serve::serve(axum::Router::new().fallback(handle), &world).await;
        Self { endpoint, world }
    }

    pub fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap()
    }
}

fn error(status: StatusCode, reason: &str, message: &str) -> Response {
    let body = json!({ "error": { "code": status.as_u16(), "message": message,
        "errors": [{ "reason": reason, "message": message }] } });
    (status, axum::Json(body)).into_response()
}

async fn handle(
    State(world): State<Arc<Mutex<World>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer ya29.fake-"));
    if !authorized {
        return error(StatusCode::UNAUTHORIZED, "authError", "Invalid Credentials");
    }
    let mut w = world.lock().unwrap();
    let parts: Vec<&str> = uri.path().trim_start_matches('/').split('/').collect();
    // dns/v1/projects/{p}/managedZones[/{zone}/(rrsets|changes)]
    match (&method, &parts[..]) {
        (&Method::GET, ["dns", "v1", "projects", _, "managedZones"]) => {
            let zones: Vec<Value> = w
                .zones
                .iter()
                .map(|(name, dns)| json!({ "name": name, "dnsName": dns }))
                .collect();
            axum::Json(json!({ "managedZones": zones })).into_response()
        }
        (&Method::GET, ["dns", "v1", "projects", _, "managedZones", zone, "rrsets"]) => {
            let query: BTreeMap<&str, &str> = uri
                .query()
                .unwrap_or("")
                .split('&')
                .filter_map(|p| p.split_once('='))
                .collect();
            let name = query.get("name").copied().unwrap_or("");
            let sets: Vec<Value> = w
                .rrsets
                .get(&((*zone).to_owned(), name.to_owned()))
                .cloned()
                .into_iter()
                .collect();
            axum::Json(json!({ "rrsets": sets })).into_response()
        }
        (&Method::POST, ["dns", "v1", "projects", _, "managedZones", zone, "changes"]) => {
            let change: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let zone = (*zone).to_owned();
            for deletion in change["deletions"].as_array().into_iter().flatten() {
                let key = (
                    zone.clone(),
                    deletion["name"].as_str().unwrap_or("").to_owned(),
                );
                if w.rrsets.get(&key) != Some(deletion) {
                    return error(
                        StatusCode::PRECONDITION_FAILED,
                        "conditionNotMet",
                        "the deletion does not match the record set",
                    );
                }
            }
            for deletion in change["deletions"].as_array().into_iter().flatten() {
                w.rrsets.remove(&(
                    zone.clone(),
                    deletion["name"].as_str().unwrap_or("").to_owned(),
                ));
            }
            for addition in change["additions"].as_array().into_iter().flatten() {
                let key = (
                    zone.clone(),
                    addition["name"].as_str().unwrap_or("").to_owned(),
                );
                if w.rrsets.contains_key(&key) {
                    return error(
                        StatusCode::CONFLICT,
                        "alreadyExists",
                        "the record set exists",
                    );
                }
                w.rrsets.insert(key, addition.clone());
            }
            w.changes.push(change.clone());
            axum::Json(json!({ "kind": "dns#change", "status": "done", "id": w.changes.len().to_string() })).into_response()
        }
        _ => error(StatusCode::NOT_FOUND, "notFound", uri.path()),
    }
}

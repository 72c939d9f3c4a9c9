//! A local stand-in for the Compute Engine lists gcplocal does not serve (zones, machine
//! types, accelerator types, images): a bearer token required, items served three to a
//! page with `nextPageToken`, as the API may return fewer than `maxResults`.
#![allow(dead_code)]

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Items per page.
pub const PAGE: usize = 3;

/// What it holds, by path ("/compute/v1/projects/p/zones"), and every path asked.
#[derive(Default)]
pub struct World {
    pub lists: BTreeMap<String, Vec<Value>>,
    pub calls: Vec<String>,
}

pub struct FakeGcpCatalog {
    pub endpoint: String,
    pub world: Arc<Mutex<World>>,
}

impl FakeGcpCatalog {
    pub async fn start(lists: BTreeMap<String, Vec<Value>>) -> Self {
        let world = Arc::new(Mutex::new(World {
            lists,
            calls: Vec::new(),
        }));
        let endpoint = super::serve::serve(axum::Router::new().fallback(handle), &world).await;
        Self { endpoint, world }
    }
}

async fn handle(State(world): State<Arc<Mutex<World>>>, uri: Uri, headers: HeaderMap) -> Response {
    let mut w = world.lock().unwrap();
    w.calls.push(uri.to_string());
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer ") && v.len() > 7);
    if !bearer {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({ "error": { "code": 401, "message": "Request is missing required authentication credential.", "status": "UNAUTHENTICATED" } })),
        )
            .into_response();
    }
    let Some(items) = w.lists.get(uri.path()) else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({ "error": { "code": 404, "message": format!("The resource '{}' was not found", uri.path()), "status": "NOT_FOUND" } })),
        )
            .into_response();
    };
    let start: usize = uri
        .query()
        .unwrap_or("")
        .split('&')
        .find_map(|p| p.strip_prefix("pageToken="))
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let page: Vec<Value> = items.iter().skip(start).take(PAGE).cloned().collect();
    let mut body = json!({ "kind": "compute#list", "items": page });
    if start + PAGE < items.len() {
        body["nextPageToken"] = json!((start + PAGE).to_string());
    }
    axum::Json(body).into_response()
}

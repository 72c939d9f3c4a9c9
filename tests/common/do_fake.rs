//! A local stand-in for DigitalOcean's API (v2) on 127.0.0.1: it checks the bearer token
//! and each request body against the API reference, keeps droplets, tags, SSH keys,
//! firewalls and domain records, and can answer 429 on demand.
#![allow(dead_code)]

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// What the fake holds and what it was asked.
#[derive(Default)]
pub struct World {
    pub token: String,
    pub droplets: BTreeMap<u64, Value>,
    pub next_id: u64,
    pub tags: BTreeSet<String>,
    pub ssh_keys: Vec<(u64, String)>,
    /// (id, name, droplet ids)
    pub firewalls: Vec<(String, String, Vec<u64>)>,
    /// domain → records
    pub domains: BTreeMap<String, Vec<Value>>,
    /// How many of the next calls are refused with 429.
    pub throttle_next: u32,
    /// Every call: method and path with query.
    pub calls: Vec<(String, String)>,
    /// Every droplet create body.
    pub droplet_bodies: Vec<Value>,
    /// What the account's catalogue lists hold, by collection ("regions", "sizes",
    /// "images", "vpcs"); images carry "type" distribution or snapshot.
    pub catalog: BTreeMap<&'static str, Vec<Value>>,
}

/// One page of `items` as DigitalOcean serves it: `per_page` (default 20, at most 200)
/// from `page`, with `links.pages.next` while more remain and `meta.total`.
fn paged(uri: &Uri, key: &str, items: &[Value]) -> Response {
    let per_page: usize = query(uri, "per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(20)
        .clamp(1, 200);
    let page: usize = query(uri, "page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let slice: Vec<Value> = items
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .cloned()
        .collect();
    let mut pages = serde_json::Map::new();
    if page * per_page < items.len() {
        pages.insert(
            "next".into(),
            json!(format!(
                "https://api.digitalocean.com{}?page={}&per_page={per_page}",
                uri.path(),
                page + 1
            )),
        );
    }
    let mut body = serde_json::Map::new();
    body.insert(key.to_owned(), Value::Array(slice));
    body.insert("links".into(), json!({ "pages": pages }));
    body.insert("meta".into(), json!({ "total": items.len() }));
    ok(StatusCode::OK, Value::Object(body))
}

/// The fake, running.
pub struct FakeDo {
    pub endpoint: String,
    pub world: Arc<Mutex<World>>,
}

impl FakeDo {
    /// Starts a fake that accepts `token`, with one SSH key, one firewall and one domain.
    pub async fn start(token: &str) -> Self {
        let world = Arc::new(Mutex::new(World {
            token: token.to_owned(),
            next_id: 3_000_000,
            ssh_keys: vec![(512_189, "admin".to_owned())],
            firewalls: vec![(
                "bb4b2611-3d72-467b-8602-280330ecd65c".into(),
                "agents".into(),
                vec![],
            )],
            domains: BTreeMap::from([("example.com".to_owned(), vec![])]),
            ..World::default()
        }));
        let endpoint = super::serve::serve(axum::Router::new().fallback(handle), &world).await;
        Self { endpoint, world }
    }

    pub fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap()
    }
}

fn error(status: StatusCode, id: &str, message: &str) -> Response {
    (status, axum::Json(json!({ "id": id, "message": message }))).into_response()
}

fn unprocessable(message: &str) -> Response {
    error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "unprocessable_entity",
        message,
    )
}

fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        "The resource you were accessing could not be found.",
    )
}

fn ok(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

fn query(uri: &Uri, key: &str) -> Option<String> {
    uri.query()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.to_owned())
}

fn valid_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 255
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-:.".contains(c))
}

async fn handle(
    State(world): State<Arc<Mutex<World>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut w = world.lock().unwrap();
    w.calls.push((method.to_string(), uri.to_string()));
    let expected = format!("Bearer {}", w.token);
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unable to authenticate you",
        );
    }
    if w.throttle_next > 0 {
        w.throttle_next -= 1;
        let reset = jiff::Timestamp::now().as_second() + 1;
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "API Rate limit exceeded.",
        );
        let h = response.headers_mut();
        h.insert("ratelimit-limit", "5000".parse().unwrap());
        h.insert("ratelimit-remaining", "0".parse().unwrap());
        h.insert("ratelimit-reset", reset.to_string().parse().unwrap());
        h.insert("retry-after", "1".parse().unwrap());
        return response;
    }
    let json: Value = if body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => return error(StatusCode::BAD_REQUEST, "bad_request", "unparseable JSON"),
        }
    };
    let segments: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["v2", "account"]) => ok(
            StatusCode::OK,
            json!({ "account": { "email": "admin@example.com", "status": "active" } }),
        ),
        ("GET", ["v2", "account", "keys"]) => {
            let keys: Vec<Value> = w.ssh_keys.iter().map(|(id, name)| json!({ "id": id, "name": name, "fingerprint": "3b:16:bf", "public_key": "ssh-ed25519 AAAA" })).collect();
            paged(&uri, "ssh_keys", &keys)
        }
        ("GET", ["v2", collection @ ("regions" | "sizes" | "vpcs")]) => {
            let items = w.catalog.get(*collection).cloned().unwrap_or_default();
            paged(&uri, collection, &items)
        }
        ("GET", ["v2", "images"]) => {
            let images = w.catalog.get("images").cloned().unwrap_or_default();
            let wanted: Vec<Value> = match (query(&uri, "type"), query(&uri, "private")) {
                (Some(kind), _) => images
                    .into_iter()
                    .filter(|i| i["type"] == kind.as_str())
                    .collect(),
                (None, Some(p)) if p == "true" => images
                    .into_iter()
                    .filter(|i| i["public"] == false)
                    .collect(),
                _ => images,
            };
            paged(&uri, "images", &wanted)
        }
        ("GET", ["v2", "tags"]) => {
            let tags: Vec<Value> = w
                .tags
                .iter()
                .map(|t| json!({ "name": t, "resources": { "count": 0 } }))
                .collect();
            paged(&uri, "tags", &tags)
        }
        ("GET", ["v2", "droplets"]) => {
            let tag = query(&uri, "tag_name");
            let per_page: usize = query(&uri, "per_page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(20);
            let page: usize = query(&uri, "page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(1);
            let matching: Vec<Value> = w
                .droplets
                .values()
                .filter(|d| {
                    tag.as_ref()
                        .is_none_or(|t| d["tags"].as_array().unwrap().iter().any(|x| x == t))
                })
                .cloned()
                .collect();
            let slice: Vec<Value> = matching
                .iter()
                .skip((page - 1) * per_page)
                .take(per_page)
                .cloned()
                .collect();
            ok(
                StatusCode::OK,
                json!({ "droplets": slice, "links": {}, "meta": { "total": matching.len() } }),
            )
        }
        ("POST", ["v2", "droplets"]) => {
            w.droplet_bodies.push(json.clone());
            for key in ["name", "region", "size", "image"] {
                if json[key].as_str().is_none_or(str::is_empty) {
                    return unprocessable(&format!("{key} is required"));
                }
            }
            let name = json["name"].as_str().unwrap().to_owned();
            if !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            {
                return unprocessable(
                    "Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)",
                );
            }
            let tags: Vec<String> = match &json["tags"] {
                Value::Null => vec![],
                Value::Array(a) if a.iter().all(Value::is_string) => {
                    a.iter().map(|t| t.as_str().unwrap().to_owned()).collect()
                }
                _ => return unprocessable("tags must be an array of strings"),
            };
            if let Some(bad) = tags.iter().find(|t| !valid_tag(t)) {
                return unprocessable(&format!("tag {bad} is not a valid tag name"));
            }
            if let Some(missing) = tags.iter().find(|t| !w.tags.contains(*t)) {
                return unprocessable(&format!("tag {missing} does not exist"));
            }
            if !matches!(json["user_data"], Value::Null | Value::String(_)) {
                return unprocessable("user_data must be a string");
            }
            if let Value::Array(keys) = &json["ssh_keys"]
                && !keys.iter().all(|k| {
                    k.as_u64()
                        .is_some_and(|id| w.ssh_keys.iter().any(|(i, _)| *i == id))
                })
            {
                return unprocessable("ssh_keys must be ids of this account's keys");
            }
            w.next_id += 1;
            let id = w.next_id;
            let droplet = json!({
                "id": id,
                "name": name,
                "status": "new",
                "created_at": jiff::Timestamp::now().to_string(),
                "region": { "slug": json["region"] },
                "size_slug": json["size"],
                "tags": tags,
                "networks": { "v4": [] },
            });
            w.droplets.insert(id, droplet.clone());
            ok(StatusCode::ACCEPTED, json!({ "droplet": droplet }))
        }
        ("GET", ["v2", "droplets", id]) => {
            let Some(droplet) = id.parse().ok().and_then(|id: u64| w.droplets.get_mut(&id)) else {
                return not_found();
            };
            // A droplet is active, with addresses, once it has been looked at after its create.
            if droplet["status"] == "new" {
                let n = droplet["id"].as_u64().unwrap() % 250;
                droplet["status"] = json!("active");
                droplet["networks"] = json!({ "v4": [
                    { "ip_address": format!("10.132.0.{n}"), "type": "private" },
                    { "ip_address": format!("203.0.113.{n}"), "type": "public" },
                ] });
            }
            ok(StatusCode::OK, json!({ "droplet": droplet.clone() }))
        }
        ("DELETE", ["v2", "droplets", id]) => {
            match id.parse().ok().and_then(|id: u64| w.droplets.remove(&id)) {
                Some(_) => StatusCode::NO_CONTENT.into_response(),
                None => not_found(),
            }
        }
        ("POST", ["v2", "tags"]) => {
            let Some(name) = json["name"]
                .as_str()
                .filter(|n| valid_tag(n))
                .map(str::to_owned)
            else {
                return unprocessable("name is not a valid tag name");
            };
            if !w.tags.insert(name.clone()) {
                return unprocessable("tag already exists");
            }
            ok(StatusCode::CREATED, json!({ "tag": { "name": name } }))
        }
        ("GET", ["v2", "firewalls"]) => {
            let firewalls: Vec<Value> = w.firewalls.iter().map(|(id, name, ids)| json!({ "id": id, "name": name, "status": "succeeded", "droplet_ids": ids })).collect();
            paged(&uri, "firewalls", &firewalls)
        }
        ("POST", ["v2", "firewalls", id, "droplets"]) => {
            let Some(ids) = json["droplet_ids"]
                .as_array()
                .filter(|a| a.iter().all(Value::is_u64))
            else {
                return unprocessable("droplet_ids must be an array of droplet ids");
            };
            let ids: Vec<u64> = ids.iter().filter_map(Value::as_u64).collect();
            let id = (*id).to_owned();
            match w.firewalls.iter_mut().find(|(f, _, _)| *f == id) {
                Some((_, _, droplets)) => {
                    droplets.extend(ids);
                    StatusCode::NO_CONTENT.into_response()
                }
                None => not_found(),
            }
        }
        ("GET", ["v2", "domains"]) => ok(
            StatusCode::OK,
            json!({ "domains": w.domains.keys().map(|d| json!({ "name": d, "ttl": 1800 })).collect::<Vec<_>>() }),
        ),
        ("GET", ["v2", "domains", domain, "records"]) => {
            let Some(records) = w.domains.get(*domain) else {
                return not_found();
            };
            let kind = query(&uri, "type");
            let fqdn = query(&uri, "name");
            let matching: Vec<Value> = records
                .iter()
                .filter(|r| kind.as_ref().is_none_or(|k| r["type"] == k.as_str()))
                .filter(|r| {
                    fqdn.as_ref()
                        .is_none_or(|n| format!("{}.{domain}", r["name"].as_str().unwrap()) == *n)
                })
                .cloned()
                .collect();
            ok(StatusCode::OK, json!({ "domain_records": matching }))
        }
        ("POST", ["v2", "domains", domain, "records"]) => {
            if json["type"] != "A"
                || !json["name"].is_string()
                || !json["data"].is_string()
                || !json["ttl"].is_u64()
            {
                return unprocessable("an A record needs type, name, data and ttl");
            }
            w.next_id += 1;
            let id = w.next_id;
            let Some(records) = w.domains.get_mut(*domain) else {
                return not_found();
            };
            let mut record = json.clone();
            record["id"] = json!(id);
            records.push(record.clone());
            ok(StatusCode::CREATED, json!({ "domain_record": record }))
        }
        ("PUT", ["v2", "domains", domain, "records", id]) => {
            let Some(records) = w.domains.get_mut(*domain) else {
                return not_found();
            };
            let id: u64 = id.parse().unwrap_or(0);
            match records.iter_mut().find(|r| r["id"] == id) {
                Some(record) => {
                    record["data"] = json["data"].clone();
                    ok(StatusCode::OK, json!({ "domain_record": record.clone() }))
                }
                None => not_found(),
            }
        }
        ("DELETE", ["v2", "domains", domain, "records", id]) => {
            let Some(records) = w.domains.get_mut(*domain) else {
                return not_found();
            };
            let id: u64 = id.parse().unwrap_or(0);
            let before = records.len();
            records.retain(|r| r["id"] != id);
            if records.len() < before {
                StatusCode::NO_CONTENT.into_response()
            } else {
                not_found()
            }
        }
        _ => not_found(),
    }
}

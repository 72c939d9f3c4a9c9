//! A local stand-in for Oracle Cloud's compute and DNS APIs on 127.0.0.1. Every request's
//! signature is verified with the API key's public half, as OCI does: the Authorization
//! header's keyId, algorithm and signed header list, the date (within 5 minutes), the body's
//! SHA-256 and length, and the RSA signature over the signing string rebuilt from the
//! request as received. Instances honour `opc-retry-token`, boot, list in pages and go with
//! their boot volume.
#![allow(dead_code)]

use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_2048_8192_SHA256, RsaKeyPair, UnparsedPublicKey};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

pub const TENANCY: &str = "ocid1.tenancy.oc1..aaaatenancy";
pub const USER: &str = "ocid1.user.oc1..aaaauser";
pub const FINGERPRINT: &str = "20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34";
pub const COMPARTMENT: &str = "ocid1.compartment.oc1..aaaacompartment";

/// The test API key (PKCS#1 PEM).
pub fn key_pem() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/oci_test_key.pem"
    ))
    .unwrap()
}

/// A listing's required query (key, value) and its items.
pub type Listing = (Vec<(String, String)>, Vec<Value>);

#[derive(Default)]
pub struct World {
    pub public_key: Vec<u8>,
    pub instances: BTreeMap<String, Value>,
    /// How many GETs each instance answers PROVISIONING before RUNNING.
    pub booting: BTreeMap<String, u32>,
    pub retry_tokens: BTreeMap<String, String>,
    pub boot_volumes: BTreeMap<String, String>,
    pub launch_bodies: Vec<Value>,
    pub records: BTreeMap<String, Value>,
    pub signatures_checked: u32,
    /// The next launch fails for lack of capacity.
    pub out_of_capacity: bool,
    /// Read-only listings by path: the query they require (key, value) and their items,
    /// served two a page with `opc-next-page` (availability domains: all at once).
    pub catalog: BTreeMap<String, Listing>,
    pub next: u64,
}

pub struct FakeOci {
    pub endpoint: String,
    pub world: Arc<Mutex<World>>,
}

impl FakeOci {
    pub async fn start() -> Self {
        let der = pem::parse(key_pem()).unwrap();
        let key = RsaKeyPair::from_der(der.contents()).unwrap();
        let world = Arc::new(Mutex::new(World {
            public_key: key.public_key().as_ref().to_vec(),
            next: 1,
            ..World::default()
        }));
        let endpoint = super::serve::serve(axum::Router::new().fallback(handle), &world).await;
        Self { endpoint, world }
    }

    pub fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap()
    }
}

fn oci_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "code": code, "message": message })),
    )
        .into_response()
}

fn unauthenticated(why: &str) -> Response {
    oci_error(
        StatusCode::UNAUTHORIZED,
        "NotAuthenticated",
        &format!(
            "The required information to complete authentication was not provided or was incorrect: {why}"
        ),
    )
}

/// Checks the request's signature the way OCI does; the reason when it fails.
fn verify(
    w: &World,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), String> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let authorization = header("authorization").ok_or("no Authorization header")?;
    let params: BTreeMap<String, String> = authorization
        .strip_prefix("Signature ")
        .ok_or("not a Signature")?
        .split("\",")
        .filter_map(|part| part.split_once("=\""))
        .map(|(k, v)| (k.to_owned(), v.trim_end_matches('"').to_owned()))
        .collect();
    let expect = |key: &str, value: &str| {
        (params.get(key).map(String::as_str) == Some(value))
            .then_some(())
            .ok_or(format!("{key} is {:?}, expected {value}", params.get(key)))
    };
    expect("version", "1")?;
    expect("algorithm", "rsa-sha256")?;
    expect("keyId", &format!("{TENANCY}/{USER}/{FINGERPRINT}"))?;
    let with_body = matches!(*method, Method::POST | Method::PUT);
    let signed = if with_body {
        "date (request-target) host content-length content-type x-content-sha256"
    } else {
        "date (request-target) host"
    };
    expect("headers", signed)?;
    let date = header("date").ok_or("no date")?;
    let when = jiff::fmt::rfc2822::parse(&date)
        .map_err(|e| format!("date {date}: {e}"))?
        .timestamp();
    if (jiff::Timestamp::now() - when).get_seconds().abs() > 300 {
        return Err("the date is more than 5 minutes off".into());
    }
    if with_body {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, body);
        if header("x-content-sha256") != Some(STANDARD.encode(digest)) {
            return Err("x-content-sha256 does not match the body".into());
        }
        if header("content-length") != Some(body.len().to_string()) {
            return Err("content-length does not match the body".into());
        }
    }
    let target = match uri.query() {
        Some(q) => format!("{} {}?{q}", method.as_str().to_lowercase(), uri.path()),
        None => format!("{} {}", method.as_str().to_lowercase(), uri.path()),
    };
    let signing: Vec<String> = signed
        .split(' ')
        .map(|name| match name {
            "(request-target)" => Ok(format!("(request-target): {target}")),
            other => header(other)
                .map(|v| format!("{other}: {v}"))
                .ok_or(format!("no {other} header")),
        })
        .collect::<Result<_, _>>()?;
    let signature = STANDARD
        .decode(params.get("signature").ok_or("no signature")?)
        .map_err(|e| e.to_string())?;
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &w.public_key)
        .verify(signing.join("\n").as_bytes(), &signature)
        .map_err(|_| "the signature does not verify".to_owned())
}

fn query(uri: &Uri) -> BTreeMap<String, String> {
    uri.query()
        .unwrap_or("")
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

async fn handle(
    State(world): State<Arc<Mutex<World>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut w = world.lock().unwrap();
    if let Err(why) = verify(&w, &method, &uri, &headers, &body) {
        return unauthenticated(&why);
    }
    w.signatures_checked += 1;
    let q = query(&uri);
    let path = uri.path().to_owned();
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if method == Method::GET
        && let Some((required, items)) = w.catalog.get(&path)
    {
        for (key, value) in required {
            if q.get(key) != Some(value) {
                return oci_error(StatusCode::BAD_REQUEST, "InvalidParameter", key);
            }
        }
        if path.ends_with("/availabilityDomains") {
            return axum::Json(items.clone()).into_response();
        }
        let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(0);
        let chunk: Vec<Value> = items.iter().skip(page * 2).take(2).cloned().collect();
        return if items.len() > (page + 1) * 2 {
            (
                [("opc-next-page", (page + 1).to_string())],
                axum::Json(chunk),
            )
                .into_response()
        } else {
            axum::Json(chunk).into_response()
        };
    }
    match (&method, path.as_str()) {
        (&Method::POST, "/20160918/instances") => {
            let token = headers
                .get("opc-retry-token")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            launch(&mut w, json, token)
        }
        (&Method::GET, "/20160918/instances") => list(&w, &q),
        (&Method::GET, "/20160918/vnicAttachments") => {
            let instance = q.get("instanceId").cloned().unwrap_or_default();
            axum::Json(
                json!([{ "vnicId": format!("vnic-{instance}"), "lifecycleState": "ATTACHED" }]),
            )
            .into_response()
        }
        (&Method::GET, p) if p.starts_with("/20160918/vnics/vnic-") => {
            let id = p.trim_start_matches("/20160918/vnics/vnic-");
            let n = w
                .instances
                .get(id)
                .and_then(|i| i["n"].as_u64())
                .unwrap_or(0);
            axum::Json(json!({ "privateIp": format!("10.0.1.{n}") })).into_response()
        }
        (&Method::GET, p) if p.starts_with("/20160918/instances/") => {
            let id = p.trim_start_matches("/20160918/instances/").to_owned();
            get_instance(&mut w, &id)
        }
        (&Method::DELETE, p) if p.starts_with("/20160918/instances/") => {
            let id = p.trim_start_matches("/20160918/instances/").to_owned();
            terminate(&mut w, &id, &q)
        }
        (&Method::GET, "/20180115/zones") => {
            axum::Json(json!([{ "name": "example.com" }, { "name": "agents.example.com" }]))
                .into_response()
        }
        (&Method::PUT, p) if p.starts_with("/20180115/zones/") => {
            let item = &json["items"][0];
            if item["rtype"] != "A"
                || item["ttl"].as_u64().is_none()
                || item["rdata"].as_str().is_none()
            {
                return oci_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidParameter",
                    "expected an A record with rdata and ttl",
                );
            }
            w.records.insert(p.to_owned(), item.clone());
            axum::Json(json!({ "items": [item] })).into_response()
        }
        (&Method::DELETE, p) if p.starts_with("/20180115/zones/") => match w.records.remove(p) {
            Some(_) => StatusCode::NO_CONTENT.into_response(),
            None => oci_error(
                StatusCode::NOT_FOUND,
                "NotAuthorizedOrNotFound",
                "record not found",
            ),
        },
        _ => oci_error(
            StatusCode::NOT_FOUND,
            "NotAuthorizedOrNotFound",
            &format!("{method} {path}"),
        ),
    }
}

fn launch(w: &mut World, body: Value, token: Option<String>) -> Response {
    if let Some(id) = token.as_ref().and_then(|t| w.retry_tokens.get(t)) {
        return axum::Json(w.instances[id].clone()).into_response();
    }
    if w.out_of_capacity {
        w.out_of_capacity = false;
        return oci_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "Out of host capacity.",
        );
    }
    for field in [
        "compartmentId",
        "availabilityDomain",
        "shape",
        "displayName",
    ] {
        if body[field].as_str().is_none_or(str::is_empty) {
            return oci_error(
                StatusCode::BAD_REQUEST,
                "InvalidParameter",
                &format!("{field} is required"),
            );
        }
    }
    if body.pointer("/sourceDetails/imageId").is_none()
        || body.pointer("/createVnicDetails/subnetId").is_none()
    {
        return oci_error(
            StatusCode::BAD_REQUEST,
            "InvalidParameter",
            "sourceDetails and createVnicDetails are required",
        );
    }
    w.launch_bodies.push(body.clone());
    let n = w.next;
    w.next += 1;
    let id = format!("ocid1.instance.oc1.iad.fake{n}");
    let mut instance = body;
    instance["id"] = json!(id);
    instance["n"] = json!(n);
    instance["lifecycleState"] = json!("PROVISIONING");
    instance["timeCreated"] = json!(jiff::Timestamp::now().to_string());
    w.instances.insert(id.clone(), instance.clone());
    w.booting.insert(id.clone(), 1);
    w.boot_volumes.insert(id.clone(), format!("bootvolume-{n}"));
    if let Some(token) = token {
        w.retry_tokens.insert(token, id);
    }
    axum::Json(instance).into_response()
}

fn list(w: &World, q: &BTreeMap<String, String>) -> Response {
    if q.get("compartmentId").map(String::as_str) != Some(COMPARTMENT) {
        return oci_error(StatusCode::BAD_REQUEST, "InvalidParameter", "compartmentId");
    }
    // Two per page, so the client must follow opc-next-page.
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(0);
    let all: Vec<&Value> = w.instances.values().collect();
    let chunk: Vec<Value> = all
        .iter()
        .skip(page * 2)
        .take(2)
        .map(|v| (*v).clone())
        .collect();
    if all.len() > (page + 1) * 2 {
        (
            [("opc-next-page", (page + 1).to_string())],
            axum::Json(chunk),
        )
            .into_response()
    } else {
        axum::Json(chunk).into_response()
    }
}

fn get_instance(w: &mut World, id: &str) -> Response {
    let Some(instance) = w.instances.get_mut(id) else {
        return oci_error(
            StatusCode::NOT_FOUND,
            "NotAuthorizedOrNotFound",
            "Authorization failed or requested resource not found.",
        );
    };
    if let Some(left) = w.booting.get_mut(id) {
        if *left == 0 {
            instance["lifecycleState"] = json!("RUNNING");
            w.booting.remove(id);
        } else {
            *left -= 1;
        }
    }
    axum::Json(instance.clone()).into_response()
}

fn terminate(w: &mut World, id: &str, q: &BTreeMap<String, String>) -> Response {
    let Some(instance) = w.instances.get_mut(id) else {
        return oci_error(
            StatusCode::NOT_FOUND,
            "NotAuthorizedOrNotFound",
            "Authorization failed or requested resource not found.",
        );
    };
    instance["lifecycleState"] = json!("TERMINATED");
    if q.get("preserveBootVolume").map(String::as_str) == Some("false") {
        w.boot_volumes.remove(id);
    }
    StatusCode::NO_CONTENT.into_response()
}

//! A local stand-in for Azure on 127.0.0.1: the authority's token endpoint (it checks the
//! client-credentials form) and Resource Manager (it checks the bearer token, the
//! `api-version` of each resource type and each body; PUTs and DELETEs run as long-running
//! operations, answered through `Azure-AsyncOperation` and `Location`; a NIC, disk or public
//! IP still held by another resource refuses to go, as Azure's do).
#![allow(dead_code)]

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const CLIENT_ID: &str = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
pub const CLIENT_SECRET: &str = "fake-client-secret";
pub const SUBSCRIPTION: &str = "11111111-2222-3333-4444-555555555555";
pub const GROUP: &str = "pooladmin-rg";

/// What the fake holds and what it was asked.
#[derive(Default)]
pub struct World {
    pub endpoint: String,
    /// Tokens handed out.
    pub tokens: Vec<String>,
    /// The scope each token was asked for.
    pub scopes: Vec<String>,
    /// Every VM extension body as sent, by VM name.
    pub extensions: Vec<(String, Value)>,
    /// Resources by lower-cased path.
    pub resources: BTreeMap<String, Value>,
    /// Long-running operations: polls left before each ends.
    pub operations: BTreeMap<u64, u32>,
    pub next_id: u64,
    /// Every call: method and path.
    pub calls: Vec<(String, String)>,
    /// Every VM body as sent.
    pub vm_bodies: Vec<Value>,
    /// The next VM create fails with this Azure error code.
    pub fail_next_vm: Option<(StatusCode, String)>,
    /// DNS A records: (zone, relative name) → address.
    pub records: BTreeMap<(String, String), String>,
    /// Read-only listings by lower-cased path: the api-version they take and the answer
    /// (a `{value}` page is served two at a time with `nextLink`; a bare array as is).
    pub catalog: BTreeMap<String, (String, Value)>,
}

impl World {
    /// The resources whose type (provider/type) is `kind`.
    pub fn of_kind(&self, kind: &str) -> Vec<&Value> {
        let marker = format!("/providers/{}/", kind.to_lowercase());
        self.resources
            .iter()
            .filter(|(path, _)| path.contains(&marker) && !path.contains("/extensions/"))
            .map(|(_, v)| v)
            .collect()
    }
}

/// The fake, running.
pub struct FakeAzure {
    pub endpoint: String,
    pub world: Arc<Mutex<World>>,
}

impl FakeAzure {
    /// Starts the fake with one resource group and one DNS zone, `example.com`.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let mut world = World {
            endpoint: endpoint.clone(),
            next_id: 1,
            ..World::default()
        };
        world.resources.insert(
            format!(
                "{}/providers/microsoft.network/dnszones/example.com",
                group_path()
            )
            .to_lowercase(),
            json!({ "name": "example.com", "properties": {} }),
        );
        let world = Arc::new(Mutex::new(world));
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&world));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { endpoint, world }
    }

    pub fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap()
    }
}

pub fn group_path() -> String {
    format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}")
}

fn arm_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

fn query(uri: &Uri) -> BTreeMap<String, String> {
    uri.query()
        .unwrap_or("")
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.replace("%24", "$")))
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
    let path = uri.path().to_owned();
    w.calls.push((method.to_string(), path.clone()));
    if path.ends_with("/oauth2/v2.0/token") {
        return token(&mut w, &path, &body);
    }
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !w.tokens.iter().any(|t| t == bearer) {
        return arm_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "The access token is invalid.",
        );
    }
    if let Some(id) = path.strip_prefix("/operations/") {
        return operation(&mut w, id);
    }
    if let Some(id) = path.strip_prefix("/locations/") {
        return location(&mut w, id);
    }
    let q = query(&uri);
    let lower = path.to_lowercase();
    if let Some((version, answer)) = w.catalog.get(&lower).cloned() {
        return catalog(&w, &path, &q, &version, answer);
    }
    let Some(rest) = lower.strip_prefix(&group_path().to_lowercase()) else {
        return arm_error(
            StatusCode::NOT_FOUND,
            "ResourceGroupNotFound",
            "Resource group could not be found.",
        );
    };
    let expected = if rest.contains("/microsoft.compute/") {
        "2024-07-01"
    } else if rest.contains("/dnszones") {
        "2018-05-01"
    } else if rest.contains("/microsoft.network/") {
        "2024-05-01"
    } else {
        "2021-04-01"
    };
    match q.get("api-version") {
        Some(v) if v == expected => {}
        other => {
            return arm_error(
                StatusCode::BAD_REQUEST,
                "InvalidApiVersionParameter",
                &format!("api-version {other:?} is not {expected} for {rest}"),
            );
        }
    }
    let json: Value = if body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                return arm_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidRequestContent",
                    &e.to_string(),
                );
            }
        }
    };
    match (&method, rest) {
        (&Method::GET, "") => {
            axum::Json(json!({ "name": GROUP, "location": "eastus" })).into_response()
        }
        (&Method::GET, "/providers/microsoft.compute/virtualmachines") => list(
            &w,
            "microsoft.compute/virtualmachines",
            q.get("page"),
            &path,
        ),
        (&Method::GET, "/providers/microsoft.network/dnszones") => {
            list(&w, "microsoft.network/dnszones", None, &path)
        }
        (&Method::PUT, r) if r.starts_with("/providers/microsoft.network/publicipaddresses/") => {
            put_public_ip(&mut w, &lower, &json)
        }
        (&Method::PUT, r) if r.starts_with("/providers/microsoft.network/networkinterfaces/") => {
            put_nic(&mut w, &lower, &json)
        }
        (&Method::PUT, r)
            if r.starts_with("/providers/microsoft.compute/virtualmachines/")
                && r.contains("/extensions/") =>
        {
            put_extension(&mut w, &lower, json)
        }
        (&Method::PUT, r) if r.starts_with("/providers/microsoft.compute/virtualmachines/") => {
            put_vm(&mut w, &lower, json)
        }
        (&Method::PUT, r) if r.starts_with("/providers/microsoft.network/dnszones/") => {
            put_record(&mut w, r, &json)
        }
        (&Method::DELETE, r) if r.starts_with("/providers/microsoft.network/dnszones/") => {
            delete_record(&mut w, r)
        }
        (&Method::GET, _) => match w.resources.get(&lower) {
            Some(resource) => axum::Json(resource.clone()).into_response(),
            None => arm_error(
                StatusCode::NOT_FOUND,
                "ResourceNotFound",
                &format!("{path} was not found."),
            ),
        },
        (&Method::DELETE, _) => delete(&mut w, &lower),
        _ => arm_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "not here",
        ),
    }
}

fn token(w: &mut World, path: &str, body: &[u8]) -> Response {
    let form: BTreeMap<String, String> = String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.replace("%2F", "/").replace("%3A", ":")))
        .collect();
    let refuse = |error: &str, description: &str| {
        (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({ "error": error, "error_description": description })),
        )
            .into_response()
    };
    if path != format!("/{TENANT}/oauth2/v2.0/token") {
        return refuse("invalid_tenant", "AADSTS90002: Tenant not found.");
    }
    if form.get("grant_type").map(String::as_str) != Some("client_credentials")
        || form.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || form.get("scope").map(String::as_str) != Some("https://management.azure.com/.default")
    {
        return refuse(
            "invalid_request",
            &format!("AADSTS900144: bad request {form:?}"),
        );
    }
    if form.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET) {
        return refuse(
            "invalid_client",
            "AADSTS7000215: Invalid client secret provided.",
        );
    }
    w.scopes.extend(form.get("scope").cloned());
    let token = format!("fake-token-{}", w.tokens.len() + 1);
    w.tokens.push(token.clone());
    axum::Json(json!({ "token_type": "Bearer", "expires_in": 3599, "access_token": token }))
        .into_response()
}

/// Starts a long-running operation that ends after one "InProgress" poll.
fn started(w: &mut World, status: StatusCode, resource: Value) -> Response {
    let id = w.next_id;
    w.next_id += 1;
    w.operations.insert(id, 1);
    let url = format!("{}/operations/{id}", w.endpoint);
    (
        status,
        [
            ("Azure-AsyncOperation", url),
            ("Retry-After", "0".to_owned()),
        ],
        axum::Json(resource),
    )
        .into_response()
}

fn operation(w: &mut World, id: &str) -> Response {
    let Some(left) = id
        .parse()
        .ok()
        .and_then(|id: u64| w.operations.get_mut(&id))
    else {
        return arm_error(StatusCode::NOT_FOUND, "NotFound", "no such operation");
    };
    if *left > 0 {
        *left -= 1;
        return (
            [("Retry-After", "0")],
            axum::Json(json!({ "status": "InProgress" })),
        )
            .into_response();
    }
    axum::Json(json!({ "status": "Succeeded" })).into_response()
}

fn location(w: &mut World, id: &str) -> Response {
    let Some(left) = id
        .parse()
        .ok()
        .and_then(|id: u64| w.operations.get_mut(&id))
    else {
        return arm_error(StatusCode::NOT_FOUND, "NotFound", "no such operation");
    };
    if *left > 0 {
        *left -= 1;
        return (StatusCode::ACCEPTED, [("Retry-After", "0")]).into_response();
    }
    StatusCode::OK.into_response()
}

fn list(w: &World, kind: &str, page: Option<&String>, path: &str) -> Response {
    let all: Vec<Value> = w.of_kind(kind).into_iter().cloned().collect();
    // Two per page, so the client must follow nextLink.
    let page: usize = page.and_then(|p| p.parse().ok()).unwrap_or(0);
    let chunk: Vec<Value> = all.iter().skip(page * 2).take(2).cloned().collect();
    let mut answer = json!({ "value": chunk });
    if all.len() > (page + 1) * 2 {
        answer["nextLink"] = json!(format!(
            "{}{path}?api-version=2024-07-01&page={}",
            w.endpoint,
            page + 1
        ));
    }
    axum::Json(answer).into_response()
}

/// A catalogue listing: its api-version checked, a `{value}` answer paged two at a time.
fn catalog(
    w: &World,
    path: &str,
    q: &BTreeMap<String, String>,
    version: &str,
    answer: Value,
) -> Response {
    if q.get("api-version").map(String::as_str) != Some(version) {
        return arm_error(
            StatusCode::BAD_REQUEST,
            "InvalidApiVersionParameter",
            &format!(
                "api-version {:?} is not {version} for {path}",
                q.get("api-version")
            ),
        );
    }
    let Some(all) = answer.get("value").and_then(Value::as_array) else {
        return axum::Json(answer).into_response();
    };
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(0);
    let chunk: Vec<Value> = all.iter().skip(page * 2).take(2).cloned().collect();
    let mut body = json!({ "value": chunk });
    if all.len() > (page + 1) * 2 {
        let filter = q
            .get("$filter")
            .map(|f| format!("&$filter={f}"))
            .unwrap_or_default();
        body["nextLink"] = json!(format!(
            "{}{path}?api-version={version}{filter}&page={}",
            w.endpoint,
            page + 1
        ));
    }
    axum::Json(body).into_response()
}

fn name_of(path: &str) -> String {
    path.rsplit('/').next().unwrap_or_default().to_owned()
}

/// A check of a request body: the field it names when it fails.
fn need(cond: bool, what: &str) -> Result<(), String> {
    if cond { Ok(()) } else { Err(what.to_owned()) }
}

fn invalid(what: &str) -> Response {
    arm_error(
        StatusCode::BAD_REQUEST,
        "InvalidParameter",
        &format!("{what} is missing or wrong"),
    )
}

fn owner_tagged(body: &Value) -> bool {
    body.pointer("/tags/pooladmin-owner").is_some()
}

fn put_public_ip(w: &mut World, path: &str, body: &Value) -> Response {
    let checked = need(body["location"] == "eastus", "location")
        .and(need(
            body.pointer("/sku/name") == Some(&json!("Standard")),
            "sku.name",
        ))
        .and(need(
            body.pointer("/properties/publicIPAllocationMethod") == Some(&json!("Static")),
            "publicIPAllocationMethod",
        ))
        .and(need(owner_tagged(body), "tags"));
    if let Err(what) = checked {
        return invalid(&what);
    }
    let n = w.next_id;
    let resource = json!({
        "name": name_of(path), "id": path, "tags": body["tags"],
        "properties": { "provisioningState": "Succeeded", "ipAddress": format!("20.1.0.{n}") },
    });
    w.resources.insert(path.to_owned(), resource.clone());
    started(w, StatusCode::CREATED, resource)
}

fn put_nic(w: &mut World, path: &str, body: &Value) -> Response {
    let config = body.pointer("/properties/ipConfigurations/0/properties");
    let subnet = config
        .and_then(|c| c.pointer("/subnet/id"))
        .and_then(Value::as_str);
    let checked = need(body["location"] == "eastus", "location")
        .and(need(
            subnet.is_some_and(|s| s.contains("/subnets/")),
            "subnet.id",
        ))
        .and(need(
            body.pointer("/properties/networkSecurityGroup/id")
                .and_then(Value::as_str)
                .is_some_and(|s| s.contains("/networkSecurityGroups/")),
            "networkSecurityGroup.id",
        ))
        .and(need(owner_tagged(body), "tags"));
    if let Err(what) = checked {
        return invalid(&what);
    }
    let public = config
        .and_then(|c| c.pointer("/publicIPAddress/id"))
        .and_then(Value::as_str)
        .map(str::to_lowercase);
    if let Some(ip) = &public
        && !w.resources.contains_key(ip)
    {
        return arm_error(
            StatusCode::BAD_REQUEST,
            "InvalidResourceReference",
            "public IP not found",
        );
    }
    let n = w.next_id;
    let resource = json!({
        "name": name_of(path), "id": path, "tags": body["tags"],
        "properties": {
            "provisioningState": "Succeeded",
            "ipConfigurations": [{ "name": "ipconfig1", "properties": {
                "privateIPAddress": format!("10.0.0.{n}"),
                "publicIPAddress": public.map(|id| json!({ "id": id })),
            }}],
        },
    });
    w.resources.insert(path.to_owned(), resource.clone());
    started(w, StatusCode::CREATED, resource)
}

/// Azure's computerName rules: Windows 1–15 characters, not all digits; Linux 1–64; no
/// leading or trailing hyphen, only letters, digits and hyphens (no `_ . ~ ! @ …`).
fn computer_name_allowed(name: Option<&str>, windows: bool) -> Result<(), String> {
    let Some(name) = name else {
        return Err("computerName is required".into());
    };
    let max = if windows { 15 } else { 64 };
    let ok = !name.is_empty()
        && name.len() <= max
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && (!windows || name.chars().any(|c| !c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "computerName {name:?} is not a valid computer name"
        ))
    }
}

/// A VM extension: the VM must exist; a CustomScriptExtension needs its command.
fn put_extension(w: &mut World, path: &str, body: Value) -> Response {
    let (vm_path, _) = path.split_once("/extensions/").unwrap();
    let p = |pointer: &str| body.pointer(pointer).and_then(Value::as_str);
    let checked = need(w.resources.contains_key(vm_path), "the VM must exist")
        .and(need(
            p("/properties/publisher") == Some("Microsoft.Compute")
                && p("/properties/type") == Some("CustomScriptExtension"),
            "publisher and type",
        ))
        .and(need(
            p("/properties/typeHandlerVersion").is_some(),
            "typeHandlerVersion",
        ))
        .and(need(
            p("/properties/protectedSettings/commandToExecute").is_some(),
            "protectedSettings.commandToExecute",
        ));
    if let Err(what) = checked {
        return invalid(&what);
    }
    w.extensions.push((name_of(vm_path), body.clone()));
    let status = if w.resources.contains_key(path) {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut resource = body;
    resource["name"] = json!(name_of(path));
    resource["id"] = json!(path);
    w.resources.insert(path.to_owned(), resource.clone());
    started(w, status, resource)
}

fn put_vm(w: &mut World, path: &str, body: Value) -> Response {
    if let Some((status, code)) = w.fail_next_vm.take() {
        return arm_error(
            status,
            &code,
            "The requested size for resource is currently not available in location 'eastus'.",
        );
    }
    let p = |pointer: &str| body.pointer(pointer);
    let nic = p("/properties/networkProfile/networkInterfaces/0/id")
        .and_then(Value::as_str)
        .map(str::to_lowercase)
        .unwrap_or_default();
    let checked = need(body["location"] == "eastus", "location")
        .and(need(
            p("/properties/hardwareProfile/vmSize").is_some(),
            "vmSize",
        ))
        .and(need(
            p("/properties/storageProfile/imageReference/publisher").is_some()
                || p("/properties/storageProfile/imageReference/id").is_some(),
            "imageReference",
        ))
        .and(need(
            p("/properties/storageProfile/osDisk/diskSizeGB")
                .and_then(Value::as_u64)
                .is_some(),
            "diskSizeGB",
        ))
        .and(need(
            p("/properties/storageProfile/osDisk/managedDisk/storageAccountType").is_some(),
            "storageAccountType",
        ))
        .and(need(
            p("/properties/osProfile/adminUsername").is_some(),
            "adminUsername",
        ))
        .and(computer_name_allowed(
            p("/properties/osProfile/computerName").and_then(Value::as_str),
            p("/properties/osProfile/linuxConfiguration").is_none(),
        ))
        .and(need(
            p("/properties/osProfile/customData")
                .and_then(Value::as_str)
                .is_none_or(|d| !d.is_empty()),
            "customData must not be empty",
        ))
        .and(need(
            w.resources.contains_key(&nic),
            "networkInterfaces[0].id must exist",
        ))
        .and(need(owner_tagged(&body), "tags"));
    if let Err(what) = checked {
        return invalid(&what);
    }
    w.vm_bodies.push(body.clone());
    let name = name_of(path);
    let disk_name = p("/properties/storageProfile/osDisk/name")
        .and_then(Value::as_str)
        .unwrap_or("disk")
        .to_lowercase();
    let disk_path = format!(
        "{}/providers/microsoft.compute/disks/{disk_name}",
        group_path().to_lowercase()
    );
    w.resources.insert(
        disk_path.clone(),
        json!({ "name": disk_name, "id": disk_path }),
    );
    let mut resource = body;
    resource["name"] = json!(name);
    resource["id"] = json!(path);
    resource["properties"]["provisioningState"] = json!("Succeeded");
    resource["properties"]["storageProfile"]["osDisk"]["managedDisk"]["id"] = json!(disk_path);
    resource["properties"]["timeCreated"] = json!(jiff::Timestamp::now().to_string());
    resource["properties"]["instanceView"] = json!({ "statuses": [{ "code": "ProvisioningState/succeeded" }, { "code": "PowerState/running" }] });
    let status = if w.resources.contains_key(path) {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    w.resources.insert(path.to_owned(), resource.clone());
    started(w, status, resource)
}

/// Deletes a resource unless another still holds it; runs as a `Location` operation.
fn delete(w: &mut World, path: &str) -> Response {
    if !w.resources.contains_key(path) {
        return StatusCode::NO_CONTENT.into_response();
    }
    let held_by = w.resources.iter().find(|(other, resource)| {
        *other != path
            && resource
                .to_string()
                .to_lowercase()
                .contains(&format!("\"{path}\""))
    });
    if let Some((other, _)) = held_by {
        return arm_error(
            StatusCode::BAD_REQUEST,
            "InUseResourceCannotBeDeleted",
            &format!("{path} is in use by {other}"),
        );
    }
    w.resources.remove(path);
    // A VM's extensions go with it.
    let children = format!("{path}/");
    w.resources.retain(|other, _| !other.starts_with(&children));
    let id = w.next_id;
    w.next_id += 1;
    w.operations.insert(id, 1);
    let url = format!("{}/locations/{id}", w.endpoint);
    (
        StatusCode::ACCEPTED,
        [("Location", url), ("Retry-After", "0".to_owned())],
    )
        .into_response()
}

fn record_key(rest: &str) -> Option<(String, String)> {
    let tail = rest.strip_prefix("/providers/microsoft.network/dnszones/")?;
    let (zone, record) = tail.split_once("/a/")?;
    Some((zone.to_owned(), record.to_owned()))
}

fn put_record(w: &mut World, rest: &str, body: &Value) -> Response {
    let Some(key) = record_key(rest) else {
        return arm_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "expected …/dnsZones/{zone}/A/{name}",
        );
    };
    let address = body
        .pointer("/properties/ARecords/0/ipv4Address")
        .and_then(Value::as_str);
    let checked = need(
        body.pointer("/properties/TTL")
            .and_then(Value::as_u64)
            .is_some(),
        "TTL",
    )
    .and(need(address.is_some(), "ARecords"));
    if let Err(what) = checked {
        return invalid(&what);
    }
    w.records
        .insert(key, address.unwrap_or_default().to_owned());
    axum::Json(body.clone()).into_response()
}

fn delete_record(w: &mut World, rest: &str) -> Response {
    match record_key(rest).and_then(|key| w.records.remove(&key)) {
        Some(_) => StatusCode::OK.into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

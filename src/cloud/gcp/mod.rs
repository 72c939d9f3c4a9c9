//! Google Cloud: Compute Engine v1 with a service account's token (`auth.rs`):
//! `instances.insert` with `requestId` = the intent's token (a repeat within Google's window
//! makes no second instance), zone operations waited on, instances listed by their ownership
//! labels, deleted with their boot disk (auto-delete); Cloud DNS in `dns.rs`.

mod api;
mod auth;
mod dns;

pub use api::classify;
pub use auth::ServiceAccount;
pub use dns::GcpDns;

use super::{CloudError, CloudVm, CreateRequest, ErrorClass, VmCloud, VmState, tags};
use crate::model::cloud_list::{ListEntry, ListKind};
use crate::model::vm_provider::GcpSettings;
use crate::model::vm_provider::gcp::GcpLaunch;
use api::Api;
use async_trait::async_trait;
use reqwest::Method;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

mod lists;

/// Compute Engine's root.
const COMPUTE: &str = "https://compute.googleapis.com";
/// IAM's root (service accounts, for the form's list only).
const IAM: &str = "https://iam.googleapis.com";

/// Instances in one project's zone.
pub struct GcpCloud {
    api: Api,
    /// IAM at the same endpoint override (gcplocal serves both).
    iam: Api,
    settings: GcpSettings,
    /// Whether each image is a Windows one, as `images.get` said.
    windows_images: Mutex<HashMap<String, bool>>,
}

/// A 128-bit token as the UUID `requestId` must be.
fn request_id(token: &str) -> String {
    let hex: String = token.chars().filter(char::is_ascii_hexdigit).collect();
    if hex.len() == 32 {
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    } else {
        token.to_owned()
    }
}

impl GcpCloud {
    /// A client for `settings`; `endpoint` replaces `https://compute.googleapis.com`.
    pub fn new(settings: &GcpSettings, endpoint: &str) -> Result<Self, CloudError> {
        Ok(Self {
            api: Api::new(&settings.credentials.key_json, COMPUTE, endpoint)?,
            iam: Api::new(&settings.credentials.key_json, IAM, endpoint)?,
            settings: settings.clone(),
            windows_images: Mutex::default(),
        })
    }

    fn zone_path(&self) -> String {
        format!(
            "/compute/v1/projects/{}/zones/{}",
            self.settings.project_id.trim(),
            self.settings.zone.trim()
        )
    }

    /// The `instances.insert` body: every setting, then the Config Override's top-level keys.
    /// `windows` picks the metadata key Compute Engine's guest agent runs the script from.
    pub fn insert_body(&self, request: &CreateRequest, launch: &GcpLaunch, windows: bool) -> Value {
        let s = &self.settings;
        let zone = s.zone.trim();
        let mut labels: Map<String, Value> = launch
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        for (key, value) in &request.tags {
            labels.insert(key.clone(), Value::String(value.to_lowercase()));
        }
        let script_key = if windows {
            "windows-startup-script-ps1"
        } else {
            "startup-script"
        };
        let mut metadata: Vec<Value> = launch
            .metadata
            .iter()
            .map(|(key, value)| json!({ "key": key, "value": value }))
            .collect();
        metadata.push(json!({ "key": script_key, "value": request.startup_script }));
        let mut disk = json!({
            "boot": true,
            "autoDelete": true,
            "initializeParams": {
                "sourceImage": s.machine_image.trim(),
                "diskSizeGb": launch.boot_volume_gb.to_string(),
                "diskType": format!("zones/{zone}/diskTypes/{}", s.disk_type.trim()),
                "labels": Value::Object(labels.clone()),
            },
        });
        if !s.cmek.trim().is_empty() {
            disk["diskEncryptionKey"] = json!({ "kmsKeyName": s.cmek.trim() });
        }
        let mut nic = json!({
            "network": s.network.trim(),
            "subnetwork": s.subnetwork.trim(),
        });
        if s.public_ip {
            nic["accessConfigs"] = json!([{ "type": "ONE_TO_ONE_NAT", "name": "External NAT" }]);
        }
        let mut body = json!({
            "name": request.name,
            "machineType": format!("zones/{zone}/machineTypes/{}", s.machine_type.trim()),
            "disks": [disk],
            "networkInterfaces": [nic],
            "tags": { "items": launch.network_tags },
            "labels": labels,
            "metadata": { "items": metadata },
        });
        if let Some(account) = &launch.service_account {
            body["serviceAccounts"] = json!([account]);
        }
        let accelerators: Vec<Value> = launch
            .accelerators
            .iter()
            .map(|(kind, count)| {
                json!({
                    "acceleratorType": format!("zones/{zone}/acceleratorTypes/{kind}"),
                    "acceleratorCount": count,
                })
            })
            .collect();
        if !accelerators.is_empty() {
            body["guestAccelerators"] = json!(accelerators);
            // GPUs cannot live-migrate.
            body["scheduling"] = json!({ "onHostMaintenance": "TERMINATE" });
        }
        for (key, value) in &launch.config_override {
            body[key] = value.clone();
        }
        body
    }

    /// Whether the Machine Image is a Windows image: its `guestOsFeatures` say so
    /// (`images.get`, read once per image); when the image cannot be read, its path does.
    pub async fn image_is_windows(&self) -> bool {
        let image = self.settings.machine_image.trim();
        if let Some(known) = self
            .windows_images
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(image)
        {
            return *known;
        }
        let path = format!(
            "/compute/v1/{}",
            image
                .trim_start_matches("https://www.googleapis.com/compute/v1/")
                .trim_start_matches('/')
        );
        match self.api.call(Method::GET, &path, None).await {
            Ok(Some(answer)) => {
                let windows = answer
                    .get("guestOsFeatures")
                    .and_then(Value::as_array)
                    .is_some_and(|features| {
                        features
                            .iter()
                            .any(|f| f.get("type").and_then(Value::as_str) == Some("WINDOWS"))
                    });
                self.windows_images
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(image.to_owned(), windows);
                windows
            }
            Ok(None) | Err(_) => {
                tracing::debug!(image, "images.get unanswered: the image path decides");
                image.to_lowercase().contains("windows")
            }
        }
    }

    fn operations(&self) -> String {
        format!("{}/operations", self.zone_path())
    }
}

/// An instance as Compute Engine describes it.
fn vm_of(instance: &Value) -> CloudVm {
    let text = |key: &str| {
        instance
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let tags = tags::from_json(instance.get("labels"));
    let nic = instance.pointer("/networkInterfaces/0");
    let public_address = nic
        .and_then(|n| n.pointer("/accessConfigs/0/natIP"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let address = nic
        .and_then(|n| n.get("networkIP"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| public_address.clone());
    CloudVm {
        cloud_id: text("name").to_owned(),
        name: text("name").to_owned(),
        tags,
        state: match text("status") {
            "RUNNING" => VmState::Running,
            "TERMINATED" => VmState::Terminated,
            "STOPPING" | "SUSPENDING" | "SUSPENDED" | "STOPPED" => VmState::Stopping,
            _ => VmState::Pending,
        },
        address,
        public_address,
        created_at: text("creationTimestamp").parse().ok(),
    }
}

#[async_trait]
impl VmCloud for GcpCloud {
    async fn create(&self, request: &CreateRequest) -> Result<CloudVm, CloudError> {
        // The body is built from typed settings only: text that does not parse is refused
        // with its fields, never sent as a guessed default.
        let launch = self.settings.launch().map_err(|errors| {
            CloudError::new(
                ErrorClass::InvalidConfig,
                format!("the VM Provider config's settings: {errors}"),
            )
        })?;
        let windows = self.image_is_windows().await;
        let path = format!(
            "{}/instances?requestId={}",
            self.zone_path(),
            request_id(&request.token)
        );
        let op = self
            .api
            .call(
                Method::POST,
                &path,
                Some(&self.insert_body(request, &launch, windows)),
            )
            .await?;
        self.api.wait(op, &self.operations()).await?;
        self.status(&request.name).await
    }

    async fn list_owned(&self, owner: &str) -> Result<Vec<CloudVm>, CloudError> {
        let owner = owner.to_lowercase();
        let filter = format!("labels.{}={owner}", tags::OWNER);
        let mut owned = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let mut path = format!(
                "{}/instances?maxResults=500&filter={}",
                self.zone_path(),
                filter.replace('=', "%3D")
            );
            if let Some(token) = &page {
                path.push_str(&format!("&pageToken={token}"));
            }
            let answer = self
                .api
                .call(Method::GET, &path, None)
                .await?
                .unwrap_or(Value::Null);
            owned.extend(
                answer
                    .get("items")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(vm_of)
                    // Filtered here too: the label is what proves ownership.
                    .filter(|vm| vm.tags.get(tags::OWNER) == Some(&owner))
                    .filter(|vm| vm.state != VmState::Terminated),
            );
            page = answer
                .get("nextPageToken")
                .and_then(Value::as_str)
                .map(str::to_owned);
            if page.is_none() {
                return Ok(owned);
            }
        }
    }

    async fn status(&self, cloud_id: &str) -> Result<CloudVm, CloudError> {
        let path = format!("{}/instances/{cloud_id}", self.zone_path());
        let instance = self
            .api
            .call(Method::GET, &path, None)
            .await?
            .unwrap_or(Value::Null);
        Ok(vm_of(&instance))
    }

    async fn delete(&self, cloud_id: &str) -> Result<(), CloudError> {
        let path = format!("{}/instances/{cloud_id}", self.zone_path());
        match self.api.call(Method::DELETE, &path, None).await {
            Ok(op) => self.api.wait(op, &self.operations()).await,
            Err(e) if e.class == ErrorClass::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn list(&self, kind: ListKind, _search: &str) -> Result<Vec<ListEntry>, CloudError> {
        self.list_of(kind).await
    }

    async fn test_connection(&self) -> Result<String, CloudError> {
        let path = format!("{}/instances?maxResults=1", self.zone_path());
        self.api.call(Method::GET, &path, None).await?;
        Ok(format!(
            "connected: project {}, zone {}",
            self.settings.project_id.trim(),
            self.settings.zone.trim()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::request_id;

    #[test]
    fn the_token_becomes_a_uuid_request_id() {
        assert_eq!(
            request_id("0123456789abcdef0123456789abcdef"),
            "01234567-89ab-cdef-0123-456789abcdef"
        );
    }
}

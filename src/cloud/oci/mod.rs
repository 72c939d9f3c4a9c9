//! Oracle Cloud Infrastructure over its REST API, every request signed with the config's API
//! key (`signer.rs`): LaunchInstance with `opc-retry-token` = the intent's token (a repeat
//! returns the instance the first made), instances listed by their freeform ownership tags,
//! TerminateInstance with its boot volume; DNS records in `dns.rs`.

mod api;
mod dns;
pub mod signer;

pub use api::classify;
pub use dns::OciDns;

use super::{Addresses, CloudError, CloudVm, CreateRequest, ErrorClass, VmCloud, VmState, tags};
use crate::model::cloud_list::{ListEntry, ListKind};
use crate::model::vm_provider::OciSettings;
use crate::model::vm_provider::oci::OciLaunch;
use api::Api;
use async_trait::async_trait;
use base64::Engine;
use reqwest::Method;
use serde_json::{Map, Value, json};

mod lists;

const COMPUTE: &str = "/20160918";

/// Instances in one compartment.
pub struct OciCloud {
    api: Api,
    /// The identity service (availability domains, for the form's list).
    identity: Api,
    settings: OciSettings,
}

impl OciCloud {
    /// A client for `settings`; `endpoint` replaces `https://iaas.<region>.oraclecloud.com`.
    pub fn new(settings: &OciSettings, endpoint: &str) -> Result<Self, CloudError> {
        Ok(Self {
            api: Api::new(&settings.credentials, "iaas", endpoint)?,
            identity: Api::new(&settings.credentials, "identity", endpoint)?,
            settings: settings.clone(),
        })
    }

    fn compartment(&self) -> &str {
        self.settings.credentials.compartment_ocid.trim()
    }

    /// The LaunchInstance body.
    pub fn launch_body(&self, request: &CreateRequest, launch: &OciLaunch) -> Value {
        let s = &self.settings;
        let mut freeform: Map<String, Value> = launch
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        for (key, value) in &request.tags {
            freeform.insert(key.clone(), Value::String(value.clone()));
        }
        let mut metadata = json!({
            "user_data": base64::engine::general_purpose::STANDARD
                .encode(request.startup_script.as_bytes()),
        });
        if !s.ssh_public_key.trim().is_empty() {
            metadata["ssh_authorized_keys"] = json!(s.ssh_public_key.trim());
        }
        let mut body = json!({
            "compartmentId": self.compartment(),
            "availabilityDomain": s.availability_domain.trim(),
            "displayName": request.name,
            "shape": s.shape.trim(),
            "sourceDetails": {
                "sourceType": "image",
                "imageId": s.image_ocid.trim(),
                "bootVolumeSizeInGBs": launch.boot_volume_gb,
            },
            "createVnicDetails": { "subnetId": s.subnet_ocid.trim() },
            "metadata": metadata,
            "freeformTags": freeform,
        });
        if let Some((ocpus, memory_gb)) = launch.flex {
            body["shapeConfig"] = json!({
                "ocpus": ocpus as f64,
                "memoryInGBs": memory_gb as f64,
            });
        }
        body
    }

    /// The instance's private and public addresses, from its primary VNIC.
    async fn addresses(&self, instance: &str) -> Option<Addresses> {
        let path = format!(
            "{COMPUTE}/vnicAttachments?compartmentId={}&instanceId={instance}",
            self.compartment()
        );
        let (attachments, _) = self.api.call(Method::GET, &path, None, &[]).await.ok()?;
        let vnic = attachments?
            .as_array()?
            .iter()
            .find(|a| a.get("lifecycleState").and_then(Value::as_str) == Some("ATTACHED"))?
            .get("vnicId")?
            .as_str()?
            .to_owned();
        let (vnic, _) = self
            .api
            .call(Method::GET, &format!("{COMPUTE}/vnics/{vnic}"), None, &[])
            .await
            .ok()?;
        let vnic = vnic?;
        let text = |key: &str| vnic.get(key).and_then(Value::as_str).map(str::to_owned);
        Some(Addresses {
            private: text("privateIp"),
            public: text("publicIp"),
        })
    }
}

/// An instance as OCI describes it.
fn vm_of(instance: &Value, addresses: Addresses) -> CloudVm {
    let text = |key: &str| {
        instance
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let tags = tags::from_json(instance.get("freeformTags"));
    CloudVm {
        cloud_id: text("id").to_owned(),
        name: text("displayName").to_owned(),
        tags,
        state: match text("lifecycleState") {
            "RUNNING" => VmState::Running,
            "TERMINATED" => VmState::Terminated,
            "STOPPING" | "STOPPED" | "TERMINATING" => VmState::Stopping,
            _ => VmState::Pending,
        },
        address: addresses.private.or_else(|| addresses.public.clone()),
        public_address: addresses.public,
        created_at: text("timeCreated").parse().ok(),
    }
}

#[async_trait]
impl VmCloud for OciCloud {
    async fn create(&self, request: &CreateRequest) -> Result<CloudVm, CloudError> {
        // Settings that do not parse are refused with their fields, never guessed at.
        let launch = self.settings.launch().map_err(|errors| {
            CloudError::new(
                ErrorClass::InvalidConfig,
                format!("the VM Provider config's settings: {errors}"),
            )
        })?;
        let body = self.launch_body(request, &launch);
        let (instance, _) = self
            .api
            .call(
                Method::POST,
                &format!("{COMPUTE}/instances"),
                Some(&body),
                &[("opc-retry-token", request.token.as_str())],
            )
            .await?;
        let instance = instance.ok_or_else(|| {
            CloudError::new(
                ErrorClass::Transient,
                "LaunchInstance answered without the instance",
            )
        })?;
        Ok(vm_of(&instance, Addresses::default()))
    }

    async fn list_owned(&self, owner: &str) -> Result<Vec<CloudVm>, CloudError> {
        let mut owned = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let mut path = format!(
                "{COMPUTE}/instances?compartmentId={}&limit=100",
                self.compartment()
            );
            if let Some(page) = &page {
                path.push_str(&format!("&page={page}"));
            }
            let (instances, headers) = self.api.call(Method::GET, &path, None, &[]).await?;
            owned.extend(
                instances
                    .as_ref()
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|i| vm_of(i, Addresses::default()))
                    .filter(|vm| vm.state != VmState::Terminated)
                    .filter(|vm| vm.tags.get(tags::OWNER).map(String::as_str) == Some(owner)),
            );
            page = headers
                .get("opc-next-page")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            if page.is_none() {
                return Ok(owned);
            }
        }
    }

    async fn status(&self, cloud_id: &str) -> Result<CloudVm, CloudError> {
        let (instance, _) = self
            .api
            .call(
                Method::GET,
                &format!("{COMPUTE}/instances/{cloud_id}"),
                None,
                &[],
            )
            .await?;
        let instance = instance.unwrap_or(Value::Null);
        let addresses = if instance.get("lifecycleState").and_then(Value::as_str) == Some("RUNNING")
        {
            self.addresses(cloud_id).await.unwrap_or_default()
        } else {
            Addresses::default()
        };
        Ok(vm_of(&instance, addresses))
    }

    async fn delete(&self, cloud_id: &str) -> Result<(), CloudError> {
        let path = format!("{COMPUTE}/instances/{cloud_id}?preserveBootVolume=false");
        match self.api.call(Method::DELETE, &path, None, &[]).await {
            Ok(_) => Ok(()),
            Err(e) if e.class == ErrorClass::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn list(&self, kind: ListKind, _search: &str) -> Result<Vec<ListEntry>, CloudError> {
        self.list_of(kind).await
    }

    async fn test_connection(&self) -> Result<String, CloudError> {
        let path = format!(
            "{COMPUTE}/instances?compartmentId={}&limit=1",
            self.compartment()
        );
        self.api.call(Method::GET, &path, None, &[]).await?;
        Ok("connected: the compartment's instances can be listed".to_owned())
    }
}

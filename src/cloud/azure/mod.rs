//! Azure over Resource Manager's REST API (DESIGN §5: `azure_mgmt_compute` is unmaintained
//! and heavy). Every resource of an instance has a name derived from the instance's, so a
//! repeated create (PUT is create-or-update) never makes a twin: `<name>-ip` (public IP,
//! when asked for), `<name>-nic`, the VM `<name>` and its OS disk `<name>-osdisk`. A delete
//! removes all four. On Windows a CustomScriptExtension runs the startup script
//! (`startup.rs`).

mod arm;
mod dns;
mod startup;

pub use arm::classify;
pub use dns::AzureDns;

use super::{Addresses, CloudError, CloudVm, CreateRequest, ErrorClass, VmCloud, VmState, tags};
use crate::model::cloud_list::{ListEntry, ListKind};
use crate::model::vm_provider::AzureSettings;
use crate::model::vm_provider::azure::AzureLaunch;
use arm::Arm;
use async_trait::async_trait;
use reqwest::Method;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// API versions pooladmin speaks.
const COMPUTE_API: &str = "2024-07-01";
const NETWORK_API: &str = "2024-05-01";
const RESOURCES_API: &str = "2021-04-01";

mod lists;

/// Virtual machines in one subscription's resource group.
pub struct AzureCloud {
    arm: Arm,
    settings: AzureSettings,
}

impl AzureCloud {
    /// A client for `settings`; `endpoint` replaces both the authority and Resource Manager.
    pub fn new(settings: &AzureSettings, endpoint: &str) -> Result<Self, CloudError> {
        Ok(Self {
            arm: Arm::new(&settings.credentials, endpoint)?,
            settings: settings.clone(),
        })
    }

    fn path(&self, provider: &str, kind: &str, name: &str) -> String {
        format!("{}/providers/{provider}/{kind}/{name}", self.arm.group_path)
    }

    fn vm_path(&self, name: &str) -> String {
        self.path("Microsoft.Compute", "virtualMachines", name)
    }

    fn nic_path(&self, name: &str) -> String {
        self.path(
            "Microsoft.Network",
            "networkInterfaces",
            &format!("{name}-nic"),
        )
    }

    fn ip_path(&self, name: &str) -> String {
        self.path(
            "Microsoft.Network",
            "publicIPAddresses",
            &format!("{name}-ip"),
        )
    }

    fn extension_path(&self, name: &str) -> String {
        format!(
            "{}/extensions/{}",
            self.vm_path(name),
            startup::EXTENSION_NAME
        )
    }

    fn disk_path(&self, name: &str) -> String {
        self.path("Microsoft.Compute", "disks", &format!("{name}-osdisk"))
    }

    /// The config's tags with the ownership tags over them.
    fn tags(custom: &BTreeMap<String, String>, ownership: &BTreeMap<String, String>) -> Value {
        let mut all: Map<String, Value> = custom
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        for (key, value) in ownership {
            all.insert(key.clone(), Value::String(value.clone()));
        }
        Value::Object(all)
    }

    /// The VM's body: every setting of the config, then the Config Override's top-level keys;
    /// `custom_data` is the startup script's part of it.
    fn vm_body(
        &self,
        request: &CreateRequest,
        nic_id: &str,
        launch: &AzureLaunch,
        custom_data: Option<&str>,
    ) -> Value {
        let s = &self.settings;
        let image = Value::Object(launch.image_reference.clone());
        let mut os_profile = json!({
            "computerName": request.host_name,
            "adminUsername": s.os_username.trim(),
        });
        if let Some(custom_data) = custom_data {
            os_profile["customData"] = json!(custom_data);
        }
        if !s.os_password.is_empty() {
            os_profile["adminPassword"] = json!(s.os_password.expose());
        }
        if s.image_is_windows {
            // The VM agent runs the startup script's extension.
            os_profile["windowsConfiguration"] = json!({ "provisionVMAgent": true });
        } else {
            let key = s.ssh_public_key.trim();
            let mut linux = json!({
                "disablePasswordAuthentication": s.ssh_password_login_disabled(),
            });
            if !key.is_empty() {
                linux["ssh"] = json!({ "publicKeys": [{
                    "path": format!("/home/{}/.ssh/authorized_keys", s.os_username.trim()),
                    "keyData": key,
                }]});
            }
            os_profile["linuxConfiguration"] = linux;
        }
        let mut body = json!({
            "location": s.credentials.region.trim(),
            "tags": Self::tags(&launch.tags, &request.tags),
            "properties": {
                "hardwareProfile": { "vmSize": s.vm_size.trim() },
                "storageProfile": {
                    "imageReference": image,
                    "osDisk": {
                        "name": format!("{}-osdisk", request.name),
                        "createOption": "FromImage",
                        "diskSizeGB": launch.os_disk_size_gb,
                        "managedDisk": { "storageAccountType": s.os_disk_type.trim() },
                        "deleteOption": "Delete",
                    },
                },
                "osProfile": os_profile,
                "networkProfile": { "networkInterfaces": [{
                    "id": nic_id,
                    "properties": { "deleteOption": "Delete" },
                }]},
            },
        });
        for (key, value) in &launch.config_override {
            body[key] = value.clone();
        }
        body
    }

    async fn ensure_public_ip(
        &self,
        request: &CreateRequest,
        launch: &AzureLaunch,
    ) -> Result<String, CloudError> {
        let path = self.ip_path(&request.name);
        let body = json!({
            "location": self.settings.credentials.region.trim(),
            "tags": Self::tags(&launch.tags, &request.tags),
            "sku": { "name": "Standard" },
            "properties": { "publicIPAllocationMethod": "Static" },
        });
        self.arm
            .call_to_end(Method::PUT, &path, NETWORK_API, Some(&body))
            .await?;
        Ok(path)
    }

    async fn ensure_nic(
        &self,
        request: &CreateRequest,
        public_ip: Option<&str>,
        launch: &AzureLaunch,
    ) -> Result<String, CloudError> {
        let path = self.nic_path(&request.name);
        let mut ip_configuration = json!({
            "name": "ipconfig1",
            "properties": {
                "subnet": { "id": self.settings.subnet.trim() },
                "privateIPAllocationMethod": "Dynamic",
            },
        });
        if let Some(ip) = public_ip {
            ip_configuration["properties"]["publicIPAddress"] = json!({ "id": ip });
        }
        let body = json!({
            "location": self.settings.credentials.region.trim(),
            "tags": Self::tags(&launch.tags, &request.tags),
            "properties": {
                "ipConfigurations": [ip_configuration],
                "networkSecurityGroup": { "id": self.settings.network_security_group.trim() },
            },
        });
        self.arm
            .call_to_end(Method::PUT, &path, NETWORK_API, Some(&body))
            .await?;
        Ok(path)
    }

    /// The NIC's private address and its public IP's address, when it has one.
    async fn addresses(&self, name: &str) -> Addresses {
        let nic = self
            .arm
            .call(Method::GET, &self.nic_path(name), NETWORK_API, None)
            .await
            .ok()
            .flatten();
        let config = nic
            .as_ref()
            .and_then(|nic| nic.pointer("/properties/ipConfigurations/0/properties"));
        let private = config
            .and_then(|c| c.get("privateIPAddress"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let public = match config.and_then(|c| c.get("publicIPAddress")) {
            Some(_) => self
                .arm
                .call(Method::GET, &self.ip_path(name), NETWORK_API, None)
                .await
                .ok()
                .flatten()
                .and_then(|ip| {
                    ip.pointer("/properties/ipAddress")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                }),
            None => None,
        };
        Addresses { private, public }
    }

    async fn delete_resource(&self, path: &str, api: &str) -> Result<(), CloudError> {
        match self.arm.call_to_end(Method::DELETE, path, api, None).await {
            Ok(_) => Ok(()),
            Err(e) if e.class == ErrorClass::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// A VM as Resource Manager describes it.
fn vm_of(vm: &Value, addresses: Addresses) -> CloudVm {
    let text = |pointer: &str| vm.pointer(pointer).and_then(Value::as_str);
    let tags = tags::from_json(vm.get("tags"));
    let power = vm
        .pointer("/properties/instanceView/statuses")
        .and_then(Value::as_array)
        .and_then(|statuses| {
            statuses
                .iter()
                .filter_map(|s| s.get("code").and_then(Value::as_str))
                .find(|code| code.starts_with("PowerState/"))
        });
    let state = match (text("/properties/provisioningState"), power) {
        (Some("Deleting"), _) => VmState::Stopping,
        (_, Some("PowerState/running")) => VmState::Running,
        (_, Some("PowerState/stopped" | "PowerState/deallocated" | "PowerState/stopping")) => {
            VmState::Stopping
        }
        // A listing has no power state: a finished provisioning is as good as running.
        (Some("Succeeded"), None) => VmState::Running,
        _ => VmState::Pending,
    };
    CloudVm {
        cloud_id: text("/name").unwrap_or_default().to_owned(),
        name: text("/name").unwrap_or_default().to_owned(),
        tags,
        state,
        address: addresses.private.or_else(|| addresses.public.clone()),
        public_address: addresses.public,
        created_at: text("/properties/timeCreated").and_then(|t| t.parse().ok()),
    }
}

#[async_trait]
impl VmCloud for AzureCloud {
    async fn create(&self, request: &CreateRequest) -> Result<CloudVm, CloudError> {
        // Settings that do not parse are refused with their fields, never guessed at.
        let launch = self.settings.launch().map_err(|errors| {
            CloudError::new(
                ErrorClass::InvalidConfig,
                format!("the VM Provider config's settings: {errors}"),
            )
        })?;
        let public_ip = if self.settings.assign_public_ip {
            Some(self.ensure_public_ip(request, &launch).await?)
        } else {
            None
        };
        let nic = self
            .ensure_nic(request, public_ip.as_deref(), &launch)
            .await?;
        let delivery = startup::delivery(&request.startup_script, self.settings.image_is_windows);
        let body = self.vm_body(request, &nic, &launch, delivery.custom_data.as_deref());
        let path = self.vm_path(&request.name);
        let answer = match self
            .arm
            .call_to_end(Method::PUT, &path, COMPUTE_API, Some(&body))
            .await
        {
            Ok(answer) => answer.unwrap_or(Value::Null),
            Err(error) => {
                // No VM: its NIC and public IP would outlive the failed instance. A retry
                // makes them again under the same names.
                let _ = self.delete_resource(&nic, NETWORK_API).await;
                if let Some(ip) = &public_ip {
                    let _ = self.delete_resource(ip, NETWORK_API).await;
                }
                return Err(error);
            }
        };
        // Windows runs its startup script through the extension, PUT after the VM on every
        // create (a retry PUTs the same settings again, which does not run it twice). Not
        // waited for: it ends when the script does.
        if let Some(command) = delivery.command {
            let body = startup::extension_body(
                self.settings.credentials.region.trim(),
                &Self::tags(&launch.tags, &request.tags),
                &command,
            );
            self.arm
                .call(
                    Method::PUT,
                    &self.extension_path(&request.name),
                    COMPUTE_API,
                    Some(&body),
                )
                .await?;
        }
        let mut vm = vm_of(&answer, self.addresses(&request.name).await);
        if vm.cloud_id.is_empty() {
            vm.cloud_id = request.name.clone();
            vm.name = request.name.clone();
        }
        Ok(vm)
    }

    async fn list_owned(&self, owner: &str) -> Result<Vec<CloudVm>, CloudError> {
        let path = format!(
            "{}/providers/Microsoft.Compute/virtualMachines",
            self.arm.group_path
        );
        Ok(self
            .arm
            .list(&path, COMPUTE_API)
            .await?
            .iter()
            .map(|vm| vm_of(vm, Addresses::default()))
            .filter(|vm| vm.tags.get(tags::OWNER).map(String::as_str) == Some(owner))
            .collect())
    }

    async fn status(&self, cloud_id: &str) -> Result<CloudVm, CloudError> {
        let path = format!("{}?$expand=instanceView", self.vm_path(cloud_id));
        let vm = self
            .arm
            .call(Method::GET, &path, COMPUTE_API, None)
            .await?
            .unwrap_or(Value::Null);
        Ok(vm_of(&vm, self.addresses(cloud_id).await))
    }

    async fn delete(&self, cloud_id: &str) -> Result<(), CloudError> {
        // The VM first: its NIC and disk cannot go while it holds them.
        self.delete_resource(&self.vm_path(cloud_id), COMPUTE_API)
            .await?;
        self.delete_resource(&self.nic_path(cloud_id), NETWORK_API)
            .await?;
        self.delete_resource(&self.disk_path(cloud_id), COMPUTE_API)
            .await?;
        self.delete_resource(&self.ip_path(cloud_id), NETWORK_API)
            .await
    }

    async fn list(&self, kind: ListKind, _search: &str) -> Result<Vec<ListEntry>, CloudError> {
        self.list_of(kind).await
    }

    async fn test_connection(&self) -> Result<String, CloudError> {
        let group = self
            .arm
            .call(Method::GET, &self.arm.group_path, RESOURCES_API, None)
            .await?
            .unwrap_or(Value::Null);
        Ok(format!(
            "connected: resource group {} in {}",
            group.get("name").and_then(Value::as_str).unwrap_or("?"),
            group.get("location").and_then(Value::as_str).unwrap_or("?")
        ))
    }
}

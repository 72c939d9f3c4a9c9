//! The only place that talks to clouds: one trait for VMs, one for DNS, and one module per
//! provider. Adapters: they use `model/` only and never touch the store.

pub mod aws;
pub mod azure;
pub mod clock;
pub mod digitalocean;
pub mod dns_zone;
pub mod error;
pub mod factory;
pub mod gcp;
pub mod http;
pub mod oauth;
pub mod oci;
pub mod operation;
pub mod rest;
pub mod rsa_key;
pub mod simulated;
pub mod tags;

pub use clock::Clock;
pub use error::{CloudError, ErrorClass};
pub use factory::{CloudFactory, OneCloud, ProviderClouds};

use crate::model::cloud_list::{ListEntry, ListKind};
use async_trait::async_trait;
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::time::Duration;

/// How long a check-in TCP connect may take.
const CHECK_IN_TIMEOUT: Duration = Duration::from_secs(3);

/// What the scaler asks a cloud to create.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateRequest {
    /// The VM's name (unique within the installation), as [`vm_names`] makes it.
    ///
    /// [`vm_names`]: crate::model::vm_names::vm_names
    pub name: String,
    /// The host name the guest gets (Azure's `computerName`).
    pub host_name: String,
    /// Idempotency token: the same token never creates a second VM.
    pub token: String,
    /// Ownership tags (DESIGN §4.3).
    pub tags: BTreeMap<String, String>,
    /// The startup script, placeholders substituted.
    pub startup_script: String,
}

/// A VM's addresses as its network interface reports them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Addresses {
    /// Inside its network.
    pub private: Option<String>,
    /// On the internet.
    pub public: Option<String>,
}

/// A VM's state as the cloud reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum VmState {
    /// Being created or starting.
    Pending,
    /// Running.
    Running,
    /// Stopping or being terminated.
    Stopping,
    /// Gone (some clouds list terminated VMs for a while).
    Terminated,
}

/// A VM as the cloud reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct CloudVm {
    /// The cloud's id.
    pub cloud_id: String,
    /// Its name.
    pub name: String,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
    /// Its state.
    pub state: VmState,
    /// Its private address (else its public one), once it has one: where pooladmin and the
    /// sessions reach it.
    pub address: Option<String>,
    /// Its public address, when it has one (DNS records may hold it).
    pub public_address: Option<String>,
    /// When the cloud created it, when the cloud says so readably (else the scaler goes by
    /// when it first saw the VM).
    pub created_at: Option<Timestamp>,
}

/// VMs in one cloud account (one VM Provider config).
#[async_trait]
pub trait VmCloud: Send + Sync {
    /// Creates a VM, or returns the one an earlier call with the same token created.
    async fn create(&self, request: &CreateRequest) -> Result<CloudVm, CloudError>;

    /// Every VM that carries the owner tag `owner` (terminated ones excluded).
    async fn list_owned(&self, owner: &str) -> Result<Vec<CloudVm>, CloudError>;

    /// One VM; `NotFound` when it is gone.
    async fn status(&self, cloud_id: &str) -> Result<CloudVm, CloudError>;

    /// Deletes a VM; deleting one that is already gone succeeds.
    async fn delete(&self, cloud_id: &str) -> Result<(), CloudError>;

    /// One cheap read that proves the credentials and settings, and what it saw.
    async fn test_connection(&self) -> Result<String, CloudError> {
        self.list_owned("pooladmin-connection-test").await?;
        Ok("connected: the API answered".to_owned())
    }

    /// One list of what the account has (regions, images, sizes, …) for the form's pickers;
    /// `search` narrows lists too long to read whole (public AMIs by name).
    async fn list(&self, kind: ListKind, search: &str) -> Result<Vec<ListEntry>, CloudError> {
        let _ = search;
        Err(CloudError::new(
            ErrorClass::InvalidConfig,
            format!("this cloud offers no list of {}", kind.as_str()),
        ))
    }

    /// Whether a running VM answers on `port` (DESIGN §4.5).
    async fn check_in(&self, vm: &CloudVm, port: u16) -> bool {
        let Some(address) = vm.address.as_deref() else {
            return false;
        };
        let connect = tokio::net::TcpStream::connect((address, port));
        matches!(
            tokio::time::timeout(CHECK_IN_TIMEOUT, connect).await,
            Ok(Ok(_))
        )
    }
}

/// DNS records in one cloud account (one DNS Provider config).
#[async_trait]
pub trait DnsCloud: Send + Sync {
    /// Creates or replaces the A record `name` → `address`.
    async fn upsert_a(&self, name: &str, address: &str) -> Result<(), CloudError>;

    /// Deletes the A record `name`; deleting one that is gone succeeds.
    async fn delete_a(&self, name: &str) -> Result<(), CloudError>;

    /// One cheap read that proves the credentials, and what it saw.
    async fn test_connection(&self) -> Result<String, CloudError>;
}

//! Which cloud client serves a provider config. The scaler asks a [`CloudFactory`]; tests
//! hand it one that returns their own simulated clouds.

use super::aws::{AwsCloud, AwsDns};
use super::azure::{AzureCloud, AzureDns};
use super::digitalocean::{DigitalOceanCloud, DigitalOceanDns};
use super::gcp::{GcpCloud, GcpDns};
use super::oci::{OciCloud, OciDns};
use super::simulated::{Behaviour, SimulatedCloud};
use super::{Clock, CloudError, DnsCloud, ErrorClass, VmCloud};
use crate::model::dns_provider::{DnsProviderSpec, DnsSettings};
use crate::model::vm_provider::{ProviderSettings, VmProviderSpec};
use crate::model::{DnsProviderId, VmProviderId};
use crate::store::Database;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Gives the client for a provider config.
pub trait CloudFactory: Send + Sync {
    /// The VM client for VM Provider config `id` as now set.
    fn vm_cloud(
        &self,
        id: VmProviderId,
        spec: &VmProviderSpec,
    ) -> Result<Arc<dyn VmCloud>, CloudError>;

    /// The DNS client for DNS Provider config `id` as now set.
    fn dns_cloud(
        &self,
        id: DnsProviderId,
        spec: &DnsProviderSpec,
    ) -> Result<Arc<dyn DnsCloud>, CloudError>;
}

/// The clouds pooladmin can reach in this build: AWS (EC2 and Route 53), Azure (Resource
/// Manager and Azure DNS), DigitalOcean (droplets and domain records), Google Cloud (Compute
/// Engine and Cloud DNS), Oracle Cloud (compute and DNS), and the simulator,
/// one simulated cloud per VM Provider config, each kept in a file beside the database when
/// one is given.
pub struct ProviderClouds {
    clock: Clock,
    database: Option<PathBuf>,
    simulated: Mutex<HashMap<VmProviderId, Arc<SimulatedCloud>>>,
    /// Real clients by config, with the settings they were made for: an edit makes anew.
    real: Mutex<HashMap<VmProviderId, MadeFor<VmProviderSpec, dyn VmCloud>>>,
    /// DNS clients likewise: each keeps its sign-in (token cache) between records.
    dns: Mutex<HashMap<DnsProviderId, MadeFor<DnsProviderSpec, dyn DnsCloud>>>,
}

/// A client and the settings it was made for.
type MadeFor<S, C> = (S, Arc<C>);

/// The client `clients` holds for `id` if it was made for `spec`, else a new one from `make`.
fn made_for<K, S, C>(
    clients: &Mutex<HashMap<K, MadeFor<S, C>>>,
    id: K,
    spec: &S,
    make: impl FnOnce() -> Result<Arc<C>, CloudError>,
) -> Result<Arc<C>, CloudError>
where
    K: std::hash::Hash + Eq,
    S: PartialEq + Clone,
    C: ?Sized,
{
    let mut clients = clients
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match clients.get(&id) {
        Some((made, client)) if made == spec => Ok(Arc::clone(client)),
        _ => {
            let client = make()?;
            clients.insert(id, (spec.clone(), Arc::clone(&client)));
            Ok(client)
        }
    }
}

/// Where the simulated clouds keep their state: beside an SQLite file, or for a PostgreSQL
/// database in the platform's data directory under the server's and database's names.
pub fn simulator_state_base(database: &Database) -> Option<PathBuf> {
    match database {
        Database::File(path) => Some(path.clone()),
        Database::Postgres(url) => {
            directories::ProjectDirs::from("", "", "pooladmin").map(|dirs| {
                let name: String = format!("{}-{}-{}", url.host, url.port, url.dbname)
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                dirs.data_dir().join(format!("postgres-{name}"))
            })
        }
    }
}

impl ProviderClouds {
    /// Clouds on `clock`; the simulator's state is kept beside `database`
    /// (`<database>.simulated-cloud-<id>.json`), so it outlives a restart.
    pub fn new(clock: Clock, database: Option<PathBuf>) -> Self {
        Self {
            clock,
            database,
            simulated: Mutex::new(HashMap::new()),
            real: Mutex::new(HashMap::new()),
            dns: Mutex::new(HashMap::new()),
        }
    }

    /// The simulated clouds made so far (the demo runs their VMs' agents).
    pub fn simulated_clouds(&self) -> Vec<Arc<SimulatedCloud>> {
        self.simulated
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .values()
            .cloned()
            .collect()
    }

    fn real(
        &self,
        id: VmProviderId,
        spec: &VmProviderSpec,
        make: impl FnOnce() -> Result<Arc<dyn VmCloud>, CloudError>,
    ) -> Result<Arc<dyn VmCloud>, CloudError> {
        made_for(&self.real, id, spec, make)
    }

    fn simulated(
        &self,
        id: VmProviderId,
        behaviour: Behaviour,
    ) -> Result<Arc<SimulatedCloud>, CloudError> {
        let mut clouds = self
            .simulated
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(cloud) = clouds.get(&id) {
            if cloud.behaviour() != behaviour {
                cloud.set_behaviour(behaviour);
            }
            return Ok(Arc::clone(cloud));
        }
        let cloud = match &self.database {
            Some(database) => SimulatedCloud::with_file(
                behaviour,
                self.clock,
                PathBuf::from(format!("{}.simulated-cloud-{id}.json", database.display())),
            )
            .map_err(|e| CloudError::new(ErrorClass::InvalidConfig, e))?,
            None => SimulatedCloud::new(behaviour, self.clock),
        };
        let cloud = Arc::new(cloud);
        clouds.insert(id, Arc::clone(&cloud));
        Ok(cloud)
    }
}

impl CloudFactory for ProviderClouds {
    fn vm_cloud(
        &self,
        id: VmProviderId,
        spec: &VmProviderSpec,
    ) -> Result<Arc<dyn VmCloud>, CloudError> {
        match &spec.settings {
            ProviderSettings::Simulator(settings) => {
                let values = settings.values().map_err(|errors| {
                    CloudError::new(
                        ErrorClass::InvalidConfig,
                        format!("the VM Provider config's settings: {errors}"),
                    )
                })?;
                let behaviour = Behaviour {
                    boot_delay: Duration::from_secs(values.boot_delay_s.into()),
                    failure_rate: values.failure_rate,
                    throttle_rate: values.throttle_rate,
                    capacity_error_rate: values.capacity_error_rate,
                    api_latency: Duration::from_millis(values.api_latency_ms),
                    seed: id.0.unsigned_abs(),
                    ..Behaviour::default()
                };
                Ok(self.simulated(id, behaviour)?)
            }
            ProviderSettings::Aws(settings) => self.real(id, spec, || {
                Ok(Arc::new(AwsCloud::new(settings, &spec.endpoint_override)))
            }),
            ProviderSettings::Azure(settings) => self.real(id, spec, || {
                Ok(Arc::new(AzureCloud::new(
                    settings,
                    &spec.endpoint_override,
                )?))
            }),
            ProviderSettings::DigitalOcean(settings) => self.real(id, spec, || {
                Ok(Arc::new(DigitalOceanCloud::new(
                    settings,
                    &spec.endpoint_override,
                )?))
            }),
            ProviderSettings::Gcp(settings) => self.real(id, spec, || {
                Ok(Arc::new(GcpCloud::new(settings, &spec.endpoint_override)?))
            }),
            ProviderSettings::Oci(settings) => self.real(id, spec, || {
                Ok(Arc::new(OciCloud::new(settings, &spec.endpoint_override)?))
            }),
        }
    }

    fn dns_cloud(
        &self,
        id: DnsProviderId,
        spec: &DnsProviderSpec,
    ) -> Result<Arc<dyn DnsCloud>, CloudError> {
        made_for(&self.dns, id, spec, || Self::make_dns(spec))
    }
}

impl ProviderClouds {
    /// A new DNS client for `spec`.
    fn make_dns(spec: &DnsProviderSpec) -> Result<Arc<dyn DnsCloud>, CloudError> {
        match &spec.settings {
            DnsSettings::Aws(keys) => Ok(Arc::new(AwsDns::new(keys, &spec.endpoint_override))),
            DnsSettings::Azure(credentials) => Ok(Arc::new(AzureDns::new(
                credentials,
                &spec.endpoint_override,
            )?)),
            DnsSettings::DigitalOcean { token } => Ok(Arc::new(DigitalOceanDns::new(
                token,
                &spec.endpoint_override,
            )?)),
            DnsSettings::Gcp {
                project,
                credentials,
            } => Ok(Arc::new(GcpDns::new(
                project,
                credentials,
                &spec.endpoint_override,
            )?)),
            DnsSettings::Oci(credentials) => {
                Ok(Arc::new(OciDns::new(credentials, &spec.endpoint_override)?))
            }
        }
    }
}

/// Hands out one VM cloud for every provider config, and no DNS: the tests' and
/// benchmarks' simulated world.
pub struct OneCloud(pub Arc<dyn VmCloud>);

impl CloudFactory for OneCloud {
    fn vm_cloud(
        &self,
        _id: VmProviderId,
        _spec: &VmProviderSpec,
    ) -> Result<Arc<dyn VmCloud>, CloudError> {
        Ok(Arc::clone(&self.0))
    }

    fn dns_cloud(
        &self,
        _id: DnsProviderId,
        spec: &DnsProviderSpec,
    ) -> Result<Arc<dyn DnsCloud>, CloudError> {
        Err(CloudError::new(
            ErrorClass::InvalidConfig,
            format!(
                "this test world has no {} DNS",
                spec.settings.kind().label()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::CreateRequest;
    use crate::model::vm_provider::ProviderKind;

    fn simulator(
        edit: impl FnOnce(&mut crate::model::vm_provider::SimulatorSettings),
    ) -> VmProviderSpec {
        let mut spec = VmProviderSpec::new(ProviderKind::Simulator);
        if let ProviderSettings::Simulator(s) = &mut spec.settings {
            edit(s);
        }
        spec
    }

    fn request() -> CreateRequest {
        CreateRequest {
            name: "pa-test-1".into(),
            host_name: "pa-test-1".into(),
            token: "t1".into(),
            tags: Default::default(),
            startup_script: String::new(),
        }
    }

    #[test]
    fn one_dns_client_serves_a_config_until_it_is_edited() {
        use crate::model::dns_provider::DnsSettings;
        let clouds = ProviderClouds::new(Clock::new(), None);
        let mut spec = DnsProviderSpec {
            name: "dns".into(),
            endpoint_override: String::new(),
            register: Default::default(),
            settings: DnsSettings::new(ProviderKind::DigitalOcean).unwrap(),
        };
        let id = DnsProviderId(4);
        let first = clouds.dns_cloud(id, &spec).unwrap();
        let again = clouds.dns_cloud(id, &spec).unwrap();
        assert!(Arc::ptr_eq(&first, &again), "its sign-in is kept");
        spec.endpoint_override = "http://127.0.0.1:9".into();
        let edited = clouds.dns_cloud(id, &spec).unwrap();
        assert!(!Arc::ptr_eq(&first, &edited), "an edit makes anew");
    }

    #[tokio::test(start_paused = true)]
    async fn the_simulator_form_sets_how_the_simulated_cloud_fails() {
        let clouds = ProviderClouds::new(Clock::new(), None);
        let always_full = simulator(|s| s.capacity_error_percent = "100".into());
        let cloud = clouds.vm_cloud(VmProviderId(1), &always_full).unwrap();
        let error = cloud.create(&request()).await.unwrap_err();
        assert_eq!(error.class, ErrorClass::Capacity);

        let always_throttled = simulator(|s| s.throttle_rate_percent = "100".into());
        let cloud = clouds.vm_cloud(VmProviderId(1), &always_throttled).unwrap();
        let error = cloud.create(&request()).await.unwrap_err();
        assert_eq!(error.class, ErrorClass::Throttled);
        assert!(error.retry_after.is_some());

        // An edit to the config reaches the same cloud: its VMs are kept.
        let healthy = simulator(|_| {});
        let cloud = clouds.vm_cloud(VmProviderId(1), &healthy).unwrap();
        assert!(cloud.create(&request()).await.is_ok());
    }

    #[test]
    fn a_client_that_cannot_be_made_says_why() {
        let clouds = ProviderClouds::new(Clock::new(), None);
        let oci = VmProviderSpec::new(ProviderKind::Oci);
        let error = clouds.vm_cloud(VmProviderId(2), &oci).err().unwrap();
        assert_eq!(error.class, ErrorClass::InvalidConfig);
        assert!(error.message.contains("private key"), "{error}");
        let gcp = VmProviderSpec::new(ProviderKind::Gcp);
        let error = clouds.vm_cloud(VmProviderId(3), &gcp).err().unwrap();
        assert!(error.message.contains("GCP Credentials"), "{error}");
    }
}

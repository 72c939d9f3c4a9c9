//! DNS records as the scaler writes them: a Server pool's `<server id>.<Base Domain Name>`
//! (and its `{server_external_fqdn}`), the public address unless the DNS Provider config says
//! private, and the record gone with the instance. The simulated cloud serves the VMs and
//! the records.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::scaling::{Bench, quick_cloud, run_scaler, settings, wait};
use pooladmin::cloud::simulated::SimulatedCloud;
use pooladmin::cloud::{CloudError, CloudFactory, DnsCloud, VmCloud};
use pooladmin::model::autoscale::{AutoScaleSpec, Scaling};
use pooladmin::model::dns_provider::{DnsProviderSpec, DnsSettings, RegisterAddress};
use pooladmin::model::instance::InstanceState;
use pooladmin::model::vm_provider::{ProviderKind, VmProviderSpec};
use pooladmin::model::{DnsProviderId, PoolKind, Secret, VmProviderId};
use pooladmin::store::Choice;
use std::sync::Arc;

/// The simulated cloud for VMs and for DNS.
struct VmsAndRecords(Arc<SimulatedCloud>);

impl CloudFactory for VmsAndRecords {
    fn vm_cloud(
        &self,
        _id: VmProviderId,
        _spec: &VmProviderSpec,
    ) -> Result<Arc<dyn VmCloud>, CloudError> {
        Ok(self.0.clone())
    }

    fn dns_cloud(
        &self,
        _id: DnsProviderId,
        _spec: &DnsProviderSpec,
    ) -> Result<Arc<dyn DnsCloud>, CloudError> {
        Ok(self.0.clone())
    }
}

/// A scaler on `bench`'s database, its VMs and records in the simulated cloud.
fn start(bench: &Bench) -> common::scaling::Running {
    run_scaler(
        &bench.store,
        Arc::new(VmsAndRecords(bench.cloud.clone())),
        bench.clock,
        settings(),
        None,
    )
}

/// Saves the bench's config with `dns` as its DNS Provider config, and reads it back.
fn save(bench: &mut Bench, dns: &Choice<DnsProviderSpec>) {
    bench
        .store
        .save_autoscale(
            Some(bench.config),
            &bench.spec,
            &Choice::Existing(bench.provider),
            Some(dns),
        )
        .unwrap();
    bench.spec = bench
        .store
        .autoscale_configs()
        .unwrap()
        .into_iter()
        .find(|c| c.id == bench.config)
        .unwrap()
        .spec;
}

/// A Server pool that keeps one session free, registering DNS with `register`.
fn server_pool(register: RegisterAddress) -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let mut store = common::backend::open_store(dir.path(), "dns.sqlite");
    let zone = store.zones().unwrap()[0].id;
    let pool = store.add_pool("Desktops", PoolKind::Server).unwrap();
    let mut provider = VmProviderSpec::new(ProviderKind::Simulator);
    provider.name = "simulated".into();
    provider.max_instances = "4".into();
    provider.startup_script = "fqdn={server_external_fqdn}".into();
    let mut spec = AutoScaleSpec::new(pool, PoolKind::Server, Some(zone));
    spec.name = "desktops".into();
    if let Scaling::Servers(s) = &mut spec.scaling {
        s.minimum_available_sessions = "1".into();
    }
    spec.require_check_in = false;
    let mut dns = DnsProviderSpec {
        name: "route53".into(),
        endpoint_override: String::new(),
        register,
        settings: DnsSettings::new(ProviderKind::Aws).unwrap(),
    };
    if let DnsSettings::Aws(keys) = &mut dns.settings {
        keys.access_key_id = "AKIAIOSFODNN7EXAMPLE".into();
        keys.secret_access_key = Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    }
    let mut bench = Bench::saving(dir, store, &spec, provider, quick_cloud());
    // Register DNS needs its DNS Provider config: both are saved together.
    if let Scaling::Servers(s) = &mut bench.spec.scaling {
        s.register_dns = true;
        s.base_domain_name = "desktops.example.com".into();
    }
    save(&mut bench, &Choice::New(dns));
    bench
}

#[tokio::test(start_paused = true)]
async fn a_servers_record_holds_its_public_address_and_names_it_in_the_script() {
    let bench = server_pool(RegisterAddress::Public);
    let scaler = start(&bench);
    wait(120).await;
    scaler.stop().await;
    let running: Vec<_> = bench
        .live()
        .into_iter()
        .filter(|i| i.state == InstanceState::Running)
        .collect();
    assert_eq!(running.len(), 1, "{:?}", bench.live());
    let instance = &running[0];
    let name = format!("{}.desktops.example.com", instance.id);
    let records = bench.cloud.records();
    let address = records
        .get(&name)
        .unwrap_or_else(|| panic!("{name}: {records:?}"));
    assert!(
        address.starts_with("198.18."),
        "the public address: {address}"
    );
    let script = bench
        .cloud
        .startup_script(instance.cloud_id.as_deref().unwrap())
        .unwrap();
    assert_eq!(script, format!("fqdn={name}"));
    let events = bench.events_of(pooladmin::model::scaler_event::EventKind::Transition);
    assert!(
        events
            .iter()
            .any(|(_, e)| e.message == format!("DNS record {name} → {address}")),
        "the decision is explained: {events:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_private_choice_registers_the_private_address() {
    let bench = server_pool(RegisterAddress::Private);
    let scaler = start(&bench);
    wait(120).await;
    scaler.stop().await;
    let records = bench.cloud.records();
    assert_eq!(records.len(), 1, "{records:?}");
    let address = records.values().next().unwrap();
    assert!(address.starts_with("10."), "the private address: {address}");

    // No more demand: the server goes, and its record with it.
    let mut bench = bench;
    if let Scaling::Servers(s) = &mut bench.spec.scaling {
        s.minimum_available_sessions = "0".into();
    }
    bench.spec.downscale_backoff_s = "60".into();
    let dns = bench.spec.dns_provider.expect("its DNS Provider config");
    save(&mut bench, &Choice::Existing(dns));
    let scaler = start(&bench);
    wait(600).await;
    scaler.stop().await;
    assert!(bench.live().is_empty(), "{:?}", bench.live());
    assert!(
        bench.cloud.records().is_empty(),
        "{:?}",
        bench.cloud.records()
    );
}

crate::also_on_postgres!(
    a_servers_record_holds_its_public_address_and_names_it_in_the_script,
    a_private_choice_registers_the_private_address,
);

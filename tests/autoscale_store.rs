//! AutoScale configs and their shared provider configs in SQLite: all-or-nothing saves,
//! sharing, refusal to delete what is in use, and secrets sealed at rest.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::configs::{CERT, KEY, complete};
use common::{default_zone, temp_store};
use pooladmin::model::autoscale::{AutoScaleSpec, Scaling};
use pooladmin::model::dns_provider::{DnsProviderSpec, DnsSettings};
use pooladmin::model::field::AutoScaleField;
use pooladmin::model::ldap::LdapSpec;
use pooladmin::model::secret_fields::SecretFields;
use pooladmin::model::vm_provider::{ProviderKind, ProviderSettings, VmProviderSpec};
use pooladmin::model::{PoolId, PoolKind, Secret};
use pooladmin::store::{Choice, Store, StoreError};

fn agent_config(store: &mut Store, pool: PoolId, name: &str) -> AutoScaleSpec {
    let mut spec = AutoScaleSpec::new(pool, PoolKind::DockerAgent, Some(default_zone(store)));
    spec.name = name.to_owned();
    spec
}

fn dns_of(kind: ProviderKind) -> DnsProviderSpec {
    let settings = match complete(kind).settings {
        ProviderSettings::Aws(s) => DnsSettings::Aws(s.credentials),
        ProviderSettings::Azure(s) => DnsSettings::Azure(s.credentials),
        ProviderSettings::DigitalOcean(s) => DnsSettings::DigitalOcean { token: s.token },
        ProviderSettings::Gcp(s) => DnsSettings::Gcp {
            project: s.project_id,
            credentials: s.credentials,
        },
        ProviderSettings::Oci(s) => DnsSettings::Oci(s.credentials),
        ProviderSettings::Simulator(_) => unreachable!("the simulator has no DNS"),
    };
    DnsProviderSpec {
        register: Default::default(),
        name: format!("{} DNS", kind.label()),
        endpoint_override: String::new(),
        settings,
    }
}

/// Gives every secret of `record` a distinct value with `tag` in it.
fn distinct_secrets<T: SecretFields>(record: &mut T, tag: &str) {
    for (label, secret) in record.secret_fields() {
        let value = secret.expose().to_owned();
        // PEM and JSON secrets keep their shape: a marker goes into a comment-like spot.
        *secret = if value.contains("-----BEGIN") || value.starts_with('{') {
            Secret::new(value)
        } else {
            Secret::new(format!(
                "{tag}-{}-distinct-Secret-Aa1",
                label.replace(" ", "_")
            ))
        };
    }
}

#[test]
fn a_wizard_save_writes_everything_and_reads_back_unsealed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let (saved_vm, saved_dns, saved_config);
    {
        let mut store = Store::open(&path).unwrap();
        let pool = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
        let mut spec = agent_config(&mut store, pool, "agents-east");
        if let Scaling::Agents(a) = &mut spec.scaling {
            a.register_dns = true;
            a.base_domain_name = "agents.kasm.example.com".into();
            a.nginx_cert = CERT.into();
            a.nginx_key = Secret::new(KEY);
        }
        let vm = complete(ProviderKind::Aws);
        let dns = dns_of(ProviderKind::Aws);
        store
            .save_autoscale(
                None,
                &spec,
                &Choice::New(vm.clone()),
                Some(&Choice::New(dns.clone())),
            )
            .unwrap();
        saved_vm = vm;
        saved_dns = dns;
        saved_config = spec;
    }
    let store = Store::open(&path).unwrap();
    let vms = store.configs::<VmProviderSpec>().unwrap();
    assert_eq!(vms.len(), 1);
    assert_eq!(vms[0].spec, saved_vm);
    assert_eq!(vms[0].used_by, ["agents-east"]);
    let dns = store.configs::<DnsProviderSpec>().unwrap();
    assert_eq!(dns[0].spec, saved_dns);
    let configs = store.autoscale_configs().unwrap();
    let mut expected = saved_config;
    expected.vm_provider = Some(vms[0].id);
    expected.dns_provider = Some(dns[0].id);
    assert_eq!(configs[0].spec, expected);
}

#[test]
fn a_failed_finish_writes_nothing() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
    let spec = agent_config(&mut store, pool, "agents-east");
    store
        .save_autoscale(
            None,
            &spec,
            &Choice::New(complete(ProviderKind::Simulator)),
            None,
        )
        .unwrap();
    // Same AutoScale name: refused, and the new VM Provider config is not kept either.
    let mut vm = complete(ProviderKind::Gcp);
    vm.name = "second".into();
    let err = store
        .save_autoscale(None, &spec, &Choice::New(vm), None)
        .unwrap_err();
    assert!(
        err.field_errors()
            .unwrap()
            .for_field(AutoScaleField::Name)
            .unwrap()
            .contains("already exists")
    );
    assert_eq!(store.configs::<VmProviderSpec>().unwrap().len(), 1);
    assert_eq!(store.autoscale_configs().unwrap().len(), 1);
    // Register DNS without a DNS config is refused by field.
    let mut needs_dns = agent_config(&mut store, pool, "needs-dns");
    if let Scaling::Agents(a) = &mut needs_dns.scaling {
        a.register_dns = true;
        a.base_domain_name = "agents.example.com".into();
    }
    let vm_id = store.configs::<VmProviderSpec>().unwrap()[0].id;
    let err = store
        .save_autoscale(None, &needs_dns, &Choice::Existing(vm_id), None)
        .unwrap_err();
    assert!(
        err.field_errors()
            .unwrap()
            .for_field(AutoScaleField::DnsProviderConfig)
            .is_some()
    );
}

#[test]
fn a_shared_config_in_use_is_kept_and_edits_reach_every_user() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
    let vm_id = store
        .add_config(&complete(ProviderKind::DigitalOcean))
        .unwrap();
    for name in ["first", "second"] {
        let spec = agent_config(&mut store, pool, name);
        store
            .save_autoscale(None, &spec, &Choice::Existing(vm_id), None)
            .unwrap();
    }
    let err = store.delete_config::<VmProviderSpec>(vm_id).unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)));
    assert!(err.to_string().contains("first, second"), "{err}");
    let mut edited = complete(ProviderKind::DigitalOcean);
    edited.max_instances = "3".into();
    let second = agent_config(&mut store, pool, "second");
    let second_id = store.autoscale_configs().unwrap()[1].id;
    store
        .save_autoscale(
            Some(second_id),
            &second,
            &Choice::Edited(vm_id, edited),
            None,
        )
        .unwrap();
    let vms = store.configs::<VmProviderSpec>().unwrap();
    assert_eq!(vms[0].spec.max_instances(), Ok(3));
    assert_eq!(vms[0].used_by, ["first", "second"]);
    let err = store.delete_pool(pool).unwrap_err();
    assert!(err.to_string().contains("AutoScale configs"), "{err}");
    // Order within the pool.
    let configs = store.autoscale_configs().unwrap();
    store.move_autoscale(configs[1].id, true).unwrap();
    let names: Vec<_> = store
        .autoscale_configs()
        .unwrap()
        .into_iter()
        .map(|c| c.spec.name)
        .collect();
    assert_eq!(names, ["second", "first"]);
    for config in store.autoscale_configs().unwrap() {
        store.delete_autoscale(config.id).unwrap();
    }
    store.delete_config::<VmProviderSpec>(vm_id).unwrap();
}

#[test]
fn a_config_for_the_wrong_pool_type_is_refused() {
    let (_dir, mut store) = temp_store();
    let servers = store.add_pool("Desktops", PoolKind::Server).unwrap();
    let spec = agent_config(&mut store, servers, "wrong");
    let err = store
        .save_autoscale(
            None,
            &spec,
            &Choice::New(complete(ProviderKind::Simulator)),
            None,
        )
        .unwrap_err();
    assert!(
        err.field_errors()
            .unwrap()
            .for_field(AutoScaleField::Kind)
            .is_some()
    );
    assert!(store.configs::<VmProviderSpec>().unwrap().is_empty());
}

#[test]
fn no_secret_reaches_the_database_file_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let mut secrets: Vec<String> = Vec::new();
    {
        let mut store = Store::open(&path).unwrap();
        let agents = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
        let servers = store.add_pool("Desktops", PoolKind::Server).unwrap();
        let mut ldap = LdapSpec {
            name: "corp".into(),
            url: "ldaps://dc1.corp.example.com".into(),
            search_base: "DC=corp,DC=example,DC=com".into(),
            service_account_dn: "CN=svc,DC=corp,DC=example,DC=com".into(),
            ..LdapSpec::default()
        };
        ldap.service_account_password = Secret::new("ldap-Secret-Value-1!");
        let ldap_id = store.add_config(&ldap).unwrap();
        secrets.extend(
            ldap.secret_values()
                .into_iter()
                .map(|(_, s)| s.expose().to_owned()),
        );
        for (i, kind) in ProviderKind::ALL.into_iter().enumerate() {
            let mut vm = complete(kind);
            distinct_secrets(&mut vm, &format!("vm{i}"));
            secrets.extend(
                vm.secret_values()
                    .into_iter()
                    .map(|(_, s)| s.expose().to_owned()),
            );
            let dns = if kind == ProviderKind::Simulator {
                None
            } else {
                let mut dns = dns_of(kind);
                distinct_secrets(&mut dns, &format!("dns{i}"));
                secrets.extend(
                    dns.secret_values()
                        .into_iter()
                        .map(|(_, s)| s.expose().to_owned()),
                );
                Some(Choice::New(dns))
            };
            let mut spec = agent_config(&mut store, agents, &format!("agents-{i}"));
            if let Scaling::Agents(a) = &mut spec.scaling {
                a.nginx_cert = CERT.into();
                a.nginx_key = Secret::new(KEY);
            }
            store
                .save_autoscale(None, &spec, &Choice::New(vm), dns.as_ref())
                .unwrap();
        }
        let mut server_config =
            AutoScaleSpec::new(servers, PoolKind::Server, Some(default_zone(&store)));
        server_config.name = "windows".into();
        if let Scaling::Servers(s) = &mut server_config.scaling {
            s.connection_password = Secret::new("connection-Secret-Value-2!");
            s.create_ad_record = true;
            s.ldap_config = Some(ldap_id);
            s.ad_computer_ou_dn = "OU=Kasm,DC=corp,DC=example,DC=com".into();
        }
        secrets.push("connection-Secret-Value-2!".into());
        let vm_id = store.configs::<VmProviderSpec>().unwrap()[0].id;
        store
            .save_autoscale(None, &server_config, &Choice::Existing(vm_id), None)
            .unwrap();
    }
    let mut bytes = std::fs::read(&path).unwrap();
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    bytes.extend(std::fs::read(wal).unwrap_or_default());
    // Every private key and the GCP key file hold the fixture key's body.
    let key_line = KEY.lines().nth(1).unwrap().to_owned();
    secrets.push(key_line);
    for secret in &secrets {
        let needle = secret.lines().next().unwrap_or(secret).as_bytes();
        let needle = if needle.starts_with(b"-----BEGIN") || needle.starts_with(b"{") {
            continue;
        } else {
            needle
        };
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "a secret is in the database in clear: {}",
            String::from_utf8_lossy(&needle[..needle.len().min(12)])
        );
    }
    // Reopened, every secret decrypts.
    let store = Store::open(&path).unwrap();
    let mut read_back: Vec<String> = Vec::new();
    for row in store.configs::<VmProviderSpec>().unwrap() {
        read_back.extend(
            row.spec
                .secret_values()
                .into_iter()
                .map(|(_, s)| s.expose().to_owned()),
        );
    }
    for row in store.configs::<DnsProviderSpec>().unwrap() {
        read_back.extend(
            row.spec
                .secret_values()
                .into_iter()
                .map(|(_, s)| s.expose().to_owned()),
        );
    }
    for row in store.configs::<LdapSpec>().unwrap() {
        read_back.extend(
            row.spec
                .secret_values()
                .into_iter()
                .map(|(_, s)| s.expose().to_owned()),
        );
    }
    for row in store.autoscale_configs().unwrap() {
        read_back.extend(
            row.spec
                .secret_values()
                .into_iter()
                .map(|(_, s)| s.expose().to_owned()),
        );
        assert!(!format!("{:?}", row.spec).contains("Secret-Value"));
    }
    for secret in secrets.iter().filter(|s| !s.starts_with("MII")) {
        assert!(read_back.contains(secret), "a secret did not come back");
    }
}

// The tests above that need no file of their own run again on PostgreSQL.
crate::also_on_postgres!(
    a_failed_finish_writes_nothing,
    a_shared_config_in_use_is_kept_and_edits_reach_every_user,
    a_config_for_the_wrong_pool_type_is_refused,
);

//! Configuration as code: export and import round trips, idempotence, atomicity, secrets,
//! bad files, and the command line's exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::configs::{CERT, KEY, complete};
use common::temp_store;
use pooladmin::cloud::simulated::Behaviour;
use pooladmin::config_file::import::Change;
use pooladmin::config_file::{
    ExportScope, ImportError, ImportOptions, export, import, parse, snapshot,
};
use pooladmin::model::autoscale::{AutoScaleSpec, Scaling};
use pooladmin::model::dns_provider::{DnsProviderSpec, DnsSettings};
use pooladmin::model::ldap::LdapSpec;
use pooladmin::model::vm_provider::{ProviderKind, ProviderSettings, VmProviderSpec};
use pooladmin::model::{PoolKind, Secret};
use pooladmin::store::{Choice, Store};
use proptest::prelude::*;

const PASSPHRASE: &str = "export passphrase for tests";
const APPLY: ImportOptions = ImportOptions {
    dry_run: false,
    prune: false,
};
const DRY_RUN: ImportOptions = ImportOptions {
    dry_run: true,
    prune: false,
};

/// The configuration of `store` as the file `export` writes, secrets sealed or not.
fn export_text(store: &Store, passphrase: Option<&Secret>) -> String {
    export(store, passphrase, ExportScope::Configuration).unwrap()
}

/// The configuration of `store` exported with its secrets sealed, read back.
fn sealed_export(store: &Store) -> pooladmin::config_file::ConfigFile {
    parse(&export_text(store, Some(&Secret::new(PASSPHRASE)))).unwrap()
}

/// Every kind, every field: the demo deployment plus a config of every cloud.
fn populated() -> (tempfile::TempDir, Store) {
    let (dir, mut store) = temp_store();
    pooladmin::demo::seed(&mut store).unwrap();
    let ldap = store
        .add_config(&LdapSpec {
            name: "corp".into(),
            url: "ldaps://dc1.corp.example.com".into(),
            search_base: "DC=corp,DC=example,DC=com".into(),
            service_account_dn: "CN=svc,DC=corp,DC=example,DC=com".into(),
            service_account_password: Secret::new("ldap-Password-123"),
            ca_certificate: CERT.into(),
            ..LdapSpec::default()
        })
        .unwrap();
    let pools = store.pools().unwrap();
    let agents = pools
        .iter()
        .find(|p| p.name == "Browser Isolation")
        .unwrap()
        .id;
    let servers = pools
        .iter()
        .find(|p| p.name == "Windows Desktops")
        .unwrap()
        .id;
    let zone = store.zones().unwrap()[0].id;
    for kind in ProviderKind::ALL {
        let vm = complete(kind);
        let dns = match vm.settings.clone() {
            ProviderSettings::Aws(s) => Some(DnsSettings::Aws(s.credentials)),
            ProviderSettings::Azure(s) => Some(DnsSettings::Azure(s.credentials)),
            ProviderSettings::DigitalOcean(s) => Some(DnsSettings::DigitalOcean { token: s.token }),
            ProviderSettings::Gcp(s) => Some(DnsSettings::Gcp {
                project: s.project_id,
                credentials: s.credentials,
            }),
            ProviderSettings::Oci(s) => Some(DnsSettings::Oci(s.credentials)),
            ProviderSettings::Simulator(_) => None,
        }
        .map(|settings| DnsProviderSpec {
            register: Default::default(),
            name: format!("{} DNS", kind.label()),
            endpoint_override: "http://127.0.0.1:9".into(),
            settings,
        });
        let mut spec = AutoScaleSpec::new(agents, PoolKind::DockerAgent, Some(zone));
        spec.name = format!("agents via {}", kind.label());
        if let Scaling::Agents(a) = &mut spec.scaling {
            a.nginx_cert = CERT.into();
            a.nginx_key = Secret::new(KEY);
            a.register_dns = dns.is_some();
            a.base_domain_name = "agents.example.com".into();
        }
        store
            .save_autoscale(None, &spec, &Choice::New(vm), dns.map(Choice::New).as_ref())
            .unwrap();
    }
    let mut windows = AutoScaleSpec::new(servers, PoolKind::Server, Some(zone));
    windows.name = "windows with AD".into();
    if let Scaling::Servers(s) = &mut windows.scaling {
        s.connection_password = Secret::new("connection-Password-9");
        s.create_ad_record = true;
        s.ldap_config = Some(ldap);
        s.ad_computer_ou_dn = "OU=Kasm,DC=corp,DC=example,DC=com".into();
    }
    let vm = store
        .configs::<pooladmin::model::vm_provider::VmProviderSpec>()
        .unwrap()[0]
        .id;
    store
        .save_autoscale(None, &windows, &Choice::Existing(vm), None)
        .unwrap();
    (dir, store)
}

#[test]
fn a_round_trip_through_an_empty_database_is_byte_identical() {
    let (_a, source) = populated();
    let plain = export_text(&source, None);
    assert_eq!(export_text(&source, None), plain, "two exports differ");
    let sealed = export_text(&source, Some(&Secret::new(PASSPHRASE)));
    let (_b, mut target) = temp_store();
    let report = import(
        &mut target,
        &parse(&sealed).unwrap(),
        Some(&Secret::new(PASSPHRASE)),
        APPLY,
    )
    .unwrap();
    assert!(report.count(Change::Create) > 30, "{}", report.summary());
    assert_eq!(export_text(&target, None), plain);
    assert_eq!(
        snapshot(&target, ExportScope::Configuration)
            .unwrap()
            .secrets,
        snapshot(&source, ExportScope::Configuration)
            .unwrap()
            .secrets
    );
}

#[test]
fn importing_twice_changes_nothing_the_second_time() {
    let (_a, source) = populated();
    let file = sealed_export(&source);
    let (_b, mut target) = temp_store();
    import(&mut target, &file, Some(&Secret::new(PASSPHRASE)), APPLY).unwrap();
    let again = import(&mut target, &file, Some(&Secret::new(PASSPHRASE)), APPLY).unwrap();
    assert!(
        again.summary().starts_with("0 changes"),
        "{}",
        again.summary()
    );
    // A file without secrets keeps the stored ones.
    let plain = parse(&export_text(&source, None)).unwrap();
    let third = import(&mut target, &plain, None, APPLY).unwrap();
    assert!(
        third.summary().starts_with("0 changes"),
        "{}",
        third.summary()
    );
    assert_eq!(
        snapshot(&target, ExportScope::Configuration)
            .unwrap()
            .secrets,
        snapshot(&source, ExportScope::Configuration)
            .unwrap()
            .secrets
    );
}

#[test]
fn a_dry_run_plans_and_writes_nothing() {
    let (_a, source) = populated();
    let file = sealed_export(&source);
    let (_b, mut target) = temp_store();
    let before = export_text(&target, None);
    let report = import(&mut target, &file, Some(&Secret::new(PASSPHRASE)), DRY_RUN).unwrap();
    assert!(report.count(Change::Create) > 30);
    assert_eq!(export_text(&target, None), before);
}

#[test]
fn one_bad_field_in_the_last_object_writes_nothing() {
    let (_a, source) = populated();
    let mut file = sealed_export(&source);
    let last = file.autoscale_configs.last_mut().unwrap();
    last.provision_timeout_s = "forever".into();
    let (_b, mut target) = temp_store();
    let before = export_text(&target, None);
    let err = import(&mut target, &file, Some(&Secret::new(PASSPHRASE)), APPLY).unwrap_err();
    let ImportError::Invalid(problems) = err else {
        panic!("expected Invalid")
    };
    let index = file.autoscale_configs.len() - 1;
    assert!(
        problems.iter().any(|p| p.starts_with(&format!(
            "autoscale_configs[{index}].provision_timeout_s (Provision Timeout (s))"
        ))),
        "{problems:?}"
    );
    assert_eq!(export_text(&target, None), before);
}

#[test]
fn secrets_never_leave_in_clear_and_a_wrong_passphrase_fails_cleanly() {
    let (_a, source) = populated();
    let secrets = snapshot(&source, ExportScope::Configuration)
        .unwrap()
        .secrets;
    assert!(secrets.len() > 10);
    let key_body = KEY.lines().nth(1).unwrap();
    for text in [
        export_text(&source, None),
        export(
            &source,
            Some(&Secret::new(PASSPHRASE)),
            ExportScope::Configuration,
        )
        .unwrap(),
    ] {
        for value in secrets.values() {
            let needle = value
                .lines()
                .find(|l| !l.starts_with("-----"))
                .unwrap_or(value);
            assert!(!text.contains(needle), "a secret is in the export in clear");
        }
        assert!(!text.contains(key_body));
    }
    let file = sealed_export(&source);
    let (_b, mut target) = temp_store();
    let err = import(
        &mut target,
        &file,
        Some(&Secret::new("not the passphrase at all")),
        APPLY,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("secrets: the passphrase does not open them"),
        "{err}"
    );
    let err = import(&mut target, &file, None, APPLY).unwrap_err();
    assert!(
        err.to_string().contains("POOLADMIN_EXPORT_PASSPHRASE"),
        "{err}"
    );
    assert!(target.pools().unwrap().is_empty());
}

#[test]
fn bad_files_are_named_by_path() {
    let invalid = |text: &str| match parse(text) {
        Err(ImportError::Invalid(problems)) => problems.join("\n"),
        other => panic!("expected Invalid, got {other:?}"),
    };
    assert_eq!(
        invalid("{\"format\": \"pooladmin/1\", \"pools\": ["),
        "line 1, column 36: the text ends in the middle of a value"
    );
    assert_eq!(
        invalid("not json"),
        "line 1, column 2: a value was expected here (text goes in double quotes)"
    );
    assert_eq!(invalid(""), "the file is empty");
    assert!(invalid(r#"{"format": "pooladmin/9"}"#).contains("format: expected \"pooladmin/1\""));
    let unknown = invalid(
        r#"{"format": "pooladmin/1", "pools": [{"name": "a", "kind": "Server", "colour": "red"}]}"#,
    );
    assert!(
        unknown.contains("pools[0]") && unknown.contains("colour"),
        "{unknown}"
    );
    let wrong_shape = invalid(
        r#"{"format": "pooladmin/1", "vm_provider_configs": [{"name": "x", "max_instances": 3, "startup_script": "", "endpoint_override": "", "settings": {"Simulator": {}}}]}"#,
    );
    assert!(
        wrong_shape.contains("vm_provider_configs[0].max_instances"),
        "{wrong_shape}"
    );

    let (_d, mut store) = temp_store();
    let file = parse(
        r#"{"format": "pooladmin/1",
            "pools": [{"name": "A", "kind": "Server"}, {"name": "a", "kind": "Server"}],
            "servers": [{"friendly_name": "s1", "enabled": true, "zone": "nowhere", "pool": "B",
                         "connection_type": "Rdp", "host": "s1.example.com", "port": 3389,
                         "credential_type": "Static", "username": "admin",
                         "connection_info": "{}", "max_sessions": 1, "reusable": true}]}"#,
    )
    .unwrap();
    let Err(ImportError::Invalid(problems)) = import(&mut store, &file, None, APPLY) else {
        panic!("expected Invalid")
    };
    let text = problems.join("\n");
    assert!(text.contains("pools[1]: 'a' is also pools[0]"), "{text}");
    assert!(
        text.contains("servers[0].zone: no deployment zone named 'nowhere'"),
        "{text}"
    );
    assert!(
        text.contains("servers[0].pool: no pool named 'B'"),
        "{text}"
    );
    assert!(store.pools().unwrap().is_empty());
}

#[test]
fn the_command_line_answers_with_exit_codes() {
    let (dir, source) = populated();
    drop(source);
    let db = dir.path().join("pooladmin.sqlite");
    let bin = env!("CARGO_BIN_EXE_pooladmin");
    let out = std::process::Command::new(bin)
        .args(["export", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = dir.path().join("setup.json");
    std::fs::write(&file, &out.stdout).unwrap();
    let target = dir.path().join("target.sqlite");
    let run = |args: &[&str]| {
        std::process::Command::new(bin)
            .args(args)
            .arg("--db")
            .arg(&target)
            .env_remove("POOLADMIN_PASSPHRASE")
            .output()
            .unwrap()
    };
    // Without secrets, new cloud configs lack their keys: invalid, exit 1, nothing written.
    let out = run(&["import", file.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("vm_provider_configs["));
    std::fs::write(
        &file,
        "{\"format\": \"pooladmin/1\", \"zones\": [{\"name\": \"eu-north\"}]}",
    )
    .unwrap();
    let out = run(&["import", "--dry-run", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("would apply: 1 to create"));
    let out = run(&["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let out = run(&["import", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("applied: 0 changes"));
}

/// A hand-written file names its secrets by environment variable and by file; the import
/// reads them, seals them in the database, and an export never writes them back in clear.
#[test]
fn secrets_by_reference_are_read_at_import_and_sealed() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let dns_secret = "route53-secret-from-a-file-0123456789";
    std::fs::create_dir(dir.path().join("keys")).unwrap();
    std::fs::write(dir.path().join("keys/route53"), format!("{dns_secret}\n")).unwrap();
    let file = dir.path().join("setup.json");
    let text = serde_json::json!({
        "format": "pooladmin/1",
        "vm_provider_configs": [{
            "name": "aws",
            "max_instances": "4",
            "startup_script": "",
            "endpoint_override": "",
            "settings": { "Aws": {
                "credentials": {
                    "access_key_id": "AKIAIOSFODNN7EXAMPLE",
                    "secret_access_key": { "env": "POOLADMIN_TEST_AWS_SECRET" },
                },
                "region": "us-east-1",
                "ami_id": "ami-0123456789abcdef0",
                "instance_type": "t3.medium",
                "security_group_ids": "[\"sg-0123456789abcdef0\"]",
                "subnet_id": "subnet-0123456789abcdef0",
                "volume_size_gb": "40",
                "volume_type": "gp3",
            }},
        }],
        "dns_provider_configs": [{
            "name": "route53",
            "endpoint_override": "",
            "settings": { "Aws": {
                "access_key_id": "AKIAIOSFODNN7EXAMPLE",
                "secret_access_key": { "file": "keys/route53" },
            }},
        }],
    });
    std::fs::write(&file, serde_json::to_string_pretty(&text).unwrap()).unwrap();
    let db = dir.path().join("target.sqlite");
    // Made here, its key in a file beside it, so the command and the test share one key
    // whether or not an OS keyring is reachable.
    drop(Store::open(&db).unwrap());
    let bin = env!("CARGO_BIN_EXE_pooladmin");
    let run = |args: &[&str], secret: Option<&str>| {
        let mut command = std::process::Command::new(bin);
        command.args(args).arg("--db").arg(&db);
        match secret {
            Some(value) => command.env("POOLADMIN_TEST_AWS_SECRET", value),
            None => command.env_remove("POOLADMIN_TEST_AWS_SECRET"),
        };
        command.output().unwrap()
    };
    // The variable missing: refused with its JSON path, nothing written.
    let out = run(&["import", file.to_str().unwrap()], None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "vm_provider_configs[0].settings.Aws.credentials.secret_access_key: the environment variable POOLADMIN_TEST_AWS_SECRET is not set"
        ),
        "{stderr}"
    );
    let out = run(&["import", file.to_str().unwrap()], Some(secret));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = Store::open(&db).unwrap();
    let vm = &store.configs::<VmProviderSpec>().unwrap()[0].spec;
    match &vm.settings {
        ProviderSettings::Aws(aws) => {
            assert_eq!(aws.credentials.secret_access_key.expose(), secret)
        }
        other => panic!("{other:?}"),
    }
    let dns = &store.configs::<DnsProviderSpec>().unwrap()[0].spec;
    match &dns.settings {
        DnsSettings::Aws(keys) => assert_eq!(keys.secret_access_key.expose(), dns_secret),
        other => panic!("{other:?}"),
    }
    drop(store);
    let raw = std::fs::read(&db).unwrap();
    for clear in [secret, dns_secret] {
        assert!(
            !raw.windows(clear.len()).any(|w| w == clear.as_bytes()),
            "sealed in the database, never in clear"
        );
    }
    let out = run(&["export"], None);
    let exported = String::from_utf8_lossy(&out.stdout);
    assert!(!exported.contains(secret) && !exported.contains(dns_secret));
    assert!(
        !exported.contains("POOLADMIN_TEST_AWS_SECRET"),
        "references are not kept"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn arbitrary_json_never_panics_nor_writes(text in "\\PC{0,120}", pools in prop::collection::vec("[a-zA-Z ]{0,8}", 0..4)) {
        let (_d, mut store) = temp_store();
        let before = export_text(&store, None);
        if let Ok(file) = parse(&text) {
            let _ = import(&mut store, &file, None, APPLY);
        }
        let listed: Vec<String> = pools.iter().map(|p| format!("{{\"name\": {p:?}, \"kind\": \"Sever\"}}")).collect();
        let shaped = format!("{{\"format\": \"pooladmin/1\", \"pools\": [{}]}}", listed.join(","));
        prop_assert!(parse(&shaped).is_err() || pools.is_empty());
        prop_assert_eq!(export_text(&store, None), before);
    }
}

#[test]
fn the_demo_is_seeded_from_its_json_file_exactly() {
    let (_d, mut store) = temp_store();
    pooladmin::demo::seed(&mut store).unwrap();
    let shipped = include_str!("../assets/demo.json");
    assert_eq!(export_text(&store, None), shipped);
    assert!(store.sessions().unwrap().len() > 20);
}

#[test]
fn prune_deletes_what_the_file_lacks_and_refuses_what_is_in_use() {
    let (_d, mut store) = temp_store();
    pooladmin::demo::seed(&mut store).unwrap();
    let prune = ImportOptions {
        dry_run: false,
        prune: true,
    };
    // Dropping an unused server and a staging config is fine.
    let mut file = parse(&export_text(&store, None)).unwrap();
    file.servers.retain(|s| s.friendly_name != "bastion-ssh");
    file.staging_configs.clear();
    let report = import(&mut store, &file, None, prune).unwrap();
    assert_eq!(report.count(Change::Delete), 2, "{}", report.summary());
    assert!(
        store
            .servers()
            .unwrap()
            .iter()
            .all(|s| s.server.spec.friendly_name != "bastion-ssh")
    );
    assert!(store.staging_configs().unwrap().is_empty());
    // Dropping a server that runs sessions is refused: exit code 2, nothing written.
    let before = export_text(&store, None);
    let mut file = parse(&before).unwrap();
    file.servers.retain(|s| s.friendly_name != "win-rdp-01");
    let err = import(&mut store, &file, None, prune).unwrap_err();
    assert!(matches!(err, ImportError::Refused(_)), "{err}");
    assert!(err.to_string().contains("win-rdp-01"), "{err}");
    assert_eq!(export_text(&store, None), before);
}

#[test]
fn the_shipped_schema_matches_the_types() {
    let generated = pooladmin::config_file::json_schema();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/config-schema.json");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let shipped = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        shipped == generated,
        "assets/config-schema.json is stale: run UPDATE_SCHEMA=1 cargo test --test config_file"
    );
    let schema: serde_json::Value = serde_json::from_str(&shipped).unwrap();
    let properties = schema["properties"].as_object().unwrap();
    for list in [
        "zones",
        "pools",
        "servers",
        "docker_agents",
        "staging_configs",
        "ldap_configs",
        "vm_provider_configs",
        "dns_provider_configs",
        "autoscale_configs",
        "secrets",
    ] {
        assert!(
            properties.contains_key(list),
            "{list} missing from the schema"
        );
    }
    assert!(
        !shipped.contains("secret_access_key"),
        "a secret field is in the schema"
    );
}

#[test]
fn serving_order_and_name_case_survive_an_import() {
    let (_a, source) = populated();
    let mut file = sealed_export(&source);
    // Reverse the serving order of the agent pool's configs, and change a zone's case.
    let agents: Vec<_> = file
        .autoscale_configs
        .iter()
        .filter(|c| c.pool == "Browser Isolation")
        .map(|c| c.name.clone())
        .collect();
    file.autoscale_configs.reverse();
    file.zones
        .iter_mut()
        .find(|z| z.name == "eu-west")
        .unwrap()
        .name = "EU-West".into();
    let (_b, mut target) = temp_store();
    import(&mut target, &file, Some(&Secret::new(PASSPHRASE)), APPLY).unwrap();
    let order: Vec<_> = target
        .autoscale_configs()
        .unwrap()
        .into_iter()
        .filter(|r| agents.contains(&r.spec.name))
        .map(|r| r.spec.name)
        .collect();
    let mut reversed = agents.clone();
    reversed.reverse();
    assert_eq!(order, reversed);
    // The source, renamed by case only, is updated in place, and then stays unchanged.
    let mut source = source;
    let report = import(&mut source, &file, Some(&Secret::new(PASSPHRASE)), APPLY).unwrap();
    assert!(report.count(Change::Update) >= 1, "{}", report.summary());
    assert!(source.zones().unwrap().iter().any(|z| z.name == "EU-West"));
    let again = import(&mut source, &file, Some(&Secret::new(PASSPHRASE)), APPLY).unwrap();
    assert!(
        again.summary().starts_with("0 changes"),
        "{}",
        again.summary()
    );
}

#[test]
fn field_errors_carry_their_json_key() {
    let (_a, source) = populated();
    let mut file = sealed_export(&source);
    let aws = file
        .vm_provider_configs
        .iter()
        .position(|c| matches!(c.settings, ProviderSettings::Aws(_)))
        .unwrap();
    if let ProviderSettings::Aws(s) = &mut file.vm_provider_configs[aws].settings {
        s.security_group_ids = r#"{"default": "sg-01234567"}"#.into();
    }
    file.servers[0].port = 0;
    let (_b, mut target) = temp_store();
    let Err(ImportError::Invalid(problems)) =
        import(&mut target, &file, Some(&Secret::new(PASSPHRASE)), APPLY)
    else {
        panic!("expected Invalid");
    };
    let text = problems.join("\n");
    assert!(
        text.contains(&format!(
            "vm_provider_configs[{aws}].settings.Aws.security_group_ids (AWS: EC2 Security Group IDs): expected a list of strings"
        )),
        "{text}"
    );
    assert!(
        text.contains("servers[0].port (Port): expected a whole number from 1 to 65535"),
        "{text}"
    );
}

#[test]
fn every_vm_provider_field_error_has_a_json_key() {
    use pooladmin::model::secret_fields::SecretFields;
    use pooladmin::model::vm_provider::VmProviderSpec;
    for kind in ProviderKind::ALL {
        let mut spec = VmProviderSpec::new(kind);
        spec.max_instances = "many".into();
        spec.endpoint_override = "somewhere".into();
        let secrets: Vec<&str> = spec
            .secret_values()
            .iter()
            .map(|(label, _)| *label)
            .collect();
        let errors = spec.validate().unwrap_err();
        for error in errors.errors() {
            // A secret is the one field a file does not hold; every other has a key.
            let secret = secrets.contains(&&*error.field.label());
            assert_eq!(
                error.field.json_key().is_none(),
                secret,
                "{}: {} is {}a secret but has key {:?}",
                kind.label(),
                error.field,
                if secret { "" } else { "not " },
                error.field.json_key()
            );
        }
    }
}

#[test]
fn autoscaled_members_are_state_left_out_of_exports_and_never_imported_as_static() {
    let mut bench = common::scaling::agent_pool(Behaviour::default(), 8, 10);
    let configuration = export(&bench.store, None, ExportScope::Configuration).unwrap();
    let made = bench.running_instance(jiff::Timestamp::now());
    assert_eq!(bench.store.agents().unwrap().len(), 1);
    // The configuration did not change: the export is the same, byte for byte.
    assert_eq!(
        export(&bench.store, None, ExportScope::Configuration).unwrap(),
        configuration
    );
    let backup = export(&bench.store, None, ExportScope::WithState).unwrap();
    assert!(backup.contains(&made.name) && backup.contains(r#""autoscaled": true"#));
    // Imported into an empty database, the marked member is left out and said so.
    let (_dir, mut target) = temp_store();
    let report = import(
        &mut target,
        &parse(&backup).unwrap(),
        None,
        ImportOptions::default(),
    )
    .unwrap();
    assert!(target.agents().unwrap().is_empty());
    assert_eq!(report.count(Change::Skipped), 1);
    assert!(report.summary().contains("1 autoscaled member(s) left out"));
}

// The tests above that need no file of their own run again on PostgreSQL.
crate::also_on_postgres!(
    a_round_trip_through_an_empty_database_is_byte_identical,
    importing_twice_changes_nothing_the_second_time,
    a_dry_run_plans_and_writes_nothing,
    one_bad_field_in_the_last_object_writes_nothing,
    secrets_never_leave_in_clear_and_a_wrong_passphrase_fails_cleanly,
    bad_files_are_named_by_path,
    the_demo_is_seeded_from_its_json_file_exactly,
    prune_deletes_what_the_file_lacks_and_refuses_what_is_in_use,
    serving_order_and_name_case_survive_an_import,
    field_errors_carry_their_json_key,
    autoscaled_members_are_state_left_out_of_exports_and_never_imported_as_static,
);

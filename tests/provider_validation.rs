//! The AutoScale, VM Provider, DNS Provider and LDAP models: a complete config of every
//! cloud passes, each bad field is named, and no secret shows in `Debug`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

use pooladmin::model::Field;
use pooladmin::model::autoscale::{AutoScaleSpec, Scaling};
use pooladmin::model::dns_provider::{DnsProviderSpec, DnsSettings};
use pooladmin::model::field::{
    AutoScaleField, AwsField, AzureCredentialField, AzureField, GcpField, LdapField,
    OciCredentialField, OciField, VmProviderField,
};
use pooladmin::model::ldap::LdapSpec;
use pooladmin::model::secret_fields::SecretFields;
use pooladmin::model::vm_provider::{ProviderKind, ProviderSettings, VmProviderSpec};
use pooladmin::model::{DnsProviderId, LdapId, PoolId, PoolKind, Secret, VmProviderId, ZoneId};

mod common;

use common::configs::{CERT, KEY, complete};

#[test]
fn a_complete_config_of_every_cloud_passes() {
    for kind in ProviderKind::ALL {
        let checked = complete(kind).check();
        assert!(
            checked.errors.is_empty(),
            "{}: {}",
            kind.label(),
            checked.errors
        );
        assert!(
            checked.warnings.is_empty(),
            "{}: {:?}",
            kind.label(),
            checked.warnings
        );
    }
}

#[test]
fn no_secret_shows_in_debug() {
    for kind in ProviderKind::ALL {
        let spec = complete(kind);
        let debug = format!("{spec:?}");
        for (label, secret) in spec.settings.secret_values() {
            assert!(!secret.is_empty(), "{label} left empty in the fixture");
            assert!(
                !debug.contains(secret.expose()),
                "{label} of {} shows in Debug",
                kind.label()
            );
        }
    }
}

fn field_error(spec: &VmProviderSpec, field: impl Into<Field>) -> String {
    let field: Field = field.into();
    spec.check()
        .errors
        .for_field(field)
        .unwrap_or_else(|| panic!("{field} not reported: {}", spec.check().errors))
        .to_owned()
}

#[test]
fn each_bad_field_is_named_with_what_is_expected() {
    let mut aws = complete(ProviderKind::Aws);
    if let ProviderSettings::Aws(s) = &mut aws.settings {
        s.security_group_ids = r#"{"sg": "sg-01234567"}"#.into();
        s.ami_id = "ubuntu".into();
        s.volume_size_gb = "2".into();
    }
    assert!(field_error(&aws, AwsField::SecurityGroupIds).contains("expected a list of strings"));
    assert!(field_error(&aws, AwsField::AmiId).contains("ami-"));
    assert!(field_error(&aws, AwsField::VolumeSize).contains("8 to 16384"));

    let mut azure = complete(ProviderKind::Azure);
    if let ProviderSettings::Azure(s) = &mut azure.settings {
        s.credentials.tenant_id = "not-a-uuid".into();
        s.image_reference = r#"{"publisher": "Canonical"}"#.into();
        s.config_override = r#"{"tags": {}}"#.into();
        s.image_is_windows = true;
        s.os_password = Secret::default();
    }
    assert!(field_error(&azure, Field::vm_azure(AzureCredentialField::TenantId)).contains("UUID"));
    assert!(field_error(&azure, AzureField::ImageReference).contains("sku"));
    assert!(field_error(&azure, AzureField::ConfigOverride).contains("cannot be overridden"));
    assert!(field_error(&azure, AzureField::OsPassword).contains("Windows"));

    let mut gcp = complete(ProviderKind::Gcp);
    if let ProviderSettings::Gcp(s) = &mut gcp.settings {
        s.credentials.key_json = Secret::new(r#"{"type": "authorized_user"}"#);
        s.metadata = r#"[{"key": "startup-script", "value": "x"}]"#.into();
        s.guest_accelerators = r#"[{"type": "nvidia-tesla-t4", "count": 0}]"#.into();
        s.custom_labels = r#"{"Team": "x"}"#.into();
    }
    assert!(field_error(&gcp, GcpField::Credentials).contains("service_account"));
    assert!(field_error(&gcp, GcpField::Metadata).contains("Startup Script"));
    assert!(field_error(&gcp, GcpField::GuestAccelerators).contains("count"));
    assert!(field_error(&gcp, GcpField::CustomLabels).contains("lower-case"));

    let mut oci = complete(ProviderKind::Oci);
    if let ProviderSettings::Oci(s) = &mut oci.settings {
        s.credentials.private_key = Secret::new(CERT);
        s.image_ocid = "ocid1.subnet.oc1..aaaa".into();
        s.flex_cpus = "0".into();
    }
    assert!(
        field_error(&oci, Field::vm_oci(OciCredentialField::PrivateKey)).contains("CERTIFICATE")
    );
    assert!(field_error(&oci, OciField::ImageOcid).contains("ocid1.image"));
    assert!(field_error(&oci, OciField::FlexCpus).contains("1 to 128"));

    let mut ocean = complete(ProviderKind::DigitalOcean);
    ocean.max_instances = "0".into();
    ocean.startup_script = "x".repeat(70 * 1024);
    assert!(
        field_error(
            &ocean,
            VmProviderField::MaxInstances(ProviderKind::DigitalOcean),
        )
        .contains("1 to 1000")
    );
    assert!(
        field_error(
            &ocean,
            VmProviderField::StartupScript(ProviderKind::DigitalOcean),
        )
        .contains("at most 65536 bytes")
    );
}

#[test]
fn unknown_placeholders_warn_without_blocking() {
    let mut spec = complete(ProviderKind::Aws);
    spec.startup_script = "echo {server_id} {serverid}".into();
    let checked = spec.check();
    assert!(checked.errors.is_empty());
    assert_eq!(checked.warnings.len(), 1);
    assert!(checked.warnings[0].contains("{serverid}"));
}

#[test]
fn the_gcp_key_error_never_quotes_the_key() {
    let mut spec = complete(ProviderKind::Gcp);
    let broken = format!("{{\"private_key\": \"{}", "SECRETMATERIAL");
    if let ProviderSettings::Gcp(s) = &mut spec.settings {
        s.credentials.key_json = Secret::new(broken);
    }
    let message = field_error(&spec, GcpField::Credentials);
    assert!(!message.contains("SECRETMATERIAL"), "{message}");
    assert!(message.contains("line 1"), "{message}");
}

#[test]
fn dns_configs_of_every_cloud() {
    for kind in ProviderKind::ALL {
        let Some(mut settings) = DnsSettings::new(kind) else {
            assert_eq!(kind, ProviderKind::Simulator);
            continue;
        };
        // Empty settings name their first missing field.
        let empty = DnsProviderSpec {
            register: Default::default(),
            name: "dns".into(),
            endpoint_override: String::new(),
            settings: settings.clone(),
        };
        assert!(empty.validate().is_err(), "{}", kind.label());
        // Borrow the VM provider's complete credentials.
        match (&mut settings, complete(kind).settings) {
            (DnsSettings::Aws(c), ProviderSettings::Aws(s)) => *c = s.credentials,
            (DnsSettings::Azure(c), ProviderSettings::Azure(s)) => *c = s.credentials,
            (DnsSettings::DigitalOcean { token }, ProviderSettings::DigitalOcean(s)) => {
                *token = s.token
            }
            (
                DnsSettings::Gcp {
                    project,
                    credentials,
                },
                ProviderSettings::Gcp(s),
            ) => {
                *project = s.project_id;
                *credentials = s.credentials;
            }
            (DnsSettings::Oci(c), ProviderSettings::Oci(s)) => *c = s.credentials,
            _ => unreachable!(),
        }
        let spec = DnsProviderSpec {
            register: Default::default(),
            name: format!("{} DNS", kind.label()),
            endpoint_override: "http://127.0.0.1:4566".into(),
            settings,
        };
        assert_eq!(spec.validate(), Ok(()), "{}", kind.label());
        let debug = format!("{spec:?}");
        for (label, secret) in spec.settings.secret_values() {
            assert!(!debug.contains(secret.expose()), "{label} shows in Debug");
        }
    }
}

#[test]
fn ldap_configs() {
    let mut ldap = LdapSpec {
        name: "corp".into(),
        url: "ldaps://dc1.corp.example.com:636".into(),
        search_base: "DC=corp,DC=example,DC=com".into(),
        service_account_dn: "CN=svc-kasm,OU=Service,DC=corp,DC=example,DC=com".into(),
        service_account_password: Secret::new("ldap-service-password"),
        ca_certificate: CERT.into(),
        ..LdapSpec::default()
    };
    assert_eq!(ldap.validate(), Ok(()));
    assert!(!format!("{ldap:?}").contains("ldap-service-password"));
    ldap.url = "http://dc1".into();
    ldap.start_tls = true;
    ldap.ca_certificate = KEY.into();
    let errors = ldap.validate().unwrap_err();
    assert!(errors.for_field(LdapField::Url).is_some());
    assert!(errors.for_field(LdapField::CaCertificate).is_some());
}

#[test]
fn ldap_in_clear_is_refused_unless_allowed_for_a_test() {
    let mut ldap = LdapSpec {
        name: "corp".into(),
        url: "ldap://dc1.corp.example.com".into(),
        search_base: "DC=corp,DC=example,DC=com".into(),
        service_account_dn: "CN=svc,DC=corp,DC=example,DC=com".into(),
        service_account_password: Secret::new("p"),
        ..LdapSpec::default()
    };
    let errors = ldap.validate().unwrap_err();
    let url_error = errors.for_field(LdapField::Url).expect("refused");
    assert!(url_error.contains("in clear"), "{url_error}");
    ldap.start_tls = true;
    assert_eq!(ldap.validate(), Ok(()));
    ldap.start_tls = false;
    ldap.allow_unencrypted = true;
    assert_eq!(ldap.validate(), Ok(()));
    assert!(ldap.cleartext_refusal().is_none());
    // A file written before the rule has no such key: it reads as not allowed.
    let old: LdapSpec =
        serde_json::from_str(r#"{"name":"x","url":"ldap://dc1","start_tls":false}"#).unwrap();
    assert!(!old.allow_unencrypted);
    assert!(old.cleartext_refusal().is_some());
}

#[test]
fn autoscale_configs_of_both_types() {
    let mut agents = AutoScaleSpec::new(PoolId(1), PoolKind::DockerAgent, Some(ZoneId(1)));
    agents.name = "agents-east".into();
    agents.vm_provider = Some(VmProviderId(1));
    assert_eq!(agents.validate(), Ok(()));
    if let Scaling::Agents(a) = &mut agents.scaling {
        a.agent_cores_override = "0".into();
        a.register_dns = true;
        a.base_domain_name = "agents.kasm.example.com".into();
        a.nginx_cert = CERT.into();
    }
    let errors = agents.validate().unwrap_err();
    assert!(
        errors
            .for_field(AutoScaleField::AgentCoresOverride)
            .unwrap()
            .contains("above 0")
    );
    assert!(
        errors
            .for_field(AutoScaleField::DnsProviderConfig)
            .is_some()
    );
    assert!(
        errors
            .for_field(AutoScaleField::NginxKey)
            .unwrap()
            .contains("both")
    );
    agents.dns_provider = Some(DnsProviderId(1));
    if let Scaling::Agents(a) = &mut agents.scaling {
        a.agent_cores_override = "4".into();
        a.nginx_key = Secret::new(KEY);
    }
    assert_eq!(agents.validate(), Ok(()));
    assert!(!format!("{agents:?}").contains("PRIVATE KEY"));

    let mut servers = AutoScaleSpec::new(PoolId(2), PoolKind::Server, Some(ZoneId(1)));
    servers.name = "windows-east".into();
    servers.vm_provider = Some(VmProviderId(1));
    if let Scaling::Servers(s) = &mut servers.scaling {
        s.create_ad_record = true;
    }
    let errors = servers.validate().unwrap_err();
    assert!(errors.for_field(AutoScaleField::LdapConfig).is_some());
    assert!(errors.for_field(AutoScaleField::AdComputerOuDn).is_some());
    if let Scaling::Servers(s) = &mut servers.scaling {
        s.ldap_config = Some(LdapId(1));
        s.ad_computer_ou_dn = "OU=Kasm,OU=Computers,DC=corp,DC=example,DC=com".into();
        s.connection_username = "{sso_username}".into();
        s.connection_password = Secret::new("{sso_cred}");
    }
    assert_eq!(servers.validate(), Ok(()));
}

#[test]
fn an_aws_launch_is_parsed_once_and_never_guessed() {
    let ProviderSettings::Aws(mut aws) = complete(ProviderKind::Aws).settings else {
        panic!("an AWS config");
    };
    let launch = aws.launch().expect("a complete config launches");
    assert!(!launch.security_groups.is_empty());
    assert!(launch.volume_size_gb >= 8);
    // The old adapter read a bad size as 40 GB and bad groups as none (the VPC's default
    // group); now the launch is refused, naming the fields.
    aws.volume_size_gb = "forty".into();
    aws.security_group_ids = "sg-1".into();
    let errors = aws.launch().unwrap_err();
    assert!(errors.for_field(AwsField::VolumeSize).is_some(), "{errors}");
    assert!(
        errors.for_field(AwsField::SecurityGroupIds).is_some(),
        "{errors}"
    );
}

#[test]
fn an_azure_launch_is_parsed_once_and_never_guessed() {
    let ProviderSettings::Azure(mut azure) = complete(ProviderKind::Azure).settings else {
        panic!("an Azure config");
    };
    let launch = azure.launch().expect("a complete config launches");
    assert!(!launch.image_reference.is_empty());
    assert!(launch.os_disk_size_gb >= 30);
    // The old adapter sent a disk of 64 GB for a size that did not parse, no image for an
    // image reference that did not, and dropped tags and overrides silently.
    azure.os_disk_size_gb = "big".into();
    azure.image_reference = "{not json".into();
    azure.tags = "[1]".into();
    let errors = azure.launch().unwrap_err();
    for field in [
        AzureField::OsDiskSize,
        AzureField::ImageReference,
        AzureField::Tags,
    ] {
        assert!(errors.for_field(field).is_some(), "{field}: {errors}");
    }
}

#[test]
fn an_oci_launch_is_parsed_once_and_never_guessed() {
    let ProviderSettings::Oci(mut oci) = complete(ProviderKind::Oci).settings else {
        panic!("an OCI config");
    };
    let launch = oci.launch().expect("a complete config launches");
    assert!(launch.boot_volume_gb >= 50);
    // The old adapter read a bad boot volume as 50 GB and bad Flex numbers as 1 OCPU / 8 GB.
    oci.shape = "VM.Standard.E4.Flex".into();
    oci.boot_volume_gb = "huge".into();
    oci.flex_cpus = "many".into();
    let errors = oci.launch().unwrap_err();
    for field in [OciField::BootVolume, OciField::FlexCpus] {
        assert!(errors.for_field(field).is_some(), "{field}: {errors}");
    }
}

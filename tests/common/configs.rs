//! Complete, valid configs of every cloud, with distinct secrets, for tests.
#![allow(dead_code)]

use pooladmin::model::Secret;
use pooladmin::model::credentials::AzureAuthority;
use pooladmin::model::vm_provider::{ProviderKind, ProviderSettings, VmProviderSpec};

pub const KEY: &str = include_str!("../fixtures/test_rsa_key.pem");
pub const CERT: &str = include_str!("../fixtures/test_cert.pem");
pub const SSH_KEY: &str = include_str!("../fixtures/test_ed25519.pub");

pub fn gcp_key_json() -> Secret {
    Secret::new(
        serde_json::json!({
            "type": "service_account",
            "project_id": "pensive-voice-547511",
            "private_key_id": "abc",
            "private_key": KEY,
            "client_email": "scaler@pensive-voice-547511.iam.gserviceaccount.com",
            "token_uri": "https://oauth2.googleapis.com/token",
        })
        .to_string(),
    )
}

/// A complete, valid config of every provider.
pub fn complete(kind: ProviderKind) -> VmProviderSpec {
    let mut spec = VmProviderSpec::new(kind);
    spec.name = format!("{} agents", kind.label());
    spec.startup_script = "#!/bin/sh\necho {server_id} {pool_name} > /etc/kasm-id\n".into();
    match &mut spec.settings {
        ProviderSettings::Aws(s) => {
            s.credentials.access_key_id = "AKIAIOSFODNN7EXAMPLE".into();
            s.credentials.secret_access_key =
                Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY-aws");
            s.ami_id = "ami-0123456789abcdef0".into();
            s.security_group_ids = r#"["sg-0123456789abcdef0", "sg-01234567"]"#.into();
            s.subnet_id = "subnet-0123456789abcdef0".into();
            s.iam_instance_profile = "CloudWatchAgentRole".into();
            s.custom_tags = r#"{"team": "desktops"}"#.into();
            s.key_pair = "admin-key".into();
        }
        ProviderSettings::Azure(s) => {
            s.credentials.subscription_id = "0a1b2c3d-4e5f-6789-abcd-ef0123456789".into();
            s.credentials.tenant_id = "1a1b2c3d-4e5f-6789-abcd-ef0123456789".into();
            s.credentials.client_id = "2a1b2c3d-4e5f-6789-abcd-ef0123456789".into();
            s.credentials.client_secret = Secret::new("azure-client-secret-value");
            s.credentials.resource_group = "kasm-rg".into();
            s.credentials.authority = AzureAuthority::Government;
            s.image_reference = r#"{"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2", "version": "latest"}"#.into();
            s.network_security_group = "/subscriptions/0a1b/resourceGroups/kasm-rg/providers/Microsoft.Network/networkSecurityGroups/agents-nsg".into();
            s.subnet = "/subscriptions/0a1b/resourceGroups/kasm-rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/agents".into();
            s.tags = r#"{"team": "desktops"}"#.into();
            s.ssh_public_key = SSH_KEY.trim().into();
            s.os_password = Secret::new("Azure-VM-Passw0rd!");
            s.config_override = r#"{"zones": ["1"]}"#.into();
        }
        ProviderSettings::DigitalOcean(s) => {
            s.token = Secret::new("dop_v1_0123456789abcdef0123456789abcdef");
            s.tag = "kasm-agents".into();
            s.ssh_key_name = "admin".into();
            s.firewall_name = "agents".into();
        }
        ProviderSettings::Gcp(s) => {
            s.credentials.key_json = gcp_key_json();
            s.project_id = "pensive-voice-547511".into();
            s.machine_image =
                "projects/ubuntu-os-cloud/global/images/ubuntu-2004-focal-v20211212".into();
            s.cmek = "projects/pensive-voice-547511/locations/global/keyRings/ring/cryptoKeys/key"
                .into();
            s.network = "projects/pensive-voice-547511/global/networks/default".into();
            s.subnetwork =
                "projects/pensive-voice-547511/regions/us-east4/subnetworks/default".into();
            s.network_tags = r#"["https-server", "kasm-agent"]"#.into();
            s.custom_labels = r#"{"team": "desktops"}"#.into();
            s.metadata = r#"[{"key": "enable-oslogin", "value": "TRUE"}]"#.into();
            s.service_account = r#"{"email": "agents@pensive-voice-547511.iam.gserviceaccount.com", "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}"#.into();
            s.guest_accelerators = r#"[{"type": "nvidia-tesla-t4", "count": 1}]"#.into();
            s.config_override = r#"{"scheduling": {"preemptible": false}}"#.into();
        }
        ProviderSettings::Oci(s) => {
            s.credentials.user_ocid = "ocid1.user.oc1..aaaaexampleuser".into();
            s.credentials.fingerprint = "12:34:56:78:9a:bc:de:f0:12:34:56:78:9a:bc:de:f0".into();
            s.credentials.private_key = Secret::new(KEY);
            s.credentials.tenancy_ocid = "ocid1.tenancy.oc1..aaaaexampletenancy".into();
            s.credentials.compartment_ocid = "ocid1.compartment.oc1..aaaaexamplecomp".into();
            s.availability_domain = "BEol:US-ASHBURN-AD-1".into();
            s.image_ocid = "ocid1.image.oc1.iad.aaaaexampleimage".into();
            s.custom_tags = r#"{"team": "desktops"}"#.into();
            s.subnet_ocid = "ocid1.subnet.oc1.iad.aaaaexamplesubnet".into();
            s.ssh_public_key = SSH_KEY.trim().into();
        }
        ProviderSettings::Simulator(s) => {
            s.boot_delay_s = "5".into();
            s.failure_rate_percent = "10".into();
            s.throttle_rate_percent = "5".into();
            s.capacity_error_percent = "2".into();
        }
    }
    spec
}

//! Oracle Cloud compute settings: every field of the seed's Oracle Cloud table.

use crate::model::Field;
use crate::model::ValidationErrors;
use crate::model::cloud_ids::{ocid, simple_name};
use crate::model::credentials::{OciCredentials, note, required};
use crate::model::field::OciCredentialField;
use crate::model::field::OciField;
use crate::model::json_shapes::string_map;
use crate::model::pem_text::check_ssh_public_key;
use crate::model::validation::parse_whole;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The OCI fields of a VM Provider config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct OciSettings {
    /// User, fingerprint, private key, region, tenancy, compartment.
    pub credentials: OciCredentials,
    /// Availability Domain.
    pub availability_domain: String,
    /// Image OCID.
    pub image_ocid: String,
    /// Shape.
    pub shape: String,
    /// Flex CPUs (Flex shapes only).
    pub flex_cpus: String,
    /// Flex Memory GB (Flex shapes only).
    pub flex_memory_gb: String,
    /// Boot Volume GB.
    pub boot_volume_gb: String,
    /// Custom Tags (JSON object of freeform tags).
    pub custom_tags: String,
    /// Subnet OCID.
    pub subnet_ocid: String,
    /// SSH Public Key.
    pub ssh_public_key: String,
}

impl Default for OciSettings {
    fn default() -> Self {
        Self {
            credentials: OciCredentials {
                region: "us-ashburn-1".into(),
                ..OciCredentials::default()
            },
            availability_domain: String::new(),
            image_ocid: String::new(),
            shape: "VM.Standard.E4.Flex".into(),
            flex_cpus: "2".into(),
            flex_memory_gb: "8".into(),
            boot_volume_gb: "50".into(),
            custom_tags: "{}".into(),
            subnet_ocid: String::new(),
            ssh_public_key: String::new(),
        }
    }
}

impl OciSettings {
    /// Whether the shape takes OCPU and memory counts.
    pub fn is_flex(&self) -> bool {
        self.shape.trim().ends_with(".Flex")
    }

    /// Checks every field under the seed's labels.
    pub fn check(&self, errors: &mut ValidationErrors) {
        self.parsed(errors);
    }

    /// The LaunchInstance values, or every field that is wrong.
    pub fn launch(&self) -> Result<OciLaunch, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let launch = self.parsed(&mut errors);
        errors.into_result(launch)
    }

    fn parsed(&self, errors: &mut ValidationErrors) -> OciLaunch {
        self.credentials.check(
            errors,
            Field::vm_oci,
            OciCredentialField::PublicKeyFingerprint,
        );
        let domain = self.availability_domain.trim();
        if required(errors, OciField::AvailabilityDomain, domain)
            && !(domain.contains(':') && domain.contains("-AD-"))
        {
            errors.push(
                OciField::AvailabilityDomain,
                "expected a name like BEol:US-ASHBURN-AD-1",
            );
        }
        if required(errors, OciField::ImageOcid, &self.image_ocid) {
            note(
                errors,
                OciField::ImageOcid,
                ocid(self.image_ocid.trim(), "image"),
            );
        }
        if required(errors, OciField::Shape, &self.shape) {
            note(
                errors,
                OciField::Shape,
                simple_name(self.shape.trim(), ".", "VM.Standard.E4.Flex"),
            );
        }
        let flex = self.is_flex().then(|| {
            (
                parse_whole(errors, OciField::FlexCpus, &self.flex_cpus, 1, 128),
                parse_whole(errors, OciField::FlexMemory, &self.flex_memory_gb, 1, 1024),
            )
        });
        let boot_volume_gb = parse_whole(
            errors,
            OciField::BootVolume,
            &self.boot_volume_gb,
            50,
            32_768,
        );
        let tags = string_map(
            errors,
            OciField::CustomTags,
            &self.custom_tags,
            |key, value| {
                if key.is_empty() || key.len() > 100 || value.len() > 256 {
                    Some("tag names take 1 to 100 characters, values at most 256".to_owned())
                } else if key.starts_with("pooladmin-") {
                    Some("the pooladmin- prefix is reserved".to_owned())
                } else {
                    None
                }
            },
        );
        if required(errors, OciField::SubnetOcid, &self.subnet_ocid) {
            note(
                errors,
                OciField::SubnetOcid,
                ocid(self.subnet_ocid.trim(), "subnet"),
            );
        }
        if required(errors, OciField::SshPublicKey, &self.ssh_public_key) {
            note(
                errors,
                OciField::SshPublicKey,
                check_ssh_public_key(self.ssh_public_key.trim()),
            );
        }
        OciLaunch {
            boot_volume_gb,
            flex,
            tags,
        }
    }
}

/// What LaunchInstance takes, parsed once from checked settings.
#[derive(Clone, Debug, PartialEq)]
pub struct OciLaunch {
    /// Boot Volume GB.
    pub boot_volume_gb: i64,
    /// Flex CPUs and Flex Memory GB, for a Flex shape.
    pub flex: Option<(i64, i64)>,
    /// Custom Tags (JSON).
    pub tags: std::collections::BTreeMap<String, String>,
}

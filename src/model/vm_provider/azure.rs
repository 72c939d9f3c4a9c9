//! Azure VM settings: every field of the seed's Azure table.

use crate::model::Field;
use crate::model::cloud_ids::simple_name;
use crate::model::credentials::{AzureCredentials, note, required};
use crate::model::field::AzureField;
use crate::model::json_shapes::{object, string_map};
use crate::model::pem_text::check_ssh_public_key;
use crate::model::validation::parse_whole;
use crate::model::{Secret, ValidationErrors};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Managed disk types Azure offers for an OS disk.
pub const OS_DISK_TYPES: [&str; 6] = [
    "Premium_LRS",
    "StandardSSD_LRS",
    "Standard_LRS",
    "Premium_ZRS",
    "StandardSSD_ZRS",
    "PremiumV2_LRS",
];

/// Top-level keys of the VM request that pooladmin owns: the override may not set them.
pub const FIXED_KEYS: [&str; 3] = ["name", "tags", "id"];

/// User names Azure refuses for a VM's administrator.
const RESERVED_USERS: [&str; 8] = [
    "administrator",
    "admin",
    "root",
    "guest",
    "user",
    "test",
    "sys",
    "support",
];

/// The Azure fields of a VM Provider config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct AzureSettings {
    /// Subscription, resource group, tenant, client id and secret, authority, region.
    pub credentials: AzureCredentials,
    /// VM Size.
    pub vm_size: String,
    /// OS Disk Type.
    pub os_disk_type: String,
    /// OS Disk Size (GB).
    pub os_disk_size_gb: String,
    /// OS Image Reference (JSON): publisher / offer / sku / version, or id.
    pub image_reference: String,
    /// Image is Windows.
    pub image_is_windows: bool,
    /// Network Security Group (resource id).
    pub network_security_group: String,
    /// Subnet (resource id).
    pub subnet: String,
    /// Assign Public IP.
    pub assign_public_ip: bool,
    /// Tags (JSON object).
    pub tags: String,
    /// OS Username.
    pub os_username: String,
    /// OS Password.
    #[serde(skip)]
    pub os_password: Secret,
    /// SSH Public Key.
    pub ssh_public_key: String,
    /// Config Override (JSON object merged into the request's top-level keys).
    pub config_override: String,
}

impl Default for AzureSettings {
    fn default() -> Self {
        Self {
            credentials: AzureCredentials {
                region: "eastus".into(),
                ..AzureCredentials::default()
            },
            vm_size: "Standard_D2s_v3".into(),
            os_disk_type: "StandardSSD_LRS".into(),
            os_disk_size_gb: "64".into(),
            image_reference: String::new(),
            image_is_windows: false,
            network_security_group: String::new(),
            subnet: String::new(),
            assign_public_ip: true,
            tags: "{}".into(),
            os_username: "kasm".into(),
            os_password: Secret::default(),
            ssh_public_key: String::new(),
            config_override: "{}".into(),
        }
    }
}

fn resource_id(text: &str, kind: &str, example: &str) -> Option<String> {
    let ok = text.starts_with("/subscriptions/")
        && text.contains("/resourceGroups/")
        && text.contains(&format!("/{kind}/"))
        && !text.ends_with('/')
        && !text.contains(char::is_whitespace);
    (!ok).then(|| format!("expected a resource id like {example}"))
}

/// What a VM's request takes, parsed once from checked settings: the adapter never
/// re-parses the form's text or falls back to a default.
#[derive(Clone, Debug, PartialEq)]
pub struct AzureLaunch {
    /// OS Image Reference (JSON).
    pub image_reference: Map<String, Value>,
    /// OS Disk Size (GB).
    pub os_disk_size_gb: i64,
    /// Tags (JSON).
    pub tags: BTreeMap<String, String>,
    /// Config Override (JSON): top-level keys of the VM's body.
    pub config_override: Map<String, Value>,
}

impl AzureSettings {
    /// Whether a Linux VM refuses SSH password logins: always, unless a password is its only
    /// way in (no SSH key), as the reference's default says.
    pub fn ssh_password_login_disabled(&self) -> bool {
        !self.ssh_public_key.trim().is_empty() || self.os_password.is_empty()
    }

    /// What the form says under OS Password, when there is something to say.
    pub fn password_note(&self) -> Option<&'static str> {
        if self.image_is_windows || self.os_password.is_empty() {
            None
        } else if self.ssh_password_login_disabled() {
            Some("SSH accepts the key only; this password is for the console and sudo")
        } else {
            Some("no SSH key: SSH password logins are enabled for this password")
        }
    }

    /// Checks every field under the seed's labels.
    pub fn check(&self, errors: &mut ValidationErrors) {
        self.parsed(errors);
    }

    /// The request's values, or every field that is wrong.
    pub fn launch(&self) -> Result<AzureLaunch, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let launch = self.parsed(&mut errors);
        errors.into_result(launch)
    }

    fn parsed(&self, errors: &mut ValidationErrors) -> AzureLaunch {
        self.credentials.check(errors, Field::vm_azure);
        if required(errors, AzureField::VmSize, &self.vm_size) {
            note(
                errors,
                AzureField::VmSize,
                simple_name(self.vm_size.trim(), "_", "Standard_D2s_v3"),
            );
        }
        if !OS_DISK_TYPES.contains(&self.os_disk_type.trim()) {
            errors.push(
                AzureField::OsDiskType,
                format!("expected one of {}", OS_DISK_TYPES.join(", ")),
            );
        }
        let os_disk_size_gb = parse_whole(
            errors,
            AzureField::OsDiskSize,
            &self.os_disk_size_gb,
            30,
            4095,
        );
        let image_reference = self.check_image_reference(errors);
        if required(
            errors,
            AzureField::NetworkSecurityGroup,
            &self.network_security_group,
        ) {
            note(
                errors,
                AzureField::NetworkSecurityGroup,
                resource_id(
                    self.network_security_group.trim(),
                    "networkSecurityGroups",
                    "/subscriptions/…/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg",
                ),
            );
        }
        if required(errors, AzureField::Subnet, &self.subnet) {
            note(
                errors,
                AzureField::Subnet,
                resource_id(
                    self.subnet.trim(),
                    "subnets",
                    "/subscriptions/…/virtualNetworks/vnet/subnets/default",
                ),
            );
        }
        let tags = string_map(errors, AzureField::Tags, &self.tags, |key, value| {
            if key.is_empty()
                || key.len() > 512
                || value.len() > 256
                || key.contains(['<', '>', '%', '&', '\\', '?', '/'])
            {
                Some(
                    "tag names take 1 to 512 characters without < > % & \\ ? /, values at most 256"
                        .to_owned(),
                )
            } else if key.starts_with("pooladmin-") {
                Some("the pooladmin- prefix is reserved".to_owned())
            } else {
                None
            }
        });
        let user = self.os_username.trim();
        if required(errors, AzureField::OsUsername, user) {
            if user.len() > 64 || RESERVED_USERS.contains(&user.to_lowercase().as_str()) {
                errors.push(
                    AzureField::OsUsername,
                    "expected up to 64 characters, not a reserved name such as admin or root",
                );
            } else {
                note(
                    errors,
                    AzureField::OsUsername,
                    simple_name(user, "-_.", "kasm"),
                );
            }
        }
        let password = self.os_password.expose();
        if self.image_is_windows && password.is_empty() {
            errors.push(AzureField::OsPassword, "a Windows image needs a password");
        }
        if !password.is_empty() && !strong_enough(password) {
            errors.push(
                AzureField::OsPassword,
                "expected 12 to 123 characters with three of: lower case, upper case, digit, symbol",
            );
        }
        let key = self.ssh_public_key.trim();
        if !key.is_empty() {
            note(errors, AzureField::SshPublicKey, check_ssh_public_key(key));
        } else if !self.image_is_windows && password.is_empty() {
            errors.push(
                AzureField::SshPublicKey,
                "a Linux image needs an SSH public key or an OS password",
            );
        }
        let config_override = object(
            errors,
            AzureField::ConfigOverride,
            &self.config_override,
            &FIXED_KEYS,
        );
        AzureLaunch {
            image_reference,
            os_disk_size_gb,
            tags,
            config_override,
        }
    }

    fn check_image_reference(&self, errors: &mut ValidationErrors) -> Map<String, Value> {
        const FIELD: AzureField = AzureField::ImageReference;
        if !required(errors, FIELD, &self.image_reference) {
            return Map::new();
        }
        let map = object(errors, FIELD, &self.image_reference, &[]);
        if errors.for_field(FIELD).is_some() {
            return map;
        }
        let text = |key: &str| {
            map.get(key)
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
        };
        let by_id = text("id").is_some();
        let by_name = ["publisher", "offer", "sku", "version"]
            .iter()
            .all(|k| text(k).is_some());
        if !by_id && !by_name {
            errors.push(
                FIELD,
                "expected {\"publisher\", \"offer\", \"sku\", \"version\"} strings, or {\"id\": \"/subscriptions/…/images/…\"}",
            );
        }
        map
    }
}

/// Azure's password rule: 12–123 characters with three of four character classes.
fn strong_enough(password: &str) -> bool {
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    (12..=123).contains(&password.chars().count()) && classes.iter().filter(|c| **c).count() >= 3
}

//! Google Compute Engine settings: every field of the seed's Google Cloud table.

use crate::model::ValidationErrors;
use crate::model::cloud_ids::{region, simple_name};
use crate::model::credentials::{GcpCredentials, note, required};
use crate::model::field::GcpField;
use crate::model::json_shapes::{object, object_list, required_string, string_list, string_map};
use crate::model::validation::parse_whole;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Persistent disk types for a boot disk.
pub const DISK_TYPES: [&str; 5] = [
    "pd-balanced",
    "pd-ssd",
    "pd-standard",
    "pd-extreme",
    "hyperdisk-balanced",
];

/// Request attributes pooladmin owns: the override may not set them.
pub const FIXED_KEYS: [&str; 2] = ["name", "labels"];

/// Metadata keys pooladmin sets itself.
const RESERVED_METADATA: [&str; 2] = ["startup-script", "windows-startup-script-ps1"];

/// The Compute Engine fields of a VM Provider config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct GcpSettings {
    /// GCP Credentials (service-account key JSON).
    pub credentials: GcpCredentials,
    /// Project ID.
    pub project_id: String,
    /// Region.
    pub region: String,
    /// Zone.
    pub zone: String,
    /// Machine Type.
    pub machine_type: String,
    /// Machine Image (path).
    pub machine_image: String,
    /// Boot Volume GB.
    pub boot_volume_gb: String,
    /// Disk Type.
    pub disk_type: String,
    /// Customer Managed Encryption Key (CMEK) path (optional).
    pub cmek: String,
    /// Network (path).
    pub network: String,
    /// Sub Network (path).
    pub subnetwork: String,
    /// Public IP.
    pub public_ip: bool,
    /// Network Tags (JSON list).
    pub network_tags: String,
    /// Custom Labels (JSON object).
    pub custom_labels: String,
    /// Metadata (JSON list of {key, value}).
    pub metadata: String,
    /// Service Account (JSON {email, scopes}).
    pub service_account: String,
    /// Guest Accelerators (JSON list of {type, count}).
    pub guest_accelerators: String,
    /// GCP Config Override (JSON object).
    pub config_override: String,
}

impl Default for GcpSettings {
    fn default() -> Self {
        Self {
            credentials: GcpCredentials::default(),
            project_id: String::new(),
            region: "us-east4".into(),
            zone: "us-east4-b".into(),
            machine_type: "e2-standard-2".into(),
            machine_image: String::new(),
            boot_volume_gb: "50".into(),
            disk_type: "pd-balanced".into(),
            cmek: String::new(),
            network: String::new(),
            subnetwork: String::new(),
            public_ip: true,
            network_tags: "[]".into(),
            custom_labels: "{}".into(),
            metadata: "[]".into(),
            service_account: String::new(),
            guest_accelerators: "[]".into(),
            config_override: "{}".into(),
        }
    }
}

/// A GCE label key or value, or network tag: lower case, digits, - and _, at most 63.
fn gcp_name(text: &str, allow_empty: bool, must_start_with_letter: bool) -> bool {
    (allow_empty || !text.is_empty())
        && text.len() <= 63
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && (!must_start_with_letter || text.starts_with(|c: char| c.is_ascii_lowercase()))
}

/// A resource path with the given segments, e.g. `projects/*/global/networks/*`.
fn path_like(text: &str, shape: &[&str]) -> bool {
    let parts: Vec<&str> = text
        .trim_start_matches("https://www.googleapis.com/compute/v1/")
        .split('/')
        .collect();
    parts.len() == shape.len()
        && parts
            .iter()
            .zip(shape)
            .all(|(p, s)| !p.is_empty() && (*s == "*" || p == s))
}

/// What an `instances.insert` takes, parsed once from checked settings: the adapter never
/// re-parses the form's text or falls back to a default.
#[derive(Clone, Debug, PartialEq)]
pub struct GcpLaunch {
    /// Boot Volume GB.
    pub boot_volume_gb: i64,
    /// Network Tags (JSON).
    pub network_tags: Vec<String>,
    /// Custom Labels (JSON).
    pub labels: BTreeMap<String, String>,
    /// Metadata (JSON): key and value of each item.
    pub metadata: Vec<(String, String)>,
    /// Service Account (JSON), when one is set.
    pub service_account: Option<Map<String, Value>>,
    /// Guest Accelerators (JSON): type and count of each.
    pub accelerators: Vec<(String, u32)>,
    /// GCP Config Override (JSON): top-level keys of the body.
    pub config_override: Map<String, Value>,
}

impl GcpSettings {
    /// Checks every field under the seed's labels.
    pub fn check(&self, errors: &mut ValidationErrors) {
        self.parsed(errors);
    }

    /// The request's values, or every field that is wrong.
    pub fn launch(&self) -> Result<GcpLaunch, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let launch = self.parsed(&mut errors);
        errors.into_result(launch)
    }

    fn parsed(&self, errors: &mut ValidationErrors) -> GcpLaunch {
        self.credentials.check(errors, GcpField::Credentials);
        let project = self.project_id.trim();
        let project_ok = (6..=30).contains(&project.len())
            && gcp_name(project, false, true)
            && !project.contains('_')
            && !project.ends_with('-');
        if required(errors, GcpField::ProjectId, project) && !project_ok {
            errors.push(
                GcpField::ProjectId,
                "expected 6 to 30 lower-case letters, digits and hyphens, starting with a letter",
            );
        }
        if required(errors, GcpField::Region, &self.region) {
            note(errors, GcpField::Region, region(self.region.trim()));
        }
        let zone = self.zone.trim();
        if required(errors, GcpField::Zone, zone)
            && !zone.starts_with(&format!("{}-", self.region.trim()))
        {
            errors.push(
                GcpField::Zone,
                format!(
                    "expected a zone of region {}, e.g. {}-b",
                    self.region.trim(),
                    self.region.trim()
                ),
            );
        }
        if required(errors, GcpField::MachineType, &self.machine_type) {
            note(
                errors,
                GcpField::MachineType,
                simple_name(self.machine_type.trim(), "-", "e2-standard-2"),
            );
        }
        let image = self.machine_image.trim();
        if required(errors, GcpField::MachineImage, image)
            && !(path_like(image, &["projects", "*", "global", "images", "*"])
                || path_like(image, &["projects", "*", "global", "images", "family", "*"]))
        {
            errors.push(
                GcpField::MachineImage,
                "expected projects/PROJECT/global/images/IMAGE (or …/images/family/FAMILY)",
            );
        }
        let boot_volume_gb = parse_whole(
            errors,
            GcpField::BootVolume,
            &self.boot_volume_gb,
            10,
            65_536,
        );
        if !DISK_TYPES.contains(&self.disk_type.trim()) {
            errors.push(
                GcpField::DiskType,
                format!("expected one of {}", DISK_TYPES.join(", ")),
            );
        }
        let cmek = self.cmek.trim();
        if !cmek.is_empty()
            && !path_like(
                cmek,
                &[
                    "projects",
                    "*",
                    "locations",
                    "*",
                    "keyRings",
                    "*",
                    "cryptoKeys",
                    "*",
                ],
            )
        {
            errors.push(
                GcpField::Cmek,
                "expected projects/P/locations/L/keyRings/R/cryptoKeys/K",
            );
        }
        if required(errors, GcpField::Network, &self.network)
            && !path_like(
                self.network.trim(),
                &["projects", "*", "global", "networks", "*"],
            )
        {
            errors.push(
                GcpField::Network,
                "expected projects/PROJECT/global/networks/NETWORK",
            );
        }
        if required(errors, GcpField::Subnetwork, &self.subnetwork)
            && !path_like(
                self.subnetwork.trim(),
                &["projects", "*", "regions", "*", "subnetworks", "*"],
            )
        {
            errors.push(
                GcpField::Subnetwork,
                "expected projects/PROJECT/regions/REGION/subnetworks/SUBNET",
            );
        }
        let network_tags = string_list(errors, GcpField::NetworkTags, &self.network_tags, |tag| {
            (!gcp_name(tag, false, true) || tag.contains('_')).then(|| {
                format!(
                    "\"{tag}\" is not a network tag (lower case, digits, hyphens; a letter first)"
                )
            })
        });
        let labels = string_map(
            errors,
            GcpField::CustomLabels,
            &self.custom_labels,
            |key, value| {
                if !gcp_name(key, false, true) || !gcp_name(value, true, false) {
                    Some("label keys start with a lower-case letter; keys and values take lower case, digits, - and _, at most 63".to_owned())
                } else if key.starts_with("pooladmin-") {
                    Some("the pooladmin- prefix is reserved".to_owned())
                } else {
                    None
                }
            },
        );
        let metadata = object_list(
            errors,
            GcpField::Metadata,
            &self.metadata,
            "[{\"key\": \"k\", \"value\": \"v\"}]",
            |item| {
                let key = match required_string(item, "key") {
                    Ok(key) => key,
                    Err(problem) => return Some(problem),
                };
                if RESERVED_METADATA.contains(&key) {
                    return Some(format!("\"{key}\" is set from the Startup Script field"));
                }
                match item.get("value") {
                    Some(Value::String(_)) => None,
                    _ => Some("\"value\" must be a string".to_owned()),
                }
            },
        );
        let service_account = self.check_service_account(errors);
        let accelerators = object_list(
            errors,
            GcpField::GuestAccelerators,
            &self.guest_accelerators,
            "[{\"type\": \"nvidia-tesla-t4\", \"count\": 1}]",
            |item| {
                if let Err(problem) = required_string(item, "type") {
                    return Some(problem);
                }
                match item.get("count").and_then(Value::as_u64) {
                    Some(1..=16) => None,
                    _ => Some("\"count\" must be a whole number from 1 to 16".to_owned()),
                }
            },
        );
        let config_override = object(
            errors,
            GcpField::ConfigOverride,
            &self.config_override,
            &FIXED_KEYS,
        );
        let text = |item: &Map<String, Value>, key: &str| {
            item.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        GcpLaunch {
            boot_volume_gb,
            network_tags,
            labels,
            metadata: metadata
                .iter()
                .map(|item| (text(item, "key"), text(item, "value")))
                .collect(),
            service_account,
            accelerators: accelerators
                .iter()
                .filter_map(|item| {
                    let count = item.get("count")?.as_u64()?;
                    Some((text(item, "type"), u32::try_from(count).ok()?))
                })
                .collect(),
            config_override,
        }
    }

    fn check_service_account(&self, errors: &mut ValidationErrors) -> Option<Map<String, Value>> {
        const FIELD: GcpField = GcpField::ServiceAccount;
        if self.service_account.trim().is_empty() {
            return None;
        }
        let map = object(errors, FIELD, &self.service_account, &[]);
        if errors.for_field(FIELD).is_some() {
            return None;
        }
        match required_string(&map, "email") {
            Ok(email) if email.contains('@') => {}
            Ok(_) => {
                errors.push(FIELD, "\"email\" is not an email address");
                return None;
            }
            Err(problem) => {
                errors.push(FIELD, problem);
                return None;
            }
        }
        let scopes_ok = map
            .get("scopes")
            .and_then(Value::as_array)
            .is_some_and(|scopes| {
                !scopes.is_empty()
                    && scopes
                        .iter()
                        .all(|s| s.as_str().is_some_and(|s| s.starts_with("https://")))
            });
        if !scopes_ok {
            errors.push(FIELD, "\"scopes\" must be a list of scope URLs, e.g. [\"https://www.googleapis.com/auth/cloud-platform\"]");
            return None;
        }
        Some(map)
    }
}

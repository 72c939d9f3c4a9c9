//! The ownership tags on every instance (DESIGN §4.3).

use std::collections::BTreeMap;

/// The installation that owns the VM.
pub const OWNER: &str = "pooladmin-owner";
/// The instance row the VM belongs to.
pub const INSTANCE: &str = "pooladmin-instance";
/// The AutoScale config that asked for it.
pub const CONFIG: &str = "pooladmin-config";

/// The three tags for one instance.
pub fn ownership(owner: &str, instance: i64, config: i64) -> BTreeMap<String, String> {
    BTreeMap::from([
        (OWNER.to_owned(), owner.to_owned()),
        (INSTANCE.to_owned(), instance.to_string()),
        (CONFIG.to_owned(), config.to_string()),
    ])
}

/// The mark in an Active Directory computer record's description that says which
/// installation and instance made it (a directory has no tags).
pub fn directory_mark(owner: &str, instance: i64) -> String {
    format!("{OWNER}={owner} {INSTANCE}={instance}")
}

/// The string-valued entries of a cloud's tag object (Azure's `tags`, GCP's `labels`,
/// OCI's `freeformTags`).
pub fn from_json(object: Option<&serde_json::Value>) -> BTreeMap<String, String> {
    object
        .and_then(serde_json::Value::as_object)
        .map(|entries| {
            entries
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// The instance row a VM's tags name, if they name one.
pub fn instance_of(tags: &BTreeMap<String, String>) -> Option<i64> {
    tags.get(INSTANCE).and_then(|v| v.parse().ok())
}

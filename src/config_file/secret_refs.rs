//! Secrets in a hand-written configuration file: wherever a secret goes, the file names where
//! to read it instead of holding it, `{"env": "AWS_SECRET_ACCESS_KEY"}` or
//! `{"file": "keys/oci.pem"}` (relative to the file's folder). They are read at import and
//! sealed in the database like any secret; an export never writes them back in clear.

use super::export::secret_key;
use crate::config_file::list::List;
use crate::model::Secret;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// Where each list's secrets sit in an entry, and the label they are stored under.
const SECRET_PLACES: &[(List, &[&str], &str)] = &[
    (
        List::VmProviderConfigs,
        &["settings", "Aws", "credentials", "secret_access_key"],
        "AWS Secret Access Key",
    ),
    (
        List::VmProviderConfigs,
        &["settings", "Azure", "credentials", "client_secret"],
        "Client Secret",
    ),
    (
        List::VmProviderConfigs,
        &["settings", "Azure", "os_password"],
        "OS Password",
    ),
    (
        List::VmProviderConfigs,
        &["settings", "DigitalOcean", "token"],
        "Token",
    ),
    (
        List::VmProviderConfigs,
        &["settings", "Gcp", "credentials", "key_json"],
        "GCP Credentials",
    ),
    (
        List::VmProviderConfigs,
        &["settings", "Oci", "credentials", "private_key"],
        "Private Key",
    ),
    (
        List::DnsProviderConfigs,
        &["settings", "Aws", "secret_access_key"],
        "Access Key Secret",
    ),
    (
        List::DnsProviderConfigs,
        &["settings", "Azure", "client_secret"],
        "Client Secret",
    ),
    (
        List::DnsProviderConfigs,
        &["settings", "DigitalOcean", "token"],
        "Token",
    ),
    (
        List::DnsProviderConfigs,
        &["settings", "Gcp", "credentials", "key_json"],
        "Credentials",
    ),
    (
        List::DnsProviderConfigs,
        &["settings", "Oci", "private_key"],
        "Private Key",
    ),
    (
        List::AutoScaleConfigs,
        &["scaling", "Servers", "connection_password"],
        "Connection Password",
    ),
    (
        List::AutoScaleConfigs,
        &["scaling", "Agents", "nginx_key"],
        "NGINX Key",
    ),
    (
        List::LdapConfigs,
        &["service_account_password"],
        "Service Account Password",
    ),
    (List::Servers, &["password"], "Password"),
];

/// Reads environment variables (the process's, or a test's).
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Takes every secret reference out of `json` (so the rest parses as the format says) and
/// reads each: "list/name/label" → value. Every problem is returned with its JSON path;
/// then nothing is taken.
pub fn take_references(
    json: &mut Value,
    base: &Path,
    env: EnvLookup<'_>,
) -> Result<BTreeMap<String, Secret>, Vec<String>> {
    let mut found = BTreeMap::new();
    let mut problems = Vec::new();
    let Some(root) = json.as_object_mut() else {
        return Ok(found);
    };
    for (key, entries) in root.iter_mut() {
        // Lists this version does not know are the parser's to refuse.
        let (Some(list), Some(entries)) = (
            List::ALL.into_iter().find(|l| l.key() == key),
            entries.as_array_mut(),
        ) else {
            continue;
        };
        for (index, entry) in entries.iter_mut().enumerate() {
            let Some(entry) = entry.as_object_mut() else {
                continue;
            };
            let name = ["name", "friendly_name"]
                .iter()
                .find_map(|key| entry.get(*key).and_then(Value::as_str))
                .unwrap_or_default()
                .to_owned();
            let at = format!("{list}[{index}]");
            for (_, place, label) in SECRET_PLACES.iter().filter(|(l, _, _)| *l == list) {
                let Some(value) = take_at(entry, place) else {
                    continue;
                };
                let path = format!("{at}.{}", place.join("."));
                match resolve(&value, base, env) {
                    Ok(secret) => {
                        found.insert(secret_key(list, &name, label), secret);
                    }
                    Err(problem) => problems.push(format!("{path}: {problem}")),
                }
            }
            stray_references(entry, &at, &mut problems);
        }
    }
    if problems.is_empty() {
        Ok(found)
    } else {
        Err(problems)
    }
}

/// Removes and returns the value at `place` inside `entry`, if there is one.
fn take_at(entry: &mut Map<String, Value>, place: &[&str]) -> Option<Value> {
    let (last, parents) = place.split_last()?;
    let mut object = entry;
    for key in parents {
        object = object.get_mut(*key)?.as_object_mut()?;
    }
    object.remove(*last)
}

/// A reference's value, or what is wrong with it.
fn resolve(value: &Value, base: &Path, env: EnvLookup<'_>) -> Result<Secret, String> {
    let expected = "expected {\"env\": \"VARIABLE\"} or {\"file\": \"path\"} (secrets are never written in clear)";
    let reference = value
        .as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.iter().next())
        .and_then(|(kind, target)| Some((kind.as_str(), target.as_str()?)));
    let text = match reference {
        Some(("env", variable)) => env(variable)
            .ok_or_else(|| format!("the environment variable {variable} is not set"))?,
        Some(("file", file)) => {
            let path = base.join(file);
            std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        }
        _ => return Err(expected.to_owned()),
    };
    // A file or variable ends a line; a secret does not.
    let text = text.trim_end_matches(['\n', '\r']);
    if text.trim().is_empty() {
        return Err("the secret it names is empty".to_owned());
    }
    Ok(Secret::new(text))
}

/// A reference left anywhere but where a secret goes is refused, not silently dropped.
fn stray_references(entry: &Map<String, Value>, at: &str, problems: &mut Vec<String>) {
    for (key, value) in entry {
        let path = format!("{at}.{key}");
        match value {
            Value::Object(object) => {
                let is_reference = object.len() == 1
                    && object
                        .iter()
                        .all(|(k, v)| (k == "env" || k == "file") && v.is_string());
                if is_reference {
                    problems.push(format!(
                        "{path}: not a secret field; {{\"env\"}} and {{\"file\"}} go only where a secret goes"
                    ));
                } else {
                    stray_references(object, &path, problems);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Value::Object(object) = item {
                        stray_references(object, &format!("{path}[{i}]"), problems);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::autoscale::AutoScaleSpec;
    use crate::model::dns_provider::DnsSettings;
    use crate::model::ldap::LdapSpec;
    use crate::model::secret_fields::SecretFields;
    use crate::model::vm_provider::{ProviderKind, VmProviderSpec};
    use crate::model::{PoolId, PoolKind};
    use serde_json::json;

    /// Each place names a label its record really seals (`secret_fields`), under the variant
    /// its path says: the table cannot drift from the records.
    #[test]
    fn every_place_is_a_secret_of_its_record() {
        let labels = |list: List, variant: &str| -> Vec<&'static str> {
            let kind = ProviderKind::ALL
                .into_iter()
                .find(|k| format!("{k:?}") == variant);
            let values = match (list, kind) {
                (List::VmProviderConfigs, Some(kind)) => VmProviderSpec::new(kind).secret_values(),
                (List::DnsProviderConfigs, Some(kind)) => DnsSettings::new(kind)
                    .map(|s| s.secret_values())
                    .unwrap_or_default(),
                (List::AutoScaleConfigs, _) => {
                    let kind = if variant == "Servers" {
                        PoolKind::Server
                    } else {
                        PoolKind::DockerAgent
                    };
                    AutoScaleSpec::new(PoolId(1), kind, None).secret_values()
                }
                (List::LdapConfigs, _) => LdapSpec::default().secret_values(),
                // A server's password is sealed by the import itself under "Password".
                (List::Servers, _) => return vec!["Password"],
                other => panic!("no record for {other:?}"),
            };
            values.into_iter().map(|(label, _)| label).collect()
        };
        for (list, place, label) in SECRET_PLACES {
            let variant = place.get(1).copied().unwrap_or_default();
            assert!(
                labels(*list, variant).contains(label),
                "{list}.{}: {label}",
                place.join(".")
            );
        }
    }

    fn env(name: &str) -> Option<String> {
        (name == "AWS_SECRET_ACCESS_KEY")
            .then(|| "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n".into())
    }

    fn aws(secret: Value) -> Value {
        json!({
            "format": "pooladmin/1",
            "vm_provider_configs": [{
                "name": "aws",
                "settings": { "Aws": { "credentials": {
                    "access_key_id": "AKIAIOSFODNN7EXAMPLE",
                    "secret_access_key": secret,
                }}},
            }],
        })
    }

    #[test]
    fn an_environment_variable_fills_the_secret_and_leaves_the_entry() {
        let mut file = aws(json!({ "env": "AWS_SECRET_ACCESS_KEY" }));
        let found = take_references(&mut file, Path::new("."), &env).unwrap();
        assert_eq!(
            found
                .get("vm_provider_configs/aws/AWS Secret Access Key")
                .map(Secret::expose),
            Some("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            "the line's end is not part of it"
        );
        assert!(
            file.pointer("/vm_provider_configs/0/settings/Aws/credentials/secret_access_key")
                .is_none()
        );
    }

    #[test]
    fn a_file_is_read_relative_to_the_configuration() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("aws.secret"), "from-a-file-0123456789\n").unwrap();
        let mut file = aws(json!({ "file": "aws.secret" }));
        let found = take_references(&mut file, dir.path(), &env).unwrap();
        assert_eq!(
            found.values().next().map(Secret::expose),
            Some("from-a-file-0123456789")
        );
    }

    #[test]
    fn each_problem_names_its_json_path() {
        let path = "vm_provider_configs[0].settings.Aws.credentials.secret_access_key";
        for (secret, problem) in [
            (
                json!({ "env": "NOT_SET_ANYWHERE" }),
                "NOT_SET_ANYWHERE is not set",
            ),
            (json!({ "file": "missing.pem" }), "cannot read"),
            (json!("in-clear-0123456789"), "never written in clear"),
            (json!({ "vault": "x" }), "expected"),
        ] {
            let mut file = aws(secret);
            let problems = take_references(&mut file, Path::new("."), &env).unwrap_err();
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert!(problems[0].starts_with(path), "{problems:?}");
            assert!(problems[0].contains(problem), "{problems:?}");
        }
    }

    #[test]
    fn a_reference_where_no_secret_goes_is_refused() {
        let mut file = json!({
            "format": "pooladmin/1",
            "ldap_configs": [{ "name": "corp", "url": { "env": "LDAP_URL" } }],
        });
        let problems = take_references(&mut file, Path::new("."), &env).unwrap_err();
        assert!(problems[0].starts_with("ldap_configs[0].url: not a secret field"));
    }
}

//! A configuration file's shape, with every fault found in one reading: the text is JSON,
//! the root is an object of known lists, and each entry of each list is read on its own, so
//! a wrong entry does not hide the ones after it. Each fault is named by its JSON path, in
//! words a person uses rather than the parser's.

use super::serde_words::in_words;
use crate::config_file::format::{ConfigFile, FORMAT};
use crate::config_file::list::List;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The keys a file may have besides its lists.
const OTHER_KEYS: [&str; 2] = ["format", "secrets"];

/// The text as JSON; an empty file or a syntax error is the one fault there can be.
pub(super) fn json_of(text: &str) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Err("the file is empty".to_owned());
    }
    serde_json::from_str(text).map_err(|e| syntax_in_words(&e))
}

/// Where the JSON breaks and why: "line 1, column 53: the text ends in the middle of a value".
fn syntax_in_words(e: &serde_json::Error) -> String {
    let message = e.to_string();
    // serde_json appends " at line L column C"; the place is said first instead.
    let what = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(what, _)| what);
    let words = match what {
        _ if e.is_eof() => "the text ends in the middle of a value".to_owned(),
        "trailing comma" => "a comma before a closing bracket".to_owned(),
        "trailing characters" => "more text after the end of the configuration".to_owned(),
        "expected value" => "a value was expected here".to_owned(),
        // A bare word: serde_json took it for true, false or null.
        "expected ident" => "a value was expected here (text goes in double quotes)".to_owned(),
        "key must be a string" => "a key must be text in double quotes".to_owned(),
        _ if what.starts_with("expected `") => format!(
            "{} was expected here",
            what.trim_start_matches("expected ").replace('`', "'")
        ),
        _ => what.to_owned(),
    };
    format!("line {}, column {}: {words}", e.line(), e.column())
}

/// Reads every list of `json` entry by entry; every fault of the file, or the typed file.
pub(super) fn typed(json: Value) -> Result<ConfigFile, Vec<String>> {
    let Value::Object(root) = json else {
        return Err(vec![format!(
            "expected an object with the lists: {}",
            list_keys()
        )]);
    };
    let mut faults = Vec::new();
    match root.get("format") {
        Some(Value::String(format)) if format == FORMAT => {}
        Some(Value::String(format)) => {
            faults.push(format!("format: expected \"{FORMAT}\", found \"{format}\""))
        }
        Some(other) => faults.push(format!(
            "format: expected \"{FORMAT}\", found {}",
            in_words_value(other)
        )),
        None => faults.push(format!("format: missing; expected \"{FORMAT}\"")),
    }
    for key in root.keys() {
        let known = OTHER_KEYS.contains(&key.as_str()) || List::ALL.iter().any(|l| l.key() == key);
        if !known {
            faults.push(format!(
                "{key}: unknown key; a file has format, secrets and the lists: {}",
                list_keys()
            ));
        }
    }
    let file = ConfigFile {
        format: FORMAT.to_owned(),
        zones: list(&root, List::Zones, &mut faults),
        pools: list(&root, List::Pools, &mut faults),
        servers: list(&root, List::Servers, &mut faults),
        docker_agents: list(&root, List::DockerAgents, &mut faults),
        staging_configs: list(&root, List::StagingConfigs, &mut faults),
        ldap_configs: list(&root, List::LdapConfigs, &mut faults),
        vm_provider_configs: list(&root, List::VmProviderConfigs, &mut faults),
        dns_provider_configs: list(&root, List::DnsProviderConfigs, &mut faults),
        autoscale_configs: list(&root, List::AutoScaleConfigs, &mut faults),
        secrets: root
            .get("secrets")
            .filter(|v| !v.is_null())
            .and_then(|v| read("secrets", v, &mut faults)),
        references: BTreeMap::new(),
    };
    if faults.is_empty() {
        Ok(file)
    } else {
        Err(faults)
    }
}

/// The entries of `list` that read, each fault of the others noted; a list given as `null`
/// reads as an empty one.
fn list<T: DeserializeOwned>(
    root: &Map<String, Value>,
    list: List,
    faults: &mut Vec<String>,
) -> Vec<T> {
    match root.get(list.key()) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(entries)) => entries
            .iter()
            .enumerate()
            .filter_map(|(index, entry)| read(&format!("{list}[{index}]"), entry, faults))
            .collect(),
        Some(other) => {
            faults.push(format!(
                "{list}: expected a list, found {}",
                in_words_value(other)
            ));
            Vec::new()
        }
    }
}

/// One value read on its own: the first fault serde meets, and every key it does not know
/// (the model's types accept unknown keys, for settings stored by another version; a file
/// written by hand must not lose a mistyped key silently), noted under `at`.
fn read<T: DeserializeOwned>(at: &str, value: &Value, faults: &mut Vec<String>) -> Option<T> {
    let mut unknown = Vec::new();
    let mut note = |path: serde_ignored::Path<'_>| {
        unknown.push(format!("{}: unknown key", joined(at, &path.to_string())));
    };
    let read: Result<T, _> =
        serde_path_to_error::deserialize(serde_ignored::Deserializer::new(value, &mut note));
    let read = read.map_err(|e| {
        let path = e.path().to_string();
        format!(
            "{}: {}",
            joined(at, &path),
            in_words(&e.into_inner().to_string())
        )
    });
    let clean = unknown.is_empty();
    faults.extend(unknown);
    match read {
        Ok(value) if clean => Some(value),
        Ok(_) => None,
        Err(fault) => {
            faults.push(fault);
            None
        }
    }
}

/// `servers[3]` and `port` → `servers[3].port`; serde's root path is ".".
fn joined(at: &str, path: &str) -> String {
    match path {
        "" | "." => at.to_owned(),
        _ if path.starts_with('[') => format!("{at}{path}"),
        _ => format!("{at}.{path}"),
    }
}

fn in_words_value(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn list_keys() -> String {
    List::ALL.map(List::key).join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faults(text: &str) -> Vec<String> {
        match json_of(text) {
            Err(fault) => vec![fault],
            Ok(json) => typed(json).err().unwrap_or_default(),
        }
    }

    #[test]
    fn an_empty_file_and_broken_json_are_said_in_words() {
        assert_eq!(faults("  \n"), ["the file is empty"]);
        assert_eq!(
            faults(r#"{"format": "pooladmin/1", "pools": [{"name": "#),
            ["line 1, column 45: the text ends in the middle of a value"]
        );
        assert_eq!(
            faults(r#"{"format": "pooladmin/1",}"#),
            ["line 1, column 26: a comma before a closing bracket"]
        );
        assert_eq!(
            faults("[]"),
            [
                "expected an object with the lists: zones, pools, servers, docker_agents, \
              staging_configs, ldap_configs, vm_provider_configs, dns_provider_configs, \
              autoscale_configs"
            ]
        );
    }

    #[test]
    fn every_fault_of_every_entry_is_named_by_its_path() {
        let text = r#"{
            "format": "pooladmin/2",
            "pols": [],
            "zones": [{"name": "a"}, {"nme": "b"}],
            "pools": [{"name": "p", "kind": "Desktop"}, {"name": 4, "kind": "Server"}],
            "servers": {}
        }"#;
        assert_eq!(
            faults(text),
            [
                "format: expected \"pooladmin/1\", found \"pooladmin/2\"",
                "pols: unknown key; a file has format, secrets and the lists: zones, pools, \
                 servers, docker_agents, staging_configs, ldap_configs, vm_provider_configs, \
                 dns_provider_configs, autoscale_configs",
                "zones[1].nme: unknown key (expected: name)",
                "pools[0].kind: \"Desktop\" is not one of: Server, DockerAgent",
                "pools[1].name: expected text, found the number 4",
                "servers: expected a list, found an object",
            ]
        );
    }
}

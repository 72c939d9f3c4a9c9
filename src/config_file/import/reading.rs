//! Reading a configuration file: JSON with its syntax errors placed, secrets by
//! reference read, sealed secrets opened.

use super::ImportError;
use crate::config_file::export::secret_key;
use crate::config_file::format::{ConfigFile, FORMAT};
use crate::config_file::list::List;
use crate::config_file::secret_refs;
use crate::model::Secret;
use crate::model::secret_fields::SecretFields;
use crate::store::Sealer;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Parses a file; errors carry their JSON path, and unknown keys are refused by path.
/// Secret references are read relative to the working folder.
pub fn parse(text: &str) -> Result<ConfigFile, ImportError> {
    parse_at(text, Path::new("."))
}

/// Parses a file that lives in `folder` (where its `{"file": …}` references are), reading
/// its `{"env": …}` references from this process's environment.
pub fn parse_at(text: &str, folder: &Path) -> Result<ConfigFile, ImportError> {
    let Ok(mut json) = serde_json::from_str::<Value>(text) else {
        return Err(syntax_error(text));
    };
    let env = |name: &str| std::env::var(name).ok();
    let references =
        secret_refs::take_references(&mut json, folder, &env).map_err(ImportError::Invalid)?;
    let mut unknown = Vec::new();
    // The model's types accept unknown keys (settings stored by another version); a file
    // written by hand must not lose a mistyped key silently.
    let mut note_unknown = |path: serde_ignored::Path<'_>| {
        unknown.push(format!("{path}: unknown key"));
    };
    let tracked = serde_ignored::Deserializer::new(json, &mut note_unknown);
    let mut file: ConfigFile = serde_path_to_error::deserialize(tracked).map_err(|e| {
        let path = e.path().to_string();
        ImportError::Invalid(vec![format!("{path}: {}", e.into_inner())])
    })?;
    file.references = references;
    if !unknown.is_empty() {
        return Err(ImportError::Invalid(unknown));
    }
    if file.format != FORMAT {
        return Err(ImportError::Invalid(vec![format!(
            "format: expected \"{FORMAT}\", found \"{}\"",
            file.format
        )]));
    }
    Ok(file)
}

/// Where text that is not JSON breaks, by JSON path (`pools[0]: EOF while parsing …`).
pub(super) fn syntax_error(text: &str) -> ImportError {
    let mut json = serde_json::Deserializer::from_str(text);
    let problem = match serde_path_to_error::deserialize::<_, ConfigFile>(&mut json) {
        Err(e) => {
            let path = e.path().to_string();
            format!("{path}: {}", e.into_inner())
        }
        Ok(_) => match json.end() {
            Err(e) => format!("after the configuration: {e}"),
            Ok(()) => "not JSON".to_owned(),
        },
    };
    ImportError::Invalid(vec![problem])
}

/// The file's secrets: those it names by reference and its sealed ones, opened with
/// `passphrase`.
pub(super) fn unseal(
    file: &ConfigFile,
    passphrase: Option<&Secret>,
) -> Result<BTreeMap<String, String>, ImportError> {
    let mut given: BTreeMap<String, String> = file
        .references
        .iter()
        .map(|(key, secret)| (key.clone(), secret.expose().to_owned()))
        .collect();
    let Some(sealed) = &file.secrets else {
        return Ok(given);
    };
    let invalid = |m: &str| ImportError::Invalid(vec![format!("secrets: {m}")]);
    let passphrase = passphrase
        .ok_or_else(|| invalid("the file holds sealed secrets; set POOLADMIN_EXPORT_PASSPHRASE"))?;
    let salt = STANDARD
        .decode(&sealed.salt)
        .map_err(|_| invalid("salt is not base64"))?;
    let blob = STANDARD
        .decode(&sealed.sealed)
        .map_err(|_| invalid("sealed is not base64"))?;
    let sealer = Sealer::from_passphrase(passphrase, &salt).map_err(|e| invalid(&e))?;
    let plain = sealer
        .open_unbound(&blob)
        .ok_or_else(|| invalid("the passphrase does not open them"))?;
    let sealed: BTreeMap<String, String> =
        serde_json::from_str(plain.expose()).map_err(|_| invalid("they are damaged"))?;
    for (key, value) in sealed {
        if given.contains_key(&key) {
            return Err(invalid(&format!(
                "{key} is given twice: sealed here and by reference"
            )));
        }
        given.insert(key, value);
    }
    Ok(given)
}

/// Fills `record`'s secrets from the file, else from the database's current values.
pub(super) fn fill<T: SecretFields>(
    record: &mut T,
    kind: List,
    name: &str,
    given: &BTreeMap<String, String>,
    current: &BTreeMap<String, String>,
) {
    for (field, secret) in record.secret_fields() {
        let key = secret_key(kind, name, field);
        if let Some(value) = given.get(&key).or_else(|| current.get(&key)) {
            *secret = Secret::new(value.clone());
        }
    }
}

pub(super) fn without_secrets<T: SecretFields>(record: &T) -> T {
    let mut copy = record.clone();
    for (_, secret) in copy.secret_fields() {
        *secret = Secret::default();
    }
    copy
}

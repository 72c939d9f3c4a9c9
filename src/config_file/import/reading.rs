//! Reading a configuration file: JSON with its syntax errors placed, secrets by
//! reference read, sealed secrets opened.

use super::ImportError;
use super::shape;
use crate::config_file::export::secret_key;
use crate::config_file::format::ConfigFile;
use crate::config_file::list::List;
use crate::config_file::secret_refs;
use crate::model::Secret;
use crate::model::secret_fields::SecretFields;
use crate::store::Sealer;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::collections::BTreeMap;
use std::path::Path;

/// Parses a file; every fault is named by its JSON path, all of them in one go. Secret
/// references are read relative to the working folder.
pub fn parse(text: &str) -> Result<ConfigFile, ImportError> {
    parse_at(text, Path::new("."))
}

/// Parses a file that lives in `folder` (where its `{"file": …}` references are), reading
/// its `{"env": …}` references from this process's environment.
pub fn parse_at(text: &str, folder: &Path) -> Result<ConfigFile, ImportError> {
    let mut json = shape::json_of(text).map_err(|fault| ImportError::Invalid(vec![fault]))?;
    let env = |name: &str| std::env::var(name).ok();
    let (references, mut faults) = match secret_refs::take_references(&mut json, folder, &env) {
        Ok(references) => (references, Vec::new()),
        Err(faults) => (BTreeMap::new(), faults),
    };
    match shape::typed(json) {
        Ok(mut file) if faults.is_empty() => {
            file.references = references;
            Ok(file)
        }
        Ok(_) => Err(ImportError::Invalid(faults)),
        Err(more) => {
            faults.extend(more);
            Err(ImportError::Invalid(faults))
        }
    }
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

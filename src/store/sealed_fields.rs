//! A record's secrets stored as one sealed JSON object, `{label: value}`, beside its
//! settings JSON, which holds no secret.

use super::StoreError;
use super::sealer::{SealedAt, Sealer};
use crate::model::Secret;
use crate::model::secret_fields::SecretFields;
use std::collections::BTreeMap;

impl Sealer {
    /// Seals every secret of `record` for its place `at`; `None` when it has none set.
    pub fn seal_fields<T: SecretFields>(&self, record: &T, at: SealedAt) -> Option<Vec<u8>> {
        let values: BTreeMap<&str, String> = record
            .secret_values()
            .into_iter()
            .filter(|(_, secret)| !secret.is_empty())
            .map(|(label, secret)| (label, secret.expose().to_owned()))
            .collect();
        if values.is_empty() {
            return None;
        }
        // Serialising a map of strings cannot fail.
        let plain = Secret::new(serde_json::to_string(&values).unwrap_or_default());
        self.seal(&plain, at)
    }

    /// Fills the secrets of `record` from what `seal_fields` stored.
    pub fn open_fields<T: SecretFields>(
        &self,
        record: &mut T,
        sealed: Option<&[u8]>,
        at: SealedAt,
    ) -> Result<(), StoreError> {
        let plain = self.open(sealed, at).ok_or(StoreError::Unseal)?;
        if plain.is_empty() {
            return Ok(());
        }
        let mut values: BTreeMap<String, String> =
            serde_json::from_str(plain.expose()).map_err(|_| StoreError::Unseal)?;
        for (label, secret) in record.secret_fields() {
            if let Some(value) = values.remove(label) {
                *secret = Secret::new(value);
            }
        }
        Ok(())
    }
}

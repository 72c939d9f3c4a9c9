//! Portal keys of the HTTP API: created with a name and shown once, stored as a hash, listed
//! with when they were last used, revoked at once.

use super::bearer::{bearer_hash, hash_matches, new_bearer};
use super::rows::{optional_timestamp, timestamp, to_millis};
use super::{Store, StoreError};
use crate::model::Secret;
use crate::model::ValidationErrors;
use crate::model::field::ApiSettingsField;
use crate::model::validation::check_name;
use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

/// What a portal key starts with, so a leaked one is recognised for what it is.
const KEY_PREFIX: &str = "pa_k_";

/// `last_used` is written at most this often per key, so a busy portal does not turn
/// every read into a write.
const LAST_USED_RESOLUTION_MS: i64 = 1000;

/// A portal key as listed (never the key itself).
#[derive(Clone, Debug, PartialEq)]
pub struct ApiKeyRow {
    /// Row id (the rate limit's bucket).
    pub id: i64,
    /// Its name.
    pub name: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When a request last used it.
    pub last_used: Option<Timestamp>,
}

impl Store {
    /// Makes a key named `name` and returns it: the only time it can be seen.
    pub fn create_api_key(&mut self, name: &str, now: Timestamp) -> Result<Secret, StoreError> {
        let mut errors = ValidationErrors::default();
        check_name(&mut errors, ApiSettingsField::KeyName, name);
        errors.into_result(())?;
        let name = name.trim();
        let taken: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM api_keys WHERE name = ?1)",
            [name],
            |r| r.get(0),
        )?;
        if taken {
            return Err(ValidationErrors::single(
                ApiSettingsField::KeyName,
                format!(
                    "a key named {name} exists already; choose another name or revoke it first"
                ),
            )
            .into());
        }
        let key = new_bearer(KEY_PREFIX);
        self.conn.execute(
            "INSERT INTO api_keys (name, hash, created_at) VALUES (?1, ?2, ?3)",
            params![name, bearer_hash(key.expose()).as_slice(), to_millis(now)],
        )?;
        Ok(key)
    }

    /// Every key, by name.
    pub fn api_keys(&self) -> Result<Vec<ApiKeyRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, created_at, last_used FROM api_keys ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok(ApiKeyRow {
                id: r.get(0)?,
                name: r.get(1)?,
                created_at: timestamp(r, 2)?,
                last_used: optional_timestamp(r, 3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Revokes the key `name`: the next request with it is refused.
    pub fn revoke_api_key(&mut self, name: &str) -> Result<(), StoreError> {
        let gone = self
            .conn
            .execute("DELETE FROM api_keys WHERE name = ?1", [name.trim()])?;
        if gone == 0 {
            return Err(StoreError::Refused(format!(
                "there is no API key named {}",
                name.trim()
            )));
        }
        Ok(())
    }

    /// Revokes the key with row id `id`.
    pub fn revoke_api_key_id(&mut self, id: i64) -> Result<(), StoreError> {
        let gone = self
            .conn
            .execute("DELETE FROM api_keys WHERE id = ?1", [id])?;
        StoreError::unless_missing(gone, "API key", id)
    }

    /// The key a request presented, if it is a live one (its id); notes its use.
    pub fn authenticate_api_key(
        &mut self,
        presented: &str,
        now: Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        if !presented.starts_with(KEY_PREFIX) {
            return Ok(None);
        }
        let hash = bearer_hash(presented);
        let found: Option<(i64, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT id, hash FROM api_keys WHERE hash = ?1")?
            .query_row([hash.as_slice()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((id, _)) = found.filter(|(_, stored)| hash_matches(stored, &hash)) else {
            return Ok(None);
        };
        let millis = to_millis(now);
        self.conn
            .prepare_cached(
                "UPDATE api_keys SET last_used = ?1
                 WHERE id = ?2 AND (last_used IS NULL OR last_used <= ?1 - ?3)",
            )?
            .execute(params![millis, id, LAST_USED_RESOLUTION_MS])?;
        Ok(Some(id))
    }
}

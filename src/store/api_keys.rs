//! Portal keys of the HTTP API: created with a name and shown once, stored as a hash, listed
//! with when they were last used, revoked at once. A key may have less power: read-only
//! (pools and metrics, no session started or ended) and/or limited to named pools.

use super::bearer::{bearer_hash, hash_matches, new_bearer};
use super::db::{OptionalExtension, params};
use super::rows::{optional_timestamp, timestamp, to_millis};
use super::{Store, StoreError};
use crate::model::field::ApiSettingsField;
use crate::model::field::ApiSettingsField::KeyPools;
use crate::model::validation::check_name;
use crate::model::{PoolId, Secret, ValidationErrors};
use jiff::Timestamp;

/// What a portal key starts with, so a leaked one is recognised for what it is.
const KEY_PREFIX: &str = "pa_k_";

/// `last_used` is written at most this often per key, so a busy portal does not turn
/// every read into a write.
const LAST_USED_RESOLUTION_MS: i64 = 1000;

/// What a new key may do, as the administrator names it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyRights {
    /// Reads only: pools and metrics, no session started or ended.
    pub read_only: bool,
    /// The names of the pools it may use; empty: every pool.
    pub pools: Vec<String>,
}

impl KeyRights {
    /// How the rights read in a list.
    pub fn describe(&self) -> String {
        let access = if self.read_only { "read-only" } else { "full" };
        if self.pools.is_empty() {
            format!("{access}, every pool")
        } else {
            format!("{access}, pools: {}", self.pools.join(", "))
        }
    }
}

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
    /// What it may do (pools by their names now).
    pub rights: KeyRights,
}

/// The key a request presented, found live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortalKey {
    /// Row id (the rate limit's bucket).
    pub id: i64,
    /// Reads only.
    pub read_only: bool,
    /// The pools it may use, when limited to some (a key whose pools were all deleted may
    /// use none).
    pub pools: Option<Vec<PoolId>>,
}

impl PortalKey {
    /// Whether it may see and use `pool`.
    pub fn may_use(&self, pool: PoolId) -> bool {
        self.pools
            .as_ref()
            .is_none_or(|pools| pools.contains(&pool))
    }
}

impl Store {
    /// Makes a key named `name` with `rights` and returns it: the only time it can be seen.
    pub fn create_api_key(
        &mut self,
        name: &str,
        rights: &KeyRights,
        now: Timestamp,
    ) -> Result<Secret, StoreError> {
        let mut errors = ValidationErrors::default();
        check_name(&mut errors, ApiSettingsField::KeyName, name);
        let mut pools = Vec::with_capacity(rights.pools.len());
        for pool in &rights.pools {
            match self.pool_by_name(pool.trim())? {
                Some(found) => pools.push(found.id),
                None => errors.push(KeyPools, format!("there is no pool named {}", pool.trim())),
            }
        }
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
        let tx = self.conn.savepoint()?;
        tx.execute(
            "INSERT INTO api_keys (name, hash, created_at, read_only, limited_to_pools)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                name,
                bearer_hash(key.expose()).as_slice(),
                to_millis(now),
                rights.read_only,
                !pools.is_empty()
            ],
        )?;
        let id = tx.last_insert_rowid()?;
        for pool in pools {
            tx.execute(
                "INSERT INTO api_key_pools (key_id, pool_id) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
                params![id, pool.0],
            )?;
        }
        tx.commit()?;
        Ok(key)
    }

    /// Every key, by name.
    pub fn api_keys(&self) -> Result<Vec<ApiKeyRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT k.id, k.name, k.created_at, k.last_used, k.read_only, k.limited_to_pools,
                    (SELECT string_agg(p.name, chr(31)) FROM
                        (SELECT p.name FROM api_key_pools kp JOIN pools p ON p.id = kp.pool_id
                         WHERE kp.key_id = k.id ORDER BY p.name) p)
             FROM api_keys k ORDER BY k.name",
        )?;
        let rows = stmt.query_map([], |r| {
            let limited: bool = r.get(5)?;
            let names: Option<String> = r.get(6)?;
            let mut pools: Vec<String> = names
                .map(|n| n.split('\u{1f}').map(str::to_owned).collect())
                .unwrap_or_default();
            if limited && pools.is_empty() {
                // Its pools were deleted: it may use none, and the list says so.
                pools.push("(none left)".to_owned());
            }
            Ok(ApiKeyRow {
                id: r.get(0)?,
                name: r.get(1)?,
                created_at: timestamp(r, 2)?,
                last_used: optional_timestamp(r, 3)?,
                rights: KeyRights {
                    read_only: r.get(4)?,
                    pools,
                },
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

    /// The key a request presented, if it is a live one, with its rights; notes its use.
    pub fn authenticate_api_key(
        &mut self,
        presented: &str,
        now: Timestamp,
    ) -> Result<Option<PortalKey>, StoreError> {
        if !presented.starts_with(KEY_PREFIX) {
            return Ok(None);
        }
        let hash = bearer_hash(presented);
        let found = self
            .conn
            .prepare_cached(
                "SELECT id, hash, read_only, limited_to_pools, last_used
                 FROM api_keys WHERE hash = ?1",
            )?
            .query_row([hash.as_slice()], |r| {
                Ok(KeyRow {
                    id: r.get(0)?,
                    hash: r.get(1)?,
                    read_only: r.get(2)?,
                    limited: r.get(3)?,
                    last_used: r.get(4)?,
                })
            })
            .optional()?;
        let Some(KeyRow {
            id,
            read_only,
            limited,
            last_used,
            ..
        }) = found.filter(|row| hash_matches(&row.hash, &hash))
        else {
            return Ok(None);
        };
        let pools = if limited {
            let ids = self
                .conn
                .prepare_cached("SELECT pool_id FROM api_key_pools WHERE key_id = ?1")?
                .query_map([id], |r| r.get(0).map(PoolId))?
                .collect::<Result<Vec<_>, _>>()?;
            Some(ids)
        } else {
            None
        };
        let millis = to_millis(now);
        // Written at most once per resolution: an UPDATE, even one that changes nothing,
        // takes SQLite's write lock, which every request would otherwise queue for.
        let stale = millis - LAST_USED_RESOLUTION_MS;
        if last_used.is_none_or(|at| at <= stale) {
            self.conn
                .prepare_cached(
                    "UPDATE api_keys SET last_used = ?1
                     WHERE id = ?2 AND (last_used IS NULL OR last_used <= ?3)",
                )?
                .execute(params![millis, id, stale])?;
        }
        Ok(Some(PortalKey {
            id,
            read_only,
            pools,
        }))
    }
}

/// What authentication reads of a key.
struct KeyRow {
    id: i64,
    hash: Vec<u8>,
    read_only: bool,
    limited: bool,
    last_used: Option<i64>,
}

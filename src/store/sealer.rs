//! Secrets sealed with XChaCha20-Poly1305 before they reach the database, so the database
//! file alone reveals no secret. Where the key comes from is `key_source`'s business.

use super::OpenError;
use crate::model::Secret;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use std::fs::OpenOptions;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

/// Length of a data key in bytes.
pub const KEY_LEN: usize = 32;

/// A fresh random data key.
pub fn new_key() -> [u8; KEY_LEN] {
    let mut key = [0u8; KEY_LEN];
    rand::rng().fill_bytes(&mut key);
    key
}

const NONCE_LEN: usize = 24;
/// A value bound to its place in the database (schema V13 on).
const FORMAT: &[u8; 2] = b"s2";
/// A value bound to pooladmin only: configuration files, and database values sealed before
/// schema V13 (re-sealed to their places when that schema is first opened).
const UNBOUND_FORMAT: &[u8; 2] = b"s1";
/// Binds sealed values to pooladmin, so a blob sealed for another purpose never opens here.
const UNBOUND_AAD: &[u8] = b"pooladmin secret v1";
const BOUND_AAD: &[u8] = b"pooladmin secret v2";

/// Where a sealed value lives: its table, column and row. They are the value's associated
/// data, so a blob copied into another column or another row (by someone with write access
/// to the database file but not the key) does not open there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SealedAt {
    /// Table.
    pub table: &'static str,
    /// Column.
    pub column: &'static str,
    /// The row's key.
    pub row: i64,
}

impl SealedAt {
    fn associated_data(&self) -> Vec<u8> {
        let mut aad = BOUND_AAD.to_vec();
        for part in [self.table, self.column, &self.row.to_string()] {
            aad.push(0);
            aad.extend_from_slice(part.as_bytes());
        }
        aad
    }
}

/// Seals and opens secrets with the database's key.
#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<key redacted>)")
    }
}

/// The key file that belongs to a database file.
pub fn key_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".key");
    PathBuf::from(name)
}

/// Refuses a key file that another user owns (they could have replaced the key) or that
/// others may read (they could open every secret), naming what is wrong and the fix.
#[cfg(unix)]
fn refuse_exposed_key_file(file: &std::fs::File) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(format!(
            "it is owned by user {}, not by this user ({me}); whoever owns it could replace \
             the key",
            meta.uid()
        ));
    }
    let mode = meta.mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!(
            "others may read it (mode {mode:o}); run chmod 600 on it, then start again"
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_exposed_key_file(_file: &std::fs::File) -> Result<(), String> {
    Ok(())
}

/// A fixed text sealed with the first key used, to recognise that key later.
const CHECK_TEXT: &str = "pooladmin key check";

impl Sealer {
    /// Derives the key from a passphrase and the database's salt (Argon2id).
    pub fn from_passphrase(passphrase: &Secret, salt: &[u8]) -> Result<Self, String> {
        if passphrase.expose().chars().count() < 12 {
            return Err("the passphrase must have at least 12 characters".to_owned());
        }
        let mut key = [0u8; KEY_LEN];
        argon2::Argon2::default()
            .hash_password_into(passphrase.expose().as_bytes(), salt, &mut key)
            .map_err(|e| format!("the passphrase could not be stretched: {e}"))?;
        Ok(Self::from_key(key))
    }

    /// A sealed check value for [`Sealer::recognises`], kept at `at`.
    pub fn check_value(&self, at: SealedAt) -> Option<Vec<u8>> {
        self.seal(&Secret::new(CHECK_TEXT), at)
    }

    /// Whether `check` was sealed with this key, at `at` or (before schema V13) unbound. The
    /// check value is no secret: it only proves the key.
    pub fn recognises(&self, check: &[u8], at: SealedAt) -> bool {
        self.open(Some(check), at)
            .or_else(|| self.open_unbound(check))
            .is_some_and(|plain| plain.expose() == CHECK_TEXT)
    }

    /// A sealer with this key.
    pub fn from_key(key: [u8; KEY_LEN]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(&key.into()),
        }
    }

    /// Reads the key file beside the database, creating it (mode 0600) the first time.
    pub fn for_database(db: &Path) -> Result<Self, OpenError> {
        Self::from_key_file(&key_path(db))
    }

    /// Reads the key file `path` (`--key-file`), creating it (mode 0600) the first time.
    pub fn from_key_file(path: &Path) -> Result<Self, OpenError> {
        let path = path.to_path_buf();
        let key_error = |message: String| OpenError::Key {
            path: path.clone(),
            message,
        };
        let mut key = [0u8; KEY_LEN];
        match std::fs::File::open(&path) {
            Ok(mut file) => {
                refuse_exposed_key_file(&file).map_err(key_error)?;
                let mut bytes = Vec::new();
                file.read_to_end(&mut bytes)
                    .map_err(|e| key_error(e.to_string()))?;
                if bytes.len() != KEY_LEN {
                    return Err(key_error(format!(
                        "expected {KEY_LEN} bytes, found {}",
                        bytes.len()
                    )));
                }
                key.copy_from_slice(&bytes);
            }
            Err(e) if e.kind() == ErrorKind::NotFound => {
                key = new_key();
                let mut options = OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(&path).map_err(|e| key_error(e.to_string()))?;
                file.write_all(&key).map_err(|e| key_error(e.to_string()))?;
                file.sync_all().map_err(|e| key_error(e.to_string()))?;
            }
            Err(e) => return Err(key_error(e.to_string())),
        }
        Ok(Self::from_key(key))
    }

    /// Seals a secret for its place `at`; an empty secret is stored as no value at all.
    pub fn seal(&self, secret: &Secret, at: SealedAt) -> Option<Vec<u8>> {
        if secret.is_empty() {
            return None;
        }
        self.seal_with(FORMAT, &at.associated_data(), secret)
    }

    /// Opens the secret sealed for `at`; `None` in the database is the empty secret. A value
    /// sealed for another place (or damaged, or sealed with another key) does not open.
    pub fn open(&self, sealed: Option<&[u8]>, at: SealedAt) -> Option<Secret> {
        let Some(sealed) = sealed else {
            return Some(Secret::default());
        };
        self.open_with(FORMAT, &at.associated_data(), sealed)
    }

    /// Seals a secret bound to no place: for configuration files, which leave the database.
    pub fn seal_unbound(&self, secret: &Secret) -> Option<Vec<u8>> {
        self.seal_with(UNBOUND_FORMAT, UNBOUND_AAD, secret)
    }

    /// Opens what [`Sealer::seal_unbound`] sealed (files; database values before V13).
    pub fn open_unbound(&self, sealed: &[u8]) -> Option<Secret> {
        self.open_with(UNBOUND_FORMAT, UNBOUND_AAD, sealed)
    }

    fn seal_with(&self, format: &[u8; 2], aad: &[u8], secret: &Secret) -> Option<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let payload = Payload {
            msg: secret.expose().as_bytes(),
            aad,
        };
        // Encryption only fails for messages beyond 256 GiB.
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), payload)
            .ok()?;
        let mut out = Vec::with_capacity(format.len() + NONCE_LEN + sealed.len());
        out.extend_from_slice(format);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Some(out)
    }

    fn open_with(&self, format: &[u8; 2], aad: &[u8], sealed: &[u8]) -> Option<Secret> {
        let rest = sealed.strip_prefix(format.as_slice())?;
        if rest.len() < NONCE_LEN {
            return None;
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad })
            .ok()?;
        String::from_utf8(plain).ok().map(Secret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_and_refuses_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.sqlite");
        let sealer = Sealer::for_database(&db).unwrap();
        let sealed = sealer.seal(&Secret::new("hunter2"), HERE).unwrap();
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(
            sealer.open(Some(&sealed), HERE).unwrap().expose(),
            "hunter2"
        );
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(sealer.open(Some(&tampered), HERE).is_none());
        // The same key file gives the same key.
        let again = Sealer::for_database(&db).unwrap();
        assert_eq!(again.open(Some(&sealed), HERE).unwrap().expose(), "hunter2");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(key_path(&db))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    const HERE: SealedAt = SealedAt {
        table: "servers",
        column: "password_sealed",
        row: 7,
    };

    #[test]
    fn a_value_opens_only_at_its_own_place() {
        let sealer = Sealer::from_key(new_key());
        let sealed = sealer.seal(&Secret::new("hunter2"), HERE).unwrap();
        let other_row = SealedAt { row: 8, ..HERE };
        let other_column = SealedAt {
            column: "tls_key_sealed",
            ..HERE
        };
        let other_table = SealedAt {
            table: "instances",
            ..HERE
        };
        for elsewhere in [other_row, other_column, other_table] {
            assert!(
                sealer.open(Some(&sealed), elsewhere).is_none(),
                "{elsewhere:?}"
            );
        }
        assert!(sealer.open_unbound(&sealed).is_none());
        // An unbound value (a file's, or one from before V13) opens nowhere in the database.
        let unbound = sealer.seal_unbound(&Secret::new("hunter2")).unwrap();
        assert!(sealer.open(Some(&unbound), HERE).is_none());
        assert_eq!(sealer.open_unbound(&unbound).unwrap().expose(), "hunter2");
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.sqlite");
        Sealer::for_database(&db).unwrap();
        let key = key_path(&db);
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = Sealer::for_database(&db).unwrap_err().to_string();
        assert!(error.contains("others may read it (mode 644)"), "{error}");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        Sealer::for_database(&db).unwrap();
    }
}

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
const FORMAT: &[u8; 2] = b"s1";
/// Binds sealed values to pooladmin, so a blob sealed for another purpose never opens here.
const AAD: &[u8] = b"pooladmin secret v1";

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

    /// A sealed check value for [`Sealer::recognises`].
    pub fn check_value(&self) -> Option<Vec<u8>> {
        self.seal(&Secret::new(CHECK_TEXT))
    }

    /// Whether `check` was sealed with this key.
    pub fn recognises(&self, check: &[u8]) -> bool {
        self.open(Some(check))
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
        let path = key_path(db);
        let key_error = |message: String| OpenError::Key {
            path: path.clone(),
            message,
        };
        let mut key = [0u8; KEY_LEN];
        match std::fs::File::open(&path) {
            Ok(mut file) => {
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

    /// Seals a secret; an empty secret is stored as no value at all.
    pub fn seal(&self, secret: &Secret) -> Option<Vec<u8>> {
        if secret.is_empty() {
            return None;
        }
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let payload = Payload {
            msg: secret.expose().as_bytes(),
            aad: AAD,
        };
        // Encryption only fails for messages beyond 256 GiB.
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), payload)
            .ok()?;
        let mut out = Vec::with_capacity(FORMAT.len() + NONCE_LEN + sealed.len());
        out.extend_from_slice(FORMAT);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Some(out)
    }

    /// Opens a sealed secret; `None` in the database is the empty secret.
    pub fn open(&self, sealed: Option<&[u8]>) -> Option<Secret> {
        let Some(sealed) = sealed else {
            return Some(Secret::default());
        };
        let rest = sealed.strip_prefix(FORMAT.as_slice())?;
        if rest.len() < NONCE_LEN {
            return None;
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: AAD,
                },
            )
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
        let sealed = sealer.seal(&Secret::new("hunter2")).unwrap();
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(sealer.open(Some(&sealed)).unwrap().expose(), "hunter2");
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(sealer.open(Some(&tampered)).is_none());
        // The same key file gives the same key.
        let again = Sealer::for_database(&db).unwrap();
        assert_eq!(again.open(Some(&sealed)).unwrap().expose(), "hunter2");
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
}

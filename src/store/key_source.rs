//! Where the data key that seals secrets lives: the OS keyring where one is reachable, else
//! a key file beside the database, or a passphrase. The database keeps a value sealed with
//! the first key used, so another key is refused rather than garbling secrets.

use super::db::Conn;
use super::sealed_columns::KEY_CHECK_AT;
use super::sealer::{KEY_LEN, Sealer, key_path, new_key};
use super::{Database, OpenError};
use crate::model::Secret;
use std::fmt;
use std::path::{Path, PathBuf};

/// The keyring service name under which pooladmin keeps data keys.
pub const KEYRING_SERVICE: &str = "pooladmin";

/// Where to take the key from.
#[derive(Clone, Debug, Default)]
pub enum KeySource {
    /// An existing key file first, then the OS keyring, then a new key file.
    #[default]
    Auto,
    /// The key file beside the database only.
    KeyFile,
    /// The OS keyring only: fails where none is reachable.
    Keyring,
    /// A passphrase (`POOLADMIN_PASSPHRASE`), stretched with Argon2id and the database's salt.
    Passphrase(Secret),
    /// A key file named by `--key-file` (created, mode 0600, the first time): the way to give
    /// every node of a PostgreSQL database the same key without a passphrase.
    File(PathBuf),
}

/// Where the key was found, for the About dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyLocation {
    /// A key file.
    KeyFile(PathBuf),
    /// The OS keyring, under service "pooladmin" and this account.
    Keyring {
        /// The account: the database's installation id.
        account: String,
    },
    /// Derived from the passphrase.
    Passphrase,
}

impl fmt::Display for KeyLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::KeyFile(path) => write!(f, "key file {}", path.display()),
            Self::Keyring { account } => {
                write!(
                    f,
                    "OS keyring, service {KEYRING_SERVICE}, account {account}"
                )
            }
            Self::Passphrase => f.write_str("derived from POOLADMIN_PASSPHRASE"),
        }
    }
}

/// What a database on a server needs instead of a key file beside it.
const NO_KEY_ON_SERVER: &str = "a PostgreSQL database keeps no key beside it: set \
    POOLADMIN_PASSPHRASE, pass --key-file PATH, or use the OS keyring";

/// Builds the sealer for `source` and checks it against (or, the first time, records it in)
/// the database.
pub(super) fn sealer_for(
    conn: &Conn,
    database: &Database,
    source: &KeySource,
) -> Result<(Sealer, KeyLocation), OpenError> {
    let db_error = |message: String| OpenError::Key {
        path: PathBuf::from(database.to_string()),
        message,
    };
    let (uuid, salt, check): (String, Vec<u8>, Option<Vec<u8>>) = conn
        .query_row(
            "SELECT uuid, key_salt, key_check FROM installation WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(|e| db_error(e.to_string()))?;
    let stored = check.is_some();
    let (sealer, location) = match source {
        KeySource::Passphrase(passphrase) => (
            Sealer::from_passphrase(passphrase, &salt).map_err(db_error)?,
            KeyLocation::Passphrase,
        ),
        KeySource::File(file) => (
            Sealer::from_key_file(file)?,
            KeyLocation::KeyFile(file.clone()),
        ),
        KeySource::Keyring => keyring_key(&uuid, stored)
            .map_err(|message| db_error(format!("OS keyring: {message}")))?,
        KeySource::KeyFile | KeySource::Auto => match database.file() {
            Some(path) if matches!(source, KeySource::KeyFile) || key_path(path).exists() => {
                key_file(path, stored)?
            }
            Some(path) => match keyring_key(&uuid, stored) {
                Ok(found) => found,
                Err(message) => {
                    tracing::info!(%message, "no OS keyring; the key goes to a file beside the database");
                    key_file(path, stored)?
                }
            },
            // A server's database has no "beside": every node must bring the same key.
            None if matches!(source, KeySource::KeyFile) => {
                return Err(db_error(NO_KEY_ON_SERVER.to_owned()));
            }
            None => keyring_key(&uuid, stored).map_err(|message| {
                db_error(format!("{NO_KEY_ON_SERVER} (the OS keyring: {message})"))
            })?,
        },
    };
    match check {
        Some(check) if !sealer.recognises(&check, KEY_CHECK_AT) => Err(db_error(format!(
            "this database was sealed with a different key than this one ({location}); was the \
             key replaced, or is another POOLADMIN_PASSPHRASE or --key-file needed?"
        ))),
        Some(_) => Ok((sealer, location)),
        None => {
            conn.execute(
                "UPDATE installation SET key_check = ?1 WHERE id = 1",
                [sealer.check_value(KEY_CHECK_AT)],
            )
            .map_err(|e| db_error(e.to_string()))?;
            Ok((sealer, location))
        }
    }
}

fn key_file(path: &Path, stored: bool) -> Result<(Sealer, KeyLocation), OpenError> {
    let file = key_path(path);
    if stored && !file.exists() {
        // A new key would never open the stored secrets: say what is missing.
        return Err(OpenError::Key {
            path: file,
            message: "the key file is missing; it holds the key to this database's secrets \
                      (or set POOLADMIN_PASSPHRASE if the database uses one)"
                .to_owned(),
        });
    }
    Ok((Sealer::for_database(path)?, KeyLocation::KeyFile(file)))
}

/// The key kept in the OS keyring for this installation; a new one when the database has
/// no secrets yet.
fn keyring_key(account: &str, stored: bool) -> Result<(Sealer, KeyLocation), String> {
    let entry = keyring::Entry::new(KEYRING_SERVICE, account).map_err(|e| e.to_string())?;
    let key = match entry.get_secret() {
        Ok(bytes) => <[u8; KEY_LEN]>::try_from(bytes.as_slice()).map_err(|_| {
            format!(
                "the stored key has {} bytes, expected {KEY_LEN}",
                bytes.len()
            )
        })?,
        Err(keyring::Error::NoEntry) if !stored => {
            let key = new_key();
            entry.set_secret(&key).map_err(|e| e.to_string())?;
            key
        }
        Err(keyring::Error::NoEntry) => {
            return Err(format!(
                "no key for account {account}; the database's secrets were sealed with another key"
            ));
        }
        Err(e) => return Err(e.to_string()),
    };
    Ok((
        Sealer::from_key(key),
        KeyLocation::Keyring {
            account: account.to_owned(),
        },
    ))
}

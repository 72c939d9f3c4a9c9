//! One scaler per SQLite file: an advisory lock on `<db>.lock` that names its holder. (On
//! PostgreSQL the nodes elect theirs: `store/lease.rs`.)

use super::OpenError;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Held for as long as the store is open; the lock goes with the file handle.
#[derive(Debug)]
pub struct DbLock {
    _file: File,
}

/// The lock file that belongs to a database file.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// How long an opening pooladmin waits for a lock a command holds while it opens (a few
/// milliseconds) before it says the database is in use.
const WAIT_FOR_COMMAND: Duration = Duration::from_secs(3);

impl DbLock {
    /// Takes the lock, waiting a moment for a command that is opening the database, or says
    /// which process holds it.
    pub fn acquire_waiting(db: &Path) -> Result<Self, OpenError> {
        let deadline = Instant::now() + WAIT_FOR_COMMAND;
        loop {
            match Self::acquire(db) {
                Err(OpenError::InUse { .. }) if Instant::now() < deadline => {
                    // Opening is blocking, before any runtime: a short poll of the lock file.
                    #[allow(clippy::disallowed_methods)]
                    std::thread::sleep(Duration::from_millis(50));
                }
                other => return other,
            }
        }
    }

    /// Takes the lock or says which process holds it.
    pub fn acquire(db: &Path) -> Result<Self, OpenError> {
        let path = lock_path(db);
        let io_error = |source| OpenError::Io {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                // The holder's note is best effort: an unreadable note still refuses the open.
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(OpenError::InUse {
                    path: db.to_path_buf(),
                    holder: if holder.is_empty() {
                        "another process".to_owned()
                    } else {
                        holder.to_owned()
                    },
                });
            }
            Err(TryLockError::Error(source)) => return Err(io_error(source)),
        }
        let note = format!(
            "pid {}, {}, since {}",
            std::process::id(),
            std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| "pooladmin".to_owned()),
            jiff::Timestamp::now()
                .round(jiff::Unit::Second)
                .unwrap_or_default()
        );
        file.set_len(0).map_err(io_error)?;
        file.seek(SeekFrom::Start(0)).map_err(io_error)?;
        file.write_all(note.as_bytes()).map_err(io_error)?;
        Ok(Self { _file: file })
    }
}

//! How many connections the API holds open at once, in all and per client address, and the
//! admission that counts them. Every open connection is a file descriptor: a process out of
//! them cannot accept, open the database or reach a cloud, so the API's share is capped
//! below the process's open-file limit and a connection beyond it is closed at once.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// File descriptors kept for everything but the API's connections: the scaler's cloud
/// clients, the database and its journal, the log, the window.
const RESERVED_FILES: u64 = 256;
/// The cap when the open-file limit cannot be read.
const FALLBACK_TOTAL: usize = 512;
/// Never fewer than this, however low the limit (a tiny limit is the administrator's choice).
const MIN_TOTAL: usize = 16;
/// Never more than this, however high the limit.
const MAX_AUTOMATIC_TOTAL: usize = 65_536;
/// One client address may hold this share of the cap (1/8), so a single client cannot take
/// every connection from the others.
const PER_ADDRESS_SHARE: usize = 8;
/// … but at least this many, for a portal with a connection pool.
const MIN_PER_ADDRESS: usize = 8;

/// The caps in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Open connections in all.
    pub total: usize,
    /// Open connections from one client address.
    pub per_address: usize,
}

impl ConnectionLimits {
    /// The caps for the API page's Max Connections: 0 derives them from the open-file limit.
    pub fn from_setting(max_connections: u32) -> Self {
        if max_connections == 0 {
            Self::automatic()
        } else {
            Self::with_total(usize::try_from(max_connections).unwrap_or(usize::MAX))
        }
    }

    /// The caps derived from this process's open-file limit.
    pub fn automatic() -> Self {
        Self::with_total(match open_file_limit() {
            Some(limit) => automatic_total(limit),
            None => FALLBACK_TOTAL,
        })
    }

    /// `total` in all, an eighth of it per address.
    pub fn with_total(total: usize) -> Self {
        let total = total.max(1);
        Self {
            total,
            per_address: (total / PER_ADDRESS_SHARE).max(MIN_PER_ADDRESS).min(total),
        }
    }
}

/// The API's share of `limit` open files: all but the reserve, or half of a small limit.
fn automatic_total(limit: u64) -> usize {
    let share = if limit > 2 * RESERVED_FILES {
        limit - RESERVED_FILES
    } else {
        limit / 2
    };
    usize::try_from(share)
        .unwrap_or(MAX_AUTOMATIC_TOTAL)
        .clamp(MIN_TOTAL, MAX_AUTOMATIC_TOTAL)
}

/// The soft limit on open files of this process, where the system says.
#[cfg(unix)]
pub fn open_file_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the struct it is given and reads nothing else.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
    (ok && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
}

/// The soft limit on open files of this process, where the system says.
#[cfg(not(unix))]
pub fn open_file_limit() -> Option<u64> {
    None
}

/// Why a connection was not admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The API holds its cap of connections.
    Total,
    /// This client address holds its share.
    Address,
}

/// Counts the open connections, in all and per client address.
#[derive(Debug)]
pub struct Admission {
    limits: ConnectionLimits,
    open: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
    refused: u64,
}

impl Admission {
    /// Admission under `limits`.
    pub fn new(limits: ConnectionLimits) -> Arc<Self> {
        Arc::new(Self {
            limits,
            open: Mutex::new(Counts::default()),
        })
    }

    /// The caps it applies.
    pub fn limits(&self) -> ConnectionLimits {
        self.limits
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.counts().total
    }

    /// Connections refused for being over a cap since it started.
    pub fn refused(&self) -> u64 {
        self.counts().refused
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Admits a connection from `address`, or says why not; the connection counts until the
    /// returned ticket is dropped.
    pub fn admit(self: &Arc<Self>, address: IpAddr) -> Result<Admitted, Refusal> {
        let mut counts = self.counts();
        if counts.total >= self.limits.total {
            counts.refused += 1;
            return Err(Refusal::Total);
        }
        let from_address = counts.by_address.entry(address).or_insert(0);
        if *from_address >= self.limits.per_address {
            counts.refused += 1;
            return Err(Refusal::Address);
        }
        *from_address += 1;
        counts.total += 1;
        Ok(Admitted {
            admission: Arc::clone(self),
            address,
        })
    }
}

/// An admitted connection's place under the caps, given back when dropped.
#[derive(Debug)]
pub struct Admitted {
    admission: Arc<Admission>,
    address: IpAddr,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut counts = self.admission.counts();
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.by_address.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                counts.by_address.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_automatic_cap_keeps_a_reserve() {
        assert_eq!(automatic_total(1024), 768);
        assert_eq!(automatic_total(65_536), 65_280);
        // A small limit: half of it.
        assert_eq!(automatic_total(256), 128);
        assert_eq!(automatic_total(10), MIN_TOTAL);
        let limits = ConnectionLimits::with_total(768);
        assert_eq!(limits.per_address, 96);
        assert_eq!(ConnectionLimits::with_total(4).per_address, 4);
    }

    #[test]
    fn one_address_cannot_take_every_connection() {
        let admission = Admission::new(ConnectionLimits {
            total: 3,
            per_address: 2,
        });
        let a: IpAddr = [127, 0, 0, 2].into();
        let b: IpAddr = [127, 0, 0, 3].into();
        let first = admission.admit(a).unwrap();
        let _second = admission.admit(a).unwrap();
        assert_eq!(admission.admit(a).unwrap_err(), Refusal::Address);
        let _third = admission.admit(b).unwrap();
        assert_eq!(admission.admit(b).unwrap_err(), Refusal::Total);
        assert_eq!(admission.open(), 3);
        assert_eq!(admission.refused(), 2);
        // A closed connection gives its place back.
        drop(first);
        assert!(admission.admit(a).is_ok());
    }
}

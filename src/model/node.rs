//! The nodes of one deployment (several pooladmin processes on one PostgreSQL database) and
//! the lease that says which of them runs the scaler.

use std::time::Duration;

/// How long a lease lasts without renewal: a node that stops renewing (killed, paused, cut
/// off) loses the scaler this long after its last renewal.
pub const LEASE: Duration = Duration::from_secs(10);

/// How often the holder renews its lease and every node says it is alive.
pub const RENEW_EVERY: Duration = Duration::from_secs(2);

/// What a node does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeRole {
    /// Runs the scaler (holds the lease).
    Scaler,
    /// Serves the API and stands ready to take the scaler over.
    Standby,
    /// An administrator's window: shows the deployment, runs no scaler unless asked to.
    Window,
    /// Stopped cleanly (it said so on its way out).
    Stopped,
}

impl NodeRole {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scaler => "scaler",
            Self::Standby => "standby",
            Self::Window => "window",
            Self::Stopped => "stopped",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Scaler, Self::Standby, Self::Window, Self::Stopped]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// One node as the nodes table has it.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Its name (`--node-name`, else the host name).
    pub name: String,
    /// The pooladmin version it runs.
    pub version: String,
    /// The newest schema version it knows.
    pub schema_version: i64,
    /// What it said it does at its last heartbeat.
    pub role: NodeRole,
    /// Its process id on its machine.
    pub pid: i64,
    /// Its machine.
    pub host: String,
    /// How long ago it started (by the database's clock).
    pub started_ago: Duration,
    /// How long ago it last said it was alive.
    pub heartbeat_ago: Duration,
    /// Why it does not lead when it could (an older version), else empty.
    pub note: String,
}

impl Node {
    /// Stopped, or silent past a lease (killed or cut off).
    pub fn is_gone(&self) -> bool {
        self.role == NodeRole::Stopped || self.heartbeat_ago > LEASE
    }
}

/// The scaler's lease as the database has it now.
#[derive(Clone, Debug, PartialEq)]
pub struct Lease {
    /// The node that holds it, if any (none once handed back).
    pub holder: Option<String>,
    /// Raised by each take-over; the holder's writes carry it.
    pub epoch: i64,
    /// How long ago it was last renewed (or taken).
    pub renewed_ago: Duration,
    /// How long until it expires; zero once expired.
    pub expires_in: Duration,
    /// Take-overs from a holder whose lease expired, over the deployment's life.
    pub failovers: i64,
}

impl Lease {
    /// The node that runs the scaler now: the holder, while the lease lasts.
    pub fn leader(&self) -> Option<&str> {
        self.holder
            .as_deref()
            .filter(|_| !self.expires_in.is_zero())
    }
}

/// What a try to take the lease found.
#[derive(Clone, Debug, PartialEq)]
pub enum LeaseTry {
    /// Taken, with this epoch; from the node whose lease had expired, if one held it.
    Taken {
        /// The new epoch: every write of this node's scaler carries it.
        epoch: i64,
        /// The node it was taken from, and the database time its lease expired at (ms).
        from: Option<(String, i64)>,
    },
    /// Another node holds it for this long yet.
    Held {
        /// The holder.
        holder: String,
        /// Until its lease expires (if it is not renewed).
        expires_in: Duration,
    },
}

/// How long ago `ms` (database milliseconds) was, from `now_ms`; zero for the future.
pub fn ago(now_ms: i64, ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(now_ms.saturating_sub(ms)).unwrap_or(0))
}

/// "3 s ago", "4 min ago", "2 h ago", "3 days ago".
pub fn ago_text(ago: Duration) -> String {
    let s = ago.as_secs();
    match s {
        0..60 => format!("{s} s ago"),
        60..3600 => format!("{} min ago", s / 60),
        3600..86_400 => format!("{} h ago", s / 3600),
        _ => format!("{} days ago", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_is_gone_once_silent_past_a_lease() {
        let mut node = Node {
            name: "a".into(),
            version: "1".into(),
            schema_version: 15,
            role: NodeRole::Standby,
            pid: 1,
            host: "h".into(),
            started_ago: Duration::from_secs(60),
            heartbeat_ago: LEASE,
            note: String::new(),
        };
        assert!(!node.is_gone());
        node.heartbeat_ago = LEASE + Duration::from_millis(1);
        assert!(node.is_gone());
    }

    #[test]
    fn an_expired_lease_has_no_leader() {
        let mut lease = Lease {
            holder: Some("a".into()),
            epoch: 3,
            renewed_ago: Duration::from_secs(1),
            expires_in: Duration::from_secs(9),
            failovers: 0,
        };
        assert_eq!(lease.leader(), Some("a"));
        lease.expires_in = Duration::ZERO;
        assert_eq!(lease.leader(), None);
    }

    #[test]
    fn roles_and_ages_read_as_written() {
        for role in [
            NodeRole::Scaler,
            NodeRole::Standby,
            NodeRole::Window,
            NodeRole::Stopped,
        ] {
            assert_eq!(NodeRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(ago(10_000, 7_000), Duration::from_secs(3));
        assert_eq!(ago(7_000, 10_000), Duration::ZERO);
        assert_eq!(ago_text(Duration::from_secs(3)), "3 s ago");
        assert_eq!(ago_text(Duration::from_secs(250)), "4 min ago");
        assert_eq!(ago_text(Duration::from_secs(7300)), "2 h ago");
    }
}

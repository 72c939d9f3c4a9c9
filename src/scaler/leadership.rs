//! What this node knows of the scaler's lease, shared by the election thread that takes and
//! renews it (`election.rs`), the scaler and its cloud tasks that must stop the moment it
//! lapses, the window's banner and the API's metrics.
//!
//! The lease is valid here until the instant its last renewal was *sent* plus the lease,
//! less a margin: the database counts the same lease from when it ran the renewal, which
//! is later, so this node always gives up before another can take over, even when it was
//! paused (SIGSTOP) or cut off — the monotonic clock runs on meanwhile, and the first thing
//! a resumed task does before a cloud call is to look at it.

use crate::model::node::NodeRole;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, watch};

/// Given up this much before the database's lease expires (clocks of two machines tick at
/// slightly different rates; the renewal's round trip).
const MARGIN: Duration = Duration::from_millis(1000);

/// What the Nodes page, the banner and the metrics show of this node.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LeadershipView {
    /// This node's name.
    pub node: String,
    /// What it does now.
    pub role: Option<NodeRole>,
    /// The node that runs the scaler, as last read (none: no node does).
    pub leader: Option<String>,
    /// How long ago the leader last renewed its lease, as last read.
    pub lease_age: Duration,
    /// Take-overs from an expired lease, over the deployment's life.
    pub failovers: i64,
    /// Why this node does not lead though it could (an older version), else empty.
    pub note: String,
    /// Whether the lease was read at all yet (until then nothing above is known).
    pub known: bool,
}

#[derive(Debug, Default)]
struct Held {
    epoch: i64,
    valid_until: Option<Instant>,
}

/// This node's leadership: see the module comment.
#[derive(Debug)]
pub struct Leadership {
    held: Mutex<Held>,
    view: Mutex<LeadershipView>,
    leading: watch::Sender<Option<i64>>,
    campaign: AtomicBool,
    stopping: AtomicBool,
    wake: Notify,
    api_nodes: AtomicU32,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Leadership {
    /// Node `node`, standing for the scaler when `campaign` (a headless node), or only
    /// watching (a window, until its administrator asks it to run the scaler).
    pub fn new(node: &str, campaign: bool) -> Self {
        Self {
            held: Mutex::default(),
            view: Mutex::new(LeadershipView {
                node: node.to_owned(),
                ..LeadershipView::default()
            }),
            leading: watch::channel(None).0,
            campaign: AtomicBool::new(campaign),
            stopping: AtomicBool::new(false),
            wake: Notify::new(),
            api_nodes: AtomicU32::new(1),
        }
    }

    /// This node's name.
    pub fn node(&self) -> String {
        lock(&self.view).node.clone()
    }

    /// The epoch this node leads with, while its lease is valid here.
    pub fn leading(&self) -> Option<i64> {
        let held = lock(&self.held);
        held.valid_until
            .is_some_and(|until| Instant::now() < until)
            .then_some(held.epoch)
    }

    /// Whether this node still leads with `epoch`: asked before every cloud call.
    pub fn still_leads(&self, epoch: i64) -> bool {
        self.leading() == Some(epoch)
    }

    /// Signals every change of [`Leadership::leading`] made by the election (taken, lost).
    pub fn watch(&self) -> watch::Receiver<Option<i64>> {
        self.leading.subscribe()
    }

    /// Whether this node stands for the scaler.
    pub fn campaigns(&self) -> bool {
        self.campaign.load(Ordering::Acquire)
    }

    /// Makes this node stand for the scaler (a window's "Run the scaler here"), or stop
    /// standing and hand the lease back if it holds it.
    pub fn set_campaign(&self, on: bool) {
        self.campaign.store(on, Ordering::Release);
        self.wake.notify_one();
    }

    /// Asks the election to hand the lease back and end (a clean stop).
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::Release);
        self.wake.notify_one();
    }

    pub(super) fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    pub(super) async fn woken(&self) {
        self.wake.notified().await;
    }

    /// The election took or renewed the lease of `epoch`, with the renewal sent at `sent`.
    pub(super) fn hold(&self, epoch: i64, sent: Instant, lease: Duration) {
        let until = sent + lease.saturating_sub(MARGIN);
        let changed = {
            let mut held = lock(&self.held);
            let changed = held.epoch != epoch || held.valid_until.is_none();
            *held = Held {
                epoch,
                valid_until: Some(until),
            };
            changed
        };
        if changed {
            self.leading.send_replace(Some(epoch));
        }
    }

    /// The lease is no longer this node's (or never was).
    pub(super) fn lose(&self) {
        let had = lock(&self.held).valid_until.take().is_some();
        if had {
            self.leading.send_replace(None);
        }
    }

    /// The epoch the election holds, valid here or not (it renews or gives it up).
    pub(super) fn held(&self) -> Option<i64> {
        let held = lock(&self.held);
        held.valid_until.map(|_| held.epoch)
    }

    /// Whether this node's lease lapsed here though the election never saw it lost (the
    /// renewals did not get through in time).
    pub(super) fn lapsed(&self) -> bool {
        let held = lock(&self.held);
        held.valid_until
            .is_some_and(|until| Instant::now() >= until)
    }

    pub(super) fn set_view(&self, update: impl FnOnce(&mut LeadershipView)) {
        update(&mut lock(&self.view));
    }

    /// How many live nodes serve the API, as last read (at least this one): each keeps
    /// its share of a portal key's rate.
    pub fn api_nodes(&self) -> u32 {
        self.api_nodes.load(Ordering::Relaxed).max(1)
    }

    pub(super) fn set_api_nodes(&self, nodes: u32) {
        self.api_nodes.store(nodes, Ordering::Relaxed);
    }

    /// What this node knows of the deployment's scaler now.
    pub fn view(&self) -> LeadershipView {
        lock(&self.view).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_is_given_up_here_before_the_database_expires_it() {
        let leadership = Leadership::new("a", true);
        let mut watch = leadership.watch();
        assert_eq!(leadership.leading(), None);
        let sent = Instant::now();
        leadership.hold(4, sent, Duration::from_secs(10));
        assert_eq!(leadership.leading(), Some(4));
        assert!(leadership.still_leads(4) && !leadership.still_leads(3));
        assert!(watch.has_changed().unwrap());
        assert_eq!(*watch.borrow_and_update(), Some(4));
        // A lease shorter than the margin is over at once: nothing is done on it.
        leadership.hold(5, Instant::now(), Duration::from_millis(500));
        assert_eq!(leadership.leading(), None);
        assert!(leadership.lapsed());
        leadership.lose();
        assert_eq!(*watch.borrow_and_update(), None);
        assert!(!leadership.lapsed());
    }
}

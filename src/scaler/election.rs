//! The election of the node that runs the scaler, on a PostgreSQL database several nodes
//! share. Each node runs this loop on a thread and connection of its own, so a long scaler
//! pass or a slow cloud never delays a renewal:
//!
//! - every `renew_every` (2 s) it says it is alive (the nodes table);
//! - the holder renews the lease (10 s) and, when the renewal fails or does not get through
//!   before the lease would lapse here, gives the scaler up (`Leadership::lose`);
//! - a standby tries to take it as soon as it could be free: when the holder's lease is due
//!   to expire (not a tick later), or at once when the holder hands it back (NOTIFY
//!   `pooladmin_lease`), so a clean stop costs well under a second;
//! - every take-over raises the lease's epoch, which the new scaler's connection carries
//!   (`Store::fence`): the database refuses every write of an older epoch, and each of the
//!   old scaler's cloud tasks checks its lease here before its call (`CallGuard`).
//!
//! A take-over is an event ("node b took over the scaler from node a: lease expired …").

use super::leadership::Leadership;
use crate::model::node::{LEASE, LeaseTry, NodeRole, RENEW_EVERY};
use crate::model::scaler_event::{EventKind, ScalerEvent};
use crate::store::db::Changes;
use crate::store::{NodeBeat, Store, StoreError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The lease's length and how often it is renewed.
#[derive(Clone, Copy, Debug)]
pub struct ElectionSettings {
    /// How long a lease lasts unrenewed.
    pub lease: Duration,
    /// How often the holder renews it and every node beats.
    pub renew_every: Duration,
}

impl Default for ElectionSettings {
    fn default() -> Self {
        Self {
            lease: LEASE,
            renew_every: RENEW_EVERY,
        }
    }
}

/// How long a stopping node waits for its election to hand the lease back: a database that
/// does not answer (a network gone quiet) must not keep the process from ending; the lease
/// then expires by itself.
const HAND_BACK_WAIT: Duration = Duration::from_secs(5);

/// Stops the election of `leadership` (handing the lease back if held) and waits for its
/// thread, at most a few seconds.
pub fn stop(leadership: &Leadership, thread: std::thread::JoinHandle<()>) {
    leadership.stop();
    let deadline = Instant::now() + HAND_BACK_WAIT;
    while !thread.is_finished() {
        if Instant::now() >= deadline {
            tracing::warn!("the lease was not handed back in time; it expires by itself");
            return;
        }
        // A clean stop, off any runtime: a short poll of the thread.
        #[allow(clippy::disallowed_methods)]
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = thread.join();
}

/// A standby tries again this long after the holder's lease is due to expire.
const AFTER_EXPIRY: Duration = Duration::from_millis(20);

/// Registers this node (refusing a name a live node uses) and starts its election on
/// `store`, a connection of its own. The thread ends after [`Leadership::stop`], having
/// handed the lease back if it held it.
pub fn start(
    store: Store,
    leadership: Arc<Leadership>,
    settings: ElectionSettings,
) -> Result<std::thread::JoinHandle<()>, StoreError> {
    store.wait_for_locks_at_most(settings.renew_every)?;
    store.node_heartbeat(&NodeBeat {
        name: &leadership.node(),
        role: role(&leadership),
        note: "",
        first: true,
    })?;
    let changes = store
        .changes()?
        .ok_or_else(|| StoreError::Refused("several nodes need a PostgreSQL database".into()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|e| StoreError::Refused(format!("the election's timer: {e}")))?;
    std::thread::Builder::new()
        .name("pooladmin-election".into())
        .spawn(move || runtime.block_on(run(store, leadership, settings, changes)))
        .map_err(|e| StoreError::Refused(format!("the election's thread: {e}")))
}

fn role(leadership: &Leadership) -> NodeRole {
    if leadership.held().is_some() {
        NodeRole::Scaler
    } else if leadership.campaigns() {
        NodeRole::Standby
    } else {
        NodeRole::Window
    }
}

async fn run(
    mut store: Store,
    leadership: Arc<Leadership>,
    settings: ElectionSettings,
    changes: Arc<Changes>,
) {
    let mut wait = Duration::ZERO;
    // The first heartbeat proved no other process of this node runs: a lease still in this
    // node's name is a crashed predecessor's, taken back at once.
    let mut restarted = true;
    loop {
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = leadership.woken() => {}
            () = changes.lease_handed_back() => {}
        }
        if leadership.stopping() {
            step_down(&mut store, &leadership, "it stopped");
            if let Err(e) = store.node_stopped(&leadership.node()) {
                tracing::warn!(error = %e, "the nodes table could not be told this node stopped");
            }
            return;
        }
        wait = round(&mut store, &leadership, settings, restarted);
        restarted &= !leadership.campaigns();
    }
}

/// One round: renew or try to take the lease, say this node is alive, and read the lease
/// for the window and the metrics. How long to wait before the next.
fn round(
    store: &mut Store,
    leadership: &Leadership,
    settings: ElectionSettings,
    restarted: bool,
) -> Duration {
    let node = leadership.node();
    let mut wait = settings.renew_every;
    let mut note = String::new();
    match leadership.held() {
        Some(_) if !leadership.campaigns() => {
            step_down(store, leadership, "its administrator stopped it there");
        }
        Some(_) if leadership.lapsed() => {
            tracing::error!(
                node,
                "this node's lease lapsed before a renewal got through: its scaler stops"
            );
            leadership.lose();
        }
        Some(epoch) => {
            let sent = Instant::now();
            match store.renew_lease(&node, epoch, settings.lease) {
                Ok(true) => leadership.hold(epoch, sent, settings.lease),
                Ok(false) => {
                    tracing::warn!(
                        node,
                        epoch,
                        "this node's lease was taken or expired: its scaler stops"
                    );
                    leadership.lose();
                }
                // Kept until it lapses here; the next round tries again.
                Err(e) => tracing::warn!(error = %e, "the lease could not be renewed"),
            }
        }
        None if leadership.campaigns() => {
            let sent = Instant::now();
            match store.take_lease(&node, settings.lease, restarted) {
                Ok(LeaseTry::Taken { epoch, from }) => {
                    leadership.hold(epoch, sent, settings.lease);
                    took_over(store, &node, epoch, from);
                }
                Ok(LeaseTry::Held { expires_in, .. }) => {
                    wait = wait.min(expires_in + AFTER_EXPIRY);
                }
                Err(StoreError::Refused(why)) => note = why,
                Err(e) => tracing::warn!(error = %e, "the lease could not be asked for"),
            }
        }
        None => {}
    }
    let beat = NodeBeat {
        name: &node,
        role: role(leadership),
        note: &note,
        first: false,
    };
    if let Err(e) = store.node_heartbeat(&beat) {
        tracing::warn!(error = %e, "this node's heartbeat was not recorded");
    }
    if let Ok(nodes) = store.nodes() {
        let live = nodes.iter().filter(|n| !n.is_gone()).count();
        leadership.set_api_nodes(u32::try_from(live).unwrap_or(u32::MAX));
    }
    if let Ok(lease) = store.lease() {
        leadership.set_view(|view| {
            view.role = Some(beat.role);
            view.leader = lease.leader().map(str::to_owned);
            view.lease_age = lease.renewed_ago;
            view.failovers = lease.failovers;
            view.note = note;
            view.known = true;
        });
    }
    wait
}

/// Says in the log and the event log that `node` runs the scaler now, and from whom.
fn took_over(store: &mut Store, node: &str, epoch: i64, from: Option<(String, i64)>) {
    let message = match from {
        Some((old, expired_ms)) => {
            let expired = jiff::Timestamp::from_millisecond(expired_ms)
                .map(|t| {
                    t.to_zoned(jiff::tz::TimeZone::system())
                        .strftime("%H:%M:%S")
                        .to_string()
                })
                .unwrap_or_default();
            format!("node {node} took over the scaler from node {old}: lease expired {expired}")
        }
        None => format!("node {node} runs the scaler"),
    };
    tracing::info!(epoch, "{message}");
    let event = ScalerEvent::new(jiff::Timestamp::now(), EventKind::Leader, message);
    if let Err(e) = store.record_events(std::slice::from_ref(&event)) {
        tracing::warn!(error = %e, "the take-over was not written to the event log");
    }
}

/// Hands the lease back, if this node holds it, so a standby takes over at once.
fn step_down(store: &mut Store, leadership: &Leadership, why: &str) {
    let Some(epoch) = leadership.held() else {
        return;
    };
    // The scaler stops acting first: nothing of this node's reaches a cloud after this.
    leadership.lose();
    let node = leadership.node();
    match store.hand_back_lease(&node, epoch) {
        Ok(()) => {
            let message = format!("node {node} handed the scaler back: {why}");
            tracing::info!("{message}");
            let event = ScalerEvent::new(jiff::Timestamp::now(), EventKind::Leader, message);
            let _ = store.record_events(std::slice::from_ref(&event));
        }
        Err(e) => tracing::warn!(error = %e, "the lease could not be handed back; it expires"),
    }
}

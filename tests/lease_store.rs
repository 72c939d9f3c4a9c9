//! The scaler's lease and the nodes table on PostgreSQL (issue 24): one holder at a time, a
//! take-over only once the holder's lease expired (or it handed it back), and the fence —
//! every write of a scaler whose lease was taken over is refused by the database in the
//! write's own transaction, also after its connection reconnects. Against the throw-away
//! cluster scripts/test.sh starts; without it these tests fail.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::backend::fresh_database;
use pooladmin::model::PoolKind;
use pooladmin::model::node::{LeaseTry, NodeRole};
use pooladmin::store::db::Conn;
use pooladmin::store::db::postgres::{PgUrl, connect};
use pooladmin::store::migrations::LATEST_VERSION;
use pooladmin::store::{Database, KeySource, NodeBeat, Store, StoreError};
use std::time::Duration;

const LEASE: Duration = Duration::from_secs(10);

struct Deployment {
    _dir: tempfile::TempDir,
    url: PgUrl,
    database: Database,
    key: KeySource,
}

impl Deployment {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = fresh_database();
        Self {
            key: KeySource::File(dir.path().join("node.key")),
            database: Database::Postgres(url.clone()),
            url,
            _dir: dir,
        }
    }

    fn node(&self) -> Store {
        Store::open_database(&self.database, &self.key).unwrap()
    }

    /// A connection outside pooladmin, as an operator's psql.
    fn psql(&self) -> Conn {
        Conn::postgres(connect(&self.url, "psql").unwrap())
    }

    /// Lets the holder's lease run out now.
    fn expire(&self) {
        self.psql()
            .execute_batch("UPDATE scaler_lease SET expires_at = 0")
            .unwrap();
    }
}

fn taken(attempt: LeaseTry) -> (i64, Option<String>) {
    match attempt {
        LeaseTry::Taken { epoch, from } => (epoch, from.map(|(node, _)| node)),
        held => panic!("not taken: {held:?}"),
    }
}

fn fenced(result: Result<impl std::fmt::Debug, StoreError>) {
    match result {
        Err(StoreError::Database(e)) if e.is_fenced() => {}
        other => panic!("not refused by the fence: {other:?}"),
    }
}

#[test]
fn one_node_holds_the_lease_until_it_expires_and_the_old_holder_writes_nothing_after() {
    let d = Deployment::new();
    let (mut a, mut b) = (d.node(), d.node());
    let (epoch_a, from) = taken(a.take_lease("a", LEASE, false).unwrap());
    assert_eq!(from, None);
    match b.take_lease("b", LEASE, false).unwrap() {
        LeaseTry::Held { holder, expires_in } => {
            assert_eq!(holder, "a");
            assert!(expires_in > Duration::from_secs(9), "{expires_in:?}");
        }
        other => panic!("b took a held lease: {other:?}"),
    }
    // A's scaler writes with its epoch while it holds the lease.
    let mut scaler_a = a.sibling().unwrap();
    scaler_a.fence(epoch_a).unwrap();
    scaler_a.add_pool("Before", PoolKind::Server).unwrap();
    assert!(a.renew_lease("a", epoch_a, LEASE).unwrap());

    // A stops renewing (paused, cut off); once its lease expired, B takes over.
    d.expire();
    let (epoch_b, from) = taken(b.take_lease("b", LEASE, false).unwrap());
    assert_eq!(epoch_b, epoch_a + 1);
    assert_eq!(from.as_deref(), Some("a"));
    assert_eq!(b.lease().unwrap().leader(), Some("b"));
    assert_eq!(b.lease().unwrap().failovers, 1);

    // A resumes: every write of its scaler is refused, in the write's own transaction.
    fenced(scaler_a.add_pool("After", PoolKind::Server));
    fenced(scaler_a.atomically(|s| s.add_pool("After too", PoolKind::Server)));
    assert!(!a.renew_lease("a", epoch_a, LEASE).unwrap());
    let names: Vec<_> = b.pools().unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["Before"]);
    // Connections without an epoch (the API, windows, commands) are not fenced.
    a.add_pool("By the API", PoolKind::Server).unwrap();
    // B's scaler writes.
    let mut scaler_b = b.sibling().unwrap();
    scaler_b.fence(epoch_b).unwrap();
    scaler_b
        .add_pool("By the new scaler", PoolKind::Server)
        .unwrap();
}

#[test]
fn a_lease_handed_back_is_taken_at_once_and_is_no_failover() {
    let d = Deployment::new();
    let (mut a, mut b) = (d.node(), d.node());
    let (epoch, _) = taken(a.take_lease("a", LEASE, false).unwrap());
    a.hand_back_lease("a", epoch).unwrap();
    assert_eq!(a.lease().unwrap().leader(), None);
    let (next, from) = taken(b.take_lease("b", LEASE, false).unwrap());
    assert_eq!((next, from), (epoch + 1, None));
    assert_eq!(b.lease().unwrap().failovers, 0);
    // Handing back a lease one no longer holds changes nothing.
    a.hand_back_lease("a", epoch).unwrap();
    assert_eq!(b.lease().unwrap().leader(), Some("b"));
}

#[test]
fn a_restarted_node_takes_its_own_lease_back_at_once() {
    let d = Deployment::new();
    let (mut before, mut after, mut other) = (d.node(), d.node(), d.node());
    let (epoch, _) = taken(before.take_lease("a", LEASE, false).unwrap());
    // Node a crashed and started again (its first heartbeat found no live process named a).
    assert!(matches!(
        other.take_lease("b", LEASE, true).unwrap(),
        LeaseTry::Held { .. }
    ));
    let (again, from) = taken(after.take_lease("a", LEASE, true).unwrap());
    assert_eq!((again, from), (epoch + 1, None));
    // Without the proof it waits for the lease like anyone.
    assert!(matches!(
        before.take_lease("a", LEASE, false).unwrap(),
        LeaseTry::Held { .. }
    ));
}

#[test]
fn the_fence_holds_across_a_reconnection() {
    let d = Deployment::new();
    let (mut a, mut b) = (d.node(), d.node());
    let (epoch, _) = taken(a.take_lease("a", LEASE, false).unwrap());
    let mut scaler_a = a.sibling().unwrap();
    scaler_a.fence(epoch).unwrap();
    d.expire();
    taken(b.take_lease("b", LEASE, false).unwrap());
    // The server ends A's scaler session (a restart, a network cut): its next write
    // reconnects, and the new session carries the old epoch again.
    d.psql()
        .execute_batch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid()
                AND application_name LIKE 'pooladmin connection%'",
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let first = scaler_a.add_pool("After", PoolKind::Server);
    // The first statement may meet the closed session; the next one reconnects.
    if !matches!(&first, Err(StoreError::Database(e)) if e.is_fenced()) {
        fenced(scaler_a.add_pool("After", PoolKind::Server));
    }
    assert!(b.pools().unwrap().is_empty());
}

#[test]
fn a_node_older_than_the_schema_does_not_lead_and_says_why() {
    let d = Deployment::new();
    let (mut a, mut b) = (d.node(), d.node());
    let (epoch, _) = taken(a.take_lease("a", LEASE, false).unwrap());
    // A newer node migrated the schema meanwhile.
    d.psql()
        .execute(
            "UPDATE pooladmin_schema SET version = ?1",
            [LATEST_VERSION + 1],
        )
        .unwrap();
    assert!(
        !a.renew_lease("a", epoch, LEASE).unwrap(),
        "the old leader steps down"
    );
    d.expire();
    match b.take_lease("b", LEASE, false) {
        Err(StoreError::Refused(why)) => {
            assert!(why.contains("newer than this pooladmin"), "{why}");
        }
        other => panic!("an old node took the lease: {other:?}"),
    }
}

#[test]
fn nodes_say_what_they_do_and_a_live_name_is_not_taken_twice() {
    let d = Deployment::new();
    let a = d.node();
    let beat = |name, role, first| NodeBeat {
        name,
        role,
        note: "",
        first,
    };
    a.node_heartbeat(&beat("a", NodeRole::Standby, true))
        .unwrap();
    a.node_heartbeat(&beat("a", NodeRole::Scaler, false))
        .unwrap();
    a.node_heartbeat(&beat("desk", NodeRole::Window, true))
        .unwrap();
    let nodes = a.nodes().unwrap();
    assert_eq!(nodes.len(), 2);
    assert_eq!(
        (nodes[0].name.as_str(), nodes[0].role),
        ("a", NodeRole::Scaler)
    );
    assert_eq!(nodes[0].version, env!("CARGO_PKG_VERSION"));
    assert_eq!(nodes[0].pid, i64::from(std::process::id()));
    assert!(!nodes[0].is_gone());
    // Another live process (its connections open) already named "b".
    let other = d.psql();
    other
        .execute(
            "INSERT INTO nodes (name, version, schema_version, role, pid, host, started_at,
                                heartbeat_at)
             VALUES ('b', '0', 15, 'standby', 4242, 'elsewhere', 0,
                     (extract(epoch FROM clock_timestamp()) * 1000)::bigint)",
            (),
        )
        .unwrap();
    drop(other);
    // Its connections closed (it was killed): the name is free at once.
    a.node_heartbeat(&beat("b", NodeRole::Standby, true))
        .unwrap();
    let live = Conn::postgres(connect(&d.url, "pooladmin scaler, pid 4343 on elsewhere").unwrap());
    live.execute(
        "UPDATE nodes SET pid = 4343, host = 'elsewhere' WHERE name = 'b'",
        (),
    )
    .unwrap();
    match a.node_heartbeat(&beat("b", NodeRole::Standby, true)) {
        Err(StoreError::Refused(why)) => assert!(why.contains("runs already"), "{why}"),
        other => panic!("a live node's name was taken: {other:?}"),
    }
    // A clean stop shows at once.
    a.node_stopped("a").unwrap();
    let stopped = a
        .nodes()
        .unwrap()
        .into_iter()
        .find(|n| n.name == "a")
        .unwrap();
    assert!(stopped.is_gone() && stopped.role == NodeRole::Stopped);
}

#[test]
fn an_sqlite_file_has_no_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("one.sqlite")).unwrap();
    assert!(matches!(
        store.take_lease("a", LEASE, false),
        Err(StoreError::Refused(_))
    ));
}

//! The window on a PostgreSQL database that goes out of reach: a red banner says since when,
//! and the window recovers by itself once the server answers again. Against the throw-away
//! cluster scripts/test.sh starts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::backend::{admin_url, fresh_database};
use common::ui_driver::{click, harness, settle, type_into, until};
use egui_kittest::kittest::Queryable;
use pooladmin::model::PoolKind;
use pooladmin::store::db::Conn;
use pooladmin::store::db::postgres::connect;
use pooladmin::store::{Database, KeySource, Store};
use std::time::{Duration, Instant};

/// Lets the database take new connections or not, ending the ones it has when not.
fn reachable(dbname: &str, yes: bool) {
    let admin = Conn::postgres(connect(&admin_url(), "test").unwrap());
    admin
        .execute_batch(&format!(
            "ALTER DATABASE {dbname} WITH ALLOW_CONNECTIONS {yes}"
        ))
        .unwrap();
    if !yes {
        admin
            .query_map(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ?1",
                [dbname],
                |_| Ok(()),
            )
            .unwrap()
            .for_each(drop);
    }
}

#[test]
fn the_window_says_since_when_the_database_is_out_of_reach_and_recovers_by_itself() {
    let url = fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_database_for_command(
        &Database::Postgres(url.clone()),
        &KeySource::File(dir.path().join("window.key")),
    )
    .unwrap();
    store.add_pool("Desktops", PoolKind::Server).unwrap();
    let mut h = harness(store);
    settle(&mut h);
    assert!(h.query_by_label_contains("Desktops").is_some());

    reachable(&url.dbname, false);
    let deadline = Instant::now() + Duration::from_secs(10);
    while h
        .query_by_label_contains("The database is unreachable since")
        .is_none()
    {
        assert!(Instant::now() < deadline, "no banner");
        std::thread::sleep(Duration::from_millis(100));
        settle(&mut h);
    }
    // What was on screen stays on screen meanwhile.
    assert!(h.query_by_label_contains("Desktops").is_some());

    reachable(&url.dbname, true);
    let deadline = Instant::now() + Duration::from_secs(10);
    while h
        .query_by_label_contains("The database is unreachable since")
        .is_some()
    {
        assert!(Instant::now() < deadline, "the window did not recover");
        std::thread::sleep(Duration::from_millis(200));
        settle(&mut h);
    }
}

/// A save on a database that keeps it waiting (another session holds the table): the form
/// stays open, not editable, with "Saving…", and every frame is drawn meanwhile; once the
/// database answers, the dialog closes and the pool is on screen. A pool of another name
/// written by another connection meanwhile shows up by itself.
#[test]
fn a_save_that_waits_on_the_database_never_freezes_the_window_nor_loses_the_form() {
    let url = fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_database_for_command(
        &Database::Postgres(url.clone()),
        &KeySource::File(dir.path().join("window.key")),
    )
    .unwrap();
    let mut h = harness(store);
    settle(&mut h);
    click(&mut h, "Add pool");
    type_into(&mut h, "Name", "Desktops");

    let blocker = Conn::postgres(connect(&url, "test blocker").unwrap());
    blocker
        .execute_batch("BEGIN; LOCK TABLE pools IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    click(&mut h, "Add");
    let held = Instant::now();
    let mut slowest = Duration::ZERO;
    while held.elapsed() < Duration::from_secs(2) {
        let frame = Instant::now();
        h.run_steps(1);
        slowest = slowest.max(frame.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        slowest < Duration::from_millis(250),
        "a frame waited {slowest:?} on the database"
    );
    assert!(
        h.query_by_label_contains("Saving").is_some(),
        "no sign of the save on its way"
    );
    assert!(
        h.query_all_by_value("Desktops").next().is_some(),
        "the form lost what was typed"
    );
    blocker.execute_batch("COMMIT").unwrap();
    until(&mut h, Duration::from_secs(10), "the dialog closed", |h| {
        h.query_by_label_contains("Saving").is_none() && h.query_by_label("Add").is_none()
    });
    until(&mut h, Duration::from_secs(10), "the pool on screen", |h| {
        h.query_by_label_contains("Desktops").is_some()
    });

    // Written by another connection: on screen within a second.
    let mut other = Store::open_database_for_command(
        &Database::Postgres(url.clone()),
        &KeySource::File(dir.path().join("window.key")),
    )
    .unwrap();
    other
        .add_pool("Written elsewhere", PoolKind::Server)
        .unwrap();
    until(
        &mut h,
        Duration::from_secs(1),
        "another connection's write on screen",
        |h| h.query_by_label_contains("Written elsewhere").is_some(),
    );
}

/// A table's actions on PostgreSQL go through the window's database thread: each is said
/// when the database has answered, and a new agent token is shown once then.
#[test]
fn table_actions_are_said_when_the_database_answers() {
    let url = fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let key = KeySource::File(dir.path().join("window.key"));
    let mut store =
        Store::open_database_for_command(&Database::Postgres(url.clone()), &key).unwrap();
    let pool = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
    common::add_agent(&mut store, "agent-01", Some(pool), 8);
    let mut h = harness(store);
    settle(&mut h);
    h.get_by_label_contains("Docker Agents  (").click();
    settle(&mut h);
    click(&mut h, "Actions ⏷");
    click(&mut h, "Drain");
    until(
        &mut h,
        Duration::from_secs(10),
        "the agent shown draining",
        |h| h.query_by_label("Draining").is_some(),
    );
    let reader = Store::open_database_for_command(&Database::Postgres(url), &key).unwrap();
    assert!(reader.agents().unwrap()[0].agent.draining);
    click(&mut h, "Actions ⏷");
    click(&mut h, "Agent token…");
    until(
        &mut h,
        Duration::from_secs(10),
        "the new token shown once",
        |h| {
            h.query_by_label_contains("Agent token for agent-01")
                .is_some()
        },
    );
}

//! The scaler never dies silently (issue 14): a database held by another writer past the
//! busy timeout, or a row deleted while its cloud call is in flight, does not stop it; a
//! fatal database error stops it loudly, answers the Test connections asked meanwhile, and
//! it starts again by itself (or at once on "Restart scaler") once the database is whole.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::scaling::{Bench, agent_pool, run_scaler, settings, wait};
use common::ui_driver::{click, harness_with, settle};
use egui_kittest::kittest::Queryable;
use pooladmin::cloud::OneCloud;
use pooladmin::cloud::simulated::Behaviour;
use pooladmin::model::instance::InstanceState;
use pooladmin::model::vm_provider::VmProviderSpec;
use pooladmin::scaler::{Command, ConnectionTarget, ScalerHandle, ScalerSettings, Update};
use pooladmin::store::EventFilter;
use pooladmin::ui::PoolAdminApp;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

fn quick_cloud() -> Behaviour {
    Behaviour {
        api_latency: Duration::from_millis(200),
        boot_delay: Duration::from_secs(1),
        ..Behaviour::default()
    }
}

fn raw(bench: &Bench) -> rusqlite::Connection {
    let conn =
        rusqlite::Connection::open(bench.store.database().file().expect("an SQLite file")).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    conn
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_writer_holding_the_database_does_not_stop_it() {
    let bench = agent_pool(quick_cloud(), 8, 10);
    let quick = ScalerSettings {
        poll_every: Duration::from_millis(200),
        ..settings()
    };
    // Another writer (an import, say) holds the database longer than the 5 s busy timeout.
    let holder = raw(&bench);
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let scaler = run_scaler(
        &bench.store,
        Arc::new(OneCloud(bench.cloud.clone())),
        bench.clock,
        quick,
        None,
    );
    tokio::time::sleep(Duration::from_secs(7)).await;
    assert!(
        !scaler.task.is_finished(),
        "the scaler survived the busy database"
    );
    holder.execute_batch("COMMIT").unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while bench.count(InstanceState::Running) < 2 {
        assert!(Instant::now() < deadline, "the scaler did not catch up");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    scaler.stop().await;
    bench.assert_consistent();
}

#[tokio::test(start_paused = true)]
async fn a_row_deleted_while_its_create_is_in_flight_is_dropped_and_its_vm_swept() {
    let bench = agent_pool(
        Behaviour {
            api_latency: Duration::from_secs(4),
            boot_delay: Duration::from_secs(10),
            ..Behaviour::default()
        },
        4,
        10,
    );
    let scaler = bench.start(settings(), None);
    // After the start-up listing (4 s), the create call is on its way (4 s round trip):
    // the row goes under it.
    wait(5).await;
    let live = bench.live();
    assert_eq!(live.len(), 1, "one instance requested");
    raw(&bench)
        .execute("DELETE FROM instances WHERE id = ?1", [live[0].id.0])
        .unwrap();
    wait(300).await;
    assert!(!scaler.task.is_finished(), "the scaler goes on");
    let events = bench.store.events(&EventFilter::default(), 200).unwrap();
    assert!(
        events
            .iter()
            .any(|(_, e)| e.message.contains("deleted meanwhile")),
        "the dropped outcome is said: {events:#?}"
    );
    // The VM its create made is an orphan, swept after the grace; a new one, under an id
    // never used before, serves the pool.
    assert_eq!(bench.count(InstanceState::Running), 1);
    assert!(
        bench.live().iter().all(|i| i.id != live[0].id),
        "ids are not reused"
    );
    scaler.stop().await;
    bench.assert_consistent();
}

/// Waits for an update that `want` accepts, up to `seconds`.
/// A full disk (the database may not grow): the scaler keeps running, makes no VM without
/// its row, says so, and goes on by itself once there is room again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_pauses_creates_and_they_go_on_once_there_is_room() {
    let mut bench = agent_pool(quick_cloud(), 8, 10);
    // Room to free later: old events filling pages of their own.
    // Each nearly a page long: the last page has no room left for a new event.
    let filler = "x".repeat(3900);
    let old: Vec<_> = (0..400)
        .map(|_| {
            pooladmin::model::scaler_event::ScalerEvent::new(
                bench.clock.now(),
                pooladmin::model::scaler_event::EventKind::Decision,
                &filler,
            )
        })
        .collect();
    bench.store.record_events(&old).unwrap();
    let raw = raw(&bench);
    let pages: i64 = raw
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    let mut store = bench.store.sibling().unwrap();
    assert_eq!(store.limit_growth(pages).unwrap(), pages);
    let (commands, command_rx) = mpsc::unbounded_channel();
    let (update_tx, mut updates) = mpsc::unbounded_channel();
    let scaler = pooladmin::scaler::Scaler::new(
        store,
        Arc::new(OneCloud(bench.cloud.clone())),
        bench.clock,
        ScalerSettings {
            poll_every: Duration::from_millis(200),
            ..settings()
        },
        update_tx,
    );
    let task = tokio::spawn(scaler.run(command_rx));
    let paused = await_update(&mut updates, |u| matches!(u, Update::CreatesPaused(_)));
    match paused.await {
        Some(Update::CreatesPaused(reason)) => {
            assert!(reason.contains("cannot grow"), "{reason}")
        }
        other => panic!("no pause: {other:?}"),
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!task.is_finished(), "the scaler keeps running");
    // Every VM the cloud holds has its intent row: nothing was made without one.
    let live: Vec<i64> = bench.live().iter().map(|i| i.id.0).collect();
    for vm in bench.cloud.vms() {
        let instance = pooladmin::cloud::tags::instance_of(&vm.tags);
        assert!(
            instance.is_some_and(|id| live.contains(&id)),
            "{vm:?} has no row"
        );
    }
    // Room again: the old events go.
    raw.execute("DELETE FROM events WHERE message = ?1", [&filler])
        .unwrap();
    let resumed = await_update(&mut updates, |u| matches!(u, Update::CreatesResumed));
    assert!(resumed.await.is_some(), "creates go on");
    let deadline = Instant::now() + Duration::from_secs(20);
    while bench.count(InstanceState::Running) < 2 {
        assert!(
            Instant::now() < deadline,
            "no agent came up after the pause"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bench.assert_consistent();
    let _ = commands.send(Command::Shutdown);
    let _ = task.await;
}

/// The first update `want` takes within 20 s.
async fn await_update(
    updates: &mut mpsc::UnboundedReceiver<Update>,
    want: impl Fn(&Update) -> bool,
) -> Option<Update> {
    let wait = async {
        while let Some(update) = updates.recv().await {
            if want(&update) {
                return Some(update);
            }
        }
        None
    };
    tokio::time::timeout(Duration::from_secs(20), wait)
        .await
        .ok()
        .flatten()
}

fn next_update(
    handle: &mut ScalerHandle,
    seconds: u64,
    mut want: impl FnMut(&Update) -> bool,
) -> Update {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(update) = handle.try_update()
            && want(&update)
        {
            return update;
        }
        assert!(
            Instant::now() < deadline,
            "no such update within {seconds} s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_fatal_error_stops_it_loudly_and_it_starts_again() {
    let bench = agent_pool(quick_cloud(), 8, 10);
    // Damage the database under it: a table the scaler writes every pass is gone.
    raw(&bench)
        .execute_batch("ALTER TABLE pool_clocks RENAME TO pool_clocks_away")
        .unwrap();
    let clouds = Arc::new(OneCloud(bench.cloud.clone()));
    let mut handle = ScalerHandle::start(
        bench.store.sibling().unwrap(),
        clouds,
        settings(),
        Arc::new(|| {}),
        None,
    )
    .unwrap();
    let Update::Stopped { reason, .. } =
        next_update(&mut handle, 20, |u| matches!(u, Update::Stopped { .. }))
    else {
        unreachable!()
    };
    assert!(reason.contains("pool_clocks"), "{reason}");
    // A Test connection asked while it is stopped is answered, not left spinning.
    let spec = bench.store.configs::<VmProviderSpec>().unwrap()[0]
        .spec
        .clone();
    handle.send(Command::TestConnection(
        7,
        ConnectionTarget::Vm(Box::new(spec)),
    ));
    let Update::ConnectionTested(7, Err(answer)) = next_update(&mut handle, 20, |u| {
        matches!(u, Update::ConnectionTested(7, _))
    }) else {
        panic!("the Test connection was not answered as refused");
    };
    assert!(answer.contains("the scaler stopped"), "{answer}");
    // Mended, and restarted at once: it scales again.
    raw(&bench)
        .execute_batch("ALTER TABLE pool_clocks_away RENAME TO pool_clocks")
        .unwrap();
    handle.restart_now();
    next_update(&mut handle, 20, |u| matches!(u, Update::Restarted));
    next_update(&mut handle, 30, |u| matches!(u, Update::Levels(..)));
    let deadline = Instant::now() + Duration::from_secs(30);
    while bench.count(InstanceState::Running) < 2 {
        assert!(
            Instant::now() < deadline,
            "the restarted scaler did not scale"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    handle.shut_down();
}

#[test]
fn the_window_shows_a_stopped_scaler_and_restarts_it() {
    let (_dir, store) = common::temp_store();
    let (command_tx, _commands) = mpsc::unbounded_channel();
    let (update_tx, update_rx) = mpsc::unbounded_channel();
    let app =
        PoolAdminApp::new(store).with_scaler(ScalerHandle::from_channels(command_tx, update_rx));
    let mut h = harness_with(app);
    settle(&mut h);
    update_tx
        .send(Update::Stopped {
            reason: "database error: database or disk is full".into(),
            restart_in: Duration::from_secs(4),
        })
        .unwrap();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("The scaler stopped: database error: database or disk is full")
            .is_some()
    );
    click(&mut h, "Restart scaler");
    update_tx.send(Update::Restarted).unwrap();
    settle(&mut h);
    assert!(h.query_by_label_contains("The scaler stopped").is_none());
}

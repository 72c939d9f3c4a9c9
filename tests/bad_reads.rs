//! A bad read never deletes (issue 14): while a provider config's listing fails, nothing of
//! it goes as surplus, no orphan is swept and no row is marked lost; a listing that suddenly
//! misses most of a config's VMs stops the config instead of marking them lost.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::scaling::{agent_pool, quick_cloud, settings, wait};
use pooladmin::cloud::simulated::Behaviour;
use pooladmin::model::instance::InstanceState;
use pooladmin::scaler::Command;
use pooladmin::store::EventFilter;
use std::time::Duration;

#[tokio::test(start_paused = true)]
async fn a_failed_listing_deletes_nothing_until_one_succeeds() {
    let mut bench = agent_pool(quick_cloud(), 8, 10);
    let scaler = bench.start(settings(), None);
    wait(60).await;
    assert_eq!(bench.count(InstanceState::Running), 2);

    bench.cloud.set_behaviour(Behaviour {
        listing_fails: true,
        ..quick_cloud()
    });
    // The next tick's listing fails; then the surplus appears.
    wait(20).await;
    bench.set_standby_cores(0, 0);
    scaler.commands.send(Command::Wake).unwrap();
    wait(120).await;
    assert_eq!(
        bench.count(InstanceState::Running),
        2,
        "nothing deleted on a bad read"
    );
    assert_eq!(bench.cloud.calls().deletes, 0);
    assert_eq!(bench.cloud.vms().len(), 2);
    let events = bench.store.events(&EventFilter::default(), 200).unwrap();
    assert!(
        events.iter().any(|(_, e)| e
            .message
            .contains("listing of simulated failed: nothing deleted this pass")),
        "the log says why nothing goes: {events:#?}"
    );

    // A good read again: the surplus goes.
    bench.cloud.set_behaviour(quick_cloud());
    wait(60).await;
    assert_eq!(
        bench.count(InstanceState::Running),
        0,
        "the surplus goes after a good read"
    );
    scaler.stop().await;
    bench.assert_consistent();
}

#[tokio::test(start_paused = true)]
async fn most_vms_missing_at_once_stops_the_config_instead_of_losing_them() {
    let bench = agent_pool(quick_cloud(), 12, 10);
    let scaler = bench.start(settings(), None);
    wait(60).await;
    assert_eq!(bench.count(InstanceState::Running), 3);

    bench.cloud.set_behaviour(Behaviour {
        lists_nothing: true,
        ..quick_cloud()
    });
    wait(120).await;
    assert_eq!(bench.count(InstanceState::Lost), 0, "no row marked lost");
    assert_eq!(bench.count(InstanceState::Running), 3);
    assert_eq!(bench.cloud.vms().len(), 3, "and no VM touched");
    let health = bench.store.config_health().unwrap();
    let stopped = health[&bench.config]
        .stopped_reason
        .clone()
        .unwrap_or_default();
    assert!(
        stopped.contains("no longer lists 3 of this config's 3 instances"),
        "{stopped}"
    );
    scaler.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_surplus_clock_from_a_clock_that_went_back_neither_deletes_early_nor_waits_an_hour() {
    let mut bench = agent_pool(quick_cloud(), 8, 10);
    let scaler = bench.start(settings(), None);
    wait(60).await;
    assert_eq!(bench.count(InstanceState::Running), 2);
    scaler.stop().await;
    // The surplus began "an hour from now": the wall clock went back an hour since.
    bench.set_standby_cores(0, 600);
    let ahead = bench.clock.now() + jiff::SignedDuration::from_secs(3600);
    bench
        .store
        .set_surplus_clocks(&[(bench.pool, Some(ahead))])
        .unwrap();
    let scaler = bench.start(settings(), None);
    wait(300).await;
    assert_eq!(
        bench.count(InstanceState::Running),
        2,
        "not before the Downscale Backoff"
    );
    wait(420).await;
    assert_eq!(
        bench.count(InstanceState::Running),
        0,
        "and not an hour late either"
    );
    scaler.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_stored_setting_that_no_longer_parses_stops_the_config_and_destroys_nothing() {
    let bench = agent_pool(
        Behaviour {
            api_latency: Duration::from_millis(200),
            boot_delay: Duration::from_secs(900),
            ..Behaviour::default()
        },
        4,
        10,
    );
    let scaler = bench.start(settings(), None);
    wait(30).await;
    assert_eq!(bench.count(InstanceState::Booting), 1);
    // Hand-edited: the Provision Timeout is no number any more (the old fallback read 0
    // and destroyed every booting VM).
    let conn =
        rusqlite::Connection::open(bench.store.database().file().expect("an SQLite file")).unwrap();
    conn.execute(
        "UPDATE autoscale_configs SET settings = json_set(settings, '$.provision_timeout_s', 'soon')",
        [],
    )
    .unwrap();
    scaler.commands.send(Command::Wake).unwrap();
    wait(120).await;
    let health = bench.store.config_health().unwrap();
    let stopped = health[&bench.config]
        .stopped_reason
        .clone()
        .unwrap_or_default();
    assert!(
        stopped.contains("Provision Timeout (s)") && stopped.contains("no longer parse"),
        "{stopped}"
    );
    assert_eq!(
        bench.count(InstanceState::Booting),
        1,
        "nothing destroyed on a guess"
    );
    assert_eq!(bench.cloud.calls().deletes, 0);
    scaler.stop().await;
}

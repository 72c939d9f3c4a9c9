//! What the cost and the what-if replay read: every ended session is on record whatever
//! ended it, the record is pruned by its retention setting, and instance lifetimes run from
//! the create call to the end.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::scaling::agent_pool;
use common::{add_agent, temp_store};
use jiff::{SignedDuration, Timestamp};
use pooladmin::cloud::simulated::Behaviour;
use pooladmin::model::app_settings::AppSettings;
use pooladmin::model::cost::summarize;
use pooladmin::model::instance::{InstanceSize, InstanceState};
use pooladmin::model::scaler_event::{EventKind, ScalerEvent};
use pooladmin::model::session_history::EndedSession;
use pooladmin::model::{PoolKind, Resources, SessionRequest};
use pooladmin::store::{InstanceChange, InstanceRequest};

fn event(text: &str) -> ScalerEvent {
    ScalerEvent::new(Timestamp::now(), EventKind::Transition, text)
}

#[test]
fn an_ended_session_is_on_record_with_its_pool_times_and_size() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("desktops", PoolKind::DockerAgent).unwrap();
    add_agent(&mut store, "agent-01", Some(pool), 8);
    let before = Timestamp::now();
    let request = SessionRequest {
        pool,
        user_label: "ada".into(),
        resources: Resources::new(2.0, 2048, 0),
        staged: false,
    };
    let placed = store.start_session(&request).unwrap();
    let second = store
        .start_session(&SessionRequest {
            staged: true,
            ..request.clone()
        })
        .unwrap();
    assert!(
        store
            .ended_sessions(pool, before, Timestamp::MAX)
            .unwrap()
            .is_empty()
    );
    store.end_session(placed.id).unwrap();
    let kept = store
        .ended_sessions(pool, before - SignedDuration::from_secs(1), Timestamp::MAX)
        .unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].pool, pool);
    assert_eq!(kept[0].resources, Resources::new(2.0, 2048, 0));
    assert!(!kept[0].staged);
    assert!(kept[0].ended_at >= kept[0].started_at);
    // A staged session is on record as staged.
    assert_ne!(second.id, placed.id);
    store.end_session(second.id).unwrap();
    let kept = store
        .ended_sessions(pool, before - SignedDuration::from_secs(1), Timestamp::MAX)
        .unwrap();
    assert_eq!(kept.iter().filter(|s| s.staged).count(), 1, "{kept:?}");
}

#[test]
fn the_history_is_pruned_by_its_retention_setting() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("desktops", PoolKind::DockerAgent).unwrap();
    let now: Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
    let ended = |days_ago: i64| EndedSession {
        pool,
        started_at: now - SignedDuration::from_hours(24 * days_ago + 1),
        ended_at: now - SignedDuration::from_hours(24 * days_ago),
        resources: Resources::new(1.0, 1024, 0),
        staged: false,
    };
    store
        .record_ended_sessions(&[ended(100), ended(50), ended(5)])
        .unwrap();
    assert_eq!(
        store.prune_session_history(now).unwrap(),
        1,
        "90 days by default"
    );
    store
        .save_app_settings(&AppSettings {
            currency: "EUR".into(),
            history_days: 30,
        })
        .unwrap();
    assert_eq!(store.prune_session_history(now).unwrap(), 1);
    let left = store
        .ended_sessions(pool, Timestamp::MIN, Timestamp::MAX)
        .unwrap();
    assert_eq!(left, vec![ended(5)]);
    assert_eq!(store.app_settings().unwrap().currency, "EUR");
}

#[test]
fn an_instance_costs_from_its_create_call_to_its_end() {
    let mut bench = agent_pool(Behaviour::default(), 8, 10);
    let store = &mut bench.store;
    let created: Timestamp = "2026-12-01T08:00:00Z".parse().unwrap();
    let request = InstanceRequest {
        config: bench.config,
        vm_provider: bench.provider,
        pool: bench.pool,
        size: InstanceSize::Agent(Resources::new(4.0, 8192, 0)),
        provision_timeout_s: 600,
    };
    let gone = store
        .request_instance(&request, created, event("requested"))
        .unwrap();
    let live = store
        .request_instance(&request, created, event("requested"))
        .unwrap();
    let ended = created + SignedDuration::from_hours(3);
    assert!(
        store
            .move_instance(
                gone.id,
                &[InstanceState::Requested],
                InstanceState::Failed,
                &InstanceChange::default(),
                ended,
                event("failed"),
            )
            .unwrap()
    );
    let rows = store.instance_lifetimes(created).unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r.lifetime.from == created && r.pool == bench.pool)
    );
    let ends: Vec<Option<Timestamp>> = rows.iter().map(|r| r.lifetime.to).collect();
    assert!(
        ends.contains(&Some(ended)) && ends.contains(&None),
        "{ends:?}"
    );
    assert_ne!(gone.id, live.id);
    // At 0.25 per hour, at 12:00: the failed one ran 3 h, the live one 4 h so far.
    let now: Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
    let priced: Vec<_> = rows.iter().map(|r| (r.lifetime, 0.25)).collect();
    let cost = summarize(&priced, now);
    assert!((cost.today - 1.75).abs() < 1e-9, "{cost:?}");
    assert_eq!(cost.per_hour, 0.25);
    // An instance over before the month began is not read at all.
    assert_eq!(
        store
            .instance_lifetimes(ended + SignedDuration::from_secs(1))
            .unwrap()
            .len(),
        1
    );
}

// The tests above that need no file of their own run again on PostgreSQL.
crate::also_on_postgres!(
    an_ended_session_is_on_record_with_its_pool_times_and_size,
    the_history_is_pruned_by_its_retention_setting,
    an_instance_costs_from_its_create_call_to_its_end,
);

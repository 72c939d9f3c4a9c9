//! Placement in the store, on both back ends: the member the placement index finds is the
//! one `model::place` chooses from the pool's whole state, and placements that run at once
//! on several connections never put a member over its capacity.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::backend::postgres;
use common::{add_server, default_zone, temp_store};
use pooladmin::model::{
    AgentDraft, MemberCapacity, PoolId, PoolKind, Resources, SessionHost, SessionId,
    SessionRequest, place,
};
use pooladmin::store::{Store, StoreError};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One agent: enabled, draining, cores (halves), memory, GPUs, a cores override (halves,
/// 0 for none).
type AgentShape = (bool, bool, u32, i64, i64, u32);

fn agent_shape() -> impl Strategy<Value = AgentShape> {
    (
        prop::bool::weighted(0.85),
        prop::bool::weighted(0.1),
        1u32..=16,
        512i64..=8192,
        0i64..=2,
        prop_oneof![3 => Just(0u32), 1 => 1u32..=16],
    )
}

#[derive(Clone, Debug)]
enum Step {
    /// A session asking for cores (halves), memory, GPUs.
    Start(u32, i64, i64),
    /// Ends the live session at this index (modulo how many live).
    End(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (1u32..=6, 64i64..=3072, prop_oneof![4 => Just(0i64), 1 => Just(1i64)])
            .prop_map(|(c, m, g)| Step::Start(c, m, g)),
        1 => any::<usize>().prop_map(Step::End),
    ]
}

fn cases(sqlite: u32, postgres_cases: u32) -> Config {
    Config {
        cases: if postgres() { postgres_cases } else { sqlite },
        failure_persistence: None,
        ..Config::default()
    }
}

/// A new Docker Agent pool of `agents`, in the store's default zone.
fn agent_pool(store: &mut Store, agents: &[AgentShape]) -> PoolId {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let zone = default_zone(store);
    let pool = store
        .add_pool(&format!("agents-{n}"), PoolKind::DockerAgent)
        .unwrap();
    let specs: Vec<_> = agents
        .iter()
        .enumerate()
        .map(
            |(i, &(enabled, _, cores, memory_mb, gpus, cores_override))| {
                let mut draft = AgentDraft::new(Some(zone), Some(pool));
                draft.hostname = format!("agent-{n}-{i}.test");
                draft.enabled = enabled;
                draft.cores = (f64::from(cores) / 2.0).to_string();
                draft.memory_mb = memory_mb.to_string();
                draft.gpus = gpus.to_string();
                if cores_override > 0 {
                    draft.cores_override = (f64::from(cores_override) / 2.0).to_string();
                }
                draft.parse().expect("a valid agent")
            },
        )
        .collect();
    let ids = store.add_agents(&specs).unwrap();
    for (id, &(_, draining, ..)) in ids.iter().zip(agents) {
        if draining {
            store.set_agent_draining(*id, true).unwrap();
        }
    }
    pool
}

fn request(pool: PoolId, user: usize, resources: Resources) -> SessionRequest {
    SessionRequest {
        pool,
        user_label: format!("user-{user}"),
        resources,
        staged: false,
    }
}

/// Every member of `pool` holds at most its capacity.
fn within_capacity(store: &Store, pool: PoolId) -> Result<(), String> {
    for member in store.placement_members(pool).unwrap() {
        match member.capacity {
            MemberCapacity::Compute { capacity, used } if !used.fits_in(&capacity) => {
                return Err(format!("{} holds {used} of {capacity}", member.name));
            }
            MemberCapacity::Slots { max_sessions } if member.sessions > max_sessions => {
                return Err(format!(
                    "{} holds {} of {max_sessions} sessions",
                    member.name, member.sessions
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

#[test]
fn the_index_finds_what_the_rule_chooses() {
    let (_dir, store) = temp_store();
    let input = (
        prop::collection::vec(agent_shape(), 0..12),
        prop::collection::vec(step(), 1..40),
    );
    let store = RefCell::new(store);
    let mut runner = TestRunner::new(cases(64, 16));
    runner
        .run(&input, |(agents, steps)| {
            let mut store = store.borrow_mut();
            let pool = agent_pool(&mut store, &agents);
            let mut live: Vec<SessionId> = Vec::new();
            for (user, step) in steps.into_iter().enumerate() {
                match step {
                    Step::Start(cores, memory_mb, gpus) => {
                        let wanted = Resources::new(f64::from(cores) / 2.0, memory_mb, gpus);
                        let members = store.placement_members(pool).unwrap();
                        let chosen = place("p", PoolKind::DockerAgent, &wanted, &members);
                        match (store.start_session(&request(pool, user, wanted)), chosen) {
                            (Ok(placed), Ok(host)) => {
                                prop_assert_eq!(placed.host, host, "members: {:?}", members);
                                live.push(placed.id);
                            }
                            (Err(StoreError::NoCapacity(_)), Err(_)) => {}
                            (placed, chosen) => prop_assert!(
                                false,
                                "the store answered {placed:?}, the rule {chosen:?}; members: {members:?}"
                            ),
                        }
                    }
                    Step::End(i) if !live.is_empty() => {
                        let id = live.swap_remove(i % live.len());
                        store.end_session(id).unwrap();
                    }
                    Step::End(_) => {}
                }
                prop_assert!(within_capacity(&store, pool).is_ok(), "{:?}", within_capacity(&store, pool));
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn the_last_slots_go_once_under_concurrency() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("desktops", PoolKind::Server).unwrap();
    for i in 0..3 {
        add_server(&mut store, &format!("rds-{i}"), Some(pool), 4);
    }
    // 4 connections × 10 starts race for 12 slots.
    let placed = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for thread in 0..4 {
            let mut sibling = store.sibling().unwrap();
            let placed = &placed;
            scope.spawn(move || {
                for i in 0..10 {
                    let wanted = request(pool, thread * 100 + i, Resources::default());
                    match sibling.start_session(&wanted) {
                        Ok(_) => {
                            placed.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(StoreError::NoCapacity(_)) => {}
                        Err(e) => panic!("{e}"),
                    }
                }
            });
        }
    });
    assert_eq!(placed.load(Ordering::SeqCst), 12);
    within_capacity(&store, pool).unwrap();
    let counted: u32 = store
        .placement_members(pool)
        .unwrap()
        .iter()
        .map(|m| m.sessions)
        .sum();
    assert_eq!(counted, 12);
}

#[test]
fn concurrent_starts_and_ends_never_over_commit() {
    let (_dir, store) = temp_store();
    let input = (
        prop::collection::vec(agent_shape(), 1..5),
        prop::collection::vec(prop::collection::vec(step(), 1..16), 3..=3),
    );
    let store = RefCell::new(store);
    let mut runner = TestRunner::new(cases(12, 6));
    runner
        .run(&input, |(agents, threads)| {
            let mut store = store.borrow_mut();
            let pool = agent_pool(&mut store, &agents);
            std::thread::scope(|scope| {
                for (thread, steps) in threads.into_iter().enumerate() {
                    let mut sibling = store.sibling().unwrap();
                    scope.spawn(move || {
                        let mut live = Vec::new();
                        for (i, step) in steps.into_iter().enumerate() {
                            match step {
                                Step::Start(cores, memory_mb, gpus) => {
                                    let wanted =
                                        Resources::new(f64::from(cores) / 2.0, memory_mb, gpus);
                                    match sibling.start_session(&request(
                                        pool,
                                        thread * 100 + i,
                                        wanted,
                                    )) {
                                        Ok(placed) => live.push(placed.id),
                                        Err(StoreError::NoCapacity(_)) => {}
                                        Err(e) => panic!("{e}"),
                                    }
                                }
                                Step::End(n) if !live.is_empty() => {
                                    let id = live.swap_remove(n % live.len());
                                    sibling.end_session(id).unwrap();
                                }
                                Step::End(_) => {}
                            }
                        }
                    });
                }
            });
            prop_assert!(
                within_capacity(&store, pool).is_ok(),
                "{:?}",
                within_capacity(&store, pool)
            );
            let placed_on: Vec<SessionHost> = store
                .sessions()
                .unwrap()
                .iter()
                .filter(|row| row.session.pool == pool)
                .map(|row| row.session.host)
                .collect();
            let counted: u32 = store
                .placement_members(pool)
                .unwrap()
                .iter()
                .map(|m| m.sessions)
                .sum();
            prop_assert_eq!(counted as usize, placed_on.len());
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

crate::also_on_postgres!(
    the_index_finds_what_the_rule_chooses,
    the_last_slots_go_once_under_concurrency,
    concurrent_starts_and_ends_never_over_commit,
);

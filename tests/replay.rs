//! What-if replays: the real planner against recorded demand on a paused clock. The same
//! input gives the same report byte for byte; more standby means fewer requests without
//! room and more instance-hours; a timetable's window is ready by its start; a server that
//! is not Reusable goes after its session; the command line names what is wrong.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::scaling::agent_pool;
use jiff::{SignedDuration, Timestamp};
use pooladmin::cloud::simulated::Behaviour;
use pooladmin::model::autoscale::Scaling;
use pooladmin::model::schedule::{Schedule, ScheduleWindow, ScheduledValues};
use pooladmin::model::session_history::EndedSession;
use pooladmin::model::{AutoScaleId, PoolKind, Resources, VmProviderId};
use pooladmin::replay::preview::for_config_named;
use pooladmin::replay::{Change, DemandSource, Request, Setup, replay};
use pooladmin::scaler::snapshot::{ConfigSnapshot, Target};
use std::process::Command;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn agents(standby: f64) -> Setup {
    Setup {
        kind: PoolKind::DockerAgent,
        config: ConfigSnapshot {
            id: AutoScaleId(7),
            name: "agents".into(),
            enabled: true,
            vm_provider: VmProviderId(3),
            health: Default::default(),
            downscale_backoff: SignedDuration::from_mins(10),
            target: Target::Agents {
                standby: Resources::new(standby, 0, 0),
                per_agent: Resources::new(4.0, 8192, 0),
            },
            schedule: Default::default(),
            boot_lead: SignedDuration::from_mins(5),
        },
        max_instances: 20,
        boot_time: SignedDuration::from_mins(5),
        fixed: Vec::new(),
        initial: Vec::new(),
    }
}

/// A burst of `n` two-core sessions of an hour, one a minute from 09:00.
fn burst(n: i64) -> Vec<Request> {
    (0..n)
        .map(|i| Request {
            at: at("2026-12-01T09:00:00Z") + SignedDuration::from_mins(i),
            duration: SignedDuration::from_hours(1),
            resources: Resources::new(2.0, 2048, 0),
        })
        .collect()
}

#[test]
fn more_standby_finds_room_for_more_and_costs_more_hours() {
    let (from, to) = (at("2026-12-01T08:00:00Z"), at("2026-12-01T12:00:00Z"));
    let requests = burst(30);
    let none = replay(&agents(0.0), &requests, from, to);
    // Standby 0 keeps nothing free: the planner makes nothing, and every request goes away.
    assert_eq!((none.creates, none.gave_up), (0, 30), "{none:?}");
    let little = replay(&agents(2.0), &requests, from, to);
    let some = replay(&agents(8.0), &requests, from, to);
    let mut ample = agents(40.0);
    ample.max_instances = 40;
    let plenty = replay(&ample, &requests, from, to);
    assert_eq!(little.requests, 30);
    // With little standby requests wait for VMs to boot; with plenty none waits.
    assert!(little.no_room > some.no_room, "{little:?} vs {some:?}");
    assert_eq!(plenty.no_room, 0, "{plenty:?}");
    assert!(little.instance_hours() < some.instance_hours());
    assert!(some.instance_hours() < plenty.instance_hours());
    // 40 standby cores of 4-core agents: 10 from the first step, more as sessions fill them.
    assert!(plenty.peak_instances >= 10);
    // A request without room waited at least a boot (5 min), never past the patience; with
    // one agent booting at a time (the planner counts it as free), the queue outgrows it.
    assert!(
        little.longest_wait >= SignedDuration::from_mins(4),
        "{little:?}"
    );
    assert!(little.longest_wait <= SignedDuration::from_mins(31));
    assert!(little.gave_up > some.gave_up, "{little:?} vs {some:?}");
    // Nothing is left running past the need: after the burst, the surplus goes.
    assert!(some.deletes > 0);
}

#[test]
fn max_instances_bounds_the_replay_and_turns_requests_away() {
    let (from, to) = (at("2026-12-01T08:00:00Z"), at("2026-12-01T12:00:00Z"));
    let mut capped = agents(8.0);
    capped.max_instances = 2;
    let outcome = replay(&capped, &burst(30), from, to);
    assert!(outcome.peak_instances <= 2, "{outcome:?}");
    // Two agents hold 4 sessions of 2 cores: most of the 30 wait and many give up.
    assert!(outcome.gave_up > 10, "{outcome:?}");
}

#[test]
fn a_timetables_window_is_ready_by_its_start() {
    let mut setup = agents(0.0);
    let mut schedule = Schedule::default();
    schedule.windows.push(ScheduleWindow {
        days: [true; 7],
        start: "09:00".into(),
        end: "10:00".into(),
        time_zone: "UTC".into(),
        values: ScheduledValues {
            standby_cores: "16".into(),
            ..ScheduledValues::default()
        },
    });
    let mut errors = pooladmin::model::ValidationErrors::default();
    setup.config.schedule = schedule.parse(false, &mut errors);
    assert!(errors.is_empty(), "{errors}");
    let outcome = replay(
        &setup,
        &[],
        at("2026-12-01T08:00:00Z"),
        at("2026-12-01T11:00:00Z"),
    );
    let capacity_at = |t: &str| {
        outcome
            .series
            .iter()
            .rfind(|s| s.at <= at(t))
            .map(|s| s.capacity)
            .unwrap()
    };
    assert_eq!(capacity_at("2026-12-01T08:40:00Z"), 0.0, "not too early");
    assert_eq!(capacity_at("2026-12-01T09:00:00Z"), 16.0, "ready by 09:00");
    assert_eq!(
        capacity_at("2026-12-01T10:50:00Z"),
        0.0,
        "gone after the backoff"
    );
}

#[test]
fn a_server_that_is_not_reusable_goes_after_its_session() {
    let mut setup = agents(0.0);
    setup.kind = PoolKind::Server;
    setup.config.target = Target::Servers {
        min_available: 1,
        slots: 1,
        reusable: false,
    };
    let requests = vec![Request {
        at: at("2026-12-01T09:00:00Z"),
        duration: SignedDuration::from_mins(30),
        resources: Resources::default(),
    }];
    let outcome = replay(
        &setup,
        &requests,
        at("2026-12-01T08:00:00Z"),
        at("2026-12-01T10:00:00Z"),
    );
    assert_eq!(outcome.no_room, 0, "the standby server took it");
    // One server at the start, one to replace it as standby once taken; the spent one goes.
    assert_eq!(outcome.creates, 2, "{outcome:?}");
    assert_eq!(outcome.deletes, 1, "{outcome:?}");
}

#[test]
fn the_same_input_gives_the_same_report_and_history_comes_before_the_stand_in() {
    let mut bench = agent_pool(Behaviour::default(), 8, 10);
    let (from, to) = (at("2026-11-23T00:00:00Z"), at("2026-11-30T00:00:00Z"));
    let now = at("2026-12-01T00:00:00Z");
    let changes = [Change::parse("standby_cores=16").unwrap()];
    let first = for_config_named(&bench.store, &bench.spec.name, &changes, from, to, now).unwrap();
    assert_eq!(first.basis.source, DemandSource::StandIn);
    assert!(
        first
            .to_text()
            .contains("the demo's demand generator stands in")
    );
    let again = for_config_named(&bench.store, &bench.spec.name, &changes, from, to, now).unwrap();
    assert_eq!(first.to_text(), again.to_text(), "byte for byte");
    assert!(first.to_text().contains("Candidate: standby_cores = 16"));

    let sessions: Vec<EndedSession> = (0..50)
        .map(|i| EndedSession {
            pool: bench.pool,
            started_at: at("2026-11-24T09:00:00Z") + SignedDuration::from_mins(i),
            ended_at: at("2026-11-24T10:00:00Z") + SignedDuration::from_mins(i),
            resources: Resources::new(2.0, 2048, 0),
            staged: false,
        })
        .collect();
    bench.store.record_ended_sessions(&sessions).unwrap();
    let recorded =
        for_config_named(&bench.store, &bench.spec.name, &changes, from, to, now).unwrap();
    assert_eq!(
        recorded.basis.source,
        DemandSource::Recorded {
            ended: 50,
            running: 0
        }
    );
    assert!(recorded.to_text().contains(
        "Demand: 50 sessions, 2026-11-23 00:00 – 2026-11-30 00:00 UTC: 50 ended, 0 still running"
    ));
    assert_eq!(recorded.current.outcome.requests, 50);
    // More standby (16 over 8): fewer requests without room, more instance-hours.
    let (a, b) = (&recorded.current.outcome, &recorded.candidate.outcome);
    assert!(b.no_room <= a.no_room, "{a:?} {b:?}");
    assert!(b.instance_hours() > a.instance_hours());

    // A new config is compared with the pool without it: nothing is created on that side.
    let without =
        pooladmin::replay::preview(&recorded.basis, None, &bench.spec, None, Vec::new()).unwrap();
    assert!(without.current_is_without);
    assert_eq!(
        without.current.outcome.creates, 0,
        "{:?}",
        without.current.outcome
    );
    assert!(without.candidate.outcome.creates > 0);
    assert!(without.to_text().contains("without it"));

    // A value the form refuses is named.
    let wrong = [Change::parse("standby_cores=lots").unwrap()];
    let error = for_config_named(&bench.store, &bench.spec.name, &wrong, from, to, now)
        .unwrap_err()
        .to_string();
    assert!(error.contains("Standby Cores"), "{error}");
    let Scaling::Agents(_) = &bench.spec.scaling else {
        panic!("an agent pool")
    };
}

#[test]
fn the_command_line_prints_the_report_and_names_what_is_wrong() {
    let bench = agent_pool(Behaviour::default(), 8, 10);
    let db = bench.dir.path().join("scaler.sqlite");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_pooladmin"))
            .arg("--db")
            .arg(&db)
            .arg("simulate")
            .args(args)
            .env("POOLADMIN_PASSPHRASE", "")
            .output()
            .unwrap()
    };
    let name = bench.spec.name.as_str();
    let args = [
        "--config",
        name,
        "--from",
        "2026-11-23",
        "--to",
        "2026-11-30",
        "--set",
        "standby_cores=16",
        "--set",
        "max_instances=4",
    ];
    let first = run(&args);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let text = String::from_utf8(first.stdout.clone()).unwrap();
    assert!(
        text.starts_with(&format!("What-if replay of AutoScale config {name}")),
        "{text}"
    );
    assert!(text.contains("Max instances"), "{text}");
    assert_eq!(run(&args).stdout, first.stdout, "the same report twice");

    let bad = run(&["--config", name, "--set", "colour=blue"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("'colour' is not a value"));
    let missing = run(&["--config", "nothing-like-it"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no AutoScale config is named"));
    let backwards = run(&[
        "--config",
        name,
        "--from",
        "2026-11-30",
        "--to",
        "2026-11-23",
    ]);
    assert!(String::from_utf8_lossy(&backwards.stderr).contains("is not before"));
}

#[test]
fn sessions_still_running_and_the_fleet_at_the_start_are_replayed() {
    use pooladmin::model::SessionRequest;
    let mut bench = agent_pool(Behaviour::default(), 8, 10);
    let now = Timestamp::now();
    // An instance that has served since before the span, from the instance history.
    bench.running_instance(now - SignedDuration::from_hours(2));
    // Two sessions running on it now, none ended.
    for user in ["alice", "bob"] {
        bench
            .store
            .start_session(&SessionRequest {
                pool: bench.pool,
                user_label: user.into(),
                resources: Resources::new(2.0, 1024, 0),
                staged: false,
            })
            .unwrap();
    }
    let (from, to) = (
        now - SignedDuration::from_hours(1),
        now + SignedDuration::from_mins(1),
    );
    let preview = for_config_named(&bench.store, &bench.spec.name, &[], from, to, to).unwrap();
    assert_eq!(
        preview.basis.source,
        DemandSource::Recorded {
            ended: 0,
            running: 2
        }
    );
    assert_eq!(preview.basis.initial, [Resources::new(4.0, 8192, 0)]);
    assert_eq!(preview.current.outcome.requests, 2);
    assert!(preview.current.outcome.instance_hours() > 0.0);
    let text = preview.to_text();
    assert!(text.contains("0 ended, 2 still running"), "{text}");
    assert!(text.contains("1 autoscaled instance(s)"), "{text}");
}

crate::also_on_postgres!(
    the_same_input_gives_the_same_report_and_history_comes_before_the_stand_in,
    sessions_still_running_and_the_fleet_at_the_start_are_replayed,
);

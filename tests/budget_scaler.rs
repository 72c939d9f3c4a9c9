//! A monthly budget held by a real scaler on the simulated cloud: the create that would take
//! the month's projection over it is not made and the reason says so; at 80 % a Budget
//! event warns once; nothing in use is deleted for it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::scaling::{agent_pool, quick_cloud, settings, wait};
use pooladmin::model::cost::hours_left_in_month;
use pooladmin::model::instance::InstanceState;
use pooladmin::model::scaler_event::EventKind;
use pooladmin::scaler::Update;

#[tokio::test(start_paused = true)]
async fn a_budget_stops_the_create_that_would_pass_it_and_warns_at_80_percent() {
    // 12 standby cores of 4-core agents: three wanted; the budget affords two to the
    // month's end (2.4 of them, at 1 an hour).
    let mut bench = agent_pool(quick_cloud(), 12, 10);
    let hours = hours_left_in_month(bench.clock.now());
    bench.set_cost("1", &format!("{}", (hours * 2.4).round()));
    let mut scaler = bench.start(settings(), None);
    wait(90).await;
    assert_eq!(bench.count(InstanceState::Running), 2, "two of three made");
    let decisions = bench.events_of(EventKind::Decision);
    assert!(
        decisions
            .iter()
            .any(|(_, e)| e.message.contains("1 agent of 4 cores")
                && e.message.starts_with("budget ")
                && e.message.contains("not created")),
        "{decisions:#?}"
    );
    let warnings = bench.events_of(EventKind::Budget);
    assert_eq!(warnings.len(), 1, "warned once: {warnings:#?}");
    assert!(warnings[0].1.message.contains("80 %"));
    let updates = scaler.drain();
    assert!(
        updates
            .iter()
            .any(|u| matches!(u, Update::Event(e) if e.kind == EventKind::Budget)),
        "the window hears of it (and toasts it)"
    );
    // More passes: the warning stays one event; nothing is deleted for the budget.
    wait(120).await;
    assert_eq!(bench.events_of(EventKind::Budget).len(), 1);
    assert_eq!(bench.count(InstanceState::Running), 2);
    scaler.stop().await;
    bench.assert_consistent();
}

crate::also_on_postgres!(a_budget_stops_the_create_that_would_pass_it_and_warns_at_80_percent);

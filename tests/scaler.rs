//! The scaler end to end against the simulated cloud, on tokio's paused clock: scale-up,
//! scale-down after the backoff (kept across a restart), faults, runaway instances, and
//! crashes at every step.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::scaling::{agent_pool, quick_cloud, settings, wait};
use pooladmin::cloud::simulated::Behaviour;
use pooladmin::model::config_health::HealthStatus;
use pooladmin::model::decision::{Decision, DeleteCause};
use pooladmin::model::instance::InstanceState;
use pooladmin::model::scaler_event::EventKind;
use pooladmin::model::{Resources, SessionRequest};
use pooladmin::scaler::failpoint::Failpoint;
use pooladmin::store::EventFilter;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(start_paused = true)]
async fn keeps_standby_cores_free_and_follows_demand() {
    let mut bench = agent_pool(quick_cloud(), 8, 10);
    let scaler = bench.start(settings(), None);
    wait(60).await;
    assert_eq!(
        bench.count(InstanceState::Running),
        2,
        "8 standby cores = 2 agents of 4"
    );
    assert_eq!(bench.store.agents().unwrap().len(), 2);

    // Sessions eat the standby: the scaler answers the new deficit, once.
    for n in 0..3 {
        bench
            .store
            .start_session(&SessionRequest {
                pool: bench.pool,
                user_label: format!("user {n}"),
                resources: Resources::new(2.0, 1024, 0),
                staged: false,
            })
            .unwrap();
    }
    scaler
        .commands
        .send(pooladmin::scaler::Command::Wake)
        .unwrap();
    wait(60).await;
    // 6 cores used of 8 → free 2 → deficit 6 → 2 more agents.
    assert_eq!(bench.count(InstanceState::Running), 4);
    assert_eq!(bench.cloud.calls().vms_made, 4);
    let events = bench.store.events(&EventFilter::default(), 100).unwrap();
    // The decision carries its numbers (and, for a person, its reason in words).
    let decision = events
        .iter()
        .filter_map(|(_, e)| match e.decision {
            Some(Decision::Create { count, need, free }) if free.cores > 0.0 => {
                Some((count, need.cores, free.cores, e.message.clone()))
            }
            _ => None,
        })
        .next();
    let Some((count, need, free, words)) = decision else {
        panic!("no create decision after the sessions: {events:#?}");
    };
    assert_eq!((count, need, free), (2, 8.0, 2.0), "{words}");
    assert!(words.contains("create"), "{words}");
    scaler.stop().await;
    bench.set_standby_cores(8, 600);
    bench.assert_consistent();
}

#[tokio::test(start_paused = true)]
async fn deletes_surplus_only_after_the_backoff_even_across_a_restart() {
    let mut bench = agent_pool(quick_cloud(), 12, 10);
    let scaler = bench.start(settings(), None);
    wait(60).await;
    assert_eq!(bench.count(InstanceState::Running), 3);

    // Standby drops to 4: two agents are surplus, with a 600 s backoff.
    bench.set_standby_cores(4, 600);
    scaler
        .commands
        .send(pooladmin::scaler::Command::Wake)
        .unwrap();
    wait(5).await;
    let surplus_since = bench.store.surplus_clocks().unwrap()[&bench.pool];
    wait(300).await;
    scaler.stop().await;
    assert_eq!(
        bench.count(InstanceState::Running),
        3,
        "nothing deleted before the backoff"
    );

    // A restart 100 s later must not restart the clock, nor delete early.
    wait(100).await;
    let scaler = bench.start(settings(), None);
    wait(150).await;
    assert_eq!(
        bench.count(InstanceState::Running),
        3,
        "still inside the backoff"
    );
    assert_eq!(
        bench.store.surplus_clocks().unwrap()[&bench.pool],
        surplus_since
    );
    wait(120).await;
    assert_eq!(
        bench.count(InstanceState::Running),
        1,
        "both surplus agents went once the surplus had lasted 600 s"
    );
    let deleted = bench
        .store
        .events(&EventFilter::default(), 200)
        .unwrap()
        .into_iter()
        .filter(|(_, e)| {
            e.decision
                == Some(Decision::Delete {
                    cause: DeleteCause::Surplus,
                })
        })
        .map(|(_, e)| e.at)
        .min()
        .expect("a deletion decision");
    assert!(deleted.duration_since(surplus_since).as_secs() >= 600);
    scaler.stop().await;
    bench.assert_consistent();
}

#[tokio::test(start_paused = true)]
async fn reaches_the_target_through_failures_throttling_and_a_capacity_episode() {
    let bench = agent_pool(quick_cloud(), 16, 10);
    let start = bench.clock.now();
    bench.cloud.set_behaviour(Behaviour {
        failure_rate: 0.3,
        throttle_rate: 0.3,
        capacity_episode: Some((start, start + jiff::SignedDuration::from_secs(120))),
        seed: 7,
        ..quick_cloud()
    });
    let mut scaler = bench.start(settings(), None);
    wait(30).await;
    let health = bench.store.config_health().unwrap()[&bench.config].clone();
    assert!(
        matches!(
            health.status(bench.clock.now()),
            HealthStatus::BackingOff(_)
        ),
        "the capacity error shows as a backoff: {health:?}"
    );
    let updates = scaler.drain();
    assert!(
        updates.iter().any(|u| matches!(u,
        pooladmin::scaler::Update::Event(e) if e.message.contains("InsufficientInstanceCapacity")))
    );

    // The backoff (5 min) outlasts the episode; then the pool fills despite the faults.
    wait(20 * 60).await;
    let events = bench.store.events(&EventFilter::default(), 60).unwrap();
    assert_eq!(
        bench.count(InstanceState::Running),
        4,
        "16 cores = 4 agents; events: {events:#?}"
    );
    assert!(bench.cloud.calls().throttled > 0);
    scaler.stop().await;
    bench.assert_consistent();
}

#[tokio::test(start_paused = true)]
async fn instances_that_never_check_in_are_destroyed_and_the_config_stops() {
    let behaviour = Behaviour {
        never_check_in: true,
        ..quick_cloud()
    };
    let bench = agent_pool(behaviour, 8, 10);
    let scaler = bench.start(settings(), None);
    let deficit = 2;
    let mut max_in_flight = 0;
    for _ in 0..(3600 / 5) {
        wait(5).await;
        let in_flight = bench
            .live()
            .iter()
            .filter(|i| i.state.is_provisioning())
            .count();
        max_in_flight = max_in_flight.max(in_flight);
    }
    assert!(
        max_in_flight <= deficit,
        "in flight {max_in_flight} > deficit {deficit}"
    );
    let made = bench.cloud.calls().vms_made;
    assert!(
        made <= 3 * deficit as u64,
        "{made} VMs launched in an hour for a deficit of 2"
    );
    let health = bench.store.config_health().unwrap()[&bench.config].clone();
    match health.status(bench.clock.now()) {
        HealthStatus::Stopped(reason) => assert!(reason.contains("in a row failed"), "{reason}"),
        other => panic!("the config should have stopped, is {other:?}"),
    }
    let failed = bench
        .store
        .events(
            &EventFilter {
                kinds: vec![EventKind::Error],
                ..EventFilter::default()
            },
            100,
        )
        .unwrap();
    assert!(
        failed
            .iter()
            .any(|(_, e)| e.message.contains("provision timeout of 600s"))
    );
    assert!(
        bench.cloud.vms().is_empty(),
        "every runaway VM was destroyed"
    );
    scaler.stop().await;
}

/// One crash trial: a scaler dies at `step` while scaling up (or down), another starts on
/// the same database and cloud, and after reconciliation nothing is orphaned, doubled or
/// dangling. Returns whether it crashed, and whether reconciliation had to repair anything.
async fn crash_trial(step: i64, scale_down: bool, tokens: bool) -> (bool, bool) {
    // Lost answers and a cloud without tokens make the orphans and twins to be repaired.
    let behaviour = Behaviour {
        failure_rate: 0.2,
        honours_tokens: tokens,
        seed: step.unsigned_abs(),
        ..quick_cloud()
    };
    let mut bench = agent_pool(behaviour, 12, 10);
    if scale_down {
        let scaler = bench.start(settings(), None);
        wait(60).await;
        scaler.stop().await;
        bench.set_standby_cores(0, 0);
    }
    let failpoint = Arc::new(Failpoint::at_step(step));
    let crashing = bench.start(settings(), Some(failpoint.clone()));
    wait(90).await;
    // Killed where it stands (if it has not tripped already), tasks and all.
    crashing.task.abort();
    let _ = crashing.task.await;

    let scaler = bench.start(settings(), None);
    // Past the 60 s grace, so orphans are swept and lost rows replaced.
    wait(240).await;
    scaler.stop().await;
    bench.assert_consistent();
    let expected = if scale_down { 0 } else { 3 };
    assert_eq!(
        bench.count(InstanceState::Running),
        expected,
        "trial at step {step}, scale-down {scale_down}"
    );
    let repairs = bench.events_of(EventKind::Reconcile);
    (failpoint.tripped(), !repairs.is_empty())
}

#[tokio::test(start_paused = true)]
async fn two_hundred_crashes_leave_no_orphan_twin_or_dangling_row() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let (mut crashed, mut repaired) = (0, 0);
    for trial in 0..200 {
        let scale_down = trial % 2 == 1;
        let tokens = trial % 4 < 2;
        let step = rng.random_range(1..=25);
        let (tripped, needed_repair) = crash_trial(step, scale_down, tokens).await;
        crashed += usize::from(tripped);
        repaired += usize::from(needed_repair);
    }
    // The trials must really crash, and some must leave work for reconciliation.
    assert!(crashed >= 150, "only {crashed} of 200 trials crashed");
    assert!(
        repaired >= 10,
        "only {repaired} trials needed reconciliation"
    );
    println!("{crashed} crashes, {repaired} repaired by reconciliation");
}

#[tokio::test(start_paused = true)]
async fn a_startup_script_that_renders_past_the_user_data_limit_is_refused_before_the_call() {
    use pooladmin::model::Secret;
    use pooladmin::model::autoscale::Scaling;
    use pooladmin::model::vm_provider::VmProviderSpec;
    let mut bench = agent_pool(quick_cloud(), 4, 10);
    // 1,000 copies of the certificate: small as typed, over the simulator's 1 MB rendered.
    let mut provider = bench.store.configs::<VmProviderSpec>().unwrap()[0]
        .spec
        .clone();
    provider.startup_script = "{nginx_cert}\n".repeat(1000);
    bench
        .store
        .update_config(bench.provider, &provider)
        .unwrap();
    if let Scaling::Agents(a) = &mut bench.spec.scaling {
        a.nginx_cert = common::configs::CERT.into();
        a.nginx_key = Secret::new(common::configs::KEY);
    }
    bench.set_standby_cores(4, 600);
    let scaler = bench.start(settings(), None);
    wait(10).await;
    scaler.stop().await;
    assert_eq!(bench.cloud.calls().creates, 0, "the cloud was never called");
    let health = bench.store.config_health().unwrap()[&bench.config].clone();
    match health.status(bench.clock.now()) {
        HealthStatus::Stopped(reason) => {
            assert!(reason.contains("rendered startup script"), "{reason}");
            assert!(reason.contains("1048576 bytes"), "{reason}");
        }
        other => panic!("expected a stop, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn startup_scripts_reach_the_cloud_with_their_placeholders_filled() {
    use pooladmin::model::autoscale::Scaling;
    use pooladmin::model::vm_provider::VmProviderSpec;
    let mut bench = agent_pool(quick_cloud(), 4, 10);
    let mut provider = bench.store.configs::<VmProviderSpec>().unwrap()[0]
        .spec
        .clone();
    provider.startup_script =
        "id={server_id} host={server_hostname} fqdn={server_external_fqdn} pool={pool_name} provider={provider_name} keep=${HOME}"
            .into();
    bench
        .store
        .update_config(bench.provider, &provider)
        .unwrap();
    if let Scaling::Agents(a) = &mut bench.spec.scaling {
        a.register_dns = true;
        a.base_domain_name = "agents.example.com".into();
    }
    // Register DNS needs a DNS Provider config: any will do, the simulated world has no DNS.
    let mut dns = pooladmin::model::dns_provider::DnsProviderSpec {
        register: Default::default(),
        name: "route53".into(),
        endpoint_override: String::new(),
        settings: pooladmin::model::dns_provider::DnsSettings::new(
            pooladmin::model::vm_provider::ProviderKind::Aws,
        )
        .unwrap(),
    };
    if let pooladmin::model::dns_provider::DnsSettings::Aws(keys) = &mut dns.settings {
        keys.access_key_id = "AKIAIOSFODNN7EXAMPLE".into();
        keys.secret_access_key =
            pooladmin::model::Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    }
    bench
        .store
        .save_autoscale(
            Some(bench.config),
            &bench.spec,
            &pooladmin::store::Choice::Existing(bench.provider),
            Some(&pooladmin::store::Choice::New(dns)),
        )
        .unwrap();
    let scaler = bench.start(settings(), None);
    wait(5).await;
    scaler.stop().await;
    let instance = bench
        .live()
        .into_iter()
        .next()
        .expect("an instance was created");
    let script = bench
        .cloud
        .startup_script(instance.cloud_id.as_deref().unwrap())
        .unwrap();
    assert_eq!(
        script,
        format!(
            "id={} host={name} fqdn={name}.agents.example.com pool=agents provider=simulated keep=${{HOME}}",
            instance.id,
            name = instance.name
        )
    );
}

#[tokio::test(start_paused = true)]
async fn an_instance_that_came_up_while_pooladmin_was_closed_is_kept() {
    // Boots slowly (700 s, past the 600 s provision timeout), while pooladmin is closed.
    let bench = agent_pool(
        Behaviour {
            boot_delay: Duration::from_secs(700),
            ..quick_cloud()
        },
        4,
        10,
    );
    let scaler = bench.start(settings(), None);
    wait(5).await;
    scaler.stop().await;
    assert_eq!(bench.count(InstanceState::Booting), 1);
    wait(1000).await;
    bench.cloud.set_behaviour(Behaviour {
        boot_delay: Duration::from_secs(700),
        ..quick_cloud()
    });
    let scaler = bench.start(settings(), None);
    wait(10).await;
    scaler.stop().await;
    assert_eq!(
        bench.count(InstanceState::Running),
        1,
        "looked at before its age condemned it"
    );
    assert_eq!(bench.cloud.calls().deletes, 0);
}

#[tokio::test(start_paused = true)]
async fn an_unclaimed_vm_is_terminated_after_the_grace_period_and_no_earlier() {
    use pooladmin::cloud::tags;
    let bench = agent_pool(quick_cloud(), 0, 10);
    let owner = bench.store.installation_id().to_owned();
    let orphan = bench
        .cloud
        .plant("pa-lost-999", tags::ownership(&owner, 999, bench.config.0));
    let foreign = bench.cloud.plant(
        "someone-elses",
        tags::ownership("another-installation", 1, 1),
    );
    let scaler = bench.start(settings(), None);
    wait(30).await;
    let ids = |b: &common::scaling::Bench| -> Vec<String> {
        b.cloud.vms().into_iter().map(|vm| vm.cloud_id).collect()
    };
    assert!(ids(&bench).contains(&orphan), "kept within the 60 s grace");
    wait(60).await;
    scaler.stop().await;
    assert!(!ids(&bench).contains(&orphan), "terminated after the grace");
    assert!(
        ids(&bench).contains(&foreign),
        "another owner's VM is never touched"
    );
    let events = bench.events_of(EventKind::Reconcile);
    assert!(
        events
            .iter()
            .any(|(_, e)| e.message == format!("orphan VM {orphan} terminated"))
    );
}

/// A cloud whose listing gives no readable creation time (as when a cloud's timestamp does
/// not parse): the simulated cloud behind it.
struct Timeless(std::sync::Arc<pooladmin::cloud::simulated::SimulatedCloud>);

#[async_trait::async_trait]
impl pooladmin::cloud::VmCloud for Timeless {
    async fn create(
        &self,
        request: &pooladmin::cloud::CreateRequest,
    ) -> Result<pooladmin::cloud::CloudVm, pooladmin::cloud::CloudError> {
        self.0.create(request).await
    }
    async fn list_owned(
        &self,
        owner: &str,
    ) -> Result<Vec<pooladmin::cloud::CloudVm>, pooladmin::cloud::CloudError> {
        let mut vms = self.0.list_owned(owner).await?;
        for vm in &mut vms {
            vm.created_at = None;
        }
        Ok(vms)
    }
    async fn status(
        &self,
        cloud_id: &str,
    ) -> Result<pooladmin::cloud::CloudVm, pooladmin::cloud::CloudError> {
        self.0.status(cloud_id).await
    }
    async fn delete(&self, cloud_id: &str) -> Result<(), pooladmin::cloud::CloudError> {
        self.0.delete(cloud_id).await
    }
}

#[tokio::test(start_paused = true)]
async fn an_orphan_without_a_creation_time_is_aged_from_when_it_was_first_seen() {
    use pooladmin::cloud::tags;
    let bench = agent_pool(quick_cloud(), 0, 10);
    let owner = bench.store.installation_id().to_owned();
    let orphan = bench
        .cloud
        .plant("pa-lost-998", tags::ownership(&owner, 998, bench.config.0));
    let start = |b: &common::scaling::Bench| {
        common::scaling::run_scaler(
            &b.store,
            std::sync::Arc::new(pooladmin::cloud::OneCloud(std::sync::Arc::new(Timeless(
                b.cloud.clone(),
            )))),
            b.clock,
            settings(),
            None,
        )
    };
    let ids = |b: &common::scaling::Bench| -> Vec<String> {
        b.cloud.vms().into_iter().map(|vm| vm.cloud_id).collect()
    };
    // Seen, then pooladmin restarts within the grace: the first sighting is kept.
    let scaler = start(&bench);
    wait(40).await;
    scaler.stop().await;
    assert!(ids(&bench).contains(&orphan), "kept within the 60 s grace");
    let scaler = start(&bench);
    wait(40).await;
    scaler.stop().await;
    assert!(
        !ids(&bench).contains(&orphan),
        "swept once 60 s passed since it was first seen, across the restart"
    );
}

/// A window that opens within the config's boot time (10 min: the Provision Timeout, as
/// there are no boots yet) has its standby in place when it opens: the agents are created
/// now, and the decision says why.
#[tokio::test(start_paused = true)]
async fn a_schedule_window_is_ready_by_its_start() {
    use pooladmin::model::schedule::{ScheduleWindow, ScheduledValues};
    let mut bench = agent_pool(quick_cloud(), 0, 10);
    let opens = bench.clock.now() + jiff::SignedDuration::from_mins(8);
    let local = opens.to_zoned(jiff::tz::TimeZone::UTC).time();
    let start = format!("{:02}:{:02}", local.hour(), local.minute());
    let end = format!("{:02}:{:02}", (local.hour() + 2) % 24, local.minute());
    bench.spec.schedule.windows.push(ScheduleWindow {
        days: [true; 7],
        start,
        end,
        time_zone: "UTC".into(),
        values: ScheduledValues {
            standby_cores: "8".into(),
            ..ScheduledValues::default()
        },
    });
    bench
        .store
        .save_autoscale(
            Some(bench.config),
            &bench.spec,
            &pooladmin::store::Choice::Existing(bench.provider),
            None,
        )
        .unwrap();
    let scaler = bench.start(settings(), None);
    wait(5).await;
    scaler.stop().await;
    assert_eq!(
        bench.live().len(),
        2,
        "8 standby cores = 2 agents of 4, before the window opens"
    );
    let decisions = bench.events_of(EventKind::Decision);
    assert!(
        decisions.iter().any(|(_, e)| e
            .message
            .contains("min, boot p90 10 min → standby 8 cores from now")
            && e.message.contains(" starts in ")),
        "{decisions:?}"
    );
}

/// Each instance's boot is recorded when it comes up: the timetable's lead is judged by them.
#[tokio::test(start_paused = true)]
async fn boot_times_are_recorded_per_config() {
    let bench = agent_pool(quick_cloud(), 8, 10);
    let scaler = bench.start(settings(), None);
    wait(90).await;
    scaler.stop().await;
    assert_eq!(bench.count(InstanceState::Running), 2);
    let boots = bench.store.boot_times(20).unwrap();
    let mine = &boots[&bench.config];
    assert_eq!(mine.len(), 2, "{boots:?}");
    assert!(
        mine.iter()
            .all(|b| *b >= jiff::SignedDuration::from_secs(30)),
        "the simulated cloud boots in 30 s: {mine:?}"
    );
}

// The tests above that need no file of their own run again on PostgreSQL.
crate::also_on_postgres!(
    keeps_standby_cores_free_and_follows_demand,
    deletes_surplus_only_after_the_backoff_even_across_a_restart,
    reaches_the_target_through_failures_throttling_and_a_capacity_episode,
    instances_that_never_check_in_are_destroyed_and_the_config_stops,
    a_startup_script_that_renders_past_the_user_data_limit_is_refused_before_the_call,
    startup_scripts_reach_the_cloud_with_their_placeholders_filled,
    an_instance_that_came_up_while_pooladmin_was_closed_is_kept,
    an_unclaimed_vm_is_terminated_after_the_grace_period_and_no_earlier,
    an_orphan_without_a_creation_time_is_aged_from_when_it_was_first_seen,
    a_schedule_window_is_ready_by_its_start,
    boot_times_are_recorded_per_config,
);

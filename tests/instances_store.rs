//! The scaler's rows in the store: an instance becomes a member in one transaction, a live
//! autoscaled member cannot be taken away by hand, a member with a session is not deleted,
//! and an edit clears a stopped config.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::scaling::agent_pool;
use jiff::Timestamp;
use pooladmin::cloud::simulated::Behaviour;
use pooladmin::model::config_health::ConfigHealth;
use pooladmin::model::instance::{InstanceId, InstanceMember, InstanceSize, InstanceState};
use pooladmin::model::scaler_event::{EventKind, ScalerEvent};
use pooladmin::model::{AgentSpec, Origin, Resources, SessionRequest};
use pooladmin::store::{InstanceChange, InstanceRequest, MemberTemplate, Store, StoreError};

/// Moves an instance with no other change; whether it moved.
fn moved(
    store: &mut Store,
    id: InstanceId,
    from: &[InstanceState],
    to: InstanceState,
    now: Timestamp,
    text: &str,
) -> bool {
    store
        .move_instance(id, from, to, &InstanceChange::default(), now, event(text))
        .unwrap()
}

fn event(text: &str) -> ScalerEvent {
    ScalerEvent::new(Timestamp::now(), EventKind::Transition, text)
}

#[test]
fn a_live_instance_is_kept_until_the_scaler_deletes_it() {
    let mut bench = agent_pool(Behaviour::default(), 8, 10);
    let store = &mut bench.store;
    let now = Timestamp::now();
    let request = InstanceRequest {
        config: bench.config,
        vm_provider: bench.provider,
        pool: bench.pool,
        size: InstanceSize::Agent(Resources::new(4.0, 8192, 0)),
        provision_timeout_s: 600,
    };
    let instance = store
        .request_instance(&request, now, event("requested"))
        .unwrap();
    assert_eq!(instance.state, InstanceState::Requested);
    assert_eq!(instance.token.len(), 32);
    assert!(instance.name.starts_with("pa-"));
    let booting = InstanceChange {
        cloud_id: Some("sim-1".into()),
        ..InstanceChange::default()
    };
    assert!(
        store
            .move_instance(
                instance.id,
                &[InstanceState::Requested],
                InstanceState::Booting,
                &booting,
                now,
                event("booting")
            )
            .unwrap()
    );
    // A second move from the wrong state changes nothing.
    assert!(!moved(
        store,
        instance.id,
        &[InstanceState::Requested],
        InstanceState::Failed,
        now,
        "no"
    ));
    let member = MemberTemplate::Agent(AgentSpec {
        hostname: instance.name.clone(),
        enabled: true,
        zone: store.zones().unwrap()[0].id,
        pool: Some(bench.pool),
        reported: Resources::new(4.0, 8192, 0),
        overrides: Resources::default(),
    });
    assert!(
        store
            .instance_running(instance.id, "10.0.0.1", &member, now, event("running"))
            .unwrap()
    );
    let agents = store.agents().unwrap();
    assert_eq!(agents.len(), 1);
    assert_eq!(agents[0].agent.origin, Origin::Autoscaled);
    let Some(InstanceMember::Agent(agent)) = store.instance(instance.id).unwrap().member else {
        panic!("the instance points at its agent");
    };

    // Taken away by hand, its VM would run on untracked: refused.
    assert!(
        matches!(store.delete_agent(agent), Err(StoreError::Refused(m)) if m.contains("drain it"))
    );
    assert!(matches!(
        store.unassign_agent(agent),
        Err(StoreError::Refused(_))
    ));
    assert!(
        matches!(store.delete_autoscale(bench.config), Err(StoreError::Refused(m)) if m.contains("1 live instances"))
    );

    // A session on it blocks the deletion and marks it used.
    let session = store
        .start_session(&SessionRequest {
            pool: bench.pool,
            user_label: "alice".into(),
            resources: Resources::new(1.0, 512, 0),
            staged: false,
        })
        .unwrap();
    assert!(store.instance(instance.id).unwrap().used);
    assert!(
        !store
            .begin_delete(instance.id, "surplus", false, now, event("deleting"))
            .unwrap()
    );
    store.end_session(session.id).unwrap();
    assert!(
        store
            .begin_delete(instance.id, "surplus", false, now, event("deleting"))
            .unwrap()
    );
    assert!(
        !store.agents().unwrap()[0].agent.spec.enabled,
        "no new session lands on it"
    );
    assert!(moved(
        store,
        instance.id,
        &[InstanceState::Deleting],
        InstanceState::Deleted,
        now,
        "deleted"
    ));
    assert!(
        store.agents().unwrap().is_empty(),
        "the member went with its instance"
    );
    assert!(store.live_instances().unwrap().is_empty());
    // With nothing live, the config can go, and its history with it.
    store.delete_autoscale(bench.config).unwrap();
}

#[test]
fn editing_a_stopped_config_lets_it_try_again() {
    let mut bench = agent_pool(Behaviour::default(), 8, 10);
    let mut health = ConfigHealth::default();
    health.stop("AuthFailure: the key was refused");
    bench
        .store
        .set_config_health(bench.config, &health, None)
        .unwrap();
    assert!(
        bench.store.config_health().unwrap()[&bench.config]
            .stopped_reason
            .is_some()
    );
    bench.set_standby_cores(12, 600);
    let after = &bench.store.config_health().unwrap()[&bench.config];
    assert_eq!(after.stopped_reason, None);
    assert!(after.may_create(Timestamp::now()));
}

#[test]
fn a_vm_provider_config_that_instances_still_run_on_is_kept() {
    use pooladmin::model::vm_provider::{ProviderKind, VmProviderSpec};
    use pooladmin::store::Choice;
    let mut bench = agent_pool(Behaviour::default(), 8, 10);
    let now = Timestamp::now();
    let request = InstanceRequest {
        config: bench.config,
        vm_provider: bench.provider,
        pool: bench.pool,
        size: InstanceSize::Agent(Resources::new(4.0, 8192, 0)),
        provision_timeout_s: 600,
    };
    let instance = bench
        .store
        .request_instance(&request, now, event("requested"))
        .unwrap();
    // The AutoScale config moves to another provider config; the old one still has a VM.
    let mut other = VmProviderSpec::new(ProviderKind::Simulator);
    other.name = "another simulated cloud".into();
    let spec = bench.spec.clone();
    bench
        .store
        .save_autoscale(Some(bench.config), &spec, &Choice::New(other), None)
        .unwrap();
    let refused = bench
        .store
        .delete_config::<VmProviderSpec>(bench.provider)
        .unwrap_err();
    assert!(
        refused.to_string().contains("still runs 1 instances"),
        "{refused}"
    );
    assert!(
        bench
            .store
            .move_instance(
                instance.id,
                &[InstanceState::Requested],
                InstanceState::Failed,
                &InstanceChange::default(),
                now,
                event("failed"),
            )
            .unwrap()
    );
    bench
        .store
        .delete_config::<VmProviderSpec>(bench.provider)
        .unwrap();
}

// The tests above that need no file of their own run again on PostgreSQL.
crate::also_on_postgres!(
    a_live_instance_is_kept_until_the_scaler_deletes_it,
    editing_a_stopped_config_lets_it_try_again,
    a_vm_provider_config_that_instances_still_run_on_is_kept,
);

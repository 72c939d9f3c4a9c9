//! Placement properties: capacity and slots are never exceeded, disabled or draining members
//! are never picked, and equal members share sessions evenly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

use jiff::Timestamp;
use pooladmin::model::{
    AgentId, Member, MemberCapacity, PoolKind, Resources, ServerId, SessionHost, place,
};
use proptest::prelude::*;

fn created(i: usize) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + i as i64).unwrap()
}

fn agent_strategy() -> impl Strategy<Value = (bool, bool, f64, i64, i64)> {
    (
        any::<bool>(),
        any::<bool>(),
        (0u32..=16).prop_map(f64::from),
        0i64..=32768,
        0i64..=2,
    )
}

proptest! {
    #[test]
    fn agents_never_over_committed_nor_disabled_or_draining(
        agents in prop::collection::vec(agent_strategy(), 0..8),
        requests in prop::collection::vec(((1u32..=8).prop_map(|c| f64::from(c) / 2.0), 0i64..=4096, 0i64..=1), 1..40),
    ) {
        let mut members: Vec<Member> = agents
            .iter()
            .enumerate()
            .map(|(i, &(enabled, draining, cores, memory_mb, gpus))| Member {
                host: SessionHost::Agent(AgentId(i as i64)),
                name: format!("a{i}"),
                enabled,
                draining,
                missing: false,
                sessions: 0,
                capacity: MemberCapacity::Compute {
                    capacity: Resources::new(cores, memory_mb, gpus),
                    used: Resources::default(),
                },
                created_at: created(i),
            })
            .collect();
        for (cores, memory_mb, gpus) in requests {
            let request = Resources::new(cores, memory_mb, gpus);
            let room_somewhere = members.iter().any(|m| {
                let MemberCapacity::Compute { capacity, used } = m.capacity else { unreachable!() };
                m.enabled && !m.draining && request.fits_in(&capacity.minus(&used))
            });
            match place("p", PoolKind::DockerAgent, &request, &members) {
                Ok(SessionHost::Agent(AgentId(i))) => {
                    let member = &mut members[i as usize];
                    prop_assert!(member.enabled && !member.draining);
                    let MemberCapacity::Compute { capacity, used } = &mut member.capacity else { unreachable!() };
                    *used = used.plus(&request);
                    prop_assert!(used.fits_in(capacity), "over-committed: {used} > {capacity}");
                    member.sessions += 1;
                }
                Ok(other) => prop_assert!(false, "placed on {other}"),
                Err(no) => prop_assert!(!room_somewhere, "refused although room exists: {no}"),
            }
        }
    }

    #[test]
    fn servers_never_exceed_their_slots(
        servers in prop::collection::vec((any::<bool>(), 1u32..=4), 1..8),
        starts in 1usize..40,
    ) {
        let mut members: Vec<Member> = servers
            .iter()
            .enumerate()
            .map(|(i, &(enabled, max_sessions))| Member {
                host: SessionHost::Server(ServerId(i as i64)),
                name: format!("s{i}"),
                enabled,
                draining: false,
                missing: false,
                sessions: 0,
                capacity: MemberCapacity::Slots { max_sessions },
                created_at: created(i),
            })
            .collect();
        for _ in 0..starts {
            if let Ok(SessionHost::Server(ServerId(i))) =
                place("p", PoolKind::Server, &Resources::default(), &members)
            {
                let member = &mut members[i as usize];
                prop_assert!(member.enabled);
                member.sessions += 1;
                let MemberCapacity::Slots { max_sessions } = member.capacity else { unreachable!() };
                prop_assert!(member.sessions <= max_sessions);
            }
        }
        let total_slots: u32 = members.iter().filter(|m| m.enabled).map(|m| match m.capacity {
            MemberCapacity::Slots { max_sessions } => max_sessions,
            MemberCapacity::Compute { .. } => 0,
        }).sum();
        let placed: u32 = members.iter().map(|m| m.sessions).sum();
        prop_assert_eq!(placed as usize, starts.min(total_slots as usize));
    }

    #[test]
    fn equal_members_share_sessions_evenly(count in 1usize..10, starts in 0usize..60) {
        let mut members: Vec<Member> = (0..count)
            .map(|i| Member {
                host: SessionHost::Agent(AgentId(i as i64)),
                name: format!("a{i}"),
                enabled: true,
                draining: false,
                missing: false,
                sessions: 0,
                capacity: MemberCapacity::Compute {
                    capacity: Resources::new(64.0, 65536, 0),
                    used: Resources::default(),
                },
                created_at: created(i),
            })
            .collect();
        let request = Resources::new(1.0, 512, 0);
        for _ in 0..starts {
            let Ok(SessionHost::Agent(AgentId(i))) = place("p", PoolKind::DockerAgent, &request, &members) else {
                panic!("equal members with room refused a session");
            };
            let member = &mut members[i as usize];
            member.sessions += 1;
            if let MemberCapacity::Compute { used, .. } = &mut member.capacity {
                *used = used.plus(&request);
            }
        }
        let max = members.iter().map(|m| m.sessions).max().unwrap();
        let min = members.iter().map(|m| m.sessions).min().unwrap();
        prop_assert!(max - min <= 1, "uneven spread: {min}..{max}");
    }
}

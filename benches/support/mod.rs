//! A large deployment for the benchmarks: Docker Agent pools full of agents and sessions.
// Each benchmark uses part of the support.
#![allow(dead_code)]

pub mod scaling;

use pooladmin::model::{AgentDraft, AgentId, PoolKind, Resources, SessionHost, SessionRequest};
use pooladmin::store::Store;
use std::path::Path;

/// Pools the agents are spread over.
const POOLS: usize = 10;

/// Writes `agents` agents and `sessions` sessions into a new database at `path`.
pub fn large_deployment(path: &Path, agents: usize, sessions: usize) -> Store {
    let mut store = Store::open(path).expect("open");
    let zone = store.zones().expect("zones")[0].id;
    let pools: Vec<_> = (0..POOLS)
        .map(|i| {
            store
                .add_pool(&format!("agents-{i:02}"), PoolKind::DockerAgent)
                .expect("pool")
        })
        .collect();
    let specs: Vec<_> = (0..agents)
        .map(|i| {
            let mut draft = AgentDraft::new(Some(zone), Some(pools[i % POOLS]));
            draft.hostname = format!("agent-{i:05}.bench.internal");
            draft.cores = "16".into();
            draft.memory_mb = "65536".into();
            draft.parse().expect("valid agent")
        })
        .collect();
    let ids: Vec<AgentId> = store.add_agents(&specs).expect("agents");
    let placed: Vec<_> = (0..sessions)
        .map(|i| {
            let agent = i % agents;
            (
                SessionRequest {
                    pool: pools[agent % POOLS],
                    user_label: format!("user-{i:06}"),
                    resources: Resources::new(0.25, 256, 0),
                    staged: i % 10 == 0,
                },
                SessionHost::Agent(ids[agent]),
            )
        })
        .collect();
    store.import_sessions(&placed).expect("sessions");
    store
}

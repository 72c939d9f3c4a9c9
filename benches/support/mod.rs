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
    fill(&mut store, agents, sessions);
    store
}

/// The same deployment in a new database on the PostgreSQL cluster that
/// `POOLADMIN_TEST_POSTGRES` names (scripts/postgres.sh starts one), sealed with a key file
/// in `dir`; `None` (said on standard error) when no cluster is named.
pub fn large_postgres_deployment(dir: &Path, agents: usize, sessions: usize) -> Option<Store> {
    use pooladmin::store::db::Conn;
    use pooladmin::store::db::postgres::{PgUrl, connect};
    use pooladmin::store::{Database, KeySource};
    let Ok(admin) = std::env::var("POOLADMIN_TEST_POSTGRES") else {
        eprintln!(
            "POOLADMIN_TEST_POSTGRES is not set: the PostgreSQL cases need the cluster \
             scripts/postgres.sh starts; only SQLite was measured"
        );
        return None;
    };
    let admin = PgUrl::parse(&admin).expect("POOLADMIN_TEST_POSTGRES parses");
    let name = format!("pooladmin_bench_{}_{agents}", std::process::id());
    Conn::postgres(connect(&admin, "pooladmin bench").expect("the cluster answers"))
        .execute_batch(&format!("CREATE DATABASE {name}"))
        .expect("a bench database");
    let mut store = Store::open_database(
        &Database::Postgres(admin.with_dbname(&name)),
        &KeySource::File(dir.join("bench.key")),
    )
    .expect("open");
    fill(&mut store, agents, sessions);
    Some(store)
}

fn fill(store: &mut Store, agents: usize, sessions: usize) {
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
}

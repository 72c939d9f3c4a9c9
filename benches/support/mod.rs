//! A large deployment for the benchmarks: Docker Agent pools full of agents and sessions.
// Each benchmark uses part of the support.
#![allow(dead_code)]

pub mod scaling;
pub mod window;

use pooladmin::model::{AgentDraft, AgentId, PoolKind, Resources, SessionHost, SessionRequest};
use pooladmin::store::Store;
use std::path::Path;

/// How large a deployment is: its agents spread evenly over its pools (`agents-00`, …), its
/// sessions spread evenly over its agents.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Docker Agent pools.
    pub pools: usize,
    /// Agents in all.
    pub agents: usize,
    /// Sessions in all.
    pub sessions: usize,
}

impl Shape {
    /// 10 pools of 1,000 agents, 100,000 sessions.
    pub const SPREAD: Shape = Shape::new(10, 10_000, 100_000);
    /// One pool of 10,000 agents with 100,000 sessions: the pool a login storm hits.
    pub const ONE_POOL: Shape = Shape::new(1, 10_000, 100_000);

    /// A shape of its own.
    pub const fn new(pools: usize, agents: usize, sessions: usize) -> Self {
        Self {
            pools,
            agents,
            sessions,
        }
    }

    /// The shape itself when measuring (`cargo bench`); a tenth of it when the benchmark
    /// runs once as a test (`cargo test --benches`), which only proves that it runs.
    pub fn for_this_run(self) -> Self {
        if std::env::args().any(|arg| arg == "--bench") {
            self
        } else {
            Self::new(self.pools, self.agents.div_ceil(10), self.sessions / 10)
        }
    }
}

/// Writes a deployment of `shape` into a new database at `path`.
pub fn large_deployment(path: &Path, shape: Shape) -> Store {
    let mut store = Store::open(path).expect("open");
    fill(&mut store, shape);
    store
}

/// The same deployment in a new database on the PostgreSQL cluster that
/// `POOLADMIN_TEST_POSTGRES` names (scripts/postgres.sh starts one), sealed with a key file
/// in `dir`; `None` (said on standard error) when no cluster is named.
pub fn large_postgres_deployment(dir: &Path, shape: Shape) -> Option<Store> {
    let name = format!("deployment_{}_{}", shape.pools, shape.agents);
    let mut store = postgres_store(dir, &name)?;
    fill(&mut store, shape);
    Some(store)
}

/// A store on a new, empty database `name` of the cluster `POOLADMIN_TEST_POSTGRES` names,
/// sealed with a key file in `dir`; `None` (said on standard error) when none is named.
pub fn postgres_store(dir: &Path, name: &str) -> Option<Store> {
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
    let name = format!("pooladmin_bench_{}_{name}", std::process::id());
    Conn::postgres(connect(&admin, "pooladmin bench").expect("the cluster answers"))
        .execute_batch(&format!("CREATE DATABASE {name}"))
        .expect("a bench database");
    Some(
        Store::open_database(
            &Database::Postgres(admin.with_dbname(&name)),
            &KeySource::File(dir.join("bench.key")),
        )
        .expect("open"),
    )
}

fn fill(store: &mut Store, shape: Shape) {
    let Shape {
        pools,
        agents,
        sessions,
    } = shape.for_this_run();
    let zone = store.zones().expect("zones")[0].id;
    let pools: Vec<_> = (0..pools)
        .map(|i| {
            store
                .add_pool(&format!("agents-{i:02}"), PoolKind::DockerAgent)
                .expect("pool")
        })
        .collect();
    let specs: Vec<_> = (0..agents)
        .map(|i| {
            let mut draft = AgentDraft::new(Some(zone), Some(pools[i % pools.len()]));
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
                    pool: pools[agent % pools.len()],
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

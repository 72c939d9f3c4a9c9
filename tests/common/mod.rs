//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod api;
pub mod azure_fake;
pub mod backend;
pub mod configs;
pub mod demo_process;
pub mod do_fake;
pub mod gcp_catalog_fake;
pub mod gcp_dns_fake;
pub mod gcp_token_fake;
pub mod headless;
pub mod oci_fake;
pub mod real_cloud;
pub mod samba;
pub mod scaling;
pub mod serve;
pub mod ui_driver;

use pooladmin::model::{
    AgentDraft, AgentId, AgentSpec, PoolId, ServerDraft, ServerId, ServerSpec, ZoneId,
};
use pooladmin::store::Store;

/// A store on a fresh database with its own temporary folder: an SQLite file there, or a
/// PostgreSQL database for the tests `also_on_postgres!` runs again.
pub fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = backend::open_store(dir.path(), "pooladmin.sqlite");
    (dir, store)
}

/// The zone every fresh database has.
pub fn default_zone(store: &Store) -> ZoneId {
    store.zones().expect("zones")[0].id
}

/// A valid server spec.
pub fn server_spec(
    name: &str,
    zone: ZoneId,
    pool: Option<PoolId>,
    max_sessions: u32,
) -> ServerSpec {
    let mut draft = ServerDraft::new(Some(zone), pool);
    draft.friendly_name = name.to_owned();
    draft.host = format!("{name}.example.com");
    draft.username = "administrator".to_owned();
    draft.password = pooladmin::model::Secret::new("S3cret-pa55word");
    draft.max_sessions = max_sessions.to_string();
    draft.parse().expect("valid server")
}

/// A valid agent spec.
pub fn agent_spec(name: &str, zone: ZoneId, pool: Option<PoolId>, cores: u32) -> AgentSpec {
    let mut draft = AgentDraft::new(Some(zone), pool);
    draft.hostname = name.to_owned();
    draft.cores = cores.to_string();
    draft.memory_mb = (cores * 2048).to_string();
    draft.parse().expect("valid agent")
}

/// Adds a server.
pub fn add_server(store: &mut Store, name: &str, pool: Option<PoolId>, max: u32) -> ServerId {
    let zone = default_zone(store);
    store
        .add_server(&server_spec(name, zone, pool, max))
        .expect("add server")
}

/// Adds an agent.
pub fn add_agent(store: &mut Store, name: &str, pool: Option<PoolId>, cores: u32) -> AgentId {
    let zone = default_zone(store);
    store
        .add_agent(&agent_spec(name, zone, pool, cores))
        .expect("add agent")
}

//! The demo deployment: two zones, two server pools, two agent pools, 24 members, a staging
//! config and a simulated cloud shared by three AutoScale configs — all from
//! `assets/demo.json` through the same import as `pooladmin import` — then sessions placed
//! by the real placement rule. While the demo runs, [`demand`] starts and ends sessions
//! with a morning peak, so the pools are seen growing and shrinking.

pub mod demand;
pub mod fleet;

use crate::config_file::{ImportOptions, import, parse};
use crate::model::{PoolId, Resources, SessionRequest};
use crate::store::{Store, StoreError};

/// The name of the key the demo's users call the API with (made anew at each start).
const DEMO_KEY: &str = "demo users";

/// The demo on the path a deployment takes: its users start and end sessions through the
/// HTTP API at `url` (with a key made for this run), and every member runs the agent
/// protocol on `runtime` (static members with fresh tokens, simulated VMs with the token
/// their startup script got). Users stop when `stop` is set; hosts with the runtime.
pub fn start_on_api(
    store: &mut Store,
    runtime: &tokio::runtime::Handle,
    url: fleet::ApiUrl,
    clouds: fleet::SimulatedClouds,
    wake: impl Fn() + Send + 'static,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Result<(), String> {
    let _ = store.revoke_api_key(DEMO_KEY);
    let key = store
        .create_api_key(
            DEMO_KEY,
            &crate::store::KeyRights::default(),
            jiff::Timestamp::now(),
        )
        .map_err(|e| format!("the demo's users get no API key: {e}"))?;
    let users = store.sibling().map_err(|e| e.to_string())?;
    let demand = demand::Demand::new(users, demand::DemandSettings::default(), 2026)
        .through_api(url.clone(), key)
        .map_err(|e| e.to_string())?;
    demand::spawn(demand, wake, stop).map_err(|e| e.to_string())?;
    let hosts = store.sibling().map_err(|e| e.to_string())?;
    runtime.spawn(fleet::run_fleet(hosts, url, clouds));
    Ok(())
}

/// The demo's configuration, as `pooladmin export` writes it.
const DEMO: &str = include_str!("../../assets/demo.json");

/// Fills an empty database with the demo deployment.
pub fn seed(store: &mut Store) -> Result<(), StoreError> {
    let file = parse(DEMO).map_err(|e| StoreError::Refused(format!("assets/demo.json: {e}")))?;
    import(store, &file, None, ImportOptions::default())
        .map_err(|e| StoreError::Refused(format!("assets/demo.json: {e}")))?;
    let pool = |name: &str| -> Result<PoolId, StoreError> {
        store
            .pools()?
            .into_iter()
            .find(|p| p.name == name)
            .map(|p| p.id)
            .ok_or_else(|| StoreError::Refused(format!("assets/demo.json has no pool {name}")))
    };
    let (windows, linux, browsers, gpu) = (
        pool("Windows Desktops")?,
        pool("Linux Workstations")?,
        pool("Browser Isolation")?,
        pool("GPU Workloads")?,
    );
    let users = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan",
    ];
    for (i, user) in users.iter().enumerate() {
        start(store, windows, user, Resources::default(), false)?;
        if i % 2 == 0 {
            start(store, linux, user, Resources::default(), false)?;
        }
        start(store, browsers, user, Resources::new(2.0, 2048, 0), false)?;
    }
    for n in 0..4 {
        start(
            store,
            browsers,
            &format!("staged-chrome-{n}"),
            Resources::new(2.0, 2048, 0),
            true,
        )?;
    }
    for user in ["mallory", "trent"] {
        start(store, gpu, user, Resources::new(4.0, 16384, 1), false)?;
    }
    Ok(())
}

fn start(
    store: &mut Store,
    pool: PoolId,
    user: &str,
    resources: Resources,
    staged: bool,
) -> Result<(), StoreError> {
    store.start_session(&SessionRequest {
        pool,
        user_label: user.to_owned(),
        resources,
        staged,
    })?;
    Ok(())
}

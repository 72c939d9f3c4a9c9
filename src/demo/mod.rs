//! The demo deployment: two zones, two server pools, two agent pools, 24 members, a staging
//! config and a simulated cloud shared by three AutoScale configs — all from
//! `assets/demo.json` through the same import as `pooladmin import` — then sessions placed
//! by the real placement rule. While the demo runs, [`demand`] starts and ends sessions
//! with a morning peak, so the pools are seen growing and shrinking.

pub mod demand;

use crate::config_file::{ImportOptions, import, parse};
use crate::model::{PoolId, Resources, SessionRequest};
use crate::store::{Store, StoreError};

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

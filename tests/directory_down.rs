//! Samba stopped: scripts/test.sh stops the domain controller it started and then runs
//! this test on its own (`--ignored`), so the directory really is down.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::samba::{ad_server_pool, fresh_pattern, samba_ldap, samba_ou};
use common::scaling::settings;
use pooladmin::scaler::ScalerSettings;
use std::time::Duration;

#[tokio::test]
#[ignore = "scripts/test.sh runs it after stopping Samba"]
async fn with_samba_stopped_no_vm_is_made_and_the_config_backs_off() {
    let spec = samba_ldap();
    let address = spec.url.trim_start_matches("ldaps://").to_owned();
    assert!(
        std::net::TcpStream::connect(&address).is_err(),
        "Samba still answers at {address}: this test needs it stopped"
    );
    let bench = ad_server_pool(spec, &samba_ou(), &fresh_pattern());
    let running = bench.start(
        ScalerSettings {
            tick: Duration::from_millis(500),
            poll_every: Duration::from_millis(100),
            ..settings()
        },
        None,
    );
    let mut health = None;
    for _ in 0..300 {
        health = bench
            .store
            .config_health()
            .expect("health")
            .remove(&bench.config);
        if health.as_ref().is_some_and(|h| h.backoff_until.is_some()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let health = health.expect("the config has a health record");
    assert!(health.backoff_until.is_some(), "backing off: {health:?}");
    let error = health.last_error.unwrap_or_default();
    assert!(
        error.contains("Active Directory") && error.contains("cannot connect"),
        "{error}"
    );
    assert_eq!(bench.cloud.calls().creates, 0, "no VM was asked for");
    running.stop().await;
}

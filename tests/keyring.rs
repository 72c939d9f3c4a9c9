//! The data key in the OS keyring, against a real Secret Service (gnome-keyring, started by
//! scripts/test.sh in its own D-Bus session).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::add_server;
use pooladmin::store::{KeyLocation, KeySource, Store, key_path};

#[test]
fn the_data_key_lives_in_the_os_keyring() {
    assert!(
        keyring::Entry::store_status().is_ok(),
        "no Secret Service reachable: run the tests with scripts/test.sh, which starts gnome-keyring ({:?})",
        keyring::Entry::store_status()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let account;
    {
        let mut store = Store::open_with_key(&path, &KeySource::Keyring).unwrap();
        let KeyLocation::Keyring { account: a } = store.key_location().clone() else {
            panic!("expected the keyring, got {}", store.key_location());
        };
        account = a;
        add_server(&mut store, "rdp-01", None, 1);
    }
    assert!(!key_path(&path).exists(), "the keyring needs no key file");
    // Auto finds the key in the keyring again.
    let store = Store::open_with_key(&path, &KeySource::Auto).unwrap();
    assert!(matches!(store.key_location(), KeyLocation::Keyring { .. }));
    assert_eq!(
        store.servers().unwrap()[0].server.spec.password.expose(),
        "S3cret-pa55word"
    );
    drop(store);
    // Without the keyring entry the secrets cannot be opened, and that is said.
    let entry = keyring::Entry::new("pooladmin", &account).unwrap();
    entry.delete_credential().unwrap();
    let err = Store::open_with_key(&path, &KeySource::Keyring).unwrap_err();
    assert!(err.to_string().contains("sealed with another key"), "{err}");
}

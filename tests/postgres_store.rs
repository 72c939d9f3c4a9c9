//! What only a PostgreSQL database does: connecting by URL with TLS verified, the schema
//! migrated once under a lock however many processes start at once, a newer schema
//! refused, every node opening the same database, and a key that is not the database's
//! refused. Against
//! the throw-away cluster scripts/test.sh starts; without it these tests fail.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::backend::{admin_url, empty_database, fresh_database};
use pooladmin::model::PoolKind;
use pooladmin::store::db::Conn;
use pooladmin::store::db::postgres::connect;
use pooladmin::store::migrations::LATEST_VERSION;
use pooladmin::store::{Database, KeySource, OpenError, Store};

fn key(dir: &tempfile::TempDir) -> KeySource {
    KeySource::File(dir.path().join("node.key"))
}

#[test]
fn processes_starting_at_once_migrate_an_empty_database_once() {
    let url = empty_database();
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("node.key");
    // The key file is made by the first open; the racers then share it.
    std::fs::write(&key_file, [7u8; 32]).unwrap();
    #[cfg(unix)]
    std::fs::set_permissions(
        &key_file,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let opened: Vec<_> = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..4)
            .map(|_| {
                let url = url.clone();
                let key = KeySource::File(key_file.clone());
                scope.spawn(move || {
                    Store::open_database_for_command(&Database::Postgres(url), &key)
                        .map(|store| store.installation_id().to_owned())
                })
            })
            .collect();
        racers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let ids: Vec<String> = opened.into_iter().map(|r| r.unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
    let conn = Conn::postgres(connect(&url, "test").unwrap());
    let version: i64 = conn
        .query_row("SELECT version FROM pooladmin_schema", (), |r| r.get(0))
        .unwrap();
    assert_eq!(version, LATEST_VERSION);
    let zones: i64 = conn
        .query_row("SELECT count(*) FROM zones", (), |r| r.get(0))
        .unwrap();
    assert_eq!(zones, 1, "the baseline ran once");
}

#[test]
fn a_newer_schema_is_refused_with_both_versions_and_left_alone() {
    let url = fresh_database();
    let conn = Conn::postgres(connect(&url, "test").unwrap());
    conn.execute_batch("UPDATE pooladmin_schema SET version = 99")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let error = Store::open_database(&Database::Postgres(url.clone()), &key(&dir)).unwrap_err();
    assert!(
        matches!(error, OpenError::TooNew { found: 99, .. }),
        "{error}"
    );
    let message = error.to_string();
    assert!(
        message.contains("99") && message.contains(&LATEST_VERSION.to_string()),
        "{message}"
    );
    let version: i64 = conn
        .query_row("SELECT version FROM pooladmin_schema", (), |r| r.get(0))
        .unwrap();
    assert_eq!(version, 99);
}

#[test]
fn every_node_opens_the_same_database_and_commands_work_beside_them() {
    let url = fresh_database();
    let database = Database::Postgres(url);
    let dir = tempfile::tempdir().unwrap();
    let mut first = Store::open_database(&database, &key(&dir)).unwrap();
    first.add_pool("Desktops", PoolKind::Server).unwrap();
    // Which node scales is the lease's business (tests/lease_store.rs), not the opening's.
    let second = Store::open_database(&database, &key(&dir)).unwrap();
    assert_eq!(second.pools().unwrap().len(), 1);
    let command = Store::open_database_for_command(&database, &key(&dir)).unwrap();
    assert_eq!(command.pools().unwrap().len(), 1);
}

#[test]
fn a_scaler_of_the_version_before_nodes_keeps_its_database_from_being_migrated() {
    // Such a scaler holds the advisory lock the versions before several nodes took.
    let url = fresh_database();
    let holder = Conn::postgres(connect(&url, "pooladmin scaler, pid 1 on old").unwrap());
    holder
        .query_row(
            "SELECT pg_advisory_lock(?1)",
            [0x706f_6f6c_0000_0002_i64],
            |_| Ok(()),
        )
        .unwrap();
    holder
        .execute_batch("UPDATE pooladmin_schema SET version = 14")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let error = Store::open_database(&Database::Postgres(url), &key(&dir)).unwrap_err();
    assert!(
        error.to_string().contains("stop that scaler first"),
        "{error}"
    );
}

#[test]
fn a_node_with_another_key_is_refused_and_writes_nothing() {
    let url = fresh_database();
    let database = Database::Postgres(url);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_database(&database, &key(&dir)).unwrap();
    common::add_server(&mut store, "rdp-01", None, 1);
    drop(store);
    let other = tempfile::tempdir().unwrap();
    let error = Store::open_database(&database, &key(&other)).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("this database was sealed with a different key"),
        "{error}"
    );
    // Nor does a passphrase, nor "beside the database", which a server has not.
    let passphrase = KeySource::Passphrase(pooladmin::model::Secret::new("correct horse battery"));
    assert!(Store::open_database(&database, &passphrase).is_err());
    let beside = Store::open_database(&database, &KeySource::KeyFile).unwrap_err();
    assert!(beside.to_string().contains("--key-file"), "{beside}");
    let store = Store::open_database(&database, &key(&dir)).unwrap();
    assert_eq!(
        store.servers().unwrap()[0].server.spec.password.expose(),
        "S3cret-pa55word"
    );
}

#[test]
fn connection_failures_are_one_line_naming_what_failed_and_no_password() {
    let url = admin_url();
    let password = url.password.clone().unwrap();
    let mut wrong = url.clone();
    wrong.password = Some(pooladmin::model::Secret::new("not-the-password"));
    let cases = [
        (wrong, "password authentication failed"),
        (url.with_dbname("no_such_database"), "does not exist"),
    ];
    for (url, says) in cases {
        let dir = tempfile::tempdir().unwrap();
        let error = Store::open_database_for_command(&Database::Postgres(url), &key(&dir))
            .unwrap_err()
            .to_string();
        assert!(error.contains(says), "{error}");
        assert!(!error.contains(password.expose()), "{error}");
        assert!(!error.contains('\n'), "{error}");
    }
}

#[test]
fn verify_full_refuses_a_server_whose_certificate_another_ca_signed() {
    let mut url = admin_url();
    url.ssl_root_cert =
        Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/test_cert.pem"));
    let error = connect(&url, "test").err().expect("refused");
    assert!(
        error.contains("certificate") || error.contains("Certificate"),
        "{error}"
    );
}

#[test]
fn a_copied_installation_exports_byte_equal_and_counts_its_sessions_once() {
    use pooladmin::config_file::{ExportScope, export};
    let dir = tempfile::tempdir().unwrap();
    let mut source = Store::open(&dir.path().join("demo.sqlite")).unwrap();
    pooladmin::demo::seed(&mut source).unwrap();
    let target_dir = tempfile::tempdir().unwrap();
    let target_db = Database::Postgres(empty_database());
    let mut target = Store::open_database_for_command(&target_db, &key(&target_dir)).unwrap();
    let report = source.copy_into(&mut target).unwrap();
    assert!(report.resealed > 0, "{report:?}");
    assert!(
        report.tables.iter().any(|(t, n)| t == "sessions" && *n > 0),
        "{report:?}"
    );
    drop(target);

    let target = Store::open_database(&target_db, &key(&target_dir)).unwrap();
    assert_eq!(target.installation_id(), source.installation_id());
    for scope in [ExportScope::Configuration, ExportScope::WithState] {
        assert_eq!(
            export(&target, None, scope).unwrap(),
            export(&source, None, scope).unwrap()
        );
    }
    // The members' kept counts came over as they were, not counted twice by the triggers.
    assert_eq!(
        target.pool_overview().unwrap(),
        source.pool_overview().unwrap()
    );
    assert_eq!(target.servers().unwrap(), source.servers().unwrap());
    // A target that is no longer empty is refused, and left as it is.
    let mut again = Store::open_database_for_command(&target_db, &key(&target_dir)).unwrap();
    let error = source.copy_into(&mut again).unwrap_err();
    assert!(error.to_string().contains("not empty"), "{error}");
}

#[test]
fn a_write_by_another_connection_is_seen_within_a_second_without_polling_the_server() {
    let database = Database::Postgres(fresh_database());
    let dir = tempfile::tempdir().unwrap();
    let window = Store::open_database(&database, &key(&dir)).unwrap();
    let mut other = Store::open_database_for_command(&database, &key(&dir)).unwrap();
    let before = window.data_version().unwrap();
    other.add_pool("Desktops", PoolKind::Server).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    while window.data_version().unwrap() == before {
        assert!(
            std::time::Instant::now() < deadline,
            "the write was not announced within a second"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn a_connection_the_server_closed_is_opened_again_between_transactions() {
    let url = fresh_database();
    let database = Database::Postgres(url.clone());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_database_for_command(&database, &key(&dir)).unwrap();
    store.add_pool("Before", PoolKind::Server).unwrap();
    // Every session on the database ends, as in a server restart.
    let admin = Conn::postgres(connect(&admin_url(), "test").unwrap());
    admin
        .query_map(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = ?1 AND pid <> pg_backend_pid()",
            [url.dbname.as_str()],
            |_| Ok(()),
        )
        .unwrap()
        .for_each(drop);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    // The first call may find the socket closed while the server's goodbye is in flight;
    // the next one reconnects.
    loop {
        match store.add_pool("After", PoolKind::Server) {
            Ok(_) => break,
            Err(e) if std::time::Instant::now() < deadline => {
                eprintln!("not yet: {e}");
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => panic!("never reconnected: {e}"),
        }
    }
    let names: Vec<_> = store.pools().unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["After", "Before"]);
}

#[test]
fn a_refused_commit_writes_nothing_and_the_ones_before_it_stay() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (_dir, mut store) = {
        let dir = tempfile::tempdir().unwrap();
        let store =
            Store::open_database(&Database::Postgres(fresh_database()), &key(&dir)).unwrap();
        (dir, store)
    };
    let commits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&commits);
    store
        .refuse_commits_when(move || counted.fetch_add(1, Ordering::SeqCst) >= 1)
        .unwrap();
    store.add_pool("First", PoolKind::Server).unwrap();
    assert!(store.add_pool("Second", PoolKind::Server).is_err());
    let names: Vec<_> = store.pools().unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["First"]);
    assert!(commits.load(Ordering::SeqCst) >= 2);
}

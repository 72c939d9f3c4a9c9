//! The same test functions on both back ends: `also_on_postgres!(a, b, …)` at the end of a
//! test file runs each listed test a second time with `temp_store()` (and the scaler
//! fixtures) opening a fresh database on the throw-away PostgreSQL cluster that
//! scripts/test.sh starts (`POOLADMIN_TEST_POSTGRES`). Without that cluster those runs fail:
//! they never skip.

use pooladmin::store::db::Conn;
use pooladmin::store::db::postgres::{PgUrl, connect};
use pooladmin::store::{Database, KeySource, Store};
use std::cell::Cell;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

thread_local! {
    static ON_POSTGRES: Cell<bool> = const { Cell::new(false) };
}

/// Runs `test` with the fixtures on PostgreSQL.
pub fn on_postgres(test: fn()) {
    ON_POSTGRES.set(true);
    test();
}

/// Whether this test runs on PostgreSQL.
pub fn postgres() -> bool {
    ON_POSTGRES.get()
}

/// The cluster's admin database.
pub fn admin_url() -> PgUrl {
    let text = std::env::var("POOLADMIN_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "POOLADMIN_TEST_POSTGRES is not set: these tests need the throw-away PostgreSQL \
             cluster that scripts/test.sh starts (source scripts/postgres.sh; postgres_start DIR)"
        )
    });
    PgUrl::parse(&text).expect("POOLADMIN_TEST_POSTGRES parses")
}

fn admin() -> &'static Mutex<Conn> {
    static ADMIN: OnceLock<Mutex<Conn>> = OnceLock::new();
    ADMIN.get_or_init(|| {
        let url = admin_url();
        let conn = connect(&url, "pooladmin tests").unwrap_or_else(|e| panic!("{e}"));
        Mutex::new(Conn::postgres(conn))
    })
}

fn create_database(name: &str, template: Option<&str>) {
    let sql = match template {
        Some(template) => format!("CREATE DATABASE {name} TEMPLATE {template}"),
        None => format!("CREATE DATABASE {name}"),
    };
    admin()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .execute_batch(&sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A new, empty PostgreSQL database (no schema yet).
pub fn empty_database() -> PgUrl {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "pooladmin_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    create_database(&name, None);
    admin_url().with_dbname(&name)
}

/// A new PostgreSQL database at this build's schema, cloned from a template migrated once.
pub fn fresh_database() -> PgUrl {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        let url = empty_database();
        let dir = tempfile::tempdir().expect("temp dir");
        drop(
            Store::open_database_for_command(
                &Database::Postgres(url.clone()),
                &KeySource::File(dir.path().join("template.key")),
            )
            .unwrap_or_else(|e| panic!("migrating the template database: {e}")),
        );
        // Each clone is sealed by its own test's key, recorded at its first open.
        let template =
            Conn::postgres(connect(&url, "pooladmin tests").unwrap_or_else(|e| panic!("{e}")));
        template
            .execute_batch("UPDATE installation SET key_check = NULL")
            .unwrap_or_else(|e| panic!("{e}"));
        drop(template);
        url.dbname.clone()
    });
    let name = fresh_name();
    create_database(&name, Some(template));
    admin_url().with_dbname(&name)
}

fn fresh_name() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "pooladmin_fresh_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

/// A store for a test: an SQLite file in `dir`, or (under [`on_postgres`]) a fresh
/// PostgreSQL database sealed with a key file in `dir`.
pub fn open_store(dir: &Path, file: &str) -> Store {
    if postgres() {
        Store::open_database(
            &Database::Postgres(fresh_database()),
            &KeySource::File(dir.join(format!("{file}.key"))),
        )
        .unwrap_or_else(|e| panic!("opening a PostgreSQL store: {e}"))
    } else {
        Store::open(&dir.join(file)).expect("open store")
    }
}

/// Lists test functions of this file to run again on PostgreSQL.
#[macro_export]
macro_rules! also_on_postgres {
    ($($name:ident),* $(,)?) => {
        mod on_postgres {
            $(
                #[test]
                fn $name() {
                    $crate::common::backend::on_postgres(super::$name)
                }
            )*
        }
    };
}

//! The store against real SQLite files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::{add_agent, add_server, default_zone, server_spec, temp_store};
use pooladmin::model::field::{PoolField, ServerField, StagingField, ZoneField};
use pooladmin::model::{
    FreeCapacity, PoolKind, Resources, SessionHost, SessionRequest, StagingDraft,
};
use pooladmin::store::{OpenError, Store, StoreError, key_path, migrations};

fn request(pool: pooladmin::model::PoolId, cores: f64) -> SessionRequest {
    SessionRequest {
        pool,
        user_label: "alice".into(),
        resources: Resources::new(cores, 1024, 0),
        staged: false,
    }
}

#[test]
fn every_entity_round_trips_through_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let (servers, agents, staging, sessions, pools, zones);
    {
        let mut store = Store::open(&path).unwrap();
        let zone = store.add_zone("Europe").unwrap();
        let desktops = store.add_pool("Desktops", PoolKind::Server).unwrap();
        let agent_pool = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
        let mut spec = server_spec("rdp-01", zone, Some(desktops), 2);
        spec.connection_info = r#"{"rdp": {"gateway": "gw"}}"#.into();
        store.add_server(&spec).unwrap();
        let agent = add_agent(&mut store, "agent-01", Some(agent_pool), 8);
        store.set_agent_draining(agent, false).unwrap();
        let mut draft = StagingDraft::new(Some(zone), Some(agent_pool));
        draft.workspace_name = "Chrome".into();
        store.add_staging(&draft.parse().unwrap()).unwrap();
        store.start_session(&request(desktops, 0.0)).unwrap();
        store.start_session(&request(agent_pool, 2.0)).unwrap();
        servers = store.servers().unwrap();
        agents = store.agents().unwrap();
        staging = store.staging_configs().unwrap();
        sessions = store.sessions().unwrap();
        pools = store.pools().unwrap();
        zones = store.zones().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.servers().unwrap(), servers);
    assert_eq!(store.agents().unwrap(), agents);
    assert_eq!(store.staging_configs().unwrap(), staging);
    assert_eq!(store.sessions().unwrap(), sessions);
    assert_eq!(store.pools().unwrap(), pools);
    assert_eq!(store.zones().unwrap(), zones);
    assert_eq!(servers[0].server.spec.password.expose(), "S3cret-pa55word");
    assert_eq!(servers[0].sessions, 1);
    assert_eq!(agents[0].used, Resources::new(2.0, 1024, 0));
    assert_eq!(sessions.len(), 2);
}

#[test]
fn no_secret_is_stored_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    {
        let mut store = Store::open(&path).unwrap();
        add_server(&mut store, "rdp-01", None, 1);
    }
    let mut bytes = std::fs::read(&path).unwrap();
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    bytes.extend(std::fs::read(wal).unwrap_or_default());
    assert!(!bytes.windows(15).any(|w| w == b"S3cret-pa55word"));
    assert!(key_path(&path).exists());
}

#[test]
fn migrates_an_empty_file_to_the_latest_schema() {
    let (_dir, store) = temp_store();
    assert_eq!(store.zones().unwrap()[0].name, "default");
    assert_eq!(store.installation_id().len(), 32);
    assert!(store.is_empty().unwrap());
}

#[test]
fn refuses_a_database_from_a_newer_pooladmin_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", migrations::LATEST_VERSION + 1)
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    match Store::open(&path) {
        Err(OpenError::TooNew { found, .. }) => assert_eq!(found, migrations::LATEST_VERSION + 1),
        other => panic!("expected TooNew, got {other:?}"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let message = Store::open(&path).unwrap_err().to_string();
    assert!(message.contains("newer pooladmin"), "{message}");
    assert!(message.contains("db.sqlite"), "{message}");
}

#[test]
fn refuses_a_second_open_naming_the_holder() {
    let (dir, _store) = temp_store();
    let err = Store::open(&dir.path().join("pooladmin.sqlite")).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, OpenError::InUse { .. }), "{message}");
    assert!(
        message.contains(&format!("pid {}", std::process::id())),
        "{message}"
    );
}

/// A command (`export`, `api-key`) reading the database does not keep a pooladmin that
/// starts meanwhile out: it holds the lock only while it opens.
#[test]
fn a_command_reading_the_database_does_not_keep_pooladmin_from_starting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pooladmin.sqlite");
    drop(Store::open(&path).unwrap());
    let command = Store::open_for_command(&path, &pooladmin::store::KeySource::KeyFile).unwrap();
    let started = Store::open(&path).expect("pooladmin starts beside the command");
    // And a command still opens beside the running pooladmin.
    let second = Store::open_for_command(&path, &pooladmin::store::KeySource::KeyFile).unwrap();
    assert_eq!(second.installation_id(), started.installation_id());
    drop(command);
}

#[test]
fn refuses_a_corrupt_file_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let garbage = b"this is not an sqlite database, just some text".repeat(200);
    std::fs::write(&path, &garbage).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, OpenError::Corrupt { .. }), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[test]
fn reports_a_folder_that_does_not_exist_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("db.sqlite");
    let message = Store::open(&path).unwrap_err().to_string();
    assert!(message.contains("missing"), "{message}");
}

#[test]
fn backs_up_an_older_database_before_migrating_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        migrations::migrations().to_version(&mut conn, 1).unwrap();
        conn.execute(
            "INSERT INTO pools (name, kind) VALUES ('Old', 'server')",
            [],
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.pools().unwrap()[0].name, "Old");
    let backups: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".bak"))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert!(backups[0].to_string_lossy().contains(".v1-"));
    let conn = rusqlite::Connection::open(&backups[0]).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1);
    let name: String = conn
        .query_row("SELECT name FROM pools", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "Old");
}

#[test]
fn duplicate_and_blank_names_are_refused_by_field() {
    let (_dir, mut store) = temp_store();
    store.add_pool("Desktops", PoolKind::Server).unwrap();
    let err = store
        .add_pool("desktops", PoolKind::DockerAgent)
        .unwrap_err();
    assert!(
        err.field_errors()
            .unwrap()
            .for_field(PoolField::Name)
            .unwrap()
            .contains("already exists")
    );
    let err = store.add_pool("  ", PoolKind::Server).unwrap_err();
    assert_eq!(
        err.field_errors().unwrap().for_field(PoolField::Name),
        Some("must not be blank")
    );
    add_server(&mut store, "rdp-01", None, 1);
    let zone = default_zone(&store);
    let err = store
        .add_server(&server_spec("RDP-01", zone, None, 1))
        .unwrap_err();
    assert!(
        err.field_errors()
            .unwrap()
            .for_field(ServerField::FriendlyName)
            .is_some()
    );
    assert_eq!(store.pools().unwrap().len(), 1);
    assert_eq!(store.servers().unwrap().len(), 1);
}

#[test]
fn a_member_only_joins_a_pool_of_its_kind() {
    let (_dir, mut store) = temp_store();
    let agents = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
    let server = add_server(&mut store, "rdp-01", None, 1);
    let err = store.assign_servers(agents, &[server]).unwrap_err();
    let message = err
        .field_errors()
        .unwrap()
        .for_field(ServerField::Pool)
        .unwrap()
        .to_owned();
    assert!(message.contains("Server pool"), "{message}");
    let zone = default_zone(&store);
    let err = store
        .add_server(&server_spec("rdp-02", zone, Some(agents), 1))
        .unwrap_err();
    assert!(
        err.field_errors()
            .unwrap()
            .for_field(ServerField::Pool)
            .is_some()
    );
    assert_eq!(store.servers().unwrap()[0].server.spec.pool, None);
}

#[test]
fn a_pool_with_members_cannot_be_deleted() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Desktops", PoolKind::Server).unwrap();
    let server = add_server(&mut store, "rdp-01", None, 1);
    store.assign_servers(pool, &[server]).unwrap();
    let err = store.delete_pool(pool).unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)));
    assert!(err.to_string().contains("1 servers assigned"), "{err}");
    store.unassign_server(server).unwrap();
    store.delete_pool(pool).unwrap();
    assert!(store.pools().unwrap().is_empty());
}

#[test]
fn members_with_sessions_are_neither_moved_nor_deleted() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Desktops", PoolKind::Server).unwrap();
    let server = add_server(&mut store, "rdp-01", Some(pool), 1);
    let placed = store.start_session(&request(pool, 0.0)).unwrap();
    assert_eq!(placed.host, SessionHost::Server(server));
    assert!(store.unassign_server(server).is_err());
    assert!(store.delete_server(server).is_err());
    store.end_session(placed.id).unwrap();
    store.delete_server(server).unwrap();
}

#[test]
fn sessions_spread_evenly_and_no_capacity_is_explained() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Desktops", PoolKind::Server).unwrap();
    for i in 0..3 {
        add_server(&mut store, &format!("rdp-{i}"), Some(pool), 2);
    }
    for _ in 0..6 {
        store.start_session(&request(pool, 0.0)).unwrap();
    }
    assert!(store.servers().unwrap().iter().all(|s| s.sessions == 2));
    let err = store.start_session(&request(pool, 0.0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no capacity in pool Desktops: all 3 enabled servers are at their Max Simultaneous Sessions"
    );
    let overview = store.pool_overview().unwrap();
    assert_eq!(overview[0].sessions, 6);
    assert_eq!(overview[0].members, 3);
    assert_eq!(overview[0].free, FreeCapacity::Slots(0));
}

#[test]
fn agent_pool_overview_counts_only_enabled_non_draining_agents() {
    let (_dir, mut store) = temp_store();
    let pool = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
    let a = add_agent(&mut store, "a1", Some(pool), 8);
    let b = add_agent(&mut store, "a2", Some(pool), 4);
    store.start_session(&request(pool, 3.0)).unwrap();
    store.set_agent_draining(b, true).unwrap();
    let overview = store.pool_overview().unwrap();
    assert_eq!(
        overview[0].free,
        FreeCapacity::Compute(Resources::new(5.0, 8 * 2048 - 1024, 0))
    );
    store.set_agent_enabled(a, false).unwrap();
    let err = store.start_session(&request(pool, 1.0)).unwrap_err();
    assert!(
        err.to_string().contains("disabled, draining or missing"),
        "{err}"
    );
}

#[test]
fn a_failed_batch_writes_nothing() {
    let (_dir, mut store) = temp_store();
    let zone = default_zone(&store);
    let good = common::agent_spec("a1", zone, None, 4);
    let mut bad = common::agent_spec("a2", zone, None, 4);
    bad.reported.memory_mb = -1;
    assert!(store.add_agents(&[good, bad]).is_err());
    assert!(store.agents().unwrap().is_empty());
}

#[test]
fn backup_to_refuses_to_overwrite() {
    let (dir, store) = temp_store();
    let dest = dir.path().join("copy.sqlite");
    store.backup_to(&dest).unwrap();
    assert!(dest.exists());
    assert!(store.backup_to(&dest).is_err());
}

#[test]
fn zones_in_use_are_kept_and_renamed_zones_stay_unique() {
    let (_dir, mut store) = temp_store();
    let zone = store.add_zone("Europe").unwrap();
    let err = store.add_zone("europe").unwrap_err();
    assert!(
        err.field_errors()
            .unwrap()
            .for_field(ZoneField::Name)
            .is_some()
    );
    let mut spec = server_spec("rdp-01", zone, None, 1);
    spec.zone = zone;
    store.add_server(&spec).unwrap();
    let err = store.delete_zone(zone).unwrap_err();
    assert!(err.to_string().contains("still used by 1 servers"), "{err}");
    store.rename_zone(zone, "EU West").unwrap();
    assert!(store.zones().unwrap().iter().any(|z| z.name == "EU West"));
    let default = store
        .zones()
        .unwrap()
        .into_iter()
        .find(|z| z.name == "default")
        .unwrap();
    let err = store.rename_zone(default.id, "eu west").unwrap_err();
    assert!(err.field_errors().is_some());
}

#[test]
fn staging_needs_an_agent_pool_and_a_unique_workspace() {
    let (_dir, mut store) = temp_store();
    let zone = default_zone(&store);
    let servers = store.add_pool("Desktops", PoolKind::Server).unwrap();
    let agents = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
    let mut draft = StagingDraft::new(Some(zone), Some(servers));
    draft.workspace_name = "Chrome".into();
    let err = store.add_staging(&draft.parse().unwrap()).unwrap_err();
    assert!(
        err.field_errors()
            .unwrap()
            .for_field(StagingField::Pool)
            .unwrap()
            .contains("Docker Agent")
    );
    draft.pool = Some(agents);
    let id = store.add_staging(&draft.parse().unwrap()).unwrap();
    draft.workspace_name = "chrome".into();
    let err = store.add_staging(&draft.parse().unwrap()).unwrap_err();
    assert!(
        err.field_errors()
            .unwrap()
            .for_field(StagingField::WorkspaceName)
            .is_some()
    );
    let err = store.delete_pool(agents).unwrap_err();
    assert!(err.to_string().contains("staging configs"), "{err}");
    store.delete_staging(id).unwrap();
    store.delete_pool(agents).unwrap();
}

#[test]
fn kept_session_counts_match_a_recount_after_many_starts_and_ends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    {
        let mut store = Store::open(&path).unwrap();
        let servers = store.add_pool("Desktops", PoolKind::Server).unwrap();
        let agents = store.add_pool("Agents", PoolKind::DockerAgent).unwrap();
        for i in 0..3 {
            add_server(&mut store, &format!("rdp-{i}"), Some(servers), 3);
            add_agent(&mut store, &format!("agent-{i}"), Some(agents), 4);
        }
        let mut started = Vec::new();
        for i in 0..40 {
            let pool = if i % 2 == 0 { servers } else { agents };
            if let Ok(placed) = store.start_session(&request(pool, 0.1 * f64::from(i % 7 + 1))) {
                started.push(placed.id);
            }
            if i % 3 == 0 && !started.is_empty() {
                store.end_session(started.remove(0)).unwrap();
            }
        }
        // Every agent emptied leaves no fractional residue.
        for id in started {
            store.end_session(id).unwrap();
        }
        assert!(
            store
                .agents()
                .unwrap()
                .iter()
                .all(|a| a.used == Resources::default())
        );
        assert!(store.servers().unwrap().iter().all(|s| s.sessions == 0));
        store.start_session(&request(agents, 0.3)).unwrap();
        store.start_session(&request(servers, 0.0)).unwrap();
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let drift: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM docker_agents a WHERE session_count <>
                        (SELECT count(*) FROM sessions WHERE agent_id = a.id)
                     OR abs(used_cores - (SELECT coalesce(sum(cores), 0) FROM sessions
                                          WHERE agent_id = a.id)) > 1e-9)
                  + (SELECT count(*) FROM servers s WHERE session_count <>
                        (SELECT count(*) FROM sessions WHERE server_id = s.id))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(drift, 0);
    let err = conn
        .execute("UPDATE sessions SET cores = 99", [])
        .unwrap_err();
    assert!(err.to_string().contains("not changed in place"), "{err}");
}

#[test]
fn a_passphrase_seals_secrets_and_a_wrong_one_is_refused() {
    use pooladmin::model::Secret;
    use pooladmin::store::KeySource;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let right = KeySource::Passphrase(Secret::new("correct horse battery staple"));
    {
        let mut store = Store::open_with_key(&path, &right).unwrap();
        add_server(&mut store, "rdp-01", None, 1);
    }
    assert!(!key_path(&path).exists(), "a passphrase needs no key file");
    let store = Store::open_with_key(&path, &right).unwrap();
    assert_eq!(
        store.servers().unwrap()[0].server.spec.password.expose(),
        "S3cret-pa55word"
    );
    drop(store);
    let wrong = KeySource::Passphrase(Secret::new("incorrect horse battery"));
    let err = Store::open_with_key(&path, &wrong).unwrap_err();
    assert!(
        err.to_string().contains(
            "sealed with a different key than this one (derived from POOLADMIN_PASSPHRASE)"
        ),
        "{err}"
    );
    let err = Store::open(&path).unwrap_err();
    assert!(err.to_string().contains("key file is missing"), "{err}");
    let short = KeySource::Passphrase(Secret::new("short"));
    assert!(
        Store::open_with_key(&path, &short)
            .unwrap_err()
            .to_string()
            .contains("12 characters")
    );
}

#[test]
fn a_replaced_key_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    {
        let mut store = Store::open(&path).unwrap();
        add_server(&mut store, "rdp-01", None, 1);
    }
    std::fs::write(key_path(&path), [7u8; 32]).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        err.to_string()
            .contains("this database was sealed with a different key"),
        "{err}"
    );
}

/// Runs `sql` on the database file with a connection of its own (the store closed).
fn tamper(path: &std::path::Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(sql).unwrap();
}

#[test]
fn a_sealed_value_copied_to_another_row_or_column_does_not_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    {
        let mut store = Store::open(&path).unwrap();
        add_server(&mut store, "rdp-01", None, 1);
        let mut other = server_spec("rdp-02", default_zone(&store), None, 1);
        other.password = pooladmin::model::Secret::new("another-password");
        store.add_server(&other).unwrap();
    }
    // The first server's password copied over the second's: it does not open there.
    tamper(
        &path,
        "UPDATE servers SET password_sealed =
             (SELECT password_sealed FROM servers WHERE friendly_name = 'rdp-01')
         WHERE friendly_name = 'rdp-02';
         UPDATE api_settings SET tls_key_sealed =
             (SELECT password_sealed FROM servers WHERE friendly_name = 'rdp-01');",
    );
    let store = Store::open(&path).unwrap();
    let error = store.servers().unwrap_err().to_string();
    assert!(error.contains("could not be unsealed"), "{error}");
    assert!(matches!(store.api_settings(), Err(StoreError::Unseal)));
}

#[test]
fn secrets_sealed_before_v13_are_bound_to_their_places_once() {
    use pooladmin::model::Secret;
    use pooladmin::store::Sealer;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let sealer = Sealer::for_database(&path).unwrap();
    let old_blob = sealer.seal_unbound(&Secret::new("old-password")).unwrap();
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        migrations::migrations().to_version(&mut conn, 12).unwrap();
        conn.execute(
            "INSERT INTO servers (friendly_name, enabled, zone_id, connection_type, host, port,
                                  credential_type, username, password_sealed, connection_info,
                                  max_sessions, reusable, origin, created_at)
             VALUES ('old', 1, 1, 'rdp', 'old.example.com', 3389, 'static', 'admin', ?1, '',
                     1, 1, 'static', 0)",
            [&old_blob],
        )
        .unwrap();
    }
    {
        let store = Store::open(&path).unwrap();
        let servers = store.servers().unwrap();
        assert_eq!(servers[0].server.spec.password.expose(), "old-password");
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let now: Vec<u8> = conn
        .query_row("SELECT password_sealed FROM servers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(&now[..2], b"s2", "re-sealed in the bound format");
    drop(conn);
    // An old unbound blob planted later is not re-sealed again, so it never opens.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute("UPDATE servers SET password_sealed = ?1", [&old_blob])
        .unwrap();
    let store = Store::open(&path).unwrap();
    assert!(store.servers().is_err());
}

#[cfg(unix)]
#[test]
fn the_database_its_wal_and_its_backups_are_the_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let mut store = Store::open(&path).unwrap();
    add_server(&mut store, "rdp-01", None, 1);
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(std::path::Path::new(&wal)), 0o600);
    let copy = dir.path().join("copy.sqlite");
    store.backup_to(&copy).unwrap();
    assert_eq!(mode(&copy), 0o600);
    let copied: i64 = rusqlite::Connection::open(&copy)
        .unwrap()
        .query_row("SELECT count(*) FROM servers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(copied, 1, "the copy is a whole database");
}

// The tests above that need no file of their own run again on PostgreSQL.
crate::also_on_postgres!(
    migrates_an_empty_file_to_the_latest_schema,
    duplicate_and_blank_names_are_refused_by_field,
    a_member_only_joins_a_pool_of_its_kind,
    a_pool_with_members_cannot_be_deleted,
    members_with_sessions_are_neither_moved_nor_deleted,
    sessions_spread_evenly_and_no_capacity_is_explained,
    agent_pool_overview_counts_only_enabled_non_draining_agents,
    a_failed_batch_writes_nothing,
    zones_in_use_are_kept_and_renamed_zones_stay_unique,
    staging_needs_an_agent_pool_and_a_unique_workspace,
);

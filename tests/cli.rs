//! The command line as a script sees it, every subcommand: only the answer on standard
//! output, nothing on standard error when all went well, an error said once, and the exit
//! code every command's help states (0 done, 1 your input is wrong, 2 refused by the state
//! of things).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

use pooladmin::store::{Store, migrations};
use std::path::Path;
use std::process::{Command, Output};

fn pooladmin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pooladmin"))
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("POOLADMIN_PASSPHRASE")
        .env_remove("POOLADMIN_EXPORT_PASSPHRASE")
        .env("NO_COLOR", "1")
        .output()
        .expect("run pooladmin")
}

/// A database with the demo's configuration, its key in a file beside it.
fn demo_database(dir: &Path) -> String {
    let path = dir.join("demo.sqlite");
    let mut store = Store::open(&path).unwrap();
    pooladmin::demo::seed(&mut store).unwrap();
    path.to_string_lossy().into_owned()
}

/// What a run must show: its exit code, words on stdout, words on stderr (`None`: nothing).
struct Expect {
    args: Vec<String>,
    code: i32,
    stdout: &'static str,
    stderr: Option<&'static str>,
}

fn expect(args: &[&str], code: i32, stdout: &'static str, stderr: Option<&'static str>) -> Expect {
    Expect {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        code,
        stdout,
        stderr,
    }
}

#[test]
fn every_subcommand_answers_on_stdout_fails_once_on_stderr_with_its_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_database(dir.path());
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    };
    let good = file(
        "good.json",
        r#"{"format": "pooladmin/1", "zones": [{"name": "ap-south"}]}"#,
    );
    let empty = file("empty.json", "");
    let key = file("portal.key", "pa_k_not-a-real-key");
    let newer = dir.path().join("newer.sqlite");
    drop(Store::open(&newer).unwrap());
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", migrations::LATEST_VERSION + 1)
        .unwrap();
    let newer = newer.to_string_lossy().into_owned();
    let cases = [
        expect(&["schema"], 0, "\"$schema\"", None),
        expect(&["api-schema"], 0, "\"openapi\"", None),
        expect(&["--version"], 0, "pooladmin", None),
        expect(
            &["api-key", "create", "--name", "portal", "--db", &db],
            0,
            "shown this once",
            None,
        ),
        expect(
            &["api-key", "create", "--name", "portal", "--db", &db],
            1,
            "",
            Some("a key named portal exists already"),
        ),
        expect(&["api-key", "list", "--db", &db], 0, "portal", None),
        // Before the command's name, as earlier versions took it.
        expect(
            &["--db", &db, "api-key", "revoke", "portal"],
            0,
            "revoked",
            None,
        ),
        expect(
            &["api-key", "revoke", "nobody", "--db", &db],
            1,
            "",
            Some("nobody"),
        ),
        expect(&["export", "--db", &db], 0, "\"pooladmin/1\"", None),
        expect(
            &["export", "--db", &newer],
            2,
            "",
            Some("was written by a newer pooladmin"),
        ),
        expect(
            &["simulate", "--config", "browser-standby", "--db", &db],
            0,
            "What-if replay",
            None,
        ),
        expect(
            &[
                "simulate",
                "--config",
                "browser-standby",
                "--set",
                "x=1",
                "--db",
                &db,
            ],
            1,
            "",
            Some("--set"),
        ),
        expect(
            &[
                "cloud",
                "list",
                "--provider-config",
                "Simulated cloud",
                "regions",
                "--db",
                &db,
            ],
            1,
            "",
            Some("no account to read lists from"),
        ),
        expect(
            &["import", &good, "--dry-run", "--db", &db],
            0,
            "would apply",
            None,
        ),
        expect(
            &["import", &empty, "--db", &db],
            1,
            "",
            Some("the file is empty"),
        ),
        expect(
            &[
                "session",
                "start",
                "--api",
                "http://127.0.0.1:9",
                "--key-file",
                &key,
                "--pool",
                "p",
                "--user",
                "u",
            ],
            2,
            "",
            Some("no session started"),
        ),
        expect(
            &["agent", "--db", &db],
            1,
            "",
            Some("unexpected argument '--db'"),
        ),
        expect(&["--db", &db, "schema"], 1, "", Some("uses no database")),
        expect(&["no-such-command"], 1, "", Some("unrecognized subcommand")),
    ];
    for case in &cases {
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let out = pooladmin(&args);
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        let said = format!("{args:?}\nstdout: {stdout}\nstderr: {stderr}");
        assert_eq!(out.status.code(), Some(case.code), "{said}");
        assert!(stdout.contains(case.stdout), "{said}");
        match case.stderr {
            None => assert!(stderr.is_empty(), "{said}"),
            Some(words) => {
                assert!(stderr.contains(words), "{said}");
                assert_eq!(stderr.matches(words).count(), 1, "said twice: {said}");
            }
        }
    }
}

#[test]
fn an_import_lists_every_fault_and_checks_the_file_while_the_database_is_held() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_database(dir.path());
    let faulty = dir.path().join("faulty.json");
    std::fs::write(
        &faulty,
        r#"{
            "format": "pooladmin/1",
            "zone": [],
            "zones": [{"nme": "a"}],
            "pools": [{"name": "p", "kind": "Desktop"}, {"name": 4, "kind": "Server"}],
            "servers": {}
        }"#,
    )
    .unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(
        &good,
        r#"{"format": "pooladmin/1", "zones": [{"name": "ap-south"}]}"#,
    )
    .unwrap();
    let faulty = faulty.to_string_lossy().into_owned();
    let good = good.to_string_lossy().into_owned();
    let out = pooladmin(&["import", &faulty, "--db", &db]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let faults: Vec<&str> = stderr.lines().skip(1).collect();
    assert_eq!(faults.len(), 5, "{stderr}");
    assert!(
        faults
            .iter()
            .any(|f| f.starts_with("zones[0].nme: unknown key"))
    );
    assert!(
        faults
            .iter()
            .any(|f| f.starts_with("pools[1].name: expected text"))
    );

    // A window holds the database: the file is still checked (five faults, exit 1) and a
    // good one is refused by the state of things (exit 2), the holder named.
    let window = Store::open(Path::new(&db)).unwrap();
    let out = pooladmin(&["import", &faulty, "--db", &db]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 6);
    let out = pooladmin(&["import", &good, "--db", &db]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is valid (1 to create")
            && stderr.contains("already open in another pooladmin"),
        "{stderr}"
    );
    assert!(window.zones().unwrap().iter().all(|z| z.name != "ap-south"));
}

//! `pooladmin headless` on a test's database, as the process tests run it: the database's
//! arguments (`--db`, `--key-file`) and environment (the password, where the simulated
//! cloud keeps its state), for an SQLite file or a PostgreSQL database.

use pooladmin::cloud::factory::simulator_state_base;
use pooladmin::model::instance::InstanceState;
use pooladmin::store::{Database, KeySource, Store};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The database the runs share: an SQLite file with its key beside it, or a PostgreSQL
/// database sealed with a key file; the simulated cloud's state file goes where headless
/// puts it for that database.
pub struct Target {
    pub database: Database,
    pub key: KeySource,
    /// `--db` and `--key-file` for headless, and its environment.
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Headless's standard error, appended run after run.
    pub errors: PathBuf,
}

impl Target {
    pub fn new(dir: &Path, store: &Store) -> Self {
        let database = store.database().clone();
        let errors = dir.join("headless.stderr");
        match &database {
            Database::File(path) => Self {
                args: vec!["--db".into(), path.display().to_string()],
                env: Vec::new(),
                key: KeySource::KeyFile,
                database,
                errors,
            },
            Database::Postgres(url) => {
                // The key file common::backend sealed the database with.
                let key_file = dir.join("scaler.sqlite.key");
                let password = url.password.as_ref().expect("the test cluster's password");
                Self {
                    args: vec![
                        "--db".into(),
                        url.to_string(),
                        "--key-file".into(),
                        key_file.display().to_string(),
                    ],
                    // Where headless keeps the simulated cloud's state for a server's
                    // database: the data folder, inside this test's own.
                    env: vec![
                        ("PGPASSWORD".into(), password.expose().to_owned()),
                        (
                            "XDG_DATA_HOME".into(),
                            dir.join("data").display().to_string(),
                        ),
                    ],
                    key: KeySource::File(key_file),
                    database,
                    errors,
                }
            }
        }
    }

    /// The simulated cloud's state file for `provider`.
    pub fn cloud_file(&self, provider: pooladmin::model::VmProviderId) -> PathBuf {
        let base = temp_env(&self.env, || simulator_state_base(&self.database))
            .expect("a place for the simulated cloud's state");
        PathBuf::from(format!(
            "{}.simulated-cloud-{provider}.json",
            base.display()
        ))
    }

    /// A connection for a command beside the runs.
    pub fn open_for_command(&self) -> Store {
        Store::open_database_for_command(&self.database, &self.key).expect("open")
    }

    /// `pooladmin` with the database's arguments and environment (the command follows).
    pub fn pooladmin(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pooladmin"));
        command
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// A connection that takes the database (between runs).
    pub fn open(&self) -> Store {
        Store::open_database(&self.database, &self.key).expect("open between runs")
    }
}

/// `work` with `env` set, for the path headless derives from it.
pub fn temp_env<T>(env: &[(String, String)], work: impl FnOnce() -> T) -> T {
    let before: Vec<_> = env
        .iter()
        .map(|(name, _)| (name.clone(), std::env::var_os(name)))
        .collect();
    for (name, value) in env {
        // SAFETY: the callers run one at a time and no other thread of theirs reads the
        // environment meanwhile.
        unsafe { std::env::set_var(name, value) };
    }
    let answer = work();
    for (name, value) in before {
        // SAFETY: as above.
        unsafe {
            match value {
                Some(value) => std::env::set_var(&name, value),
                None => std::env::remove_var(&name),
            }
        }
    }
    answer
}

/// What disagrees between the simulated cloud's file and the instance rows.
pub fn disagreements(t: &Target, cloud_file: &Path) -> Vec<String> {
    let store = t.open_for_command();
    let world: serde_json::Value = match std::fs::read_to_string(cloud_file) {
        Ok(text) => serde_json::from_str(&text).expect("the simulated cloud's state"),
        Err(_) => serde_json::json!({"vms": {}}),
    };
    let vms = world["vms"].as_object().cloned().unwrap_or_default();
    let live = store.live_instances().expect("instances");
    let mut problems = Vec::new();
    let mut per_instance: HashMap<String, usize> = HashMap::new();
    for (cloud_id, vm) in &vms {
        let tag = vm["tags"]["pooladmin-instance"]
            .as_str()
            .unwrap_or("?")
            .to_owned();
        *per_instance.entry(tag.clone()).or_default() += 1;
        if !live
            .iter()
            .any(|i| i.cloud_id.as_deref() == Some(cloud_id.as_str()))
        {
            problems.push(format!("orphan VM {cloud_id} (instance tag {tag})"));
        }
    }
    for (tag, n) in per_instance {
        if n > 1 {
            problems.push(format!("{n} VMs for instance {tag}"));
        }
    }
    for row in &live {
        if let Some(id) = &row.cloud_id
            && !vms.contains_key(id)
        {
            problems.push(format!("row {} points at {id}, which is gone", row.name));
        }
        if matches!(
            row.state,
            InstanceState::Requested | InstanceState::Creating | InstanceState::Deleting
        ) {
            problems.push(format!("row {} is still {}", row.name, row.state));
        }
    }
    problems
}

/// A node: its name, API port, process and log.
pub struct Node {
    pub name: String,
    pub port: u16,
    pub child: Child,
    pub log: PathBuf,
}

impl Node {
    /// `pooladmin headless --node-name name` on `t`, its API on a free loopback port, its
    /// log appended to `<dir>/<name>.log`.
    pub fn start(t: &Target, dir: &Path, name: &str) -> Self {
        let port = super::demo_process::free_port();
        let log = dir.join(format!("{name}.log"));
        let child = t
            .pooladmin()
            .args(["headless", "--node-name", name])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .env("RUST_LOG", "info")
            .stdout(Stdio::from(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&log)
                    .unwrap(),
            ))
            .stderr(Stdio::null())
            .spawn()
            .expect("pooladmin headless");
        Self {
            name: name.to_owned(),
            port,
            child,
            log,
        }
    }

    pub fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).unwrap()
    }

    pub fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{signal}");
    }

    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// `GET /healthz`, as JSON (none while it does not answer).
    pub fn health(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.get("/healthz")?).ok()
    }

    /// The body of `GET path` from loopback (none while it does not answer).
    pub fn get(&self, path: &str) -> Option<String> {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok()?;
        answer
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_owned())
    }

    pub fn assert_alive(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!(
                "node {} ended: {status}; its log: {}",
                self.name,
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The config a process test scales with, as the wizard saved it.
pub struct ScaledConfig {
    pub spec: pooladmin::model::autoscale::AutoScaleSpec,
    pub id: pooladmin::model::AutoScaleId,
    pub provider: pooladmin::model::VmProviderId,
}

/// An agent pool on the simulator keeping `standby` cores, its database let go so headless
/// processes may take it: the folder, the database, the simulated cloud's file, and the
/// config.
pub fn prepare(
    behaviour: pooladmin::cloud::simulated::Behaviour,
    standby: u32,
) -> (tempfile::TempDir, Target, PathBuf, ScaledConfig) {
    let super::scaling::Bench {
        dir,
        store,
        spec,
        config,
        provider,
        ..
    } = super::scaling::agent_pool(behaviour, standby, 10);
    let target = Target::new(dir.path(), &store);
    drop(store);
    let cloud_file = target.cloud_file(provider);
    let config = ScaledConfig {
        spec,
        id: config,
        provider,
    };
    (dir, target, cloud_file, config)
}

/// Changes the demand (the standby cores; surplus goes at once), beside running processes.
pub fn set_standby(t: &Target, config: &ScaledConfig, cores: u32) {
    let mut spec = config.spec.clone();
    if let pooladmin::model::autoscale::Scaling::Agents(a) = &mut spec.scaling {
        a.standby_cores = cores.to_string();
    }
    spec.downscale_backoff_s = "0".into();
    t.open_for_command()
        .save_autoscale(
            Some(config.id),
            &spec,
            &pooladmin::store::Choice::Existing(config.provider),
            None,
        )
        .expect("save");
}

/// Changes how the simulated cloud of `provider` behaves, beside running processes.
pub fn edit_simulator(
    t: &Target,
    provider: pooladmin::model::VmProviderId,
    edit: impl FnOnce(&mut pooladmin::model::vm_provider::SimulatorSettings),
) {
    use pooladmin::model::vm_provider::{ProviderSettings, VmProviderSpec};
    let mut store = t.open_for_command();
    let mut spec = store
        .configs::<VmProviderSpec>()
        .expect("providers")
        .into_iter()
        .find(|p| p.id == provider)
        .expect("the provider")
        .spec;
    if let ProviderSettings::Simulator(s) = &mut spec.settings {
        edit(s);
    }
    store.update_config(provider, &spec).expect("save");
}

/// A pool of `servers` servers of `slots` sessions each and a portal key, the database let
/// go for headless processes.
pub fn server_pool(dir: &Path, servers: usize, slots: u32) -> (Target, pooladmin::model::Secret) {
    let mut store = super::backend::open_store(dir, "scaler.sqlite");
    let pool = store
        .add_pool("desktops", pooladmin::model::PoolKind::Server)
        .expect("pool");
    for n in 0..servers {
        super::add_server(&mut store, &format!("rdp-{n:02}"), Some(pool), slots);
    }
    let key = super::api::portal_key(&mut store, "portal");
    (Target::new(dir, &store), key)
}

/// The sessions among `ids` the database does not have.
pub fn not_in_database(store: &Store, ids: &[i64]) -> Vec<i64> {
    ids.iter()
        .copied()
        .filter(|id| {
            store
                .session_pool(pooladmin::model::SessionId(*id))
                .expect("sessions")
                .is_none()
        })
        .collect()
}

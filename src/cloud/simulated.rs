//! An in-process cloud for demos and tests: API latency, boot delay, failures, throttling
//! and capacity-error episodes, all configurable. Its state can be kept in a file so it
//! outlives a restart of pooladmin, as a real cloud does.

use super::{
    Clock, CloudError, CloudVm, CreateRequest, DnsCloud, ErrorClass, VmCloud, VmState, tags,
};
use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;

/// How the simulated cloud behaves.
#[derive(Clone, Debug, PartialEq)]
pub struct Behaviour {
    /// Round-trip time of every API call: half on the way there, half on the way back.
    pub api_latency: Duration,
    /// Time from create to running.
    pub boot_delay: Duration,
    /// Share of create calls that fail with a temporary error (0–1). Half of those fail
    /// after the VM was made, as when a response is lost: the token must prevent a twin.
    pub failure_rate: f64,
    /// Share of calls refused as throttled (0–1).
    pub throttle_rate: f64,
    /// While the clock is in this window, creates fail for lack of capacity.
    pub capacity_episode: Option<(Timestamp, Timestamp)>,
    /// Share of creates refused for lack of capacity outside an episode (0–1).
    pub capacity_error_rate: f64,
    /// VMs run but never answer a check-in (a broken image).
    pub never_check_in: bool,
    /// Listings fail part-way, as when a later page is refused: the read is incomplete.
    pub listing_fails: bool,
    /// Listings answer, but with nothing in them (a bad read that looks like a good one).
    pub lists_nothing: bool,
    /// Whether a repeated token returns the VM it made (EC2, GCP, OCI) or makes another
    /// (DigitalOcean has no tokens; moto ignores them).
    pub honours_tokens: bool,
    /// Seed of the random choices, so a test run can be repeated.
    pub seed: u64,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            api_latency: Duration::from_millis(150),
            boot_delay: Duration::from_secs(20),
            failure_rate: 0.0,
            throttle_rate: 0.0,
            capacity_episode: None,
            capacity_error_rate: 0.0,
            never_check_in: false,
            listing_fails: false,
            lists_nothing: false,
            honours_tokens: true,
            seed: 1,
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct SimVm {
    name: String,
    /// The startup script it was created with (kept so tests can read what was sent). Never
    /// written to the state file: it may carry the NGINX key.
    #[serde(skip)]
    startup_script: String,
    tags: BTreeMap<String, String>,
    created_at: Timestamp,
    address: String,
    /// Its public address (198.18.0.0/15, the range kept for tests).
    #[serde(default)]
    public_address: Option<String>,
}

/// What the cloud holds; this is what the state file keeps.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct World {
    next_id: u64,
    vms: BTreeMap<String, SimVm>,
    /// Idempotency tokens and the VM each created.
    tokens: BTreeMap<String, String>,
    /// DNS A records.
    records: BTreeMap<String, String>,
}

/// Counts of what the cloud was asked, for tests and benchmarks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Calls {
    /// Create calls received (retries included).
    pub creates: u64,
    /// VMs actually made.
    pub vms_made: u64,
    /// Delete calls received.
    pub deletes: u64,
    /// Calls refused as throttled.
    pub throttled: u64,
}

/// The simulated cloud of one VM Provider config.
pub struct SimulatedCloud {
    behaviour: Mutex<Behaviour>,
    clock: Clock,
    world: Mutex<World>,
    rng: Mutex<StdRng>,
    calls: Mutex<Calls>,
    creates_seen: watch::Sender<u64>,
    file: Option<PathBuf>,
    /// The state file's modification time and length as this process last read or wrote it.
    known_stamp: Mutex<Option<FileStamp>>,
}

/// What tells one version of the state file from another.
type FileStamp = (std::time::SystemTime, u64);

fn file_stamp(file: &std::path::Path) -> Option<FileStamp> {
    let meta = std::fs::metadata(file).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

impl std::fmt::Debug for SimulatedCloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatedCloud")
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl SimulatedCloud {
    /// An empty cloud kept in memory.
    pub fn new(behaviour: Behaviour, clock: Clock) -> Self {
        let (creates_seen, _) = watch::channel(0);
        Self {
            rng: Mutex::new(StdRng::seed_from_u64(behaviour.seed)),
            behaviour: Mutex::new(behaviour),
            clock,
            world: Mutex::new(World::default()),
            calls: Mutex::new(Calls::default()),
            creates_seen,
            file: None,
            known_stamp: Mutex::new(None),
        }
    }

    /// A cloud whose state lives in `file` (read now if it exists, written on each change).
    pub fn with_file(behaviour: Behaviour, clock: Clock, file: PathBuf) -> Result<Self, String> {
        let mut cloud = Self::new(behaviour, clock);
        if file.exists() {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let world: World = serde_json::from_str(&text)
                .map_err(|e| format!("{} is not a simulated cloud's state: {e}", file.display()))?;
            cloud.world = Mutex::new(world);
        }
        cloud.file = Some(file);
        Ok(cloud)
    }

    /// The world, under this process's lock and, when it lives in a file, the file's lock
    /// too, read afresh from the file: the nodes of one deployment share a simulated cloud
    /// as they would a real one, each seeing what the others did.
    fn world(&self) -> SharedWorld<'_> {
        let mut world = lock(&self.world);
        let file_lock = self.file.as_ref().and_then(|file| {
            let lock_file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(file.with_extension("json.lock"))
                .ok()?;
            // Held for a few microseconds by whichever process calls.
            lock_file.lock().ok()?;
            Some(lock_file)
        });
        // Read again only when another process saved since this one last read or wrote it.
        let stamp = self.file.as_ref().and_then(|file| file_stamp(file));
        let mut known = lock(&self.known_stamp);
        if stamp.is_some()
            && stamp != *known
            && let Some(read) = self
                .file
                .as_ref()
                .and_then(|file| std::fs::read_to_string(file).ok())
                .and_then(|text| serde_json::from_str::<World>(&text).ok())
        {
            *world = read;
            *known = stamp;
        }
        SharedWorld {
            world,
            _file_lock: file_lock,
        }
    }

    /// Notes a call in the file beside the state (`<state>.calls`: pid, what, when in ms),
    /// so a test can tell which process called the cloud when.
    fn log_call(&self, what: &str) {
        let Some(file) = &self.file else { return };
        let line = format!(
            "{} {what} {}\n",
            std::process::id(),
            Timestamp::now().as_millisecond()
        );
        let calls = file.with_extension("calls");
        // A long demo keeps the last megabyte or two of calls.
        if std::fs::metadata(&calls).is_ok_and(|m| m.len() > CALL_LOG_BYTES) {
            let _ = std::fs::rename(&calls, file.with_extension("calls.old"));
        }
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&calls)
            .and_then(|mut f| std::io::Write::write_all(&mut f, line.as_bytes()));
        if let Err(e) = written {
            tracing::warn!(file = %file.display(), error = %e, "cannot note the simulated call");
        }
    }

    /// Changes how it behaves from now on (tests start and end fault episodes).
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        *lock(&self.behaviour) = behaviour;
    }

    /// How it behaves now.
    pub fn behaviour(&self) -> Behaviour {
        lock(&self.behaviour).clone()
    }

    /// What it was asked so far.
    pub fn calls(&self) -> Calls {
        lock(&self.calls).clone()
    }

    /// Counts create calls as they arrive (before any latency): the reaction benchmark
    /// waits on it.
    pub fn creates_seen(&self) -> watch::Receiver<u64> {
        self.creates_seen.subscribe()
    }

    /// Every VM that exists, whoever owns it.
    pub fn vms(&self) -> Vec<CloudVm> {
        let world = self.world();
        let behaviour = self.behaviour();
        world
            .vms
            .iter()
            .map(|(id, vm)| self.view(id, vm, &behaviour))
            .collect()
    }

    /// Makes a VM behind pooladmin's back (an orphan from a lost database, say).
    pub fn plant(&self, name: &str, tags: BTreeMap<String, String>) -> String {
        let mut world = self.world();
        let id = self.make(&mut world, name, tags);
        self.save(&world);
        id
    }

    /// The startup script a VM was created with.
    pub fn startup_script(&self, cloud_id: &str) -> Option<String> {
        self.world()
            .vms
            .get(cloud_id)
            .map(|vm| vm.startup_script.clone())
    }

    /// DNS A records it holds.
    pub fn records(&self) -> BTreeMap<String, String> {
        self.world().records.clone()
    }

    fn view(&self, id: &str, vm: &SimVm, behaviour: &Behaviour) -> CloudVm {
        let boot = SignedDuration::try_from(behaviour.boot_delay).unwrap_or(SignedDuration::MAX);
        let running = vm.created_at.checked_add(boot).unwrap_or(Timestamp::MAX) <= self.clock.now();
        CloudVm {
            cloud_id: id.to_owned(),
            name: vm.name.clone(),
            tags: vm.tags.clone(),
            state: if running {
                VmState::Running
            } else {
                VmState::Pending
            },
            address: running.then(|| vm.address.clone()),
            public_address: running.then(|| vm.public_address.clone()).flatten(),
            created_at: Some(vm.created_at),
        }
    }

    fn make(&self, world: &mut World, name: &str, tags: BTreeMap<String, String>) -> String {
        world.next_id += 1;
        let n = world.next_id;
        let id = format!("sim-{n:06}");
        world.vms.insert(
            id.clone(),
            SimVm {
                name: name.to_owned(),
                tags,
                created_at: self.clock.now(),
                address: format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255),
                public_address: Some(format!("198.18.{}.{}", (n >> 8) & 255, n & 255)),
                startup_script: String::new(),
            },
        );
        lock(&self.calls).vms_made += 1;
        id
    }

    fn save(&self, world: &World) {
        let Some(file) = &self.file else { return };
        // Written beside and renamed, so a crash mid-write never leaves half a state.
        let partial = file.with_extension("json.partial");
        // A server's database keeps it in the data folder, which may not exist yet.
        let folder = file.parent().map_or(Ok(()), std::fs::create_dir_all);
        let written = folder
            .and_then(|()| serde_json::to_vec_pretty(world).map_err(std::io::Error::other))
            .and_then(|bytes| std::fs::write(&partial, bytes))
            .and_then(|()| std::fs::rename(&partial, file));
        *lock(&self.known_stamp) = file_stamp(file);
        if let Err(e) = written {
            tracing::warn!(file = %file.display(), error = %e, "cannot keep the simulated cloud's state");
        }
    }

    /// The request's way there; the cloud may refuse it as throttled.
    async fn api_call(&self) -> Result<(), CloudError> {
        let behaviour = self.behaviour();
        tokio::time::sleep(behaviour.api_latency / 2).await;
        if self.chance(behaviour.throttle_rate) {
            lock(&self.calls).throttled += 1;
            return Err(CloudError::new(
                ErrorClass::Throttled,
                "RequestLimitExceeded: request rate exceeded (simulated)",
            )
            .retry_after(Duration::from_secs(1)));
        }
        Ok(())
    }

    /// The answer's way back.
    async fn respond(&self) {
        tokio::time::sleep(self.behaviour().api_latency / 2).await;
    }

    fn chance(&self, rate: f64) -> bool {
        rate > 0.0 && lock(&self.rng).random_bool(rate.clamp(0.0, 1.0))
    }
}

/// The call log's size before it is set aside (`SimulatedCloud::log_call`).
const CALL_LOG_BYTES: u64 = 1 << 20;

/// The world while this process (and, for a file, every process) may not change it.
struct SharedWorld<'a> {
    world: std::sync::MutexGuard<'a, World>,
    _file_lock: Option<std::fs::File>,
}

impl std::ops::Deref for SharedWorld<'_> {
    type Target = World;
    fn deref(&self) -> &World {
        &self.world
    }
}

impl std::ops::DerefMut for SharedWorld<'_> {
    fn deref_mut(&mut self) -> &mut World {
        &mut self.world
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere never leaves these maps half-changed: each change is one insert.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[async_trait]
impl VmCloud for SimulatedCloud {
    async fn create(&self, request: &CreateRequest) -> Result<CloudVm, CloudError> {
        {
            let mut calls = lock(&self.calls);
            calls.creates += 1;
            self.creates_seen.send_replace(calls.creates);
        }
        self.api_call().await?;
        let behaviour = self.behaviour();
        let now = self.clock.now();
        let in_episode = behaviour
            .capacity_episode
            .is_some_and(|(from, to)| from <= now && now < to);
        if in_episode || self.chance(behaviour.capacity_error_rate) {
            return Err(CloudError::new(
                ErrorClass::Capacity,
                "InsufficientInstanceCapacity: no capacity for this size in this zone (simulated)",
            ));
        }
        let fails = self.chance(behaviour.failure_rate);
        if fails && self.chance(0.5) {
            return Err(CloudError::new(
                ErrorClass::Transient,
                "InternalError: the create failed (simulated)",
            ));
        }
        self.log_call("create");
        let view = {
            let mut world = self.world();
            let known = world
                .tokens
                .get(&request.token)
                .filter(|_| behaviour.honours_tokens);
            let id = match known {
                Some(id) => id.clone(),
                None => {
                    let id = self.make(&mut world, &request.name, request.tags.clone());
                    if let Some(vm) = world.vms.get_mut(&id) {
                        vm.startup_script = request.startup_script.clone();
                    }
                    world.tokens.insert(request.token.clone(), id.clone());
                    id
                }
            };
            self.save(&world);
            match world.vms.get(&id) {
                Some(vm) => self.view(&id, vm, &behaviour),
                None => {
                    return Err(CloudError::new(
                        ErrorClass::InvalidConfig,
                        "IdempotentParameterMismatch: this token's instance was terminated",
                    ));
                }
            }
        };
        if fails {
            // The VM exists but the answer is lost on its way back.
            return Err(CloudError::new(
                ErrorClass::Transient,
                "connection reset while reading the response (simulated)",
            ));
        }
        // A caller that dies while the answer travels back never learns the id.
        self.respond().await;
        Ok(view)
    }

    async fn list_owned(&self, owner: &str) -> Result<Vec<CloudVm>, CloudError> {
        self.log_call("list");
        self.api_call().await?;
        self.respond().await;
        let behaviour = self.behaviour();
        if behaviour.listing_fails {
            return Err(CloudError::new(
                ErrorClass::InvalidConfig,
                "the second page of the listing was refused",
            ));
        }
        if behaviour.lists_nothing {
            return Ok(Vec::new());
        }
        Ok(self
            .vms()
            .into_iter()
            .filter(|vm| vm.tags.get(tags::OWNER).map(String::as_str) == Some(owner))
            .collect())
    }

    async fn status(&self, cloud_id: &str) -> Result<CloudVm, CloudError> {
        self.api_call().await?;
        self.respond().await;
        self.log_call("status");
        let behaviour = self.behaviour();
        let world = self.world();
        world
            .vms
            .get(cloud_id)
            .map(|vm| self.view(cloud_id, vm, &behaviour))
            .ok_or_else(|| {
                CloudError::new(
                    ErrorClass::NotFound,
                    format!("InvalidInstanceID.NotFound: {cloud_id} does not exist (simulated)"),
                )
            })
    }

    async fn delete(&self, cloud_id: &str) -> Result<(), CloudError> {
        lock(&self.calls).deletes += 1;
        self.log_call("delete");
        self.api_call().await?;
        {
            let mut world = self.world();
            if world.vms.remove(cloud_id).is_some() {
                self.save(&world);
            }
        }
        self.respond().await;
        Ok(())
    }

    async fn test_connection(&self) -> Result<String, CloudError> {
        self.api_call().await?;
        self.respond().await;
        Ok("the simulated cloud answered".to_owned())
    }

    async fn check_in(&self, vm: &CloudVm, _port: u16) -> bool {
        vm.state == VmState::Running && !self.behaviour().never_check_in
    }
}

#[async_trait]
impl DnsCloud for SimulatedCloud {
    async fn upsert_a(&self, name: &str, address: &str) -> Result<(), CloudError> {
        self.log_call("dns-upsert");
        self.api_call().await?;
        let mut world = self.world();
        world.records.insert(name.to_owned(), address.to_owned());
        self.save(&world);
        Ok(())
    }

    async fn test_connection(&self) -> Result<String, CloudError> {
        self.api_call().await?;
        self.respond().await;
        Ok("the simulated cloud answered".to_owned())
    }

    async fn delete_a(&self, name: &str) -> Result<(), CloudError> {
        self.log_call("dns-delete");
        self.api_call().await?;
        let mut world = self.world();
        if world.records.remove(name).is_some() {
            self.save(&world);
        }
        Ok(())
    }
}

//! The replay itself: recorded session requests played against one AutoScale config on a
//! simulated cloud whose VMs take the config's observed boot time, on a paused clock that
//! steps every [`TICK`]. The real planner decides at each step, so the replay shows what
//! the scaler would have done. Pure and deterministic: same input, same outcome.

use crate::model::instance::{InstanceId, InstanceState};
use crate::model::placement::{self, place};
use crate::model::{
    AgentId, AutoScaleId, PoolId, PoolKind, Resources, ServerId, SessionHost, VmProviderId,
};
use crate::scaler::plan::{Action, plan};
use crate::scaler::snapshot::{
    ConfigSnapshot, MemberInstance, MemberSnapshot, PoolSnapshot, ProviderUse, Snapshot, Target,
};
use jiff::{SignedDuration, Timestamp};

/// The replay's clock step: a scaler pass, a placement try and a sample of the books.
pub const TICK: SignedDuration = SignedDuration::from_secs(20);
/// How long a user whose request found no room keeps trying before giving up.
pub const PATIENCE: SignedDuration = SignedDuration::from_mins(30);
/// How often the chart gets a point.
pub const SAMPLE_EVERY: SignedDuration = SignedDuration::from_mins(10);

/// What is replayed against: one pool and the values of one of its configs.
#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    /// Server or Docker Agent.
    pub kind: PoolKind,
    /// The config, with the values under test (target, timetable, backoff, boot lead).
    pub config: ConfigSnapshot,
    /// Its VM Provider config's Max instances.
    pub max_instances: u32,
    /// How long a new VM takes to serve (the config's observed boot time).
    pub boot_time: SignedDuration,
    /// The capacity of the pool's members that are not autoscaled (servers: slots in
    /// `cores`).
    pub fixed: Vec<Resources>,
    /// The autoscaled instances serving when the replay starts, each one's capacity: the
    /// replay may delete them as the scaler would.
    pub initial: Vec<Resources>,
}

/// One session request: when it came, how long it ran, what it asked for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Request {
    /// When it was asked for.
    pub at: Timestamp,
    /// How long it ran once placed.
    pub duration: SignedDuration,
    /// What it used (a server pool's take a slot).
    pub resources: Resources,
}

/// One point of the chart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// When.
    pub at: Timestamp,
    /// Capacity of the members serving (cores, or session slots), booting ones not yet.
    pub capacity: f64,
    /// Demand: what running sessions use plus what waiting requests ask (cores, or
    /// sessions).
    pub demand: f64,
    /// Autoscaled instances, booting or running.
    pub instances: u32,
}

/// What a replay found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    /// Session requests replayed.
    pub requests: u32,
    /// Requests that found no room when they came.
    pub no_room: u32,
    /// Of those, the ones that waited longer than [`PATIENCE`] and went away, or were
    /// still waiting at the end.
    pub gave_up: u32,
    /// Total wait of the requests that found no room and were then placed.
    pub waited: SignedDuration,
    /// The longest wait of a request that was placed.
    pub longest_wait: SignedDuration,
    /// Instance time, create call to delete.
    pub instance_time: SignedDuration,
    /// The most instances at once.
    pub peak_instances: u32,
    /// Instances created.
    pub creates: u32,
    /// Instances deleted.
    pub deletes: u32,
    /// The chart, every [`SAMPLE_EVERY`].
    pub series: Vec<Sample>,
}

impl Outcome {
    /// Instance-hours.
    pub fn instance_hours(&self) -> f64 {
        self.instance_time.as_secs_f64() / 3600.0
    }

    /// Mean wait of the requests that found no room and were then placed.
    pub fn mean_wait(&self) -> SignedDuration {
        let placed_late = self.no_room.saturating_sub(self.gave_up);
        if placed_late == 0 {
            return SignedDuration::ZERO;
        }
        self.waited / i32::try_from(placed_late).unwrap_or(i32::MAX)
    }
}

struct Member {
    instance: Option<InstanceState>,
    id: InstanceId,
    capacity: Resources,
    used: Resources,
    sessions: u32,
    ever_used: bool,
    created_at: Timestamp,
    ready_at: Timestamp,
}

impl Member {
    fn serving(&self) -> bool {
        self.instance.is_none_or(|s| s == InstanceState::Running)
    }

    fn as_candidate(&self, kind: PoolKind, takes_sessions: bool) -> placement::Member {
        placement::Member {
            host: host_of(kind, self.id),
            name: String::new(),
            enabled: takes_sessions,
            draining: false,
            missing: false,
            sessions: self.sessions,
            capacity: match kind {
                PoolKind::Server => placement::MemberCapacity::Slots {
                    max_sessions: self.capacity.cores as u32,
                },
                PoolKind::DockerAgent => placement::MemberCapacity::Compute {
                    capacity: self.capacity,
                    used: self.used,
                },
            },
            created_at: self.created_at,
        }
    }
}

struct Running {
    member: InstanceId,
    ends_at: Timestamp,
    resources: Resources,
}

struct Waiting {
    request: Request,
    tried: bool,
}

/// The pool's id inside the replay (it is alone there).
const POOL: PoolId = PoolId(1);
const PROVIDER: VmProviderId = VmProviderId(1);

/// Replays `requests` (oldest first) from `from` to `to` against `setup`.
pub fn replay(setup: &Setup, requests: &[Request], from: Timestamp, to: Timestamp) -> Outcome {
    Replay::new(setup, from).run(requests, from, to)
}

struct Replay<'a> {
    setup: &'a Setup,
    config: ConfigSnapshot,
    members: Vec<Member>,
    running: Vec<Running>,
    waiting: Vec<Waiting>,
    surplus_since: Option<Timestamp>,
    next_id: i64,
    outcome: Outcome,
}

impl<'a> Replay<'a> {
    fn new(setup: &'a Setup, from: Timestamp) -> Self {
        let mut config = setup.config.clone();
        // The replay is about the values, not about today's health of the real config (a
        // disabled one stands for the pool without it).
        config.health = Default::default();
        config.id = AutoScaleId(1);
        config.vm_provider = PROVIDER;
        let fixed = setup.fixed.iter().enumerate().map(|(i, capacity)| Member {
            instance: None,
            id: InstanceId(-(i as i64) - 1),
            capacity: *capacity,
            used: Resources::default(),
            sessions: 0,
            ever_used: false,
            created_at: Timestamp::UNIX_EPOCH,
            ready_at: Timestamp::UNIX_EPOCH,
        });
        let initial = setup.initial.iter().zip(1..).map(|(capacity, id)| Member {
            instance: Some(InstanceState::Running),
            id: InstanceId(id),
            capacity: *capacity,
            used: Resources::default(),
            sessions: 0,
            ever_used: false,
            created_at: from,
            ready_at: from,
        });
        let members: Vec<Member> = fixed.chain(initial).collect();
        let next_id = setup.initial.len() as i64 + 1;
        Self {
            setup,
            config,
            members,
            running: Vec::new(),
            waiting: Vec::new(),
            surplus_since: None,
            next_id,
            outcome: Outcome::default(),
        }
    }

    fn run(mut self, requests: &[Request], from: Timestamp, to: Timestamp) -> Outcome {
        let mut next_request = 0;
        let mut next_sample = from;
        let mut now = from;
        while now < to {
            self.boot(now);
            self.end_sessions(now);
            while let Some(r) = requests.get(next_request).filter(|r| r.at <= now) {
                next_request += 1;
                if r.at < from {
                    continue;
                }
                self.outcome.requests += 1;
                self.waiting.push(Waiting {
                    request: *r,
                    tried: false,
                });
            }
            self.place(now);
            self.scale(now);
            let instances = self.members.iter().filter(|m| m.instance.is_some()).count() as u32;
            self.outcome.peak_instances = self.outcome.peak_instances.max(instances);
            self.outcome.instance_time += TICK * i32::try_from(instances).unwrap_or(i32::MAX);
            if now >= next_sample {
                self.sample(now, instances);
                next_sample = now + SAMPLE_EVERY;
            }
            now += TICK;
        }
        let still_waiting = self.waiting.iter().filter(|w| w.tried).count() as u32;
        self.outcome.gave_up += still_waiting;
        self.outcome
    }

    fn boot(&mut self, now: Timestamp) {
        for m in &mut self.members {
            if m.instance == Some(InstanceState::Booting) && m.ready_at <= now {
                m.instance = Some(InstanceState::Running);
            }
        }
    }

    fn end_sessions(&mut self, now: Timestamp) {
        let kind = self.setup.kind;
        let members = &mut self.members;
        self.running.retain(|s| {
            if s.ends_at > now {
                return true;
            }
            if let Some(m) = members.iter_mut().find(|m| m.id == s.member) {
                m.sessions -= 1;
                m.used = if m.sessions == 0 {
                    Resources::default()
                } else {
                    m.used.minus(&use_of(kind, &s.resources))
                };
            }
            false
        });
    }

    /// Places waiting requests, oldest first, by the pool's own placement rule (fewest
    /// sessions, then most room, then oldest).
    fn place(&mut self, now: Timestamp) {
        let kind = self.setup.kind;
        let mut still = Vec::new();
        for mut w in std::mem::take(&mut self.waiting) {
            let candidates: Vec<placement::Member> = self
                .members
                .iter()
                .filter(|m| m.serving())
                .map(|m| m.as_candidate(kind, takes_another(&self.config, m)))
                .collect();
            let chosen = place("replay", kind, &w.request.resources, &candidates)
                .ok()
                .and_then(|host| {
                    self.members
                        .iter_mut()
                        .find(|m| host_of(kind, m.id) == host)
                });
            match chosen {
                Some(m) => {
                    let need = use_of(kind, &w.request.resources);
                    m.sessions += 1;
                    m.used = m.used.plus(&need);
                    m.ever_used = true;
                    if w.tried {
                        let waited = now.duration_since(w.request.at);
                        self.outcome.waited += waited;
                        self.outcome.longest_wait = self.outcome.longest_wait.max(waited);
                    }
                    self.running.push(Running {
                        member: m.id,
                        ends_at: now + w.request.duration,
                        resources: w.request.resources,
                    });
                }
                None => {
                    if !w.tried {
                        w.tried = true;
                        self.outcome.no_room += 1;
                    }
                    if now.duration_since(w.request.at) > PATIENCE {
                        self.outcome.gave_up += 1;
                    } else {
                        still.push(w);
                    }
                }
            }
        }
        self.waiting = still;
    }

    fn scale(&mut self, now: Timestamp) {
        let snapshot = self.snapshot();
        let decided = plan(&snapshot, now);
        for (_, since) in &decided.clocks {
            self.surplus_since = *since;
        }
        for action in decided.actions {
            match action {
                Action::Create { count, size, .. } => {
                    let capacity = size.as_resources();
                    for _ in 0..count {
                        self.members.push(Member {
                            instance: Some(InstanceState::Booting),
                            id: InstanceId(self.next_id),
                            capacity,
                            used: Resources::default(),
                            sessions: 0,
                            ever_used: false,
                            created_at: now,
                            ready_at: now + self.setup.boot_time,
                        });
                        self.next_id += 1;
                        self.outcome.creates += 1;
                    }
                }
                Action::Delete { instance, .. } => {
                    let before = self.members.len();
                    self.members
                        .retain(|m| !(m.id == instance && m.sessions == 0));
                    if self.members.len() < before {
                        self.outcome.deletes += 1;
                    }
                }
            }
        }
    }

    fn snapshot(&self) -> Snapshot {
        let members = self
            .members
            .iter()
            .map(|m| MemberSnapshot {
                instance: m.instance.map(|state| MemberInstance {
                    id: m.id,
                    config: self.config.id,
                    state,
                    used: m.ever_used,
                }),
                enabled: true,
                draining: false,
                capacity: m.capacity,
                used: m.used,
                sessions: m.sessions,
                created_at: m.created_at,
            })
            .collect();
        let live = self.members.iter().filter(|m| m.instance.is_some()).count() as u32;
        let mut snapshot = Snapshot::default();
        snapshot.providers.insert(
            PROVIDER,
            ProviderUse {
                name: "replay".to_owned(),
                max_instances: self.setup.max_instances,
                live,
                budget: None,
            },
        );
        snapshot.pools.push(PoolSnapshot {
            id: POOL,
            name: "replay".to_owned(),
            kind: self.setup.kind,
            configs: vec![self.config.clone()],
            members,
            staging_lack: Default::default(),
            surplus_since: self.surplus_since,
        });
        snapshot
    }

    fn sample(&mut self, now: Timestamp, instances: u32) {
        let kind = self.setup.kind;
        let serving = self.members.iter().filter(|m| m.serving());
        let capacity: f64 = serving.map(|m| m.capacity.cores).sum();
        let used: f64 = self.members.iter().map(|m| m.used.cores).sum();
        let asked: f64 = self
            .waiting
            .iter()
            .map(|w| use_of(kind, &w.request.resources).cores)
            .sum();
        self.outcome.series.push(Sample {
            at: now,
            capacity,
            demand: used + asked,
            instances,
        });
    }
}

/// What a session takes of a member: its resources on an agent, one slot on a server.
fn use_of(kind: PoolKind, resources: &Resources) -> Resources {
    match kind {
        PoolKind::DockerAgent => *resources,
        PoolKind::Server => Resources::new(1.0, 0, 0),
    }
}

/// A server that is not Reusable serves one session in its life.
fn takes_another(config: &ConfigSnapshot, member: &Member) -> bool {
    let reusable = !matches!(
        config.target,
        Target::Servers {
            reusable: false,
            ..
        }
    );
    reusable || member.instance.is_none() || !member.ever_used
}

/// The replay's member as the placement rule sees it (instance ids stand for member ids).
fn host_of(kind: PoolKind, id: InstanceId) -> SessionHost {
    match kind {
        PoolKind::DockerAgent => SessionHost::Agent(AgentId(id.0)),
        PoolKind::Server => SessionHost::Server(ServerId(id.0)),
    }
}

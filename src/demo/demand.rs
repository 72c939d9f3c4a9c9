//! The demo's users: sessions arrive and end in every autoscaled pool, with a morning peak
//! in a compressed working day, so a first-time user sees the pools grow and shrink.

use super::fleet::ApiUrl;
use crate::api::client::ApiClient;
use crate::api::types::SessionStartRequest;
use crate::model::autoscale::ScalingValues;
use crate::model::{PoolId, Resources, Secret, SessionId, SessionRequest};
use crate::store::{Store, StoreError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How the demo's day goes.
#[derive(Clone, Debug, PartialEq)]
pub struct DemandSettings {
    /// A whole working day, compressed (08:00 to 18:00).
    pub day: Duration,
    /// How long a session lasts on average.
    pub mean_session: Duration,
    /// Arrivals per minute and pool outside the peak.
    pub quiet_per_minute: f64,
    /// Arrivals per minute and pool at the height of the morning peak.
    pub peak_per_minute: f64,
}

impl Default for DemandSettings {
    fn default() -> Self {
        Self {
            day: Duration::from_secs(12 * 60),
            mean_session: Duration::from_secs(180),
            quiet_per_minute: 1.0,
            peak_per_minute: 8.0,
        }
    }
}

impl DemandSettings {
    /// Arrivals per minute and pool at `phase` of the day (0 = 08:00, 1 = 18:00): quiet,
    /// with a peak around 09:30 and a smaller one after lunch.
    pub fn rate(&self, phase: f64) -> f64 {
        let bump = |centre: f64, width: f64| (-((phase - centre) / width).powi(2)).exp();
        let peak = bump(0.15, 0.08) + 0.4 * bump(0.6, 0.08);
        self.quiet_per_minute + (self.peak_per_minute - self.quiet_per_minute) * peak
    }
}

/// What one of the demo's sessions asks for in a pool of this config: a GPU desktop where
/// the agents have GPUs, a small one elsewhere; a server pool's sessions ask for a slot.
pub fn session_size(scaling: &ScalingValues) -> Resources {
    match scaling {
        ScalingValues::Agents { per_agent, .. } if per_agent.gpus > 0 => {
            Resources::new(4.0, 16_384, 1)
        }
        ScalingValues::Agents { .. } => Resources::new(2.0, 2_048, 0),
        ScalingValues::Servers { .. } => Resources::default(),
    }
}

/// What each pool's sessions ask for; a config that does not parse brings no users.
fn session_sizes(store: &Store) -> Result<HashMap<PoolId, Resources>, StoreError> {
    let mut sizes = HashMap::new();
    for config in store.autoscale_configs()? {
        if let Ok(values) = config.spec.values() {
            sizes.insert(config.spec.pool, session_size(&values.scaling));
        }
    }
    Ok(sizes)
}

/// The demo's users at work.
pub struct Demand {
    store: Store,
    settings: DemandSettings,
    rng: StdRng,
    started: Instant,
    /// Sessions it started and when each ends.
    live: Vec<(SessionId, Instant)>,
    users: u64,
    /// When set, sessions go through the HTTP API, as a portal's would.
    portal: Option<Portal>,
}

/// The demo's users as a portal: the API's URL (once it listens) and a key.
struct Portal {
    url: ApiUrl,
    key: Secret,
    client: Option<ApiClient>,
    runtime: tokio::runtime::Runtime,
}

/// How one arrival fared.
enum Arrival {
    Placed(SessionId),
    NoRoom,
}

/// What one tick did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tick {
    /// Sessions started.
    pub started: u32,
    /// Sessions ended.
    pub ended: u32,
    /// Arrivals that found no room (the scaler is woken for them).
    pub turned_away: u32,
}

impl Demand {
    /// Users working on `store` (a connection of their own).
    pub fn new(store: Store, settings: DemandSettings, seed: u64) -> Self {
        Self {
            store,
            settings,
            rng: StdRng::seed_from_u64(seed),
            started: Instant::now(),
            live: Vec::new(),
            users: 0,
            portal: None,
        }
    }

    /// The same users, starting and ending their sessions through the HTTP API at `url`
    /// with the portal key `key`; until the API listens, they wait.
    pub fn through_api(mut self, url: ApiUrl, key: Secret) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        self.portal = Some(Portal {
            url,
            key,
            client: None,
            runtime,
        });
        Ok(self)
    }

    fn arrive(&mut self, pool: &str, request: &SessionRequest) -> Result<Arrival, StoreError> {
        let Some(portal) = &mut self.portal else {
            return match self.store.start_session(request) {
                Ok(placed) => Ok(Arrival::Placed(placed.id)),
                Err(StoreError::NoCapacity(_)) => Ok(Arrival::NoRoom),
                Err(e) => Err(e),
            };
        };
        let Some(client) = portal.client() else {
            return Ok(Arrival::NoRoom);
        };
        let body = SessionStartRequest {
            user: request.user_label.clone(),
            cores: Some(request.resources.cores).filter(|c| *c > 0.0),
            memory_mb: Some(request.resources.memory_mb).filter(|m| *m > 0),
            gpus: Some(request.resources.gpus),
            credential: Some("demo-password".to_owned()),
        };
        match portal.runtime.block_on(client.start_session(pool, &body)) {
            Ok(answer) => answer
                .session_id
                .parse()
                .map(|id| Arrival::Placed(SessionId(id)))
                .map_err(|_| {
                    StoreError::Refused(format!(
                        "the API answered a session id {}",
                        answer.session_id
                    ))
                }),
            Err(e) if e.status == Some(503) => Ok(Arrival::NoRoom),
            Err(e) => Err(StoreError::Refused(format!(
                "the API refused a demo session: {e}"
            ))),
        }
    }

    fn leave(&mut self, id: SessionId) -> Result<(), StoreError> {
        let Some(portal) = &mut self.portal else {
            // A session whose member was lost is already gone.
            return match self.store.end_session(id) {
                Ok(()) | Err(StoreError::NotFound { .. }) => Ok(()),
                Err(e) => Err(e),
            };
        };
        let Some(client) = portal.client() else {
            return Ok(());
        };
        portal
            .runtime
            .block_on(client.end_session(&id.0.to_string()))
            .map_err(|e| StoreError::Refused(format!("the API did not end a demo session: {e}")))
    }

    /// One step of `dt`: sessions that are due end, new ones arrive.
    pub fn tick(&mut self, dt: Duration) -> Result<Tick, StoreError> {
        let now = Instant::now();
        let mut tick = Tick::default();
        let (due, staying): (Vec<_>, Vec<_>) =
            self.live.drain(..).partition(|(_, end)| *end <= now);
        self.live = staying;
        for (id, _) in due {
            self.leave(id)?;
            tick.ended += 1;
        }
        let day = self.settings.day.as_secs_f64().max(1.0);
        let phase = (self.started.elapsed().as_secs_f64() % day) / day;
        let expected = self.settings.rate(phase) / 60.0 * dt.as_secs_f64();
        let names: HashMap<PoolId, String> = self
            .store
            .pools()?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        for (pool, resources) in session_sizes(&self.store)? {
            let name = names.get(&pool).cloned().unwrap_or_default();
            for _ in 0..poisson(&mut self.rng, expected) {
                self.users += 1;
                let request = SessionRequest {
                    pool,
                    user_label: format!("demo-user-{}", self.users),
                    resources,
                    staged: false,
                };
                match self.arrive(&name, &request)? {
                    Arrival::Placed(id) => {
                        let mean = self.settings.mean_session.as_secs_f64();
                        let length = -mean * (1.0 - self.rng.random::<f64>()).ln();
                        self.live.push((id, now + Duration::from_secs_f64(length)));
                        tick.started += 1;
                    }
                    Arrival::NoRoom => tick.turned_away += 1,
                }
            }
        }
        Ok(tick)
    }
}

impl Portal {
    /// The client (a cheap handle), once the API listens.
    fn client(&mut self) -> Option<ApiClient> {
        if self.client.is_none() {
            let url = (self.url)()?;
            self.client = ApiClient::new(&url, self.key.clone(), None).ok();
        }
        self.client.clone()
    }
}

/// A Poisson draw with mean `mean` (Knuth's method; the means here are small).
fn poisson(rng: &mut StdRng, mean: f64) -> u32 {
    let limit = (-mean).exp();
    let mut product = rng.random::<f64>();
    let mut count = 0;
    while product > limit && count < 1_000 {
        product *= rng.random::<f64>();
        count += 1;
    }
    count
}

/// Runs the users on a thread of their own, a tick a second, calling `wake` after every
/// tick that changed something, until `stop` is set.
pub fn spawn(
    mut demand: Demand,
    wake: impl Fn() + Send + 'static,
    stop: Arc<AtomicBool>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("pooladmin-demo-users".into())
        .spawn(move || {
            let step = Duration::from_secs(1);
            while !stop.load(Ordering::Relaxed) {
                match demand.tick(step) {
                    Ok(tick) if tick != Tick::default() => wake(),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "the demo's users could not work"),
                }
                // The demo's users are a thread of their own, a tick a second.
                #[allow(clippy::disallowed_methods)]
                std::thread::sleep(step);
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_morning_is_busier_than_the_evening() {
        let settings = DemandSettings::default();
        assert!(settings.rate(0.15) > 4.0 * settings.rate(0.95));
        assert!(settings.rate(0.6) > settings.rate(0.4));
    }

    #[test]
    fn poisson_draws_average_their_mean() {
        let mut rng = StdRng::seed_from_u64(3);
        let total: u32 = (0..10_000).map(|_| poisson(&mut rng, 0.5)).sum();
        assert!((4_500..5_500).contains(&total), "{total}");
    }
}

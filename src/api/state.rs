//! What every request handler shares: the API's own database connection (used off the
//! async threads), the scaler's wake-up, the rate limiter, the request counters and the
//! scaler's gauges.

use super::auth_failures::AuthFailures;
use super::connection_counts::ConnectionCounts;
use super::error::ApiError;
use super::listener::Peer;
use super::rate_limit::RateLimiter;
use super::request_counts::RequestCounts;
use super::store_connections::StoreConnections;
use crate::scaler::gauges::ScalerGauges;
use crate::store::{HostToken, PortalKey, Store, TokenOwner};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use jiff::Timestamp;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Wakes the scaler (a session could not be placed, a host checked in).
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// Shared by every handler.
pub struct ApiState {
    connections_to_store: StoreConnections,
    wake: Wake,
    limiter: RateLimiter,
    /// Requests by route and status.
    pub counts: RequestCounts,
    /// What the scaler measured.
    pub gauges: Arc<ScalerGauges>,
    /// Open, refused and timed-out connections.
    pub connections: ConnectionCounts,
    /// Failed authentications by client address.
    auth_failures: AuthFailures,
    /// Heartbeats answered but not yet written (the latest per host), written together
    /// every second by [`ApiState::flush_heartbeats`].
    beats: Mutex<HashMap<TokenOwner, (Timestamp, Option<f64>)>>,
}

impl ApiState {
    /// The state of an API serving `store`, each portal key allowed `rate_limit` requests
    /// a second.
    pub fn new(store: Store, rate_limit: u32, wake: Wake, gauges: Arc<ScalerGauges>) -> Self {
        Self {
            connections_to_store: StoreConnections::new(store),
            wake,
            limiter: RateLimiter::new(rate_limit),
            counts: RequestCounts::default(),
            gauges,
            connections: ConnectionCounts::default(),
            auth_failures: AuthFailures::default(),
            beats: Mutex::new(HashMap::new()),
        }
    }

    /// Notes a heartbeat to be written with the next flush.
    pub fn queue_heartbeat(&self, owner: TokenOwner, at: Timestamp, load: Option<f64>) {
        let mut beats = self.beats.lock().unwrap_or_else(|e| e.into_inner());
        beats.insert(owner, (at, load));
    }

    /// Writes the queued heartbeats in one transaction.
    pub async fn flush_heartbeats(self: &Arc<Self>) {
        let batch: Vec<_> = {
            let mut beats = self.beats.lock().unwrap_or_else(|e| e.into_inner());
            beats
                .drain()
                .map(|(owner, (at, load))| (owner, at, load))
                .collect()
        };
        if batch.is_empty() {
            return;
        }
        let written = self
            .with_store(move |store| Ok(store.record_heartbeats(&batch)?))
            .await;
        if let Err(e) = written {
            tracing::warn!(error = %e, "heartbeats could not be written; the next ones will be");
        }
    }

    /// Tells the scaler to plan now.
    pub fn wake(&self) {
        (self.wake)();
    }

    /// Runs `work` on one of the API's database connections, off the async threads (the
    /// store's calls block).
    pub async fn with_store<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let turn = self.connections_to_store.turn().await;
        let state = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut lent = state.connections_to_store.lend(turn).map_err(|e| {
                tracing::error!(error = %e, "the API could not open a database connection");
                ApiError::Internal("the database cannot be reached; try again".to_owned())
            })?;
            let answer = work(lent.store());
            state.connections_to_store.give_back(lent);
            answer
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "an API request's database work ended without an answer");
            ApiError::Internal("the request failed; try again".to_owned())
        })?
    }

    /// The portal key `caller` presents, checked before anything of its request is read:
    /// refused (401), over its rate (429), or from an address that keeps failing (429).
    pub async fn portal(self: &Arc<Self>, caller: &Caller) -> Result<PortalKey, ApiError> {
        let presented = self.presented(caller)?;
        let key = self
            .with_store(move |store| Ok(store.authenticate_api_key(&presented, Timestamp::now())?))
            .await?;
        let key = self.known(caller, key)?;
        let nodes = self.gauges.api_nodes();
        self.limiter
            .take(key.id, Instant::now(), nodes)
            .map_err(ApiError::TooManyRequests)?;
        Ok(key)
    }

    /// Whom the agent token `caller` presents speaks for, checked before anything of its
    /// request is read: refused (401), or from an address that keeps failing (429).
    pub async fn host(self: &Arc<Self>, caller: &Caller) -> Result<HostToken, ApiError> {
        let presented = self.presented(caller)?;
        let token = self
            .with_store(move |store| Ok(store.host_token(&presented, Timestamp::now())?))
            .await?;
        self.known(caller, token)
    }

    /// Runs `work` for the portal key `caller` presents.
    pub async fn as_portal<T: Send + 'static>(
        self: &Arc<Self>,
        caller: &Caller,
        work: impl FnOnce(&mut Store, PortalKey) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let key = self.portal(caller).await?;
        self.with_store(move |store| work(store, key)).await
    }

    /// The credential `caller` presents. Presenting none is a client not set up, not a
    /// guess: it is answered 401 and costs no failure budget.
    fn presented(&self, caller: &Caller) -> Result<String, ApiError> {
        caller.credential.clone().ok_or(ApiError::Unauthorized)
    }

    /// What a credential was found to be, a miss counted against the caller's address.
    fn known<T>(&self, caller: &Caller, found: Option<T>) -> Result<T, ApiError> {
        found.ok_or_else(|| self.refused(caller))
    }

    /// A failed authentication: 401, or 429 with the wait once its address has failed too
    /// often. A good credential is still served from that address: good clients behind the
    /// same address as a bad one are never slowed.
    fn refused(&self, caller: &Caller) -> ApiError {
        let now = Instant::now();
        let budget = self.auth_failures.check(caller.address, now);
        self.auth_failures.failed(caller.address, now);
        match budget {
            Ok(()) => ApiError::Unauthorized,
            Err(after) => ApiError::TooManyRequests(after),
        }
    }
}

/// Who sent a request: the client's address and the bearer credential it presents.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The client's address.
    pub address: IpAddr,
    /// Its bearer credential, if it sent one.
    pub credential: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let address = parts
            .extensions
            .get::<ConnectInfo<Peer>>()
            .map(|ConnectInfo(Peer(peer))| peer.ip())
            .ok_or_else(|| {
                ApiError::Internal("the request came without its connection".to_owned())
            })?;
        Ok(Self {
            address,
            credential: bearer(&parts.headers),
        })
    }
}

/// The bearer credential of a request, if it has one.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, credential) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| credential.trim().to_owned())
        .filter(|c| !c.is_empty())
}

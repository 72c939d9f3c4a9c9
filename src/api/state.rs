//! What every request handler shares: the API's own database connection (used off the
//! async threads), the scaler's wake-up, the rate limiter, the request counters and the
//! scaler's gauges.

use super::error::ApiError;
use super::rate_limit::RateLimiter;
use super::request_counts::RequestCounts;
use crate::scaler::gauges::ScalerGauges;
use crate::store::{Store, TokenOwner};
use axum::http::{HeaderMap, header};
use jiff::Timestamp;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Wakes the scaler (a session could not be placed, a host checked in).
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// Shared by every handler.
pub struct ApiState {
    store: Mutex<Store>,
    wake: Wake,
    limiter: RateLimiter,
    /// Requests by route and status.
    pub counts: RequestCounts,
    /// What the scaler measured.
    pub gauges: Arc<ScalerGauges>,
    /// Heartbeats answered but not yet written (the latest per host), written together
    /// every second by [`ApiState::flush_heartbeats`].
    beats: Mutex<HashMap<TokenOwner, (Timestamp, Option<f64>)>>,
}

impl ApiState {
    /// The state of an API serving `store`, each portal key allowed `rate_limit` requests
    /// a second.
    pub fn new(store: Store, rate_limit: u32, wake: Wake, gauges: Arc<ScalerGauges>) -> Self {
        Self {
            store: Mutex::new(store),
            wake,
            limiter: RateLimiter::new(rate_limit),
            counts: RequestCounts::default(),
            gauges,
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
            tracing::warn!(error = ?e, "heartbeats could not be written; the next ones will be");
        }
    }

    /// Tells the scaler to plan now.
    pub fn wake(&self) {
        (self.wake)();
    }

    /// Runs `work` on the database off the async threads (SQLite blocks).
    pub async fn with_store<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let state = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut store = state.store.lock().unwrap_or_else(|e| e.into_inner());
            work(&mut store)
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "an API request's database work ended without an answer");
            ApiError::Internal("the request failed; try again".to_owned())
        })?
    }

    /// Runs `work` for the portal key the request carries (refused: 401, over its rate: 429).
    pub async fn as_portal<T: Send + 'static>(
        self: &Arc<Self>,
        headers: &HeaderMap,
        work: impl FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let presented = bearer(headers).ok_or(ApiError::Unauthorized)?;
        let state = Arc::clone(self);
        self.with_store(move |store| {
            let key = store
                .authenticate_api_key(&presented, Timestamp::now())?
                .ok_or(ApiError::Unauthorized)?;
            state
                .limiter
                .take(key, Instant::now())
                .map_err(ApiError::TooManyRequests)?;
            work(store)
        })
        .await
    }

    /// Runs `work` for the host whose agent token the request carries (refused: 401).
    pub async fn as_host<T: Send + 'static>(
        self: &Arc<Self>,
        headers: &HeaderMap,
        work: impl FnOnce(&mut Store, TokenOwner) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let presented = bearer(headers).ok_or(ApiError::Unauthorized)?;
        self.with_store(move |store| {
            let owner = store
                .token_owner(&presented)?
                .ok_or(ApiError::Unauthorized)?;
            work(store, owner)
        })
        .await
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

//! The routes, the 64 KiB body limit, the request counter and the JSON 404 for anything else.

use super::error::ApiError;
use super::metrics::count_requests;
use super::state::ApiState;
use super::{hosts, metrics, pools, sessions};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{delete, get, post};
use std::sync::Arc;

/// Largest request body accepted; larger ones are answered 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Every route of the API over `state`.
pub fn router(state: Arc<ApiState>) -> Router {
    Router::new()
        .route("/v1/checkin", post(hosts::checkin))
        .route("/v1/heartbeat", post(hosts::heartbeat))
        .route("/v1/pools", get(pools::list))
        .route("/v1/pools/{pool}", get(pools::one))
        .route("/v1/pools/{pool}/sessions", post(sessions::start))
        .route("/v1/sessions/{id}", delete(sessions::end))
        .route("/metrics", get(metrics::metrics))
        .route("/healthz", get(pools::healthz))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            count_requests,
        ))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such route; see the OpenAPI document (pooladmin api-schema)".to_owned())
}

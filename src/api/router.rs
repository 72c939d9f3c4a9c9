//! The routes, the request counter and the JSON 404 for anything else. Bodies are read by
//! the handlers once the caller is known ([`super::body::read_body`]).

use super::error::ApiError;
use super::metrics::count_requests;
use super::state::ApiState;
use super::{hosts, metrics, pools, sessions};
use axum::Router;
use axum::http::header;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use std::sync::Arc;

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
        .route("/openapi.json", get(openapi_document))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            count_requests,
        ))
        .with_state(state)
}

/// The API's own OpenAPI document, for clients and testers that read it from the server.
async fn openapi_document() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        super::openapi_json(),
    )
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such route; see the OpenAPI document (pooladmin api-schema)".to_owned())
}

//! `POST /v1/checkin` and `POST /v1/heartbeat`: what hosts' agents report.

use super::body::{parse_json, read_body};
use super::error::ApiError;
use super::state::{ApiState, Caller};
use super::types::{CheckinRequest, ErrorBody, HeartbeatRequest, ReportResponse};
use crate::model::host_report::{Heartbeat, HostReport};
use crate::model::{Resources, SessionId};
use crate::store::{ReportReceipt, StoreError};
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use jiff::Timestamp;
use std::sync::Arc;

/// How often agents are asked to send heartbeats.
pub const HEARTBEAT_INTERVAL_S: u64 = 10;
/// A session younger than this is not ended for missing from a heartbeat: the host may
/// not have started it yet.
pub const SESSION_REPORT_GRACE_S: i64 = 60;

fn response(receipt: ReportReceipt) -> Json<ReportResponse> {
    Json(ReportResponse {
        name: receipt.name,
        state: receipt.state,
        heartbeat_interval_s: HEARTBEAT_INTERVAL_S,
        ended_sessions: receipt.ended.iter().map(|s| s.0.to_string()).collect(),
        token: receipt.token.map(|t| t.expose().to_owned()),
    })
}

/// A host checks in with its agent token.
#[utoipa::path(
    post,
    path = "/v1/checkin",
    tag = "hosts",
    request_body = CheckinRequest,
    security(("agent_token" = [])),
    responses(
        (status = 200, description = "Reported capacity and Last report written; a booting instance becomes running on the scaler's next pass. A bootstrap token (an instance's `{checkin_token}`) is exchanged for the member's working token, returned once in `token`: use it from then on; the bootstrap token is dead", body = ReportResponse),
        (status = 400, description = "A field is malformed", body = ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 408, description = "The body did not arrive within 30 s", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 429, description = "Too many failed authentications from this address; see Retry-After", body = ErrorBody),
    )
)]
pub async fn checkin(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
    body: Body,
) -> Result<Json<ReportResponse>, ApiError> {
    // The caller is known before its body is read.
    let token = state.host(&caller).await?;
    let body = read_body(body).await?;
    let receipt = state
        .with_store(move |store| {
            let report = checkin_report(&body)?;
            match store.check_in(token, &report, Timestamp::now()) {
                // Its bootstrap token was exchanged by another check-in meanwhile.
                Err(StoreError::NotFound {
                    what: "bootstrap token",
                    ..
                }) => Err(ApiError::Unauthorized),
                other => Ok(other?),
            }
        })
        .await?;
    if receipt.state != "running" {
        state.wake();
    }
    Ok(response(receipt))
}

/// A host's heartbeat: the sessions it runs.
#[utoipa::path(
    post,
    path = "/v1/heartbeat",
    tag = "hosts",
    request_body = HeartbeatRequest,
    security(("agent_token" = [])),
    responses(
        (status = 200, description = "Last report written; sessions the host no longer runs ended", body = ReportResponse),
        (status = 400, description = "A field is malformed", body = ErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token, or a bootstrap token (it only checks in)", body = ErrorBody),
        (status = 408, description = "The body did not arrive within 30 s", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 429, description = "Too many failed authentications from this address; see Retry-After", body = ErrorBody),
    )
)]
pub async fn heartbeat(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
    body: Body,
) -> Result<Json<ReportResponse>, ApiError> {
    // The caller is known before its body is read; a bootstrap token only checks in.
    let token = state.host(&caller).await?;
    if token.bootstrap {
        return Err(ApiError::Unauthorized);
    }
    let owner = token.owner;
    let body = read_body(body).await?;
    let queue = Arc::clone(&state);
    let receipt = state
        .with_store(move |store| {
            let heartbeat = heartbeat_of(&body)?;
            if heartbeat.sessions.is_some() {
                // Sessions to check: one transaction, now.
                Ok(store.heartbeat(owner, &heartbeat, SESSION_REPORT_GRACE_S, Timestamp::now())?)
            } else {
                // Only Last report and load: answered now, written with the next second's
                // batch.
                let receipt = store.report_target(owner)?;
                queue.queue_heartbeat(owner, Timestamp::now(), heartbeat.load);
                Ok(receipt)
            }
        })
        .await?;
    if !receipt.ended.is_empty() {
        state.wake();
    }
    Ok(response(receipt))
}

/// A check-in body, checked.
fn checkin_report(body: &Bytes) -> Result<HostReport, ApiError> {
    let request: CheckinRequest = parse_json(body)?;
    let report = HostReport {
        hostname: request.hostname,
        address: request.address,
        resources: Resources::new(request.cores, request.memory_mb, request.gpus),
        version: request.version,
    };
    report.validate().map_err(|e| ApiError::invalid(&e))?;
    Ok(report)
}

/// A heartbeat body, checked.
fn heartbeat_of(body: &Bytes) -> Result<Heartbeat, ApiError> {
    let request: HeartbeatRequest = parse_json(body)?;
    // An id that is not one the API gave out names no session of this host: it changes
    // nothing, like any other unknown id.
    let sessions = request.sessions.as_ref().map(|ids| {
        ids.iter()
            .filter_map(|id| id.parse::<i64>().ok())
            .map(SessionId)
            .collect()
    });
    let heartbeat = Heartbeat {
        sessions,
        load: request.load,
    };
    heartbeat.validate().map_err(|e| ApiError::invalid(&e))?;
    Ok(heartbeat)
}

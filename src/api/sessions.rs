//! `POST /v1/pools/{pool}/sessions` and `DELETE /v1/sessions/{id}`: what a portal does.
//! Placement is the Sessions page's (one function); a `201` is written before it is sent.

use super::body::parse_json;
use super::error::ApiError;
use super::state::ApiState;
use super::types::{ErrorBody, SessionResponse, SessionStartRequest};
use crate::model::field::ApiBodyField;
use crate::model::sso::{SsoIdentity, resolve, uses_sso};
use crate::model::validation::check_name;
use crate::model::{
    CredentialType, PoolKind, Resources, Secret, SessionHost, SessionId, SessionRequest,
    ValidationErrors,
};
use crate::store::{Placed, Store, StoreError};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use std::sync::Arc;

/// The port a docker agent serves its sessions on.
const AGENT_SESSION_PORT: u16 = 443;

/// Starts a session for a user in a pool.
#[utoipa::path(
    post,
    path = "/v1/pools/{pool}/sessions",
    tag = "sessions",
    params(("pool" = String, Path, description = "The pool's name, URL-encoded")),
    request_body = SessionStartRequest,
    security(("portal_key" = [])),
    responses(
        (status = 201, description = "Placed and recorded", body = SessionResponse),
        (status = 400, description = "A field is malformed", body = ErrorBody),
        (status = 401, description = "Missing, unknown or revoked key", body = ErrorBody),
        (status = 404, description = "No pool of that name", body = ErrorBody),
        (status = 429, description = "The key's rate limit; see Retry-After", body = ErrorBody),
        (status = 503, description = "No member has room (the scaler was woken); see Retry-After", body = ErrorBody),
    )
)]
pub async fn start(
    State(state): State<Arc<ApiState>>,
    Path(pool): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<SessionResponse>), ApiError> {
    // The caller is known before its body is read.
    let answer = state
        .as_portal(&headers, move |store| {
            let request: SessionStartRequest = parse_json(&body)?;
            place(store, &pool, request)
        })
        .await;
    // Demand changed, or could not be met: either way the scaler plans again at once.
    if matches!(&answer, Ok(_) | Err(ApiError::NoCapacity(..))) {
        state.wake();
    }
    Ok((StatusCode::CREATED, Json(answer?)))
}

fn place(
    store: &mut Store,
    pool_name: &str,
    request: SessionStartRequest,
) -> Result<SessionResponse, ApiError> {
    let pool = store
        .pool_by_name(pool_name)?
        .ok_or_else(|| ApiError::NotFound(format!("there is no pool named {pool_name}")))?;
    let mut errors = ValidationErrors::default();
    check_name(&mut errors, ApiBodyField::User, &request.user);
    let resources = match pool.kind {
        PoolKind::DockerAgent => {
            let cores = request.cores.unwrap_or(-1.0);
            if !(cores.is_finite() && cores > 0.0 && cores <= 100_000.0) {
                errors.push(
                    ApiBodyField::Cores,
                    "expected the cores the session needs, more than 0",
                );
            }
            let memory_mb = request.memory_mb.unwrap_or(-1);
            if !(1..=64 * 1024 * 1024).contains(&memory_mb) {
                errors.push(
                    ApiBodyField::Memory,
                    "expected the memory the session needs in MB, at least 1",
                );
            }
            let gpus = request.gpus.unwrap_or(0);
            if !(0..=1024).contains(&gpus) {
                errors.push(ApiBodyField::Gpus, "expected a whole number from 0 to 1024");
            }
            Resources::new(cores, memory_mb, gpus)
        }
        PoolKind::Server => Resources::default(),
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid(&errors));
    }
    let session = SessionRequest {
        pool: pool.id,
        user_label: request.user.trim().to_owned(),
        resources,
        staged: false,
    };
    let credential = request.credential.map(Secret::new);
    let user = session.user_label.clone();
    // Placement and the check of what the chosen server needs are one transaction: a refusal
    // leaves no session behind.
    let answer = store.atomically(|store| {
        let placed = store.start_session(&session)?;
        endpoint(store, &placed, &user, credential.as_ref())
    });
    answer.map_err(ApiError::from)
}

/// How to reach the member a session landed on, with SSO placeholders resolved.
fn endpoint(
    store: &Store,
    placed: &Placed,
    user: &str,
    credential: Option<&Secret>,
) -> Result<SessionResponse, StoreError> {
    let mut response = SessionResponse {
        session_id: placed.id.0.to_string(),
        pool: placed.pool_name.clone(),
        member: placed.host_name.clone(),
        host: placed.host_name.clone(),
        port: AGENT_SESSION_PORT,
        connection_type: "container".to_owned(),
        connection_info: serde_json::json!({}),
        username: None,
        password: None,
    };
    if let SessionHost::Server(id) = placed.host {
        let server = store.server(id)?.server.spec;
        response.host = server.host.clone();
        response.port = server.port;
        response.connection_type = server.connection_type.as_str().to_owned();
        response.connection_info =
            serde_json::from_str(&server.connection_info).unwrap_or_else(|_| serde_json::json!({}));
        let credentials = if uses_sso(&server) {
            let Some(credential) = credential.filter(|c| !c.is_empty()) else {
                return Err(ValidationErrors::single(
                    ApiBodyField::Credential,
                    format!(
                        "{} signs in as the user ({{sso_cred}}): send the user's credential",
                        server.friendly_name
                    ),
                )
                .into());
            };
            let who = SsoIdentity {
                username: user.to_owned(),
                credential: credential.clone(),
            };
            Some(resolve(&server, &who))
        } else if server.credential_type == CredentialType::Prompt {
            None
        } else {
            Some(crate::model::sso::SessionCredentials {
                username: server.username.clone(),
                password: server.password.clone(),
            })
        };
        if let Some(c) = credentials {
            response.username = Some(c.username);
            response.password = Some(c.password.expose().to_owned()).filter(|p| !p.is_empty());
        }
    }
    Ok(response)
}

/// Ends a session; ending one already gone is fine.
#[utoipa::path(
    delete,
    path = "/v1/sessions/{id}",
    tag = "sessions",
    params(("id" = String, Path, description = "The session's id")),
    security(("portal_key" = [])),
    responses(
        (status = 204, description = "Ended (or already gone)"),
        (status = 401, description = "Missing, unknown or revoked key", body = ErrorBody),
        (status = 404, description = "Not a session id", body = ErrorBody),
    )
)]
pub async fn end(
    State(state): State<Arc<ApiState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let id = id.trim().parse::<i64>().ok();
    state
        .as_portal(&headers, move |store| {
            let id = id.ok_or_else(|| ApiError::NotFound("not a session id".to_owned()))?;
            match store.end_session(SessionId(id)) {
                Ok(()) | Err(StoreError::NotFound { .. }) => Ok(()),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    state.wake();
    Ok(StatusCode::NO_CONTENT)
}

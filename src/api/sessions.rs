//! `POST /v1/pools/{pool}/sessions` and `DELETE /v1/sessions/{id}`: what a portal does.
//! Placement is the Sessions page's (one function); a `201` is written before it is sent.

use super::body::{parse_json, read_body};
use super::error::ApiError;
use super::state::{ApiState, Caller};
use super::types::{ErrorBody, SessionResponse, SessionStartRequest};
use crate::model::api_text::{USER_MAX_LEN, is_user};
use crate::model::field::ApiBodyField;
use crate::model::host_report::{MAX_CORES, MAX_GPUS, MAX_MEMORY_MB};
use crate::model::sso::{SsoIdentity, resolve, uses_sso};
use crate::model::{
    CredentialType, PoolKind, Resources, Secret, SessionHost, SessionId, SessionRequest,
    ValidationErrors,
};
use crate::store::{Placed, PortalKey, Store, StoreError};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
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
        (status = 403, description = "The key is read-only, or limited to other pools", body = ErrorBody),
        (status = 404, description = "No pool of that name", body = ErrorBody),
        (status = 409, description = "The pool needs what the request lacks: cores and memory_mb (a Docker Agent pool), or the user's credential (a server that signs in as the user)", body = ErrorBody),
        (status = 408, description = "The body did not arrive within 30 s", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 429, description = "The key's rate limit, or too many failed authentications from this address; see Retry-After", body = ErrorBody),
        (status = 503, description = "No member has room (the scaler was woken); see Retry-After", body = ErrorBody),
    )
)]
pub async fn start(
    State(state): State<Arc<ApiState>>,
    Path(pool): Path<String>,
    caller: Caller,
    body: Body,
) -> Result<(StatusCode, Json<SessionResponse>), ApiError> {
    // The caller is known, and may start sessions, before its body is read.
    let key = state.portal(&caller).await?;
    if key.read_only {
        return Err(read_only());
    }
    let body = read_body(body).await?;
    let answer = state
        .with_store(move |store| {
            let request: SessionStartRequest = parse_json(&body)?;
            place(store, &pool, request, &key)
        })
        .await;
    // Demand changed, or could not be met: either way the scaler plans again at once.
    if matches!(&answer, Ok(_) | Err(ApiError::NoCapacity(..))) {
        state.wake();
    }
    Ok((StatusCode::CREATED, Json(answer?)))
}

/// The answer to a read-only key that tried to change something.
fn read_only() -> ApiError {
    ApiError::Forbidden("this key is read-only: it may not start or end sessions".to_owned())
}

fn place(
    store: &mut Store,
    pool_name: &str,
    request: SessionStartRequest,
    key: &PortalKey,
) -> Result<SessionResponse, ApiError> {
    let pool = store
        .pool_by_name(pool_name)?
        .ok_or_else(|| ApiError::NotFound(format!("there is no pool named {pool_name}")))?;
    if !key.may_use(pool.id) {
        return Err(ApiError::Forbidden(format!(
            "this key may not use pool {}",
            pool.name
        )));
    }
    let mut errors = ValidationErrors::default();
    if !is_user(&request.user) {
        errors.push(
            ApiBodyField::User,
            format!("expected a name of at most {USER_MAX_LEN} characters, not blank, without control characters"),
        );
    }
    if request.cores.is_some_and(|c| !(c > 0.0 && c <= MAX_CORES)) {
        errors.push(
            ApiBodyField::Cores,
            "expected the cores the session needs, more than 0 and at most 100000",
        );
    }
    if request
        .memory_mb
        .is_some_and(|m| !(1..=MAX_MEMORY_MB).contains(&m))
    {
        errors.push(
            ApiBodyField::Memory,
            "expected the memory the session needs in MB, from 1 to 67108864",
        );
    }
    if request.gpus.is_some_and(|g| !(0..=MAX_GPUS).contains(&g)) {
        errors.push(ApiBodyField::Gpus, "expected a whole number from 0 to 1024");
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(&errors));
    }
    let resources = match (pool.kind, request.cores, request.memory_mb) {
        (PoolKind::DockerAgent, Some(cores), Some(memory_mb)) => {
            Resources::new(cores, memory_mb, request.gpus.unwrap_or(0))
        }
        // What the request lacks is a matter of the pool it names, not of its form.
        (PoolKind::DockerAgent, _, _) => {
            return Err(ApiError::Conflict(format!(
                "{} is a Docker Agent pool: a session there needs cores and memory_mb",
                pool.name
            )));
        }
        (PoolKind::Server, _, _) => Resources::default(),
    };
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
    answer.map_err(|e| match e {
        // The server it landed on signs in as the user: a matter of the pool's members, not
        // of the request's form.
        StoreError::Invalid(errors) if errors.for_field(ApiBodyField::Credential).is_some() => {
            ApiError::Conflict(errors.to_string())
        }
        other => ApiError::from(other),
    })
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
        (status = 403, description = "The key is read-only, or may not use the session's pool", body = ErrorBody),
        (status = 404, description = "Not a session id", body = ErrorBody),
        (status = 429, description = "The key's rate limit, or too many failed authentications from this address; see Retry-After", body = ErrorBody),
    )
)]
pub async fn end(
    State(state): State<Arc<ApiState>>,
    Path(id): Path<String>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    let id = id.trim().parse::<i64>().ok();
    state
        .as_portal(&caller, move |store, key| {
            if key.read_only {
                return Err(read_only());
            }
            let id = id.ok_or_else(|| ApiError::NotFound("not a session id".to_owned()))?;
            if let Some(pool) = store.session_pool(SessionId(id))?
                && !key.may_use(pool)
            {
                return Err(ApiError::Forbidden(
                    "this key may not use the pool of that session".to_owned(),
                ));
            }
            match store.end_session(SessionId(id)) {
                Ok(()) | Err(StoreError::NotFound { .. }) => Ok(()),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    state.wake();
    Ok(StatusCode::NO_CONTENT)
}

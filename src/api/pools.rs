//! `GET /v1/pools`, `GET /v1/pools/{pool}` and `GET /healthz`.

use super::error::ApiError;
use super::state::{ApiState, Caller};
use super::types::{ErrorBody, Health, MemberStates, PoolList, PoolView};
use crate::model::PoolSummary;
use crate::scaler::plan::PoolLevel;
use crate::store::{MemberCounts, PortalKey, Store};
use axum::Json;
use axum::extract::{Path, State};
use jiff::Timestamp;
use std::sync::Arc;

/// The pools `key` may see, named `only` when given: 403 for a pool it may not see.
fn views(
    store: &Store,
    levels: &[PoolLevel],
    key: &PortalKey,
    only: Option<&str>,
) -> Result<Vec<PoolView>, ApiError> {
    let counts = store.member_counts(Timestamp::now())?;
    let mut overview: Vec<PoolSummary> = store.pool_overview()?;
    if let Some(name) = only {
        overview.retain(|summary| summary.pool.name.eq_ignore_ascii_case(name));
        if overview.iter().any(|summary| !key.may_use(summary.pool.id)) {
            return Err(ApiError::Forbidden(format!(
                "this key may not use pool {name}"
            )));
        }
    }
    overview.retain(|summary| key.may_use(summary.pool.id));
    Ok(overview
        .into_iter()
        .map(|summary| {
            let c: MemberCounts = counts.get(&summary.pool.id).cloned().unwrap_or_default();
            let level = levels.iter().find(|l| l.pool == summary.pool.id);
            PoolView {
                name: summary.pool.name.clone(),
                kind: summary.pool.kind.as_str().to_owned(),
                members: MemberStates {
                    ready: c.ready,
                    disabled: c.disabled,
                    draining: c.draining,
                    missing: c.missing,
                    dead: c.dead,
                    provisioning: c.provisioning,
                },
                sessions: summary.sessions,
                free: level.map_or_else(|| summary.free.sort_key(), |l| l.free),
                target: level.map(|l| l.target),
            }
        })
        .collect())
}

/// Every pool: members by state, free against target, sessions.
#[utoipa::path(
    get,
    path = "/v1/pools",
    tag = "pools",
    security(("portal_key" = [])),
    responses(
        (status = 200, description = "Every pool the key may use", body = PoolList),
        (status = 401, description = "Missing, unknown or revoked key", body = ErrorBody),
        (status = 429, description = "The key's rate limit, or too many failed authentications from this address; see Retry-After", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
) -> Result<Json<PoolList>, ApiError> {
    let levels = state.gauges.measured().levels;
    let pools = state
        .as_portal(&caller, move |store, key| views(store, &levels, &key, None))
        .await?;
    Ok(Json(PoolList { pools }))
}

/// One pool.
#[utoipa::path(
    get,
    path = "/v1/pools/{pool}",
    tag = "pools",
    params(("pool" = String, Path, description = "The pool's name, URL-encoded")),
    security(("portal_key" = [])),
    responses(
        (status = 200, description = "The pool", body = PoolView),
        (status = 401, description = "Missing, unknown or revoked key", body = ErrorBody),
        (status = 403, description = "The key is limited to other pools", body = ErrorBody),
        (status = 404, description = "No pool of that name", body = ErrorBody),
        (status = 429, description = "The key's rate limit, or too many failed authentications from this address; see Retry-After", body = ErrorBody),
    )
)]
pub async fn one(
    State(state): State<Arc<ApiState>>,
    Path(pool): Path<String>,
    caller: Caller,
) -> Result<Json<PoolView>, ApiError> {
    let levels = state.gauges.measured().levels;
    let view = state
        .as_portal(&caller, move |store, key| {
            views(store, &levels, &key, Some(&pool))?
                .into_iter()
                .find(|v| v.name.eq_ignore_ascii_case(&pool))
                .ok_or_else(|| ApiError::NotFound(format!("there is no pool named {pool}")))
        })
        .await?;
    Ok(Json(view))
}

/// Liveness, whether the scaler runs here, and this node's role among several.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "service",
    responses((status = 200, description = "The API answers", body = Health))
)]
pub async fn healthz(State(state): State<Arc<ApiState>>) -> Json<Health> {
    let node = state.gauges.leadership();
    Json(Health {
        status: "ok".to_owned(),
        scaler_running: state.gauges.running(),
        role: node
            .as_ref()
            .and_then(|n| n.role)
            .map(|r| r.as_str().to_owned()),
        leader: node.as_ref().and_then(|n| n.leader.clone()),
        node: node.map(|n| n.node),
    })
}

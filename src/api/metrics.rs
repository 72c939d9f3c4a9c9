//! `GET /metrics` in the Prometheus text format, and the request counters behind it.

use super::error::ApiError;
use super::state::{ApiState, Caller};
use crate::model::instance::InstanceState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;

/// Counts every answer under its route's pattern (unknown routes as `unmatched`).
pub async fn count_requests(
    State(state): State<Arc<ApiState>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    state.counts.add(&route, response.status().as_u16());
    response
}

/// Prometheus metrics: pools' free and target, instances by state, sessions, API requests
/// and scaler passes.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "service",
    security((), ("portal_key" = [])),
    responses(
        (status = 200, description = "Prometheus text format", content_type = "text/plain"),
        (status = 401, description = "Neither loopback nor a portal key"),
    )
)]
pub async fn metrics(
    State(state): State<Arc<ApiState>>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let gather = |store: &mut crate::store::Store| {
        Ok((store.pool_overview()?, Some(store.instance_state_counts()?)))
    };
    // A key limited to some pools sees those pools only, and no fleet-wide instance counts.
    let (pools, instances) = if caller.address.is_loopback() {
        state.with_store(gather).await?
    } else {
        state
            .as_portal(&caller, move |store, key| {
                let (mut pools, instances) = gather(store)?;
                if key.pools.is_none() {
                    return Ok((pools, instances));
                }
                pools.retain(|p| key.may_use(p.pool.id));
                Ok((pools, None))
            })
            .await?
    };
    let measured = state.gauges.measured();
    let mut out = String::new();
    let names: BTreeMap<_, _> = pools
        .iter()
        .map(|p| (p.pool.id, p.pool.name.clone()))
        .collect();
    let _ = writeln!(
        out,
        "# HELP pooladmin_pool_free Free capacity (slots or cores), in-flight included."
    );
    let _ = writeln!(out, "# TYPE pooladmin_pool_free gauge");
    for level in &measured.levels {
        if let Some(name) = names.get(&level.pool) {
            let _ = writeln!(
                out,
                "pooladmin_pool_free{{pool=\"{}\"}} {}",
                escape(name),
                level.free
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP pooladmin_pool_target What the scaler keeps free."
    );
    let _ = writeln!(out, "# TYPE pooladmin_pool_target gauge");
    for level in &measured.levels {
        if let Some(name) = names.get(&level.pool) {
            let _ = writeln!(
                out,
                "pooladmin_pool_target{{pool=\"{}\"}} {}",
                escape(name),
                level.target
            );
        }
    }
    let _ = writeln!(out, "# HELP pooladmin_sessions Sessions running.");
    let _ = writeln!(out, "# TYPE pooladmin_sessions gauge");
    for pool in &pools {
        let _ = writeln!(
            out,
            "pooladmin_sessions{{pool=\"{}\"}} {}",
            escape(&pool.pool.name),
            pool.sessions
        );
    }
    if let Some(instances) = instances {
        let _ = writeln!(
            out,
            "# HELP pooladmin_instances Autoscaled instances by state."
        );
        let _ = writeln!(out, "# TYPE pooladmin_instances gauge");
        for state_ in InstanceState::ALL {
            let n = instances.get(&state_).copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "pooladmin_instances{{state=\"{}\"}} {n}",
                state_.as_str()
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP pooladmin_api_requests_total API requests answered."
    );
    let _ = writeln!(out, "# TYPE pooladmin_api_requests_total counter");
    for ((route, status), n) in state.counts.snapshot() {
        let _ = writeln!(
            out,
            "pooladmin_api_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
            escape(&route)
        );
    }
    let connections = state.connections.snapshot();
    for (name, kind, help, value) in [
        (
            "pooladmin_api_connections_open",
            "gauge",
            "Connections the API holds open.",
            connections.open as u64,
        ),
        (
            "pooladmin_api_connections_refused_total",
            "counter",
            "Connections closed at once for being over a connection cap.",
            connections.refused,
        ),
        (
            "pooladmin_api_connections_timed_out_total",
            "counter",
            "Connections closed for a head, body, request or idle time that ran out.",
            connections.timed_out,
        ),
    ] {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        let _ = writeln!(out, "{name} {value}");
    }
    let _ = writeln!(
        out,
        "# HELP pooladmin_scaler_pass_seconds Duration of the scaler's passes."
    );
    let _ = writeln!(out, "# TYPE pooladmin_scaler_pass_seconds summary");
    let _ = writeln!(
        out,
        "pooladmin_scaler_pass_seconds_sum {}",
        measured.pass_seconds_sum
    );
    let _ = writeln!(
        out,
        "pooladmin_scaler_pass_seconds_count {}",
        measured.passes
    );
    let _ = writeln!(
        out,
        "# HELP pooladmin_scaler_running Whether the scaler runs."
    );
    let _ = writeln!(out, "# TYPE pooladmin_scaler_running gauge");
    let _ = writeln!(
        out,
        "pooladmin_scaler_running {}",
        u8::from(state.gauges.running())
    );
    if let Some(node) = state.gauges.leadership() {
        let leads = node.role == Some(crate::model::node::NodeRole::Scaler);
        let name = escape(&node.node);
        for (metric, kind, help, value) in [
            (
                "pooladmin_scaler_leader",
                "gauge",
                "1 on the node that runs the scaler, else 0.",
                f64::from(u8::from(leads)),
            ),
            (
                "pooladmin_scaler_lease_age_seconds",
                "gauge",
                "How long ago the scaler's lease was last renewed, as this node last read it.",
                node.lease_age.as_secs_f64(),
            ),
            (
                "pooladmin_scaler_failovers_total",
                "counter",
                "Take-overs of the scaler from a node whose lease expired.",
                node.failovers as f64,
            ),
        ] {
            let _ = writeln!(out, "# HELP {metric} {help}");
            let _ = writeln!(out, "# TYPE {metric} {kind}");
            let _ = writeln!(out, "{metric}{{node=\"{name}\"}} {value}");
        }
    }
    let mut response = out.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(response)
}

/// A label value as the text format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

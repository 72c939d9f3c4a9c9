//! The API's request and response bodies. The JSON key names are part of the contract
//! (issue 12); the OpenAPI document is derived from these types.

//! Every constraint the server enforces on a request is stated here; the text patterns are
//! added to the document from the very constants the server checks with
//! (`model::api_text`, see `openapi::TextRules`).

use super::json_number::{optional_whole, whole};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /v1/checkin`: who and what the host is.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckinRequest {
    /// The host's name.
    #[schema(min_length = 1, max_length = 253)]
    pub hostname: String,
    /// The address sessions reach it at (an IP address or DNS name).
    #[schema(min_length = 1, max_length = 253)]
    pub address: String,
    /// CPU cores.
    #[schema(minimum = 0, maximum = 100000)]
    pub cores: f64,
    /// Memory in MB.
    #[serde(deserialize_with = "whole")]
    #[schema(minimum = 0, maximum = 67108864)]
    pub memory_mb: i64,
    /// GPUs.
    #[serde(default, deserialize_with = "whole")]
    #[schema(minimum = 0, maximum = 1024)]
    pub gpus: i64,
    /// The agent's version.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub version: String,
}

/// `POST /v1/heartbeat`: the sessions the host runs now.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeartbeatRequest {
    /// Ids of the sessions it hosts (as the API gave them out). When given, a session of
    /// this host that is missing from it (and older than a minute) is ended; when left out,
    /// sessions are not checked. An id the API did not give out names no session.
    #[serde(default)]
    #[schema(max_items = 100000)]
    pub sessions: Option<Vec<String>>,
    /// Its load, e.g. the 1-minute load average.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub load: Option<f64>,
}

/// What a check-in or heartbeat reached.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct ReportResponse {
    /// The member's (or instance's) name.
    pub name: String,
    /// Its state: `booting` until the scaler has made it a member, then `running`.
    pub state: String,
    /// How often to send heartbeats, in seconds.
    pub heartbeat_interval_s: u64,
    /// Sessions ended because the host no longer reported them.
    #[serde(default)]
    pub ended_sessions: Vec<String>,
    /// The member's working token, given once when a check-in exchanged a bootstrap token
    /// (`{checkin_token}`): keep it (mode 0600) and use it from now on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// `POST /v1/pools/{pool}/sessions`: a session for a user.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionStartRequest {
    /// Who the session is for.
    #[schema(min_length = 1, max_length = 64)]
    pub user: String,
    /// Cores it needs (Docker Agent pools: required, more than 0).
    #[serde(default)]
    #[schema(exclusive_minimum = 0, maximum = 100000)]
    pub cores: Option<f64>,
    /// Memory it needs in MB (Docker Agent pools: required).
    #[serde(default, deserialize_with = "optional_whole")]
    #[schema(minimum = 1, maximum = 67108864)]
    pub memory_mb: Option<i64>,
    /// GPUs it needs (Docker Agent pools).
    #[serde(default, deserialize_with = "optional_whole")]
    #[schema(minimum = 0, maximum = 1024)]
    pub gpus: Option<i64>,
    /// The user's credential, for servers that sign in as the user (`{sso_cred}`). Used for
    /// this answer only; never stored.
    #[serde(default)]
    pub credential: Option<String>,
}

/// A placed session and how to reach it.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct SessionResponse {
    /// The session's id (for `DELETE /v1/sessions/{id}` and heartbeats).
    pub session_id: String,
    /// The pool's name.
    pub pool: String,
    /// The member's name.
    pub member: String,
    /// The host to connect to.
    pub host: String,
    /// The port to connect to.
    pub port: u16,
    /// `kasmvnc`, `rdp`, `ssh`, `vnc` (servers) or `container` (docker agents).
    pub connection_type: String,
    /// The server's Connection Info (JSON object).
    pub connection_info: serde_json::Value,
    /// The connection user name, placeholders resolved for this user.
    pub username: Option<String>,
    /// The connection password, placeholders resolved; only in this answer.
    pub password: Option<String>,
}

/// A pool as `GET /v1/pools` shows it.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct PoolView {
    /// Its name.
    pub name: String,
    /// `server` or `docker_agent`.
    pub kind: String,
    /// Members by state.
    pub members: MemberStates,
    /// Sessions running.
    pub sessions: u32,
    /// Free now: session slots (servers) or cores (agents), in-flight included.
    pub free: f64,
    /// What the scaler keeps free (its last pass), if it has planned the pool.
    pub target: Option<f64>,
}

/// Members of a pool by state.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct MemberStates {
    /// Taking sessions.
    pub ready: u32,
    /// Disabled.
    pub disabled: u32,
    /// Draining.
    pub draining: u32,
    /// Silent past the Host Missing Expiration.
    pub missing: u32,
    /// Silent past the Host Dead Expiration.
    pub dead: u32,
    /// Instances on their way.
    pub provisioning: u32,
}

/// `GET /v1/pools`.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct PoolList {
    /// Every pool, by name.
    pub pools: Vec<PoolView>,
}

/// `GET /healthz`.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the API answers.
    pub status: String,
    /// Whether the scaler runs in this process.
    pub scaler_running: bool,
    /// On a database several nodes share: this node's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// On a database several nodes share: `scaler` (it runs the scaler), `standby` (it
    /// serves the API and stands ready) or `window`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// On a database several nodes share: the node that runs the scaler, if any does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<String>,
}

/// Every error answer.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, in words.
    pub error: String,
    /// The fields that are wrong (400).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
}

/// One wrong field.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The JSON key.
    pub field: String,
    /// What is expected.
    pub message: String,
}

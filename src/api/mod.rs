//! pooladmin's HTTP API (issue 12): hosts check in and heartbeat with their agent tokens,
//! portals start and end sessions with their keys, and `/metrics` and `/healthz` say how it
//! all goes. It runs on the scaler's tokio runtime with a database connection of its own and
//! reaches the scaler only by waking it.

pub mod auth_failures;
pub mod body;
pub mod client;
pub mod connection;
pub mod connection_counts;
pub mod connection_limits;
pub mod error;
pub mod hosts;
pub mod json_number;
pub mod listener;
pub mod metrics;
pub mod openapi;
pub mod pools;
pub mod rate_limit;
pub mod repeated_warning;
pub mod request_counts;
pub mod router;
pub mod server;
pub mod sessions;
pub mod state;
pub mod store_connections;
pub mod types;

pub use openapi::openapi_json;
pub use server::{ApiControl, ApiStatus, RunningApi, listening_url, start_api, supervise};
pub use state::Wake;

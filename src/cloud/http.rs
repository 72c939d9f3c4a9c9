//! What the REST clients (Azure, DigitalOcean, Google, Oracle) share besides the exchange
//! itself (`rest.rs`): an HTTP client with the call timeout, and reading a listed item.

use super::{CloudError, ErrorClass};
use std::time::Duration;

/// How long one call may take before it counts as a temporary failure.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// An HTTP client (rustls) whose calls give up after [`CALL_TIMEOUT`].
pub fn client() -> Result<reqwest::Client, CloudError> {
    reqwest::Client::builder()
        .timeout(CALL_TIMEOUT)
        .build()
        .map_err(|e| CloudError::new(ErrorClass::InvalidConfig, e.to_string()))
}

/// The text at `key` of a JSON answer's item, or "" when it has none (lists show it blank).
pub fn text<'a>(item: &'a serde_json::Value, key: &str) -> &'a str {
    item.get(key)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
}

//! What the REST clients (Azure, DigitalOcean, Google, Oracle) share: an HTTP client with
//! the call timeout, and the wait a throttled answer asks for.

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

/// The `Retry-After` header's wait, in seconds.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// The text at `key` of a JSON answer's item, or "" when it has none (lists show it blank).
pub fn text<'a>(item: &'a serde_json::Value, key: &str) -> &'a str {
    item.get(key)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
}

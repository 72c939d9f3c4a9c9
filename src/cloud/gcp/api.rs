//! Authenticated JSON calls to Google's REST APIs, waits on operations, and Google's
//! errors classified.

use super::auth::ServiceAccount;
use crate::cloud::http::{self, retry_after};
use crate::cloud::{CloudError, ErrorClass};
use crate::model::Secret;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::{Duration, Instant};

/// How often an operation is looked at.
const POLL_EVERY: Duration = Duration::from_millis(1500);
/// How long an operation may run before pooladmin stops waiting.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(600);

/// One service account's access to Google's APIs at `base`.
pub struct Api {
    http: reqwest::Client,
    base: String,
    account: ServiceAccount,
}

impl Api {
    /// `base` is the service's root (`https://compute.googleapis.com`), unless `endpoint`
    /// replaces it.
    pub fn new(key_json: &Secret, base: &str, endpoint: &str) -> Result<Self, CloudError> {
        let http = http::client()?;
        let base = match endpoint.trim() {
            "" => base.to_owned(),
            own => own.trim_end_matches('/').to_owned(),
        };
        Ok(Self {
            account: ServiceAccount::new(key_json, http.clone())?,
            http,
            base,
        })
    }

    /// One call to `path` (under the base, or a whole URL).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Option<Value>, CloudError> {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let mut request = self
            .http
            .request(method, url)
            .bearer_auth(self.account.token().await?.expose());
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| CloudError::new(ErrorClass::Transient, format!("Google Cloud: {e}")))?;
        let status = response.status();
        let wait = retry_after(response.headers());
        let text = response.text().await.unwrap_or_default();
        let json: Option<Value> = serde_json::from_str(&text).ok();
        if status.is_success() {
            return Ok(json);
        }
        let error = json.as_ref().and_then(|j| j.get("error"));
        let reason = error
            .and_then(|e| e.pointer("/errors/0/reason"))
            .or_else(|| error.and_then(|e| e.get("status")))
            .and_then(Value::as_str)
            .unwrap_or("error")
            .to_owned();
        let message = error
            .and_then(|e| e.get("message"))
            .and_then(Value::as_str)
            .map_or_else(|| text.chars().take(300).collect(), str::to_owned);
        let error = CloudError::new(
            classify(status, &reason),
            format!("{} {reason}: {message}", status.as_u16()),
        );
        Err(error.wait(wait))
    }

    /// Waits until the operation `op` (as a call answered it) is DONE; its error, if any.
    /// An operation without a `selfLink` is looked up under `operations` by its name.
    pub async fn wait(&self, op: Option<Value>, operations: &str) -> Result<(), CloudError> {
        let started = Instant::now();
        let mut op = op.unwrap_or(Value::Null);
        loop {
            if op.get("status").and_then(Value::as_str) == Some("DONE") || op.is_null() {
                return match op.pointer("/error/errors/0") {
                    None => Ok(()),
                    Some(error) => {
                        let code = error.get("code").and_then(Value::as_str).unwrap_or("ERROR");
                        let message = error.get("message").and_then(Value::as_str).unwrap_or("");
                        Err(CloudError::new(
                            classify(StatusCode::OK, code),
                            format!("{code}: {message}"),
                        ))
                    }
                };
            }
            if started.elapsed() > OPERATION_TIMEOUT {
                return Err(CloudError::new(
                    ErrorClass::Transient,
                    format!("the operation was still running after {OPERATION_TIMEOUT:?}"),
                ));
            }
            tokio::time::sleep(POLL_EVERY).await;
            let link = match (op.get("selfLink"), op.get("name")) {
                (Some(Value::String(link)), _) => link.clone(),
                (_, Some(Value::String(name))) => format!("{operations}/{name}"),
                _ => {
                    return Err(CloudError::new(
                        ErrorClass::Transient,
                        "Google answered an operation without a name",
                    ));
                }
            };
            op = self
                .call(Method::GET, &link, None)
                .await?
                .unwrap_or(Value::Null);
        }
    }
}

/// Google's status codes and reasons as classes.
pub fn classify(status: StatusCode, reason: &str) -> ErrorClass {
    match (status.as_u16(), reason) {
        (
            _,
            "ZONE_RESOURCE_POOL_EXHAUSTED"
            | "ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS"
            | "resourcePoolExhausted",
        ) => ErrorClass::Capacity,
        (_, "QUOTA_EXCEEDED" | "quotaExceeded" | "RESOURCE_EXHAUSTED") => ErrorClass::Quota,
        (429, _) | (_, "rateLimitExceeded" | "userRateLimitExceeded") => ErrorClass::Throttled,
        (401 | 403, _) => ErrorClass::Auth,
        (404, _) | (_, "notFound" | "RESOURCE_NOT_FOUND") => ErrorClass::NotFound,
        (500.., _) | (409, _) => ErrorClass::Transient,
        (400.., _) => ErrorClass::InvalidConfig,
        (_, "INTERNAL_ERROR") => ErrorClass::Transient,
        (200, _) => ErrorClass::InvalidConfig,
        _ => ErrorClass::Transient,
    }
}

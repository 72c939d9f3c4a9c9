//! Authenticated JSON calls to Google's REST APIs, waits on operations, and Google's
//! errors classified.

use super::auth::ServiceAccount;
use crate::cloud::http;
use crate::cloud::operation::{Patience, Progress};
use crate::cloud::rest::{Dialect, Fault, exchange, retry_after, trusted_link};
use crate::cloud::{CloudError, ErrorClass};
use crate::model::Secret;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::Duration;

/// Google's operations: looked at every 1.5 s, waited for at most 10 minutes.
const OPERATIONS: Patience = Patience {
    cloud: "Google Cloud",
    every: Duration::from_millis(1500),
    at_most: Duration::from_secs(600),
};

/// How Google words its failures.
const GOOGLE: Dialect = Dialect {
    cloud: "Google Cloud",
    fault: google_fault,
    classify: |status, reason, _| classify(status, reason),
    wait: retry_after,
};

/// One service account's access to Google's APIs at `base`.
/// Where Compute Engine's links (`selfLink`) point when its own endpoint is used.
const GOOGLE_LINKS: &str = "https://www.googleapis.com";

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
            // Compute Engine's own links (selfLink) name www.googleapis.com.
            let google = self.base == super::COMPUTE;
            let trusted: &[&str] = if google {
                &[&self.base, GOOGLE_LINKS]
            } else {
                &[&self.base]
            };
            trusted_link("Google", path, trusted)?
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
        Ok(exchange(&GOOGLE, request).await?.body)
    }

    /// Waits until the operation `op` (as a call answered it) is DONE; its error, if any.
    /// An operation without a `selfLink` is looked up under `operations` by its name.
    pub async fn wait(&self, op: Option<Value>, operations: &str) -> Result<(), CloudError> {
        let op = op.unwrap_or(Value::Null);
        if let Some(ended) = ended(&op) {
            return ended;
        }
        // An operation keeps its link while it runs: every look goes to the first one's.
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
        OPERATIONS
            .follow(None, || async {
                let op = self
                    .call(Method::GET, &link, None)
                    .await?
                    .unwrap_or(Value::Null);
                Ok(match ended(&op) {
                    Some(ended) => Progress::Done(ended),
                    None => Progress::Running(None),
                })
            })
            .await?
    }
}

/// An operation's outcome once it is DONE (an empty answer counts as done); `None` while
/// it runs.
fn ended(op: &Value) -> Option<Result<(), CloudError>> {
    if !op.is_null() && op.get("status").and_then(Value::as_str) != Some("DONE") {
        return None;
    }
    Some(match op.pointer("/error/errors/0") {
        None => Ok(()),
        Some(error) => {
            let code = error.get("code").and_then(Value::as_str).unwrap_or("ERROR");
            let message = error.get("message").and_then(Value::as_str).unwrap_or("");
            Err(CloudError::new(
                classify(StatusCode::OK, code),
                format!("{code}: {message}"),
            ))
        }
    })
}

/// Where Google's error bodies keep the reason and message: the first of `errors` gives the
/// reason ("quotaExceeded"), else the `status` ("RESOURCE_EXHAUSTED").
fn google_fault(body: &Value) -> Fault {
    let text = |pointer: &str| {
        body.pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    Fault {
        code: text("/error/errors/0/reason").or_else(|| text("/error/status")),
        message: text("/error/message"),
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

//! Azure Resource Manager over REST: a client-credentials token from the tenant's authority
//! (cached until shortly before it expires), JSON calls with `api-version`, long-running
//! operations followed to their end, and Azure's errors classified.

use crate::cloud::http::{self, retry_after};
use crate::cloud::oauth::{TokenCache, request_token};
use crate::cloud::{CloudError, ErrorClass};
use crate::model::Secret;
use crate::model::credentials::AzureCredentials;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::{Duration, Instant};

/// How often a long-running operation is looked at, unless Azure says otherwise.
const POLL_EVERY: Duration = Duration::from_secs(2);
/// How long a long-running operation may run before pooladmin stops waiting.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(900);

/// One app registration's access to Resource Manager.
pub struct Arm {
    http: reqwest::Client,
    login: String,
    management: String,
    /// The token's audience: the Azure cloud's, even when the calls go elsewhere.
    audience: &'static str,
    tenant: String,
    client_id: String,
    client_secret: Secret,
    token: TokenCache,
    /// `/subscriptions/{id}/resourceGroups/{group}`.
    pub group_path: String,
}

impl Arm {
    /// A client for `credentials`; `endpoint` (when set) replaces Resource Manager only: the
    /// sign-in goes to the authority (or its override) and asks for the cloud's audience.
    pub fn new(credentials: &AzureCredentials, endpoint: &str) -> Result<Self, CloudError> {
        let management = match endpoint.trim().trim_end_matches('/') {
            "" => credentials.authority.management_host().to_owned(),
            own => own.to_owned(),
        };
        let http = http::client()?;
        Ok(Self {
            http,
            login: credentials.login_host(),
            management,
            audience: credentials.authority.management_audience(),
            tenant: credentials.tenant_id.trim().to_owned(),
            client_id: credentials.client_id.trim().to_owned(),
            client_secret: credentials.client_secret.clone(),
            token: TokenCache::default(),
            group_path: format!(
                "/subscriptions/{}/resourceGroups/{}",
                credentials.subscription_id.trim(),
                credentials.resource_group.trim()
            ),
        })
    }

    /// A valid bearer token: the cached one, or a fresh one from the authority.
    async fn token(&self) -> Result<Secret, CloudError> {
        self.token
            .get(|| async {
                let scope = format!("{}/.default", self.audience);
                let form = [
                    ("grant_type", "client_credentials"),
                    ("client_id", self.client_id.as_str()),
                    ("client_secret", self.client_secret.expose()),
                    ("scope", scope.as_str()),
                ];
                let url = format!("{}/{}/oauth2/v2.0/token", self.login, self.tenant);
                request_token(&self.http, &url, &form, "Azure sign-in").await
            })
            .await
    }

    /// One call to `path` (under Resource Manager, or a whole URL Azure handed out) with
    /// `api_version`; `Ok(None)` for an empty answer. The response headers come back for
    /// the long-running operations.
    async fn send(
        &self,
        method: Method,
        path: &str,
        api_version: Option<&str>,
        body: Option<&Value>,
    ) -> Result<(StatusCode, reqwest::header::HeaderMap, Option<Value>), CloudError> {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.management)
        };
        let mut request = self
            .http
            .request(method, &url)
            .bearer_auth(self.token().await?.expose());
        if let Some(version) = api_version {
            request = request.query(&[("api-version", version)]);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| CloudError::new(ErrorClass::Transient, format!("Azure: {e}")))?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let json: Option<Value> = if text.trim().is_empty() {
            None
        } else {
            Some(serde_json::from_str(&text).map_err(|e| {
                CloudError::new(
                    ErrorClass::Transient,
                    format!("Azure answered with unreadable JSON: {e}"),
                )
            })?)
        };
        if status.is_success() {
            return Ok((status, headers, json));
        }
        let (code, message) = error_of(json.as_ref(), &text);
        let error = CloudError::new(
            classify(status, &code),
            format!("{} {code}: {message}", status.as_u16()),
        );
        Err(error.wait(retry_after(&headers)))
    }

    /// A call that answers at once.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        api_version: &str,
        body: Option<&Value>,
    ) -> Result<Option<Value>, CloudError> {
        Ok(self.send(method, path, Some(api_version), body).await?.2)
    }

    /// A call that may start a long-running operation: follows `Azure-AsyncOperation` (or
    /// `Location`) until it ends, and answers the resource as the first answer gave it.
    pub async fn call_to_end(
        &self,
        method: Method,
        path: &str,
        api_version: &str,
        body: Option<&Value>,
    ) -> Result<Option<Value>, CloudError> {
        let (status, headers, first) = self.send(method, path, Some(api_version), body).await?;
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let started = Instant::now();
        if let Some(operation) = header("azure-asyncoperation") {
            let mut wait = retry_after(&headers).unwrap_or(POLL_EVERY);
            loop {
                tokio::time::sleep(wait).await;
                let (_, headers, state) = self.send(Method::GET, &operation, None, None).await?;
                wait = retry_after(&headers).unwrap_or(POLL_EVERY);
                let state = state.unwrap_or(Value::Null);
                match state.get("status").and_then(Value::as_str) {
                    Some("Succeeded") => return Ok(first),
                    Some(end @ ("Failed" | "Canceled")) => {
                        let (code, message) = error_of(Some(&state), end);
                        return Err(CloudError::new(
                            classify(StatusCode::OK, &code),
                            format!("{end} {code}: {message}"),
                        ));
                    }
                    _ if started.elapsed() > OPERATION_TIMEOUT => return Err(still_running()),
                    _ => {}
                }
            }
        }
        if status == StatusCode::ACCEPTED
            && let Some(location) = header("location")
        {
            let mut wait = retry_after(&headers).unwrap_or(POLL_EVERY);
            loop {
                tokio::time::sleep(wait).await;
                let (status, headers, answer) =
                    self.send(Method::GET, &location, None, None).await?;
                wait = retry_after(&headers).unwrap_or(POLL_EVERY);
                if status != StatusCode::ACCEPTED {
                    return Ok(answer.or(first));
                }
                if started.elapsed() > OPERATION_TIMEOUT {
                    return Err(still_running());
                }
            }
        }
        Ok(first)
    }

    /// Every item of a listing, following `nextLink`.
    pub async fn list(&self, path: &str, api_version: &str) -> Result<Vec<Value>, CloudError> {
        let mut items = Vec::new();
        let mut next = Some((path.to_owned(), Some(api_version)));
        while let Some((url, version)) = next.take() {
            let (_, _, page) = self.send(Method::GET, &url, version, None).await?;
            let page = page.unwrap_or(Value::Null);
            if let Some(values) = page.get("value").and_then(Value::as_array) {
                items.extend(values.iter().cloned());
            }
            next = page
                .get("nextLink")
                .and_then(Value::as_str)
                .map(|link| (link.to_owned(), None));
        }
        Ok(items)
    }
}

/// A long-running operation that outlasted pooladmin's patience: worth another try later.
fn still_running() -> CloudError {
    CloudError::new(
        ErrorClass::Transient,
        format!("Azure operation still running after {OPERATION_TIMEOUT:?}"),
    )
}

/// Azure's error code and message from an error body.
fn error_of(json: Option<&Value>, text: &str) -> (String, String) {
    let error = json.and_then(|j| j.get("error"));
    let field = |key: &str| {
        error
            .and_then(|e| e.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    (
        field("code").unwrap_or_else(|| "Error".to_owned()),
        field("message").unwrap_or_else(|| text.chars().take(300).collect()),
    )
}

/// Azure's status codes and error codes as classes.
pub fn classify(status: StatusCode, code: &str) -> ErrorClass {
    match (status.as_u16(), code) {
        (401 | 403, _) | (_, "AuthorizationFailed" | "InvalidAuthenticationToken") => {
            ErrorClass::Auth
        }
        (429, _) | (_, "TooManyRequests") => ErrorClass::Throttled,
        (
            _,
            "SkuNotAvailable"
            | "AllocationFailed"
            | "ZonalAllocationFailed"
            | "OverconstrainedAllocationRequest"
            | "OverconstrainedZonalAllocationRequest",
        ) => ErrorClass::Capacity,
        (_, "QuotaExceeded" | "OperationNotAllowed") => ErrorClass::Quota,
        (_, "ResourceGroupNotFound" | "SubscriptionNotFound") => ErrorClass::InvalidConfig,
        (404, _) | (_, "ResourceNotFound" | "NotFound") => ErrorClass::NotFound,
        (500.., _) | (409, _) => ErrorClass::Transient,
        (400.., _) => ErrorClass::InvalidConfig,
        _ => ErrorClass::Transient,
    }
}

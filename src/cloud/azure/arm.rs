//! Azure Resource Manager over REST: a client-credentials token from the tenant's authority
//! (cached until shortly before it expires), JSON calls with `api-version`, long-running
//! operations followed to their end, and Azure's errors classified.

use crate::cloud::http;
use crate::cloud::oauth::{TokenCache, request_token};
use crate::cloud::operation::{Patience, Progress};
use crate::cloud::rest::{Dialect, Fault, Reply, exchange, retry_after, trusted_link};
use crate::cloud::{CloudError, ErrorClass};
use crate::model::Secret;
use crate::model::credentials::AzureCredentials;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::Duration;

/// Azure's long-running operations: looked at every 2 s unless Azure asks otherwise,
/// waited for at most 15 minutes.
const OPERATIONS: Patience = Patience {
    cloud: "Azure",
    every: Duration::from_secs(2),
    at_most: Duration::from_secs(900),
};

/// How Azure words its failures.
const AZURE: Dialect = Dialect {
    cloud: "Azure",
    fault: azure_fault,
    classify: |status, code, _| classify(status, code),
    wait: retry_after,
};

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
    /// `api_version`.
    async fn send(
        &self,
        method: Method,
        path: &str,
        api_version: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Reply, CloudError> {
        let url = if path.starts_with("http") {
            trusted_link("Azure", path, &[&self.management])?
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
        exchange(&AZURE, request).await
    }

    /// A call that answers at once; `Ok(None)` for an empty answer.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        api_version: &str,
        body: Option<&Value>,
    ) -> Result<Option<Value>, CloudError> {
        Ok(self.send(method, path, Some(api_version), body).await?.body)
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
        let first = self.send(method, path, Some(api_version), body).await?;
        let header = |name: &str| {
            first
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let asked = retry_after(&first.headers);
        if let Some(operation) = header("azure-asyncoperation") {
            return OPERATIONS
                .follow(asked, || async {
                    let look = self.send(Method::GET, &operation, None, None).await?;
                    let state = look.body.unwrap_or(Value::Null);
                    match state.get("status").and_then(Value::as_str) {
                        Some("Succeeded") => Ok(Progress::Done(())),
                        Some(end @ ("Failed" | "Canceled")) => {
                            let fault = azure_fault(&state);
                            let code = fault.code.unwrap_or_else(|| "Error".to_owned());
                            let message = fault.message.unwrap_or_default();
                            Err(CloudError::new(
                                classify(StatusCode::OK, &code),
                                format!("{end} {code}: {message}"),
                            ))
                        }
                        _ => Ok(Progress::Running(retry_after(&look.headers))),
                    }
                })
                .await
                .map(|()| first.body);
        }
        if first.status == StatusCode::ACCEPTED
            && let Some(location) = header("location")
        {
            let first_body = first.body.clone();
            return OPERATIONS
                .follow(asked, || async {
                    let look = self.send(Method::GET, &location, None, None).await?;
                    Ok(if look.status == StatusCode::ACCEPTED {
                        Progress::Running(retry_after(&look.headers))
                    } else {
                        Progress::Done(look.body)
                    })
                })
                .await
                .map(|answer| answer.or(first_body));
        }
        Ok(first.body)
    }

    /// Every item of a listing, following `nextLink`.
    pub async fn list(&self, path: &str, api_version: &str) -> Result<Vec<Value>, CloudError> {
        let mut items = Vec::new();
        let mut next = Some((path.to_owned(), Some(api_version)));
        while let Some((url, version)) = next.take() {
            let page = self.send(Method::GET, &url, version, None).await?;
            let page = page.body.unwrap_or(Value::Null);
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

/// Where Azure's error bodies keep the code and message (`{"error": {"code", "message"}}`,
/// also an operation's end state).
fn azure_fault(body: &Value) -> Fault {
    Fault::at(body, "/error/code", "/error/message")
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

//! A client of the API, for what runs elsewhere: the reference agent, the `session` command
//! line, and the demo's simulated hosts and users.

use super::types::{
    CheckinRequest, ErrorBody, HeartbeatRequest, PoolList, ReportResponse, SessionResponse,
    SessionStartRequest,
};
use crate::model::Secret;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use std::fmt;
use std::time::Duration;

/// How long one call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// A refused or failed call.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientError {
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    /// What the server (or the network) said.
    pub message: String,
    /// The server's Retry-After, in seconds.
    pub retry_after: Option<u64>,
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "{status}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ClientError {}

/// One API base URL and the bearer secret to call it with.
#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
    bearer: Secret,
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl ApiClient {
    /// A client of the API at `url` (its base, or the `{checkin_url}` itself), trusting
    /// `ca_pem` besides the system's roots when given.
    pub fn new(url: &str, bearer: Secret, ca_pem: Option<&str>) -> Result<Self, String> {
        let base = url
            .trim()
            .trim_end_matches('/')
            .trim_end_matches("/v1/checkin")
            .to_owned();
        // The bearer secret travels with every call: never in clear to another machine.
        if let Some(problem) = crate::model::validation::check_endpoint(&base) {
            return Err(format!("{url}: {problem}"));
        }
        let mut builder = reqwest::Client::builder().timeout(CALL_TIMEOUT);
        if let Some(pem) = ca_pem {
            let certificate = reqwest::Certificate::from_pem(pem.as_bytes())
                .map_err(|e| format!("the CA certificate is not PEM: {e}"))?;
            builder = builder.add_root_certificate(certificate);
        }
        let http = builder.build().map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Self { http, base, bearer })
    }

    /// Calls with `bearer` from now on (the working token a check-in gave).
    pub fn set_bearer(&mut self, bearer: Secret) {
        self.bearer = bearer;
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl serde::Serialize>,
    ) -> Result<Option<T>, ClientError> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(self.bearer.expose());
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| ClientError {
            status: None,
            message: format!("{}: {e}", self.base),
            retry_after: None,
        })?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        let text = response.text().await.map_err(|e| ClientError {
            status: Some(status.as_u16()),
            message: format!("the answer could not be read: {e}"),
            retry_after,
        })?;
        if !status.is_success() {
            let message = serde_json::from_str::<ErrorBody>(&text)
                .map(|b| b.error)
                .unwrap_or_else(|_| text.trim().to_owned());
            return Err(ClientError {
                status: Some(status.as_u16()),
                message,
                retry_after,
            });
        }
        if status == StatusCode::NO_CONTENT || text.is_empty() {
            return Ok(None);
        }
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| ClientError {
                status: Some(status.as_u16()),
                message: format!("the answer is not what the API sends: {e}"),
                retry_after,
            })
    }

    async fn expect<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl serde::Serialize>,
    ) -> Result<T, ClientError> {
        self.call(method, path, body)
            .await?
            .ok_or_else(|| ClientError {
                status: None,
                message: "the API answered with no body".to_owned(),
                retry_after: None,
            })
    }

    /// `POST /v1/checkin`.
    pub async fn check_in(&self, report: &CheckinRequest) -> Result<ReportResponse, ClientError> {
        self.expect(Method::POST, "/v1/checkin", Some(report)).await
    }

    /// `POST /v1/heartbeat`.
    pub async fn heartbeat(&self, beat: &HeartbeatRequest) -> Result<ReportResponse, ClientError> {
        self.expect(Method::POST, "/v1/heartbeat", Some(beat)).await
    }

    /// `POST /v1/pools/{pool}/sessions`.
    pub async fn start_session(
        &self,
        pool: &str,
        request: &SessionStartRequest,
    ) -> Result<SessionResponse, ClientError> {
        let path = format!("/v1/pools/{}/sessions", encode_segment(pool));
        self.expect(Method::POST, &path, Some(request)).await
    }

    /// `DELETE /v1/sessions/{id}`.
    pub async fn end_session(&self, id: &str) -> Result<(), ClientError> {
        let path = format!("/v1/sessions/{}", encode_segment(id));
        self.call::<serde_json::Value>(Method::DELETE, &path, None::<&()>)
            .await
            .map(|_| ())
    }

    /// `GET /v1/pools`.
    pub async fn pools(&self) -> Result<PoolList, ClientError> {
        self.expect(Method::GET, "/v1/pools", None::<&()>).await
    }
}

/// `text` as one URL path segment (RFC 3986 unreserved characters kept).
pub fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(encode_segment("Browser Isolation"), "Browser%20Isolation");
        assert_eq!(encode_segment("a/b?c"), "a%2Fb%3Fc");
    }

    #[test]
    fn the_checkin_url_gives_the_base() {
        let client = ApiClient::new(
            "https://pa.example.com:8443/v1/checkin",
            Secret::new("t"),
            None,
        )
        .unwrap();
        assert_eq!(client.base(), "https://pa.example.com:8443");
        assert!(ApiClient::new("pa.example.com", Secret::new("t"), None).is_err());
        // The token would travel in clear to another machine.
        let clear = ApiClient::new("http://10.1.2.3:8443", Secret::new("t"), None).unwrap_err();
        assert!(clear.contains("in clear"), "{clear}");
        assert!(ApiClient::new("http://127.0.0.1:8443", Secret::new("t"), None).is_ok());
    }
}

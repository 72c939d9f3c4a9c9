//! Signed JSON calls to one Oracle Cloud service, with OCI's errors classified.

use super::signer::Signer;
use crate::cloud::http;
use crate::cloud::rest::{Dialect, Fault, exchange, retry_after};
use crate::cloud::{CloudError, ErrorClass};
use crate::model::credentials::OciCredentials;
use jiff::Timestamp;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// One service (compute, DNS) of one region, signing as one API key.
pub struct Api {
    http: reqwest::Client,
    base: reqwest::Url,
    signer: Signer,
}

impl Api {
    /// `service` is the host's first label (`iaas`, `dns`); `endpoint`, when set, replaces
    /// `https://<service>.<region>.oraclecloud.com`.
    pub fn new(
        credentials: &OciCredentials,
        service: &str,
        endpoint: &str,
    ) -> Result<Self, CloudError> {
        let invalid = |e: String| CloudError::new(ErrorClass::InvalidConfig, e);
        let base = match endpoint.trim() {
            "" => format!(
                "https://{service}.{}.oraclecloud.com",
                credentials.region.trim()
            ),
            own => own.trim_end_matches('/').to_owned(),
        };
        let base = reqwest::Url::parse(&base).map_err(|e| invalid(format!("endpoint: {e}")))?;
        let signer = Signer::new(
            &credentials.tenancy_ocid,
            &credentials.user_ocid,
            &credentials.fingerprint,
            &credentials.private_key,
        )
        .map_err(invalid)?;
        let http = http::client()?;
        Ok(Self { http, base, signer })
    }

    /// One signed call; answers the JSON (if any) and the response headers.
    pub async fn call(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&Value>,
        extra: &[(&str, &str)],
    ) -> Result<(Option<Value>, reqwest::header::HeaderMap), CloudError> {
        let url = self
            .base
            .join(path_and_query)
            .map_err(|e| CloudError::new(ErrorClass::InvalidConfig, e.to_string()))?;
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        let target = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let bytes = body.map(|b| b.to_string().into_bytes());
        let date = Timestamp::now()
            .strftime("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let signed = self
            .signer
            .sign(method.as_str(), &host, &target, &date, bytes.as_deref())
            .map_err(|e| CloudError::new(ErrorClass::InvalidConfig, e))?;
        let mut request = self.http.request(method, url);
        for (name, value) in &signed.headers {
            if name != "host" && name != "content-length" {
                request = request.header(name, value);
            }
        }
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        if let Some(bytes) = bytes {
            request = request.body(bytes);
        }
        let reply = exchange(&ORACLE, request).await?;
        Ok((reply.body, reply.headers))
    }
}

/// How Oracle Cloud words its failures: `{"code": "NotAuthenticated", "message": "..."}`.
const ORACLE: Dialect = Dialect {
    cloud: "Oracle Cloud",
    fault: |body| Fault::at(body, "/code", "/message"),
    classify,
    wait: retry_after,
};

/// OCI's status codes, error codes and messages as classes.
pub fn classify(status: StatusCode, code: &str, message: &str) -> ErrorClass {
    let capacity = message.to_lowercase().contains("out of host capacity")
        || message.to_lowercase().contains("out of capacity");
    match (status.as_u16(), code) {
        (_, _) if capacity => ErrorClass::Capacity,
        (401, _) | (_, "NotAuthenticated") => ErrorClass::Auth,
        (429, _) | (_, "TooManyRequests") => ErrorClass::Throttled,
        (_, "LimitExceeded" | "QuotaExceeded") => ErrorClass::Quota,
        (404, _) | (_, "NotAuthorizedOrNotFound") => ErrorClass::NotFound,
        (500.., _) | (409, _) => ErrorClass::Transient,
        (400.., _) => ErrorClass::InvalidConfig,
        _ => ErrorClass::Transient,
    }
}

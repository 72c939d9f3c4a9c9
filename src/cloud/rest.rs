//! One exchange with a REST cloud (Azure, DigitalOcean, Google, Oracle): send, read the
//! answer, and turn a failure into a classified [`CloudError`] that carries the wait the
//! cloud asked for. Every cloud reads its answers the same way; only its [`Dialect`] — where
//! its error bodies keep the code and message, how it classifies them, how it says "wait" —
//! differs.

use super::{CloudError, ErrorClass};
use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, StatusCode};
use serde_json::Value;
use std::time::Duration;

/// How much of an unreadable error body an error message quotes.
const QUOTED_BODY: usize = 300;

/// A cloud's way of saying what went wrong.
pub struct Dialect {
    /// Names the cloud in messages ("Azure").
    pub cloud: &'static str,
    /// The error code and message in a failed answer's JSON body, where the cloud puts them.
    pub fault: fn(&Value) -> Fault,
    /// The class of a failure from its status, code and message.
    pub classify: fn(StatusCode, &str, &str) -> ErrorClass,
    /// How long a throttled or busy answer asks to wait.
    pub wait: fn(&HeaderMap) -> Option<Duration>,
}

/// What a failed answer's body says, as far as it says it.
#[derive(Default)]
pub struct Fault {
    /// The cloud's error code ("SkuNotAvailable").
    pub code: Option<String>,
    /// Its explanation.
    pub message: Option<String>,
}

impl Fault {
    /// The texts at `code` and `message` of `body` (JSON pointers, "/error/code").
    pub fn at(body: &Value, code: &str, message: &str) -> Self {
        let text = |pointer: &str| {
            body.pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        Self {
            code: text(code),
            message: text(message),
        }
    }
}

/// A successful answer.
pub struct Reply {
    /// 200, 201, 202 or 204.
    pub status: StatusCode,
    /// Its headers (long-running operations hand out their links there).
    pub headers: HeaderMap,
    /// Its JSON body; `None` when it had none.
    pub body: Option<Value>,
}

/// Sends `request` and reads the answer. A success must have an empty or a JSON body — an
/// unreadable one is a temporary failure, never silently nothing; a failure is classified
/// by the dialect and quoted as "{status} {code}: {message}".
pub async fn exchange(dialect: &Dialect, request: RequestBuilder) -> Result<Reply, CloudError> {
    let cloud = dialect.cloud;
    let transient = |what: String| CloudError::new(ErrorClass::Transient, what);
    let response = request
        .send()
        .await
        .map_err(|e| transient(format!("{cloud}: {e}")))?;
    let status = response.status();
    let headers = response.headers().clone();
    let text = response
        .text()
        .await
        .map_err(|e| transient(format!("{cloud}: the answer broke off: {e}")))?;
    if status.is_success() {
        let body = if text.trim().is_empty() {
            None
        } else {
            let json = serde_json::from_str(&text)
                .map_err(|e| transient(format!("{cloud} answered with unreadable JSON: {e}")))?;
            Some(json)
        };
        return Ok(Reply {
            status,
            headers,
            body,
        });
    }
    let fault = serde_json::from_str::<Value>(&text)
        .map(|body| (dialect.fault)(&body))
        .unwrap_or_default();
    let code = fault
        .code
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("Error").to_owned());
    let message = fault
        .message
        .unwrap_or_else(|| text.chars().take(QUOTED_BODY).collect());
    let class = (dialect.classify)(status, &code, &message);
    let error = CloudError::new(class, format!("{} {code}: {message}", status.as_u16()));
    Err(error.wait((dialect.wait)(&headers)))
}

/// The `Retry-After` header's wait, in seconds.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// A whole URL a cloud handed back (an operation to follow, the next page), checked before
/// credentials go with it: its origin (scheme, host, port) must be one of `trusted`'s, the
/// configured endpoint's; a link elsewhere fails with the reason and is not called.
pub fn trusted_link(cloud: &str, link: &str, trusted: &[&str]) -> Result<String, CloudError> {
    let origin = |text: &str| url::Url::parse(text).ok().map(|u| u.origin());
    let allowed = origin(link).is_some_and(|found| {
        found.is_tuple() && trusted.iter().any(|t| origin(t).as_ref() == Some(&found))
    });
    if allowed {
        Ok(link.to_owned())
    } else {
        let shown: String = link.chars().take(200).collect();
        Err(CloudError::new(
            ErrorClass::InvalidConfig,
            format!(
                "{cloud} answered with a link to {shown}, outside {}: pooladmin sends its credentials only there, so the call was not made",
                trusted
                    .first()
                    .copied()
                    .unwrap_or("the configured endpoint")
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_followed_only_to_the_configured_origin() {
        let base = ["https://management.azure.com"];
        assert!(
            trusted_link(
                "Azure",
                "https://management.azure.com/subscriptions/s/operations/1?api-version=1",
                &base
            )
            .is_ok()
        );
        for elsewhere in [
            "https://attacker.example.com/steal",
            "http://management.azure.com/x",
            "https://management.azure.com:8443/x",
            "not a url",
        ] {
            let refused = trusted_link("Azure", elsewhere, &base).unwrap_err();
            assert_eq!(refused.class, ErrorClass::InvalidConfig, "{elsewhere}");
        }
    }

    const PLAIN: Dialect = Dialect {
        cloud: "Plain",
        fault: |body| Fault::at(body, "/code", "/message"),
        classify: |status, _, _| match status.as_u16() {
            429 => ErrorClass::Throttled,
            _ => ErrorClass::InvalidConfig,
        },
        wait: retry_after,
    };

    /// Serves one canned answer on loopback, once.
    async fn answer(status: u16, headers: &str, body: &'static str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let reply = format!(
            "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n{headers}\r\n{body}",
            body.len()
        );
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0_u8; 4096];
            let _ = socket.read(&mut request).await;
            socket.write_all(reply.as_bytes()).await.unwrap();
        });
        format!("http://{address}/")
    }

    async fn get(url: &str) -> Result<Reply, CloudError> {
        exchange(&PLAIN, reqwest::Client::new().get(url)).await
    }

    #[tokio::test]
    async fn a_success_is_its_json_or_nothing() {
        let reply = get(&answer(200, "", r#"{"id": 7}"#).await).await.unwrap();
        assert_eq!(reply.body, Some(serde_json::json!({"id": 7})));
        let empty = get(&answer(204, "", "").await).await.unwrap();
        assert_eq!(empty.status, StatusCode::NO_CONTENT);
        assert!(empty.body.is_none());
    }

    #[tokio::test]
    async fn an_unreadable_success_is_a_temporary_failure() {
        let error = get(&answer(200, "", "<html>").await).await.err().unwrap();
        assert_eq!(error.class, ErrorClass::Transient);
        assert!(
            error
                .message
                .contains("Plain answered with unreadable JSON"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_failure_is_classified_quoted_and_waits_as_asked() {
        let body = r#"{"code": "TooMany", "message": "slow down"}"#;
        let error = get(&answer(429, "retry-after: 7\r\n", body).await)
            .await
            .err()
            .unwrap();
        assert_eq!(error.class, ErrorClass::Throttled);
        assert_eq!(error.message, "429 TooMany: slow down");
        assert_eq!(error.retry_after, Some(Duration::from_secs(7)));
        // A body that is not JSON is quoted, under the status's own name.
        let error = get(&answer(400, "", "bad thing").await)
            .await
            .err()
            .unwrap();
        assert_eq!(error.message, "400 Bad Request: bad thing");
        assert_eq!(error.retry_after, None);
    }
}

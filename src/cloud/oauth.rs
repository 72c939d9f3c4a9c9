//! OAuth 2 access tokens as Azure's and Google's sign-in endpoints hand them out: one form
//! POST, the token and its lifetime back, and a cache that asks again shortly before the
//! token expires.

use super::{CloudError, ErrorClass};
use crate::model::Secret;
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// A token is renewed this long before it expires.
const MARGIN: Duration = Duration::from_secs(120);

/// Posts `form` to `url` and reads `access_token` and `expires_in`; `who` names the
/// endpoint in errors ("Azure sign-in").
pub async fn request_token(
    http: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
    who: &str,
) -> Result<(Secret, Duration), CloudError> {
    let response = http
        .post(url)
        .form(form)
        .send()
        .await
        .map_err(|e| CloudError::new(ErrorClass::Transient, format!("{who}: {e}")))?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        let said = body
            .get("error_description")
            .or_else(|| body.get("error"))
            .and_then(Value::as_str)
            .unwrap_or("no reason given");
        let class = if status.is_server_error() {
            ErrorClass::Transient
        } else {
            ErrorClass::Auth
        };
        return Err(CloudError::new(
            class,
            format!("{who} refused ({}): {said}", status.as_u16()),
        ));
    }
    let token = body
        .get("access_token")
        .and_then(Value::as_str)
        .map(Secret::new)
        .ok_or_else(|| {
            CloudError::new(ErrorClass::Auth, format!("{who} answered without a token"))
        })?;
    let lifetime = body
        .get("expires_in")
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
        .unwrap_or(3600);
    Ok((token, Duration::from_secs(lifetime)))
}

/// The last token and when to renew it.
#[derive(Default)]
pub struct TokenCache {
    cached: Mutex<Option<(Secret, Instant)>>,
}

impl TokenCache {
    /// The cached token while it is good, else the one `fetch` gets (then cached).
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<Secret, CloudError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(Secret, Duration), CloudError>>,
    {
        let mut cached = self.cached.lock().await;
        if let Some((token, renew_at)) = cached.as_ref()
            && Instant::now() < *renew_at
        {
            return Ok(token.clone());
        }
        let (token, lifetime) = fetch().await?;
        *cached = Some((
            token.clone(),
            Instant::now() + lifetime.saturating_sub(MARGIN),
        ));
        Ok(token)
    }
}

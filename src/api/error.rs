//! Every way a request fails, as an HTTP answer with a JSON body that says why. A wrong
//! key never says which part was wrong.

use super::types::{ErrorBody, FieldProblem};
use crate::model::ValidationErrors;
use crate::store::StoreError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A failed request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is malformed or a field is wrong.
    #[error("bad request: {0}")]
    BadRequest(String, Vec<FieldProblem>),
    /// 401: missing, wrong or revoked key or token.
    #[error("unauthorized")]
    Unauthorized,
    /// 403: the key may not do this (read-only, or another pool's).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 404: no such pool, session or route.
    #[error("not found: {0}")]
    NotFound(String),
    /// 409: the request does not fit the state of what it names (a Docker Agent pool
    /// asked for a session without resources).
    #[error("conflict: {0}")]
    Conflict(String),
    /// 408: the body did not arrive in time.
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    /// 413: the body is over the limit.
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// 429: the key's rate limit, or the address's failed authentications; retry after
    /// this many seconds.
    #[error("too many requests; retry after {0} s")]
    TooManyRequests(u64),
    /// 503: no member has room (the scaler was woken); retry after this many seconds.
    #[error("no capacity: {0}; retry after {1} s")]
    NoCapacity(String, u64),
    /// 500: the database failed.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// A 400 for one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::BadRequest(
            format!("{field}: {message}"),
            vec![FieldProblem {
                field: field.to_owned(),
                message,
            }],
        )
    }

    /// A 400 from a model check, whose fields are the JSON keys.
    pub fn invalid(errors: &ValidationErrors) -> Self {
        Self::BadRequest(
            errors.to_string(),
            errors
                .errors()
                .iter()
                .map(|e| FieldProblem {
                    field: e.field.label().into_owned(),
                    message: e.message.clone(),
                })
                .collect(),
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(errors) => Self::invalid(&errors),
            StoreError::NotFound { what, .. } => Self::NotFound(format!("the {what} is gone")),
            StoreError::NoCapacity(no) => Self::NoCapacity(no.to_string(), 15),
            StoreError::Refused(message) => Self::BadRequest(message, Vec::new()),
            other => {
                tracing::error!(error = %other, "an API request failed in the database");
                Self::Internal("the database failed; try again".to_owned())
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, fields, retry) = match self {
            Self::BadRequest(message, fields) => (StatusCode::BAD_REQUEST, message, fields, None),
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "missing, unknown or revoked key or token".to_owned(),
                Vec::new(),
                None,
            ),
            Self::Forbidden(message) => (StatusCode::FORBIDDEN, message, Vec::new(), None),
            Self::NotFound(message) => (StatusCode::NOT_FOUND, message, Vec::new(), None),
            Self::Conflict(message) => (StatusCode::CONFLICT, message, Vec::new(), None),
            Self::RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                "the request body did not arrive in time".to_owned(),
                Vec::new(),
                None,
            ),
            Self::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the request body is over {} KiB",
                    super::body::MAX_BODY_BYTES / 1024
                ),
                Vec::new(),
                None,
            ),
            Self::TooManyRequests(after) => (
                StatusCode::TOO_MANY_REQUESTS,
                "too many requests: this key's rate limit, or too many failed authentications from this address".to_owned(),
                Vec::new(),
                Some(after),
            ),
            Self::NoCapacity(message, after) => (
                StatusCode::SERVICE_UNAVAILABLE,
                message,
                Vec::new(),
                Some(after),
            ),
            Self::Internal(message) => {
                (StatusCode::INTERNAL_SERVER_ERROR, message, Vec::new(), None)
            }
        };
        let mut response = (status, Json(ErrorBody { error, fields })).into_response();
        if let Some(after) = retry {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(after));
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

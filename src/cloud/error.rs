//! Cloud errors, classified so the scaler knows what to do with each (DESIGN §4.6).

use std::fmt;
use std::time::Duration;

/// What kind of failure, which decides the reaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// Too many requests: retry with backoff, honouring Retry-After.
    Throttled,
    /// The cloud has no room for this size now: the config backs off.
    Capacity,
    /// The account's limit is reached: the config backs off.
    Quota,
    /// The credentials were refused: the config stops until edited.
    Auth,
    /// The settings are wrong (image, network, size): the config stops until edited.
    InvalidConfig,
    /// The thing is not there.
    NotFound,
    /// A network error or a 5xx: retry.
    Transient,
}

impl ErrorClass {
    /// What the event log calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Throttled => "throttled",
            Self::Capacity => "no capacity",
            Self::Quota => "quota reached",
            Self::Auth => "authentication refused",
            Self::InvalidConfig => "invalid configuration",
            Self::NotFound => "not found",
            Self::Transient => "temporary failure",
        }
    }

    /// Worth trying the same call again soon.
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::Throttled | Self::Transient)
    }
}

/// A failed cloud call: its class and the provider's own message.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct CloudError {
    /// What kind of failure.
    pub class: ErrorClass,
    /// The provider's message, as it said it.
    pub message: String,
    /// How long the provider asked us to wait (Retry-After).
    pub retry_after: Option<Duration>,
}

impl CloudError {
    /// An error of `class` with the provider's `message`.
    pub fn new(class: ErrorClass, message: impl Into<String>) -> Self {
        Self {
            class,
            message: message.into(),
            retry_after: None,
        }
    }

    /// The same error, asking to wait `after` before retrying.
    pub fn retry_after(self, after: Duration) -> Self {
        self.wait(Some(after))
    }

    /// The same error, asking to wait `after` (if the cloud said) before retrying.
    pub fn wait(mut self, after: Option<Duration>) -> Self {
        self.retry_after = after;
        self
    }
}

impl fmt::Display for CloudError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.class.label(), self.message)
    }
}

//! Field errors and the checks shared by every form: each error names the field and says
//! what is expected.

use super::field::Field;
use std::fmt;
use std::net::IpAddr;

/// The longest name pooladmin accepts for pools, zones, servers and agents.
pub const MAX_NAME_LEN: usize = 64;

/// One field's problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Which field: its label is what the form shows ("Port"), its key where a file keeps it.
    pub field: Field,
    /// What is wrong and what is expected.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Every problem found in one form or record; empty means valid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidationErrors(Vec<FieldError>);

impl ValidationErrors {
    /// One error.
    pub fn single(field: impl Into<Field>, message: impl Into<String>) -> Self {
        let mut errors = Self::default();
        errors.push(field, message);
        errors
    }

    /// Records a problem; only the first problem of a field is kept, as it is the one to fix.
    pub fn push(&mut self, field: impl Into<Field>, message: impl Into<String>) {
        let field = field.into();
        if self.for_field(field).is_none() {
            self.0.push(FieldError {
                field,
                message: message.into(),
            });
        }
    }

    /// Takes in every problem of another check (a field's first problem still wins).
    pub fn extend(&mut self, other: ValidationErrors) {
        for error in other.0 {
            self.push(error.field, error.message);
        }
    }

    /// The message for one field, if it has a problem.
    pub fn for_field(&self, field: impl Into<Field>) -> Option<&str> {
        let field = field.into();
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// All problems, in the order found.
    pub fn errors(&self) -> &[FieldError] {
        &self.0
    }

    /// Whether nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing is wrong.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// A name: not blank, at most [`MAX_NAME_LEN`] characters, no control characters.
pub fn check_name(errors: &mut ValidationErrors, field: impl Into<Field>, value: &str) {
    let field: Field = field.into();
    let trimmed = value.trim();
    if trimmed.is_empty() {
        errors.push(field, "must not be blank");
    } else if trimmed.chars().count() > MAX_NAME_LEN {
        errors.push(field, format!("must be at most {MAX_NAME_LEN} characters"));
    } else if trimmed.chars().any(char::is_control) {
        errors.push(field, "must not contain control characters");
    }
}

/// A host: an IPv4 or IPv6 address, or a DNS name of letters, digits and hyphens.
pub fn check_host(errors: &mut ValidationErrors, field: impl Into<Field>, value: &str) {
    let field: Field = field.into();
    let value = value.trim();
    if value.is_empty() {
        errors.push(
            field,
            "must not be blank; expected a host name or IP address",
        );
        return;
    }
    if value.parse::<IpAddr>().is_ok() {
        return;
    }
    let name = value.strip_suffix('.').unwrap_or(value);
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let all_numeric = name
        .split('.')
        .all(|l| l.chars().all(|c| c.is_ascii_digit()));
    if name.len() > 253 || !name.split('.').all(label_ok) || all_numeric {
        errors.push(
            field,
            format!(
                "'{value}' is not a valid host; expected a DNS name (letters, digits, hyphens, \
                 dot-separated) or an IP address"
            ),
        );
    }
}

/// A whole number typed into a text field, within `min..=max`.
pub fn parse_whole(
    errors: &mut ValidationErrors,
    field: impl Into<Field>,
    text: &str,
    min: i64,
    max: i64,
) -> i64 {
    let field: Field = field.into();
    match text.trim().parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => n,
        Ok(_) | Err(_) => {
            errors.push(field, whole_expectation(min, max));
            min
        }
    }
}

/// What a whole-number field expects, as a sentence part.
pub fn whole_expectation(min: i64, max: i64) -> String {
    if max == i64::MAX {
        format!("expected a whole number of at least {min}")
    } else {
        format!("expected a whole number from {min} to {max}")
    }
}

/// A decimal number (cores) typed into a text field, at least `min`.
pub fn parse_decimal(
    errors: &mut ValidationErrors,
    field: impl Into<Field>,
    text: &str,
    min: f64,
) -> f64 {
    let field: Field = field.into();
    match text.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n >= min && n <= 100_000.0 => n,
        Ok(_) | Err(_) => {
            errors.push(
                field,
                format!("expected a number of at least {min}, e.g. 2 or 0.5"),
            );
            min
        }
    }
}

/// A JSON object typed into a text field. Blank means `{}`. Returns the text to keep.
pub fn check_json_object(
    errors: &mut ValidationErrors,
    field: impl Into<Field>,
    text: &str,
) -> String {
    let field: Field = field.into();
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return "{}".to_owned();
    }
    match serde_json::from_str::<serde_json::Value>(trimmed) {
        Ok(serde_json::Value::Object(_)) => trimmed.to_owned(),
        Ok(_) => {
            errors.push(field, "expected a JSON object, e.g. {\"key\": \"value\"}");
            trimmed.to_owned()
        }
        Err(e) => {
            errors.push(
                field,
                format!(
                    "is not valid JSON (line {}, column {}): expected a JSON object",
                    e.line(),
                    e.column()
                ),
            );
            trimmed.to_owned()
        }
    }
}

/// An optional https URL, or an http one to this machine only: credentials travel over
/// it, and never in clear to another host.
pub fn check_endpoint(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let expected =
        "expected an https:// URL (http:// only to this machine), or nothing for the cloud's own";
    let Ok(url) = url::Url::parse(text) else {
        return Some(expected.to_owned());
    };
    match url.scheme() {
        "https" if url.host().is_some() => None,
        "http" if url.host().is_some() => (!is_loopback_url(&url)).then(|| {
            format!(
                "http:// would send the credentials in clear to {}: use https://, or http:// only to this machine (127.0.0.1, ::1, localhost)",
                url.host_str().unwrap_or_default()
            )
        }),
        _ => Some(expected.to_owned()),
    }
}

/// Whether `url` points at this machine (a loopback address, or `localhost`).
pub fn is_loopback_url(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => {
            name.eq_ignore_ascii_case("localhost")
                || name.to_ascii_lowercase().ends_with(".localhost")
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::field::{ServerField, ZoneField};

    fn host_ok(value: &str) -> bool {
        let mut errors = ValidationErrors::default();
        check_host(&mut errors, ServerField::Host, value);
        errors.is_empty()
    }

    #[test]
    fn hosts() {
        assert!(host_ok("rdp-01.example.com"));
        assert!(host_ok("10.0.0.4"));
        assert!(host_ok("::1"));
        assert!(host_ok("localhost"));
        assert!(!host_ok(""));
        assert!(!host_ok("bad host"));
        assert!(!host_ok("-leading.example.com"));
        assert!(!host_ok("a..b"));
        assert!(!host_ok("999.1.1.1"));
        assert!(!host_ok("under_score.example.com"));
    }

    #[test]
    fn endpoints_carry_credentials_in_clear_only_to_this_machine() {
        assert_eq!(check_endpoint(""), None);
        assert_eq!(check_endpoint("https://ec2.eu-west-1.amazonaws.com"), None);
        assert_eq!(check_endpoint("http://127.0.0.1:5000"), None);
        assert_eq!(check_endpoint("http://[::1]:5000/"), None);
        assert_eq!(check_endpoint("http://localhost:8080"), None);
        let remote = check_endpoint("http://10.0.0.5:5000").unwrap();
        assert!(remote.contains("in clear to 10.0.0.5"), "{remote}");
        assert!(check_endpoint("http://compute.example.com").is_some());
        assert!(check_endpoint("ftp://example.com").is_some());
        assert!(check_endpoint("https://").is_some());
    }

    #[test]
    fn whole_numbers_name_the_range() {
        let mut errors = ValidationErrors::default();
        assert_eq!(
            parse_whole(&mut errors, ServerField::Port, "3389", 1, 65535),
            3389
        );
        assert!(errors.is_empty());
        parse_whole(&mut errors, ServerField::Port, "70000", 1, 65535);
        assert_eq!(
            errors.for_field(ServerField::Port),
            Some("expected a whole number from 1 to 65535")
        );
        let mut errors = ValidationErrors::default();
        parse_whole(&mut errors, ServerField::Port, "abc", 1, 65535);
        assert!(errors.for_field(ServerField::Port).is_some());
    }

    #[test]
    fn json_objects() {
        let mut errors = ValidationErrors::default();
        assert_eq!(
            check_json_object(&mut errors, ServerField::ConnectionInfo, "  "),
            "{}"
        );
        check_json_object(&mut errors, ServerField::ConnectionInfo, r#"{"a": 1}"#);
        assert!(errors.is_empty());
        check_json_object(&mut errors, ServerField::ConnectionInfo, "[1]");
        assert!(
            errors
                .for_field(ServerField::ConnectionInfo)
                .unwrap()
                .contains("JSON object")
        );
        let mut errors = ValidationErrors::default();
        check_json_object(&mut errors, ServerField::ConnectionInfo, "{\"a\": ");
        assert!(
            errors
                .for_field(ServerField::ConnectionInfo)
                .unwrap()
                .contains("not valid JSON")
        );
    }

    #[test]
    fn names() {
        let mut errors = ValidationErrors::default();
        check_name(&mut errors, ZoneField::Name, "   ");
        assert_eq!(errors.for_field(ZoneField::Name), Some("must not be blank"));
        let mut errors = ValidationErrors::default();
        check_name(&mut errors, ZoneField::Name, &"x".repeat(65));
        assert!(errors.for_field(ZoneField::Name).is_some());
    }
}

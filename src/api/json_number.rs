//! Whole numbers in request bodies as JSON Schema means `integer`: any number with no
//! fractional part, so `2048.0` is 2048 as the OpenAPI document promises, and `2048.5` is
//! refused with its field named.

use serde::{Deserialize, Deserializer};

/// A JSON number with no fractional part, as an `i64`.
pub fn whole<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    to_whole(&number)
        .ok_or_else(|| serde::de::Error::custom(format!("expected a whole number, got {number}")))
}

/// An optional JSON number with no fractional part (`null` or missing: none).
pub fn optional_whole<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    match Option::<serde_json::Number>::deserialize(deserializer)? {
        None => Ok(None),
        Some(number) => to_whole(&number).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!("expected a whole number, got {number}"))
        }),
    }
}

fn to_whole(number: &serde_json::Number) -> Option<i64> {
    if let Some(n) = number.as_i64() {
        return Some(n);
    }
    let f = number.as_f64()?;
    // Past ±2^63 an f64 no longer names one i64; the field's own range refuses such values.
    (f.fract() == 0.0 && f.abs() < 9.2e18).then_some(f as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Body {
        #[serde(deserialize_with = "whole")]
        n: i64,
        #[serde(default, deserialize_with = "optional_whole")]
        m: Option<i64>,
    }

    #[test]
    fn integral_floats_are_whole_numbers_and_fractions_are_not() {
        let body: Body = serde_json::from_str(r#"{"n": 2048.0, "m": 3}"#).unwrap();
        assert_eq!((body.n, body.m), (2048, Some(3)));
        let body: Body = serde_json::from_str(r#"{"n": -1, "m": null}"#).unwrap();
        assert_eq!((body.n, body.m), (-1, None));
        assert!(serde_json::from_str::<Body>(r#"{"n": 2048.5}"#).is_err());
        assert!(serde_json::from_str::<Body>(r#"{"n": 1e300}"#).is_err());
        assert!(serde_json::from_str::<Body>(r#"{"n": "1"}"#).is_err());
    }
}

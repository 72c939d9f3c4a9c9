//! JSON fields parsed into the shape they must have: a list of strings, an object of strings,
//! an object, a list of objects. Each error names the field and, for malformed JSON, the
//! line and column.

use super::ValidationErrors;
use super::field::Field;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Parses `text` as JSON; blank is `None` without an error (an empty optional field).
pub fn parse_json(
    errors: &mut ValidationErrors,
    field: impl Into<Field>,
    text: &str,
) -> Option<Value> {
    let field: Field = field.into();
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match serde_json::from_str(text) {
        Ok(value) => Some(value),
        Err(e) => {
            errors.push(
                field,
                format!(
                    "is not valid JSON: {} (line {}, column {})",
                    e,
                    e.line(),
                    e.column()
                ),
            );
            None
        }
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A JSON list of strings, each passing `item` (which returns a problem, if any).
pub fn string_list(
    errors: &mut ValidationErrors,
    field: impl Into<Field>,
    text: &str,
    item: impl Fn(&str) -> Option<String>,
) -> Vec<String> {
    let field: Field = field.into();
    let Some(value) = parse_json(errors, field, text) else {
        return Vec::new();
    };
    let Value::Array(items) = value else {
        errors.push(
            field,
            format!(
                "expected a list of strings, e.g. [\"a\", \"b\"]; found {}",
                kind_of(&value)
            ),
        );
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, entry) in items.iter().enumerate() {
        match entry {
            Value::String(s) => {
                if let Some(problem) = item(s) {
                    errors.push(field, format!("item {}: {problem}", i + 1));
                }
                out.push(s.clone());
            }
            other => errors.push(
                field,
                format!(
                    "item {} is {}; expected a list of strings",
                    i + 1,
                    kind_of(other)
                ),
            ),
        }
    }
    out
}

/// A JSON object whose values are all strings, each key passing `key_check`.
pub fn string_map(
    errors: &mut ValidationErrors,
    field: impl Into<Field>,
    text: &str,
    key_check: impl Fn(&str, &str) -> Option<String>,
) -> BTreeMap<String, String> {
    let field: Field = field.into();
    let Some(value) = parse_json(errors, field, text) else {
        return BTreeMap::new();
    };
    let Value::Object(map) = value else {
        errors.push(
            field,
            format!(
                "expected an object of strings, e.g. {{\"team\": \"desktops\"}}; found {}",
                kind_of(&value)
            ),
        );
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    for (key, value) in map {
        match value {
            Value::String(s) => {
                if let Some(problem) = key_check(&key, &s) {
                    errors.push(field, format!("\"{key}\": {problem}"));
                }
                out.insert(key, s);
            }
            other => errors.push(
                field,
                format!("\"{key}\" is {}; expected a string value", kind_of(&other)),
            ),
        }
    }
    out
}

/// A JSON object; keys in `forbidden` may not be set (the application owns them).
pub fn object(
    errors: &mut ValidationErrors,
    field: impl Into<Field>,
    text: &str,
    forbidden: &[&str],
) -> Map<String, Value> {
    let field: Field = field.into();
    let Some(value) = parse_json(errors, field, text) else {
        return Map::new();
    };
    let Value::Object(map) = value else {
        errors.push(
            field,
            format!("expected a JSON object; found {}", kind_of(&value)),
        );
        return Map::new();
    };
    if let Some(key) = map.keys().find(|k| forbidden.contains(&k.as_str())) {
        errors.push(
            field,
            format!(
                "\"{key}\" cannot be overridden (pooladmin sets {})",
                forbidden.join(", ")
            ),
        );
    }
    map
}

/// A JSON list of objects, each checked by `item` (which returns a problem, if any).
pub fn object_list(
    errors: &mut ValidationErrors,
    field: impl Into<Field>,
    text: &str,
    example: &str,
    item: impl Fn(&Map<String, Value>) -> Option<String>,
) -> Vec<Map<String, Value>> {
    let field: Field = field.into();
    let Some(value) = parse_json(errors, field, text) else {
        return Vec::new();
    };
    let Value::Array(items) = value else {
        errors.push(
            field,
            format!(
                "expected a list of objects, e.g. {example}; found {}",
                kind_of(&value)
            ),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, entry) in items.into_iter().enumerate() {
        match entry {
            Value::Object(map) => {
                if let Some(problem) = item(&map) {
                    errors.push(field, format!("item {}: {problem}", i + 1));
                }
                out.push(map);
            }
            other => errors.push(
                field,
                format!(
                    "item {} is {}; expected an object like {example}",
                    i + 1,
                    kind_of(&other)
                ),
            ),
        }
    }
    out
}

/// The string at `key`, or a problem naming it.
pub fn required_string<'m>(map: &'m Map<String, Value>, key: &str) -> Result<&'m str, String> {
    match map.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
        Some(other) => Err(format!(
            "\"{key}\" is {}; expected a non-empty string",
            kind_of(other)
        )),
        None => Err(format!("\"{key}\" is missing")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::field::GcpField;

    #[test]
    fn lists_maps_and_objects() {
        let mut e = ValidationErrors::default();
        assert_eq!(
            string_list(&mut e, GcpField::NetworkTags, r#"["a","b"]"#, |_| None),
            ["a", "b"]
        );
        assert!(
            string_map(&mut e, GcpField::CustomLabels, r#"{"k":"v"}"#, |_, _| None)
                .contains_key("k")
        );
        assert!(e.is_empty());
        string_list(&mut e, GcpField::NetworkTags, r#"{"a":1}"#, |_| None);
        assert!(
            e.for_field(GcpField::NetworkTags)
                .unwrap()
                .contains("found an object")
        );
        string_map(&mut e, GcpField::CustomLabels, r#"{"k": 1}"#, |_, _| None);
        assert!(
            e.for_field(GcpField::CustomLabels)
                .unwrap()
                .contains("expected a string value")
        );
        object(&mut e, GcpField::Metadata, r#"{"name": "x"}"#, &["name"]);
        assert!(
            e.for_field(GcpField::Metadata)
                .unwrap()
                .contains("cannot be overridden")
        );
        parse_json(&mut e, GcpField::ServiceAccount, "[1,");
        assert!(
            e.for_field(GcpField::ServiceAccount)
                .unwrap()
                .contains("line 1")
        );
    }
}

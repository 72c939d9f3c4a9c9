//! serde's messages said as an administrator would: "expected a whole number, found the
//! text \"4\"" rather than "invalid type: string \"4\", expected u32".

use regex::Regex;
use std::sync::LazyLock;

/// A serde message in words; a message it does not know is returned as it is.
pub fn in_words(message: &str) -> String {
    // The patterns are constants, tested below; one that did not compile matches nothing.
    type Pattern = LazyLock<Option<Regex>>;
    static MISSING: Pattern = LazyLock::new(|| Regex::new(r"^missing field `([^`]*)`$").ok());
    static UNKNOWN_FIELD: Pattern =
        LazyLock::new(|| Regex::new(r"^unknown field `[^`]*`, expected (.*)$").ok());
    static UNKNOWN_VARIANT: Pattern =
        LazyLock::new(|| Regex::new(r"^unknown variant `([^`]*)`, expected (.*)$").ok());
    static INVALID: Pattern =
        LazyLock::new(|| Regex::new(r"^invalid (?:type|value): (.*), expected (.*)$").ok());
    static LENGTH: Pattern =
        LazyLock::new(|| Regex::new(r"^invalid length \d+, expected (.*)$").ok());
    let matched = |pattern: &Pattern| pattern.as_ref().and_then(|p| p.captures(message));
    if let Some(c) = matched(&MISSING) {
        return format!("{} is missing", &c[1]);
    }
    if let Some(c) = matched(&UNKNOWN_FIELD) {
        // The path the message goes with ends with the key already.
        return format!("unknown key (expected: {})", choices(&c[1]));
    }
    if let Some(c) = matched(&UNKNOWN_VARIANT) {
        return format!("\"{}\" is not one of: {}", &c[1], choices(&c[2]));
    }
    if let Some(c) = matched(&INVALID) {
        return format!("expected {}, found {}", expected(&c[2]), found(&c[1]));
    }
    if let Some(c) = matched(&LENGTH) {
        return format!("expected {}, found a list", expected(&c[1]));
    }
    message.to_owned()
}

/// "one of `Server`, `DockerAgent`" or "`name`" → "Server, DockerAgent" / "name".
fn choices(text: &str) -> String {
    text.trim_start_matches("one of ")
        .replace(" or ", ", ")
        .replace('`', "")
}

/// What serde expected, in words.
fn expected(text: &str) -> String {
    let text = text.trim();
    let words = match text {
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number of 0 or more",
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        "a boolean" => "true or false",
        "a string" => "text",
        "a sequence" => "a list",
        "a map" => "an object",
        _ if text.starts_with("struct ") || text.starts_with("a map") => "an object",
        _ if text.starts_with("a sequence") || text.starts_with("tuple") => "a list",
        _ if text.starts_with("enum ") || text.starts_with("variant ") => "one of its choices",
        _ => return text.to_owned(),
    };
    words.to_owned()
}

/// What serde found, in words: `string "4"` → `the text "4"`, `integer `5`` → `the number 5`.
fn found(text: &str) -> String {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("string ") {
        return format!("the text {rest}");
    }
    for prefix in ["integer ", "floating point "] {
        if let Some(rest) = text.strip_prefix(prefix) {
            return format!("the number {}", rest.trim_matches('`'));
        }
    }
    if let Some(rest) = text.strip_prefix("boolean ") {
        return rest.trim_matches('`').to_owned();
    }
    match text {
        "map" => "an object".to_owned(),
        "sequence" => "a list".to_owned(),
        "unit value" | "null" => "null".to_owned(),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::in_words;

    #[test]
    fn serde_messages_read_as_words() {
        for (message, words) in [
            ("missing field `port`", "port is missing"),
            (
                "unknown field `nme`, expected `name`",
                "unknown key (expected: name)",
            ),
            (
                "unknown variant `Desktop`, expected `Server` or `DockerAgent`",
                "\"Desktop\" is not one of: Server, DockerAgent",
            ),
            (
                "invalid type: string \"4\", expected u32",
                "expected a whole number of 0 or more, found the text \"4\"",
            ),
            (
                "invalid value: integer `70000`, expected u16",
                "expected a whole number of 0 or more, found the number 70000",
            ),
            (
                "invalid type: integer `4`, expected a string",
                "expected text, found the number 4",
            ),
            (
                "invalid type: sequence, expected struct ConfigFile",
                "expected an object, found a list",
            ),
            (
                "invalid length 0, expected struct ConfigFile with 11 elements",
                "expected an object, found a list",
            ),
            ("something else", "something else"),
        ] {
            assert_eq!(in_words(message), words, "{message}");
        }
    }
}

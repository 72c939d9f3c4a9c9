//! The text rules of the API's bodies, stated once: the OpenAPI document publishes these
//! patterns and lengths, and the server checks a value with the very same pattern, so a
//! client that validates against the document is never refused for something it allowed,
//! and never accepted for something it forbade.

use std::sync::LazyLock;

/// Longest host name or address (a DNS name's limit).
pub const HOST_MAX_LEN: usize = 253;

/// A host: an IPv4 address (dotted quad), an IPv6 address, or a DNS name whose last label
/// starts with a letter (so `999.1.1.1` is neither an address nor a name).
pub const HOST_PATTERN: &str = concat!(
    "^(",
    // IPv4.
    r"((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])",
    "|",
    // IPv6, every abbreviated form.
    r"([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}",
    r"|([0-9a-fA-F]{1,4}:){1,7}:",
    r"|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}",
    r"|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}",
    r"|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}",
    r"|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}",
    r"|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}",
    r"|[0-9a-fA-F]{1,4}:(:[0-9a-fA-F]{1,4}){1,6}",
    r"|:(:[0-9a-fA-F]{1,4}){1,7}",
    r"|::",
    "|",
    // A DNS name: labels of letters, digits and inner hyphens; the last starts with a letter.
    r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?",
    ")$"
);

/// Longest user name a portal may give.
pub const USER_MAX_LEN: usize = super::validation::MAX_NAME_LEN;

/// A user: no control characters, and something other than white space.
pub const USER_PATTERN: &str = concat!(
    r"^[^\x00-\x1f\x7f-\x9f]*",
    r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
    r"[^\x00-\x1f\x7f-\x9f]*$"
);

/// Longest agent version kept.
pub const VERSION_MAX_LEN: usize = 64;

/// An agent version: printable characters (none of the control characters).
pub const VERSION_PATTERN: &str = r"^[^\x00-\x1f\x7f-\x9f]*$";

/// Whether `text` is a host as [`HOST_PATTERN`] and [`HOST_MAX_LEN`] say.
pub fn is_host(text: &str) -> bool {
    static HOST: LazyLock<Option<regex::Regex>> =
        LazyLock::new(|| regex::Regex::new(HOST_PATTERN).ok());
    text.len() <= HOST_MAX_LEN && HOST.as_ref().is_some_and(|r| r.is_match(text))
}

/// Whether `text` is a user as [`USER_PATTERN`] and [`USER_MAX_LEN`] say.
pub fn is_user(text: &str) -> bool {
    text.chars().count() <= USER_MAX_LEN
        && !text.chars().any(char::is_control)
        && text.chars().any(|c| !c.is_whitespace())
}

/// Whether `text` is an agent version as [`VERSION_PATTERN`] and [`VERSION_MAX_LEN`] say.
pub fn is_version(text: &str) -> bool {
    text.chars().count() <= VERSION_MAX_LEN && !text.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_as_the_document_says() {
        for good in [
            "10.0.0.7",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "2001:db8::8a2e:370:7334",
            "1:2:3:4:5:6:7:8",
            "agent-01.demo.internal",
            "localhost",
            "example.com.",
        ] {
            assert!(is_host(good), "{good}");
        }
        for bad in [
            "",
            " 10.0.0.7",
            "999.1.1.1",
            "01.2.3.4",
            "bad host",
            "-leading.example.com",
            "a..b",
            "under_score.example.com",
            "1:2:3:4:5:6:7:8:9",
        ] {
            assert!(!is_host(bad), "{bad}");
        }
        assert!(!is_host(&format!("{}.com", "a.".repeat(130))));
    }

    #[test]
    fn users_and_versions_as_the_document_says() {
        let user = regex::Regex::new(USER_PATTERN).unwrap();
        for (text, ok) in [
            ("alice", true),
            (" alice ", true),
            ("", false),
            ("   ", false),
            ("\u{3000}", false),
            ("a\u{7}b", false),
            ("élodie", true),
        ] {
            assert_eq!(is_user(text), ok, "{text:?}");
            assert_eq!(user.is_match(text), ok, "pattern, {text:?}");
        }
        let version = regex::Regex::new(VERSION_PATTERN).unwrap();
        for (text, ok) in [("pooladmin-agent 0.1.0", true), ("", true), ("a\nb", false)] {
            assert_eq!(is_version(text), ok, "{text:?}");
            assert_eq!(version.is_match(text), ok, "pattern, {text:?}");
        }
    }
}

//! The one-time password a new VM joins the domain with, and how it goes into a PowerShell
//! single-quoted string.

use crate::model::Secret;
use rand::Rng;
use rand::seq::SliceRandom;

/// Long enough for any domain's length policy.
const LENGTH: usize = 32;

const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
const DIGITS: &[u8] = b"23456789";
/// No quote, backtick, `$`, brace or backslash: nothing any shell or pooladmin's own
/// placeholders could read as syntax.
const SYMBOLS: &[u8] = b"!#%*+-.:=?@^_~";

/// A fresh random password of 32 characters with upper and lower case letters, digits and
/// symbols (Active Directory's complexity rule asks for three of the four).
pub fn new_join_password() -> Secret {
    let mut rng = rand::rng();
    let classes = [UPPER, LOWER, DIGITS, SYMBOLS];
    let mut chars: Vec<u8> = classes
        .iter()
        .map(|class| class[rng.random_range(0..class.len())])
        .collect();
    let all: Vec<u8> = classes.concat();
    while chars.len() < LENGTH {
        chars.push(all[rng.random_range(0..all.len())]);
    }
    chars.shuffle(&mut rng);
    Secret::new(String::from_utf8_lossy(&chars).into_owned())
}

/// `value` made safe inside a PowerShell single-quoted string: each quote character
/// PowerShell accepts (the ASCII one and the typographic ones) is doubled.
pub fn powershell_single_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_complex_and_fresh() {
        let first = new_join_password();
        let second = new_join_password();
        assert_ne!(first.expose(), second.expose());
        for password in [first, second] {
            let p = password.expose();
            assert_eq!(p.len(), LENGTH);
            for class in [UPPER, LOWER, DIGITS, SYMBOLS] {
                assert!(p.bytes().any(|b| class.contains(&b)), "{class:?} missing");
            }
            assert_eq!(powershell_single_quoted(p), p, "nothing to escape");
        }
    }

    #[test]
    fn quotes_are_doubled() {
        assert_eq!(powershell_single_quoted("it's"), "it''s");
        assert_eq!(powershell_single_quoted("a\u{2019}b"), "a\u{2019}\u{2019}b");
    }
}

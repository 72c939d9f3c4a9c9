//! The store's queries are written with SQLite's `?1` placeholders; PostgreSQL numbers its
//! parameters `$1`. The translation skips string literals, quoted names and comments.

/// `sql` with every `?N` (and bare `?`) outside quotes turned into `$N`.
pub fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut next_bare = 1;
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for inner in chars.by_ref() {
                    out.push(inner);
                    if inner == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for inner in chars.by_ref() {
                    out.push(inner);
                    if inner == '\n' {
                        break;
                    }
                }
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                out.push('$');
                if digits.is_empty() {
                    out.push_str(&next_bare.to_string());
                    next_bare += 1;
                } else {
                    out.push_str(&digits);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn numbered_and_bare_placeholders_become_dollars() {
        assert_eq!(
            numbered("SELECT a FROM t WHERE b = ?1 AND c IS DISTINCT FROM ?12"),
            "SELECT a FROM t WHERE b = $1 AND c IS DISTINCT FROM $12"
        );
        assert_eq!(numbered("VALUES (?, ?)"), "VALUES ($1, $2)");
    }

    #[test]
    fn quotes_and_comments_are_left_alone() {
        assert_eq!(
            numbered("SELECT '?1', \"a?\" -- why?\n FROM t WHERE x = ?2"),
            "SELECT '?1', \"a?\" -- why?\n FROM t WHERE x = $2"
        );
    }
}

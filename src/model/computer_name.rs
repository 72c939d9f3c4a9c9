//! Computer names of Active Directory records: a pattern with a counter, `VDI-{n}` →
//! `VDI-1`, `VDI-2`, …; NetBIOS allows at most 15 characters.

/// The counter in a pattern.
const COUNTER: &str = "{n}";
/// NetBIOS's limit.
pub const MAX_LEN: usize = 15;
/// The default pattern.
pub const DEFAULT_PATTERN: &str = "VDI-{n}";

/// The name for counter `n`; `None` when it would be longer than NetBIOS allows.
pub fn computer_name(pattern: &str, n: u32) -> Option<String> {
    let name = pattern.trim().replacen(COUNTER, &n.to_string(), 1);
    (name.len() <= MAX_LEN).then_some(name)
}

/// Checks a pattern: one `{n}`, letters, digits and hyphens around it, and room for a
/// counter of three digits within 15 characters.
pub fn check_pattern(pattern: &str) -> Option<String> {
    let pattern = pattern.trim();
    if pattern.matches(COUNTER).count() != 1 {
        return Some("expected one {n} counter, like VDI-{n}".into());
    }
    let fixed = pattern.replacen(COUNTER, "", 1);
    if !fixed.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Some("expected letters, digits and hyphens around {n}".into());
    }
    // Compute Engine and DNS want a letter first, and no label ends with a hyphen.
    if !pattern.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Some("a computer name starts with a letter".into());
    }
    if pattern.ends_with('-') {
        return Some("a computer name cannot end with a hyphen".into());
    }
    let longest = fixed.len() + 3;
    (longest > MAX_LEN).then(|| {
        format!("names would reach {longest} characters at {{n}} = 999; NetBIOS allows {MAX_LEN}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_count_up_within_netbios_limits() {
        assert_eq!(computer_name("VDI-{n}", 7).as_deref(), Some("VDI-7"));
        assert_eq!(
            computer_name("ABCDEFGHIJKL{n}", 999),
            Some("ABCDEFGHIJKL999".into())
        );
        assert_eq!(computer_name("ABCDEFGHIJKL{n}", 1000), None);
    }

    #[test]
    fn patterns_are_checked() {
        assert!(check_pattern("VDI-{n}").is_none());
        assert!(check_pattern("VDI").unwrap().contains("{n}"));
        assert!(check_pattern("{n}-{n}").unwrap().contains("one"));
        assert!(check_pattern("VDI_{n}").unwrap().contains("hyphens"));
        assert!(
            check_pattern("ABCDEFGHIJKLM{n}")
                .unwrap()
                .contains("16 characters")
        );
        assert!(check_pattern("-X{n}").unwrap().contains("letter"));
        assert!(check_pattern("{n}VDI").unwrap().contains("letter"));
        assert!(check_pattern("VDI{n}-").unwrap().contains("hyphen"));
    }
}

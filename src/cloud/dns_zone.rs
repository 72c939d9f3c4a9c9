//! Which of an account's DNS zones holds a record: the one whose name is the longest
//! suffix of it (`a.agents.example.com` goes in `agents.example.com` rather than
//! `example.com` when both exist).

/// The zone of `zones` that holds `name` (case and a trailing dot ignored), and the
/// record's name relative to it.
pub fn zone_for<'a>(
    name: &str,
    zones: impl IntoIterator<Item = &'a str>,
) -> Option<(String, String)> {
    let name = name.trim_end_matches('.').to_lowercase();
    zones
        .into_iter()
        .map(|zone| zone.trim_end_matches('.').to_lowercase())
        .filter(|zone| name.ends_with(&format!(".{zone}")))
        .max_by_key(String::len)
        .map(|zone| {
            let relative = name[..name.len() - zone.len() - 1].to_owned();
            (zone, relative)
        })
}

#[cfg(test)]
mod tests {
    use super::zone_for;

    #[test]
    fn the_longest_suffix_wins() {
        let zones = ["example.com", "agents.example.com.", "example.org"];
        assert_eq!(
            zone_for("pa-1.Agents.example.com.", zones),
            Some(("agents.example.com".into(), "pa-1".into()))
        );
        assert_eq!(
            zone_for("x.example.com", zones),
            Some(("example.com".into(), "x".into()))
        );
        assert_eq!(zone_for("example.net", zones), None);
        assert_eq!(zone_for("badexample.com", ["example.com"]), None);
    }
}

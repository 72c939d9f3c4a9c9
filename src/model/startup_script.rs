//! Startup scripts: the placeholders pooladmin fills in, and each cloud's user-data limit.

/// The placeholders pooladmin substitutes when it renders a startup script.
pub const PLACEHOLDERS: [&str; 11] = [
    "server_id",
    "server_hostname",
    "server_external_fqdn",
    "provider_name",
    "pool_name",
    "domain",
    "ad_join_credential",
    "nginx_cert",
    "nginx_key",
    "checkin_url",
    "checkin_token",
];

/// Placeholders in `script` that pooladmin does not know (`{name}` with a plain name);
/// `{{` and `}}` are literal braces, as in PowerShell examples, and `${NAME}` is the
/// shell's own, left alone.
pub fn unknown_placeholders(script: &str) -> Vec<String> {
    let mut unknown = Vec::new();
    let mut rest = script.replace("{{", "").replace("}}", "");
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            break;
        };
        let name = &after[..end];
        let shell_variable = rest[..start].ends_with('$');
        let is_placeholder = !shell_variable
            && !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if is_placeholder && !PLACEHOLDERS.contains(&name) && !unknown.iter().any(|u| u == name) {
            unknown.push(name.to_owned());
        }
        rest = after[end + 1..].to_owned();
    }
    unknown
}

/// Fills the placeholders of `script` with `values` (name, value). Doubled braces are
/// escapes for one brace, as in the reference's PowerShell example
/// (`@{{ UserName = $null }}` → `@{ UserName = $null }`); unknown names and the shell's
/// `${NAME}` are left as they are. Values are inserted as given, never read again.
pub fn render(script: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(script.len());
    let mut rest = script;
    while let Some(at) = rest.find(['{', '}']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        let brace = &tail[..1];
        let after = &tail[1..];
        let shell_variable = out.ends_with('$');
        let value = (brace == "{").then_some(()).and_then(|()| {
            let end = after.find('}')?;
            let name = &after[..end];
            values
                .iter()
                .find(|(n, _)| *n == name && !shell_variable)
                .map(|(_, v)| (end, *v))
        });
        match value {
            Some((end, v)) => {
                out.push_str(v);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(brace);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Checks a script against a cloud's user-data limit in bytes. The rendered script (with
/// placeholders filled) is checked again before each create; this catches what never fits.
pub fn check_size(script: &str, limit_bytes: usize, cloud: &str) -> Option<String> {
    (script.len() > limit_bytes).then(|| {
        format!(
            "is {} bytes; {cloud} accepts at most {limit_bytes} bytes of user data",
            script.len()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_unknown_placeholders_only() {
        let script = "echo {server_id} {pool_name} {typo} {{literal}} ${HOME} {typo}";
        assert_eq!(unknown_placeholders(script), ["typo"]);
        assert!(unknown_placeholders("[pscustomobject]@{{ UserName = $null }}").is_empty());
    }

    #[test]
    fn renders_known_placeholders_only() {
        let script = "echo {server_id} ${server_id} {pool_name} {other}";
        assert_eq!(
            render(script, &[("server_id", "7"), ("pool_name", "gpu")]),
            "echo 7 ${server_id} gpu {other}"
        );
    }

    #[test]
    fn doubled_braces_are_single_braces_once_rendered() {
        assert_eq!(
            render(
                "@{{ A = '{pool_name}' }} ${HOME} {x}",
                &[("pool_name", "p")]
            ),
            "@{ A = 'p' } ${HOME} {x}"
        );
    }

    #[test]
    fn enforces_the_limit() {
        assert!(check_size("abc", 3, "AWS").is_none());
        assert!(
            check_size("abcd", 3, "AWS")
                .unwrap()
                .contains("at most 3 bytes")
        );
    }
}

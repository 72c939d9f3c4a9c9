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

/// What a new instance's startup script is filled with: the placeholder table, one field
/// per placeholder (the optional ones only when the config has them).
#[derive(Clone, Copy, Debug, Default)]
pub struct ScriptValues<'a> {
    /// `{server_id}`: the instance's id.
    pub server_id: i64,
    /// `{server_hostname}`: the name the guest gets.
    pub server_hostname: &'a str,
    /// `{provider_name}`: the VM Provider config's name.
    pub provider_name: &'a str,
    /// `{pool_name}`.
    pub pool_name: &'a str,
    /// `{checkin_url}`: where the agent checks in.
    pub checkin_url: &'a str,
    /// `{checkin_token}`, when the instance has one.
    pub checkin_token: Option<&'a str>,
    /// `{ad_join_credential}`, already quoted for PowerShell, when a computer record waits.
    pub ad_join_credential: Option<&'a str>,
    /// `{domain}` of that record.
    pub domain: Option<&'a str>,
    /// `{nginx_cert}` and `{nginx_key}` of an agent config.
    pub nginx: Option<(&'a str, &'a str)>,
    /// `{server_external_fqdn}`, when the config registers DNS.
    pub server_external_fqdn: Option<&'a str>,
}

impl ScriptValues<'_> {
    /// `script` with these values in its placeholders.
    pub fn render(&self, script: &str) -> String {
        let id = self.server_id.to_string();
        let mut values = vec![
            ("server_id", id.as_str()),
            ("server_hostname", self.server_hostname),
            ("provider_name", self.provider_name),
            ("pool_name", self.pool_name),
            ("checkin_url", self.checkin_url),
        ];
        let optional = [
            ("checkin_token", self.checkin_token),
            ("ad_join_credential", self.ad_join_credential),
            ("domain", self.domain),
            ("nginx_cert", self.nginx.map(|(cert, _)| cert)),
            ("nginx_key", self.nginx.map(|(_, key)| key)),
            ("server_external_fqdn", self.server_external_fqdn),
        ];
        values.extend(optional.into_iter().filter_map(|(k, v)| Some((k, v?))));
        render(script, &values)
    }
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
    fn every_placeholder_has_its_place_in_the_table() {
        let all: String = PLACEHOLDERS
            .iter()
            .map(|p| format!("{p}={{{p}}};"))
            .collect();
        let values = ScriptValues {
            server_id: 42,
            server_hostname: "pa1a2b3c4-42",
            provider_name: "aws",
            pool_name: "Windows",
            checkin_url: "https://pa.example:8443/v1/checkin",
            checkin_token: Some("tok"),
            ad_join_credential: Some("'pw'"),
            domain: Some("corp.example"),
            nginx: Some(("CERT", "KEY")),
            server_external_fqdn: Some("42.agents.example"),
        };
        let out = values.render(&all);
        assert!(!out.contains('{'), "every placeholder filled: {out}");
        assert!(
            out.contains("server_id=42;") && out.contains("nginx_key=KEY;"),
            "{out}"
        );
        // Without the optional ones, those stay as typed.
        let bare = ScriptValues {
            server_id: 7,
            ..ScriptValues::default()
        }
        .render("{server_id} {checkin_token} {domain}");
        assert_eq!(bare, "7 {checkin_token} {domain}");
    }

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

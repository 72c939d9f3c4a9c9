//! A PostgreSQL database named by a URL, `postgres://user[:password]@host[:port]/dbname
//! ?sslmode=…&sslrootcert=…`, as libpq reads it: the password from the URL, else
//! `PGPASSWORD`, else the passfile (`PGPASSFILE` or `~/.pgpass`). The URL shown anywhere
//! (the About dialog, logs, errors) never carries the password.

use super::pg_tls::SslMode;
use crate::model::Secret;
use percent_encoding::percent_decode_str;
use std::fmt;
use std::path::PathBuf;

/// What `--db` or `POOLADMIN_DATABASE_URL` named, ready to connect to.
#[derive(Clone)]
pub struct PgUrl {
    /// Server host name or address.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Role to log in as.
    pub user: String,
    /// The database.
    pub dbname: String,
    /// The password, when any source gave one.
    pub password: Option<Secret>,
    /// How TLS is used.
    pub ssl_mode: SslMode,
    /// The CA certificates to trust (verify-ca, verify-full).
    pub ssl_root_cert: Option<PathBuf>,
    shown: String,
}

impl fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl fmt::Display for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

/// Whether `text` names a PostgreSQL database rather than an SQLite file.
pub fn is_postgres_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

impl PgUrl {
    /// Reads `text`; the error names what is wrong with it (and never repeats a password).
    pub fn parse(text: &str) -> Result<Self, String> {
        let url = url::Url::parse(text).map_err(|e| {
            format!(
                "the database URL does not parse ({e}); expected postgres://user@host:5432/dbname"
            )
        })?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(format!(
                "the database URL starts with {}://; expected postgres://",
                url.scheme()
            ));
        }
        let mut shown = url.clone();
        let _ = shown.set_password(None);
        let shown = shown.to_string();
        let decode = |part: &str, what: &str| {
            percent_decode_str(part)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| format!("{shown}: the {what} is not UTF-8 once decoded"))
        };
        let host = match url.host() {
            Some(url::Host::Ipv6(addr)) => addr.to_string(),
            Some(host) => host.to_string(),
            None => return Err(format!("{shown} names no server host")),
        };
        let port = url.port().unwrap_or(5432);
        let user = match url.username() {
            "" => std::env::var("PGUSER")
                .or_else(|_| std::env::var("USER"))
                .map_err(|_| format!("{shown} names no user (postgres://USER@host/dbname)"))?,
            name => decode(name, "user name")?,
        };
        let dbname = match url.path().trim_start_matches('/') {
            "" => user.clone(),
            name if name.contains('/') => {
                return Err(format!("{shown}: the database name cannot contain '/'"));
            }
            name => decode(name, "database name")?,
        };
        let mut ssl_mode = SslMode::Prefer;
        let mut ssl_root_cert = None;
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "sslmode" => {
                    ssl_mode = SslMode::parse(&value).ok_or_else(|| {
                        format!(
                            "{shown}: sslmode={value} is not known; expected disable, prefer, \
                             require, verify-ca or verify-full"
                        )
                    })?;
                }
                "sslrootcert" => ssl_root_cert = Some(PathBuf::from(value.as_ref())),
                other => {
                    return Err(format!(
                        "{shown}: the parameter {other} is not known; pooladmin reads sslmode \
                         and sslrootcert"
                    ));
                }
            }
        }
        let password = match url.password() {
            Some(p) => Some(Secret::new(decode(p, "password")?)),
            None => std::env::var("PGPASSWORD")
                .ok()
                .filter(|p| !p.is_empty())
                .map(Secret::new)
                .or_else(|| passfile_password(&host, port, &dbname, &user)),
        };
        Ok(Self {
            host,
            port,
            user,
            dbname,
            password,
            ssl_mode,
            ssl_root_cert,
            shown,
        })
    }

    /// The same database with another name (the tests' throw-away databases).
    pub fn with_dbname(&self, dbname: &str) -> Self {
        let mut other = self.clone();
        other.shown = match self.shown.rfind(&format!("/{}", self.dbname)) {
            Some(at) => format!(
                "{}/{dbname}{}",
                &self.shown[..at],
                &self.shown[at + 1 + self.dbname.len()..]
            ),
            None => format!("{} (database {dbname})", self.shown),
        };
        other.dbname = dbname.to_owned();
        other
    }
}

/// The password for this server, database and user in libpq's passfile, which libpq
/// ignores (and so does pooladmin) when others may read it.
fn passfile_password(host: &str, port: u16, dbname: &str, user: &str) -> Option<Secret> {
    let path = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".pgpass")))?;
    let text = std::fs::read_to_string(&path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(passfile = %path.display(), "the passfile can be read by others; it was ignored (chmod 0600 it)");
            return None;
        }
    }
    let wanted = [
        host.to_owned(),
        port.to_string(),
        dbname.to_owned(),
        user.to_owned(),
    ];
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .find_map(|line| {
            let fields = passfile_fields(line);
            if fields.len() != 5 {
                return None;
            }
            let matches = fields[..4]
                .iter()
                .zip(&wanted)
                .all(|(field, want)| field == "*" || field == want);
            matches.then(|| Secret::new(fields[4].clone()))
        })
}

/// A passfile line's fields: `:` separates, `\` escapes.
fn passfile_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.extend(chars.next()),
            ':' => fields.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    fields.push(current);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_names_server_database_and_tls_and_shows_no_password() {
        let url = PgUrl::parse(
            "postgres://pool%40admin:s3cr%3At@db.example.net:6543/pools?sslmode=verify-full&sslrootcert=/etc/ca.pem",
        )
        .unwrap();
        assert_eq!(url.host, "db.example.net");
        assert_eq!(url.port, 6543);
        assert_eq!(url.user, "pool@admin");
        assert_eq!(url.dbname, "pools");
        assert_eq!(
            url.password.as_ref().map(|p| p.expose().to_owned()),
            Some("s3cr:t".to_owned())
        );
        assert_eq!(url.ssl_mode, SslMode::VerifyFull);
        assert!(!url.to_string().contains("s3cr"));
        assert!(!format!("{url:?}").contains("s3cr"));
    }

    #[test]
    fn bad_urls_say_what_is_wrong_without_the_password() {
        for (text, says) in [
            ("postgres://u:hunter2@/db", "host"),
            ("mysql://u:hunter2@h/db", "expected postgres://"),
            (
                "postgres://u:hunter2@h/db?sslmode=sometimes",
                "sslmode=sometimes",
            ),
            (
                "postgres://u:hunter2@h/db?sslcompression=1",
                "sslcompression",
            ),
            ("postgres://u:hunter2@h:99999/db", "does not parse"),
        ] {
            let error = PgUrl::parse(text).unwrap_err();
            assert!(error.contains(says), "{text}: {error}");
            assert!(!error.contains("hunter2"), "{text}: {error}");
        }
    }

    #[test]
    fn passfile_lines_split_on_unescaped_colons() {
        assert_eq!(
            passfile_fields(r"h:5432:*:u:pa\:ss\\word"),
            ["h", "5432", "*", "u", r"pa:ss\word"]
        );
    }
}

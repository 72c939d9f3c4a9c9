//! The HTTP API's settings: one row, its TLS key sealed like every secret.

use super::db::{Conn, params};
use super::sealed_columns::API_TLS_KEY;
use super::{Store, StoreError};
use crate::model::api_settings::{ApiSettings, checkin_url};

impl Store {
    /// The API settings (defaults until first saved).
    pub fn api_settings(&self) -> Result<ApiSettings, StoreError> {
        let (enabled, listen, tls_cert, sealed, agent_url, missing, dead, rate, max_connections) =
            self.conn.query_row(
                "SELECT enabled, listen, tls_cert, tls_key_sealed, agent_url, host_missing_s,
                        host_dead_s, rate_limit, max_connections
                 FROM api_settings WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<bool>(0)?,
                        r.get::<String>(1)?,
                        r.get::<String>(2)?,
                        r.get::<Option<Vec<u8>>>(3)?,
                        r.get::<String>(4)?,
                        r.get::<u32>(5)?,
                        r.get::<u32>(6)?,
                        r.get::<u32>(7)?,
                        r.get::<u32>(8)?,
                    ))
                },
            )?;
        let listen = stored_listen(&listen)?;
        let tls_key = self
            .sealer
            .open(sealed.as_deref(), API_TLS_KEY.at(1))
            .ok_or(StoreError::Unseal)?;
        Ok(ApiSettings {
            enabled,
            listen,
            tls_cert,
            tls_key,
            agent_url,
            host_missing_s: missing,
            host_dead_s: dead,
            rate_limit: rate,
            max_connections,
        })
    }

    /// The URL agents check in at (`{checkin_url}`), without unsealing the TLS key: the
    /// scaler reads it every pass.
    pub fn checkin_url(&self) -> Result<String, StoreError> {
        let (listen, tls_cert, agent_url): (String, String, String) = self
            .conn
            .prepare_cached("SELECT listen, tls_cert, agent_url FROM api_settings WHERE id = 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let listen = stored_listen(&listen)?;
        Ok(checkin_url(&agent_url, listen, !tls_cert.trim().is_empty()))
    }

    /// The Host Missing and Host Dead Expirations (s), without unsealing the TLS key.
    pub fn host_expiry(&self) -> Result<(u32, u32), StoreError> {
        host_expiry(&self.conn)
    }

    /// Saves the API settings (already parsed, so valid).
    pub fn save_api_settings(&mut self, settings: &ApiSettings) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE api_settings SET enabled = ?1, listen = ?2, tls_cert = ?3, tls_key_sealed = ?4,
                    agent_url = ?5, host_missing_s = ?6, host_dead_s = ?7, rate_limit = ?8,
                    max_connections = ?9
             WHERE id = 1",
            params![
                settings.enabled,
                settings.listen.to_string(),
                settings.tls_cert,
                self.sealer.seal(&settings.tls_key, API_TLS_KEY.at(1)),
                settings.agent_url,
                settings.host_missing_s,
                settings.host_dead_s,
                settings.rate_limit,
                settings.max_connections,
            ],
        )?;
        Ok(())
    }
}

/// The Host Missing and Host Dead Expirations (s), read where placement, the planner and the
/// pool views judge a member's silence.
pub(super) fn host_expiry(conn: &Conn) -> Result<(u32, u32), StoreError> {
    Ok(conn
        .prepare_cached("SELECT host_missing_s, host_dead_s FROM api_settings WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// The stored Listen Address, which the form wrote as an address and port.
fn stored_listen(text: &str) -> Result<std::net::SocketAddr, StoreError> {
    text.parse().map_err(|_| {
        StoreError::Refused(format!(
            "the stored API Listen Address '{text}' is not an address and port; set it again on the API page"
        ))
    })
}

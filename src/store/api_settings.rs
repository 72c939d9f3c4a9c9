//! The HTTP API's settings: one row, its TLS key sealed like every secret.

use super::{Store, StoreError};
use crate::model::api_settings::ApiSettings;
use rusqlite::params;

impl Store {
    /// The API settings (defaults until first saved).
    pub fn api_settings(&self) -> Result<ApiSettings, StoreError> {
        let (enabled, listen, tls_cert, sealed, agent_url, missing, dead, rate) =
            self.conn.query_row(
                "SELECT enabled, listen, tls_cert, tls_key_sealed, agent_url, host_missing_s,
                        host_dead_s, rate_limit
                 FROM api_settings WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, bool>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<Vec<u8>>>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, u32>(5)?,
                        r.get::<_, u32>(6)?,
                        r.get::<_, u32>(7)?,
                    ))
                },
            )?;
        let listen = listen.parse().map_err(|_| {
            StoreError::Refused(format!(
                "the stored API Listen Address '{listen}' is not an address and port; set it again on the API page"
            ))
        })?;
        let tls_key = self
            .sealer
            .open(sealed.as_deref())
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
        })
    }

    /// Saves the API settings (already parsed, so valid).
    pub fn save_api_settings(&mut self, settings: &ApiSettings) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE api_settings SET enabled = ?1, listen = ?2, tls_cert = ?3, tls_key_sealed = ?4,
                    agent_url = ?5, host_missing_s = ?6, host_dead_s = ?7, rate_limit = ?8
             WHERE id = 1",
            params![
                settings.enabled,
                settings.listen.to_string(),
                settings.tls_cert,
                self.sealer.seal(&settings.tls_key),
                settings.agent_url,
                settings.host_missing_s,
                settings.host_dead_s,
                settings.rate_limit,
            ],
        )?;
        Ok(())
    }
}

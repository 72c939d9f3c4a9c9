//! The general settings row (currency, history retention).

use super::db::params;
use super::{Store, StoreError};
use crate::model::app_settings::AppSettings;

impl Store {
    /// The settings.
    pub fn app_settings(&self) -> Result<AppSettings, StoreError> {
        Ok(self.conn.query_row(
            "SELECT currency, history_days FROM settings WHERE id = 1",
            [],
            |r| {
                Ok(AppSettings {
                    currency: r.get(0)?,
                    history_days: r.get(1)?,
                })
            },
        )?)
    }

    /// Saves checked settings.
    pub fn save_app_settings(&mut self, settings: &AppSettings) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE settings SET currency = ?1, history_days = ?2 WHERE id = 1",
            params![settings.currency, settings.history_days],
        )?;
        Ok(())
    }
}

//! The database server out of reach: a red banner saying since when and why, and a retry
//! every couple of seconds until it answers (the store reconnects by itself). What the
//! administrator typed stays in its form meanwhile: a save that failed kept it.

use crate::store::StoreError;
use egui::{RichText, Ui};
use std::time::{Duration, Instant};

/// How often the window tries the database again while it is out of reach.
pub const RETRY_EVERY: Duration = Duration::from_secs(2);

/// Since when the database has not answered, and the last thing it said.
#[derive(Clone, Debug)]
pub struct Unreachable {
    since: String,
    error: String,
    tried: Instant,
}

impl Unreachable {
    /// Whether `error` says the database is out of reach (not a refusal or a bad row).
    pub fn is_unreachable(error: &StoreError) -> bool {
        matches!(error, StoreError::Database(e) if e.is_unreachable())
    }

    /// Keeps the first moment it was out of reach, and the latest error.
    pub fn noted(earlier: Option<Self>, error: &StoreError) -> Self {
        Self {
            since: earlier.map_or_else(
                || jiff::Zoned::now().strftime("%H:%M:%S").to_string(),
                |e| e.since,
            ),
            error: error.to_string(),
            tried: Instant::now(),
        }
    }

    /// Whether it is time to try again.
    pub fn retry_due(&self) -> bool {
        self.tried.elapsed() >= RETRY_EVERY
    }

    /// The banner above the page.
    pub fn ui(&self, ui: &mut Ui) {
        let red = ui.visuals().error_fg_color;
        super::theme::notice_frame(red, red.gamma_multiply(0.25)).show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.spinner();
                ui.label(
                    RichText::new(format!(
                        "The database is unreachable since {}; retrying every {} s. What it said: {}",
                        self.since,
                        RETRY_EVERY.as_secs(),
                        self.error
                    ))
                    .strong(),
                );
            });
        });
        ui.add_space(4.0);
    }
}

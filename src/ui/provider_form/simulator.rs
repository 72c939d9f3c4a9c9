//! The simulator's fields.

use crate::model::ValidationErrors;
use crate::model::vm_provider::SimulatorSettings;
use crate::ui::form::{error_of, text_row};
use egui::Ui;

/// Every field of a simulated cloud.
pub fn rows(ui: &mut Ui, s: &mut SimulatorSettings, e: Option<&ValidationErrors>) {
    text_row(
        ui,
        "Boot Delay (s)",
        &mut s.boot_delay_s,
        error_of(e, "Boot Delay (s)"),
    );
    text_row(
        ui,
        "Failure Rate (%)",
        &mut s.failure_rate_percent,
        error_of(e, "Failure Rate (%)"),
    );
}

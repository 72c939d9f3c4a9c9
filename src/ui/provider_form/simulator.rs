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
    for (label, value) in [
        ("Failure Rate (%)", &mut s.failure_rate_percent),
        ("Throttle Rate (%)", &mut s.throttle_rate_percent),
        ("Capacity Errors (%)", &mut s.capacity_error_percent),
        ("API Latency (ms)", &mut s.api_latency_ms),
    ] {
        text_row(ui, label, value, error_of(e, label));
    }
}

//! The simulator's fields.

use crate::model::ValidationErrors;
use crate::model::field::SimulatorField;
use crate::model::vm_provider::SimulatorSettings;
use crate::ui::form::{error_of, text_row};
use egui::Ui;

/// Every field of a simulated cloud.
pub fn rows(ui: &mut Ui, s: &mut SimulatorSettings, e: Option<&ValidationErrors>) {
    text_row(
        ui,
        "Boot Delay (s)",
        &mut s.boot_delay_s,
        error_of(e, SimulatorField::BootDelay),
    );
    for (label, value) in [
        (SimulatorField::FailureRate, &mut s.failure_rate_percent),
        (SimulatorField::ThrottleRate, &mut s.throttle_rate_percent),
        (
            SimulatorField::CapacityErrors,
            &mut s.capacity_error_percent,
        ),
        (SimulatorField::ApiLatency, &mut s.api_latency_ms),
    ] {
        text_row(ui, label.label(), value, error_of(e, label));
    }
}

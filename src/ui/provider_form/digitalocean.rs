//! The DigitalOcean fields.

use crate::model::ValidationErrors;
use crate::model::vm_provider::DigitalOceanSettings;
use crate::ui::form::{error_of, secret_row, text_row};
use egui::Ui;

/// Every DigitalOcean field of a VM Provider config.
pub fn rows(
    ui: &mut Ui,
    s: &mut DigitalOceanSettings,
    e: Option<&ValidationErrors>,
    reveal: &mut bool,
) {
    secret_row(ui, "Token", &mut s.token, reveal, error_of(e, "Token"));
    text_row(ui, "Region", &mut s.region, error_of(e, "Region"));
    text_row(ui, "Image", &mut s.image, error_of(e, "Image"));
    text_row(ui, "Droplet Size", &mut s.size, error_of(e, "Droplet Size"));
    text_row(ui, "Tags", &mut s.tag, error_of(e, "Tags"));
    text_row(
        ui,
        "SSH Key Name",
        &mut s.ssh_key_name,
        error_of(e, "SSH Key Name"),
    );
    text_row(
        ui,
        "Firewall Name",
        &mut s.firewall_name,
        error_of(e, "Firewall Name"),
    );
}

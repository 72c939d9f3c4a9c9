//! The DigitalOcean fields.

use super::listed_row;
use crate::model::ValidationErrors;
use crate::model::cloud_list::ListKind;
use crate::model::field::DigitalOceanField;
use crate::model::vm_provider::DigitalOceanSettings;
use crate::ui::cloud_lists::Pickers;
use crate::ui::form::{error_of, secret_row};
use egui::Ui;

/// Every DigitalOcean field of a VM Provider config.
pub fn rows(
    ui: &mut Ui,
    s: &mut DigitalOceanSettings,
    e: Option<&ValidationErrors>,
    reveal: &mut bool,
    pickers: &mut Pickers<'_>,
) {
    secret_row(
        ui,
        "Token",
        &mut s.token,
        reveal,
        error_of(e, DigitalOceanField::Token),
    );
    listed_row(
        ui,
        pickers,
        "Region",
        &mut s.region,
        error_of(e, DigitalOceanField::Region),
        ListKind::Regions,
    );
    listed_row(
        ui,
        pickers,
        "Image",
        &mut s.image,
        error_of(e, DigitalOceanField::Image),
        ListKind::Images,
    );
    listed_row(
        ui,
        pickers,
        "Droplet Size",
        &mut s.size,
        error_of(e, DigitalOceanField::Size),
        ListKind::Sizes,
    );
    listed_row(
        ui,
        pickers,
        "Tags",
        &mut s.tag,
        error_of(e, DigitalOceanField::Tags),
        ListKind::Tags,
    );
    listed_row(
        ui,
        pickers,
        "SSH Key Name",
        &mut s.ssh_key_name,
        error_of(e, DigitalOceanField::SshKeyName),
        ListKind::KeyPairs,
    );
    listed_row(
        ui,
        pickers,
        "Firewall Name",
        &mut s.firewall_name,
        error_of(e, DigitalOceanField::FirewallName),
        ListKind::Firewalls,
    );
}

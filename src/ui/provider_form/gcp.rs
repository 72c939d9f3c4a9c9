//! The Google Cloud fields.

use super::listed_row;
use super::{choices, secret_code_row};
use crate::model::ValidationErrors;
use crate::model::cloud_list::ListKind;
use crate::model::field::GcpField;
use crate::model::vm_provider::GcpSettings;
use crate::model::vm_provider::gcp::DISK_TYPES;
use crate::ui::cloud_lists::Pickers;
use crate::ui::form::{checkbox_row, code_row, combo_row, error_of, text_row};
use egui::Ui;

/// Every Google Cloud field of a VM Provider config.
pub fn rows(
    ui: &mut Ui,
    s: &mut GcpSettings,
    e: Option<&ValidationErrors>,
    reveal: &mut bool,
    pickers: &mut Pickers<'_>,
) {
    secret_code_row(
        ui,
        GcpField::Credentials,
        s.credentials.key_json.expose_mut(),
        reveal,
        e,
    );
    text_row(
        ui,
        "Project ID",
        &mut s.project_id,
        error_of(e, GcpField::ProjectId),
    );
    text_row(ui, "Region", &mut s.region, error_of(e, GcpField::Region));
    listed_row(
        ui,
        pickers,
        "Zone",
        &mut s.zone,
        error_of(e, GcpField::Zone),
        ListKind::Zones,
    );
    listed_row(
        ui,
        pickers,
        "Machine Type",
        &mut s.machine_type,
        error_of(e, GcpField::MachineType),
        ListKind::Sizes,
    );
    listed_row(
        ui,
        pickers,
        "Machine Image",
        &mut s.machine_image,
        error_of(e, GcpField::MachineImage),
        ListKind::Images,
    );
    text_row(
        ui,
        "Boot Volume GB",
        &mut s.boot_volume_gb,
        error_of(e, GcpField::BootVolume),
    );
    combo_row(
        ui,
        "Disk Type",
        &mut s.disk_type,
        &choices(&DISK_TYPES),
        error_of(e, GcpField::DiskType),
    );
    text_row(
        ui,
        "Customer Managed Encryption Key (CMEK)",
        &mut s.cmek,
        error_of(e, GcpField::Cmek),
    );
    listed_row(
        ui,
        pickers,
        "Network",
        &mut s.network,
        error_of(e, GcpField::Network),
        ListKind::Networks,
    );
    listed_row(
        ui,
        pickers,
        "Sub Network",
        &mut s.subnetwork,
        error_of(e, GcpField::Subnetwork),
        ListKind::Subnets,
    );
    checkbox_row(ui, "Public IP", &mut s.public_ip, "");
    for (label, value) in [
        (GcpField::NetworkTags, &mut s.network_tags),
        (GcpField::CustomLabels, &mut s.custom_labels),
        (GcpField::Metadata, &mut s.metadata),
        (GcpField::ServiceAccount, &mut s.service_account),
        (GcpField::GuestAccelerators, &mut s.guest_accelerators),
        (GcpField::ConfigOverride, &mut s.config_override),
    ] {
        code_row(ui, label.label(), value, "json", false, error_of(e, label));
    }
}

//! The Oracle Cloud fields.

use super::oci_credential_rows;
use crate::model::ValidationErrors;
use crate::model::vm_provider::OciSettings;
use crate::ui::form::{code_row, error_of, text_import_row, text_row};
use egui::Ui;

/// Every Oracle Cloud field of a VM Provider config.
pub fn rows(ui: &mut Ui, s: &mut OciSettings, e: Option<&ValidationErrors>, reveal: &mut bool) {
    oci_credential_rows(ui, &mut s.credentials, "Public Key Fingerprint", e, reveal);
    text_row(
        ui,
        "Availability Domain",
        &mut s.availability_domain,
        error_of(e, "Availability Domain"),
    );
    text_row(
        ui,
        "Image OCID",
        &mut s.image_ocid,
        error_of(e, "Image OCID"),
    );
    text_row(ui, "Shape", &mut s.shape, error_of(e, "Shape"));
    if s.is_flex() {
        text_row(ui, "Flex CPUs", &mut s.flex_cpus, error_of(e, "Flex CPUs"));
        text_row(
            ui,
            "Flex Memory GB",
            &mut s.flex_memory_gb,
            error_of(e, "Flex Memory GB"),
        );
    }
    text_row(
        ui,
        "Boot Volume GB",
        &mut s.boot_volume_gb,
        error_of(e, "Boot Volume GB"),
    );
    code_row(
        ui,
        "Custom Tags (JSON)",
        &mut s.custom_tags,
        "json",
        false,
        error_of(e, "Custom Tags (JSON)"),
    );
    text_row(
        ui,
        "Subnet OCID",
        &mut s.subnet_ocid,
        error_of(e, "Subnet OCID"),
    );
    text_import_row(
        ui,
        "SSH Public Key",
        &mut s.ssh_public_key,
        error_of(e, "SSH Public Key"),
    );
}

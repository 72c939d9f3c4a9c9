//! The Oracle Cloud fields.

use super::{listed_row, oci_credential_rows};
use crate::model::Field;
use crate::model::ValidationErrors;
use crate::model::cloud_list::ListKind;
use crate::model::field::OciCredentialField;
use crate::model::field::OciField;
use crate::model::vm_provider::OciSettings;
use crate::ui::cloud_lists::Pickers;
use crate::ui::form::{code_row, error_line, error_of, note_row, text_import_row, text_row};
use egui::Ui;

/// Every Oracle Cloud field of a VM Provider config.
pub fn rows(
    ui: &mut Ui,
    s: &mut OciSettings,
    e: Option<&ValidationErrors>,
    reveal: &mut bool,
    pickers: &mut Pickers<'_>,
) {
    oci_credential_rows(
        ui,
        &mut s.credentials,
        (Field::vm_oci, OciCredentialField::PublicKeyFingerprint),
        e,
        reveal,
    );
    listed_row(
        ui,
        pickers,
        "Availability Domain",
        &mut s.availability_domain,
        error_of(e, OciField::AvailabilityDomain),
        ListKind::Zones,
    );
    // The shape first: the images offered are the ones compatible with it.
    listed_row(
        ui,
        pickers,
        "Shape",
        &mut s.shape,
        error_of(e, OciField::Shape),
        ListKind::Sizes,
    );
    if s.is_flex() {
        text_row(
            ui,
            "Flex CPUs",
            &mut s.flex_cpus,
            error_of(e, OciField::FlexCpus),
        );
        text_row(
            ui,
            "Flex Memory GB",
            &mut s.flex_memory_gb,
            error_of(e, OciField::FlexMemory),
        );
        // The shape's own ranges, once its list is read, bound both fields.
        if let Some(range) = pickers
            .known(ListKind::Sizes, &s.shape)
            .and_then(|e| e.flex)
        {
            note_row(
                ui,
                &format!(
                    "{}: {}–{} OCPUs, {}–{} GB",
                    s.shape.trim(),
                    range.ocpus.0,
                    range.ocpus.1,
                    range.memory_gb.0,
                    range.memory_gb.1
                ),
            );
            for problem in range.check(&s.flex_cpus, &s.flex_memory_gb) {
                ui.label("");
                error_line(ui, Some(&problem));
                ui.end_row();
            }
        }
    }
    listed_row(
        ui,
        pickers,
        "Image OCID",
        &mut s.image_ocid,
        error_of(e, OciField::ImageOcid),
        ListKind::Images,
    );
    text_row(
        ui,
        "Boot Volume GB",
        &mut s.boot_volume_gb,
        error_of(e, OciField::BootVolume),
    );
    code_row(
        ui,
        "Custom Tags (JSON)",
        &mut s.custom_tags,
        "json",
        false,
        error_of(e, OciField::CustomTags),
    );
    listed_row(
        ui,
        pickers,
        "Subnet OCID",
        &mut s.subnet_ocid,
        error_of(e, OciField::SubnetOcid),
        ListKind::Subnets,
    );
    text_import_row(
        ui,
        "SSH Public Key",
        &mut s.ssh_public_key,
        error_of(e, OciField::SshPublicKey),
    );
}

//! The Azure fields.

use super::{azure_credential_rows, choices, listed_row};
use crate::model::Field;
use crate::model::ValidationErrors;
use crate::model::cloud_list::ListKind;
use crate::model::field::AzureField;
use crate::model::vm_provider::AzureSettings;
use crate::model::vm_provider::azure::OS_DISK_TYPES;
use crate::ui::cloud_lists::{Fill, Pickers};
use crate::ui::form::{
    checkbox_row, code_row, combo_row, error_of, note_row, secret_row, text_import_row, text_row,
};
use egui::Ui;

/// Every Azure field of a VM Provider config.
pub fn rows(
    ui: &mut Ui,
    s: &mut AzureSettings,
    e: Option<&ValidationErrors>,
    reveal: &mut bool,
    pickers: &mut Pickers<'_>,
) {
    azure_credential_rows(ui, &mut s.credentials, Field::vm_azure, e, reveal);
    if pickers.attached {
        // The credential rows are shared with DNS configs: their pickers come after them.
        let c = &mut s.credentials;
        pickers.row(
            ui,
            "Pick the Region",
            &mut c.region,
            None,
            ListKind::Regions,
            Fill::Whole,
        );
        pickers.row(
            ui,
            "Pick the Resource Group",
            &mut c.resource_group,
            None,
            ListKind::ResourceGroups,
            Fill::Whole,
        );
    }
    listed_row(
        ui,
        pickers,
        "VM Size",
        &mut s.vm_size,
        error_of(e, AzureField::VmSize),
        ListKind::Sizes,
    );
    combo_row(
        ui,
        "OS Disk Type",
        &mut s.os_disk_type,
        &choices(&OS_DISK_TYPES),
        error_of(e, AzureField::OsDiskType),
    );
    text_row(
        ui,
        "OS Disk Size (GB)",
        &mut s.os_disk_size_gb,
        error_of(e, AzureField::OsDiskSize),
    );
    code_row(
        ui,
        "OS Image Reference (JSON)",
        &mut s.image_reference,
        "json",
        false,
        error_of(e, AzureField::ImageReference),
    );
    if pickers.attached {
        pickers.row(
            ui,
            "Pick the image (publisher, offer, SKU, version)",
            &mut s.image_reference,
            None,
            ListKind::Images,
            Fill::Whole,
        );
    }
    checkbox_row(
        ui,
        "Image is Windows",
        &mut s.image_is_windows,
        "Windows images need an OS password",
    );
    listed_row(
        ui,
        pickers,
        "Network Security Group",
        &mut s.network_security_group,
        error_of(e, AzureField::NetworkSecurityGroup),
        ListKind::SecurityGroups,
    );
    listed_row(
        ui,
        pickers,
        "Subnet",
        &mut s.subnet,
        error_of(e, AzureField::Subnet),
        ListKind::Subnets,
    );
    checkbox_row(ui, "Assign Public IP", &mut s.assign_public_ip, "");
    code_row(
        ui,
        "Tags (JSON)",
        &mut s.tags,
        "json",
        false,
        error_of(e, AzureField::Tags),
    );
    text_row(
        ui,
        "OS Username",
        &mut s.os_username,
        error_of(e, AzureField::OsUsername),
    );
    secret_row(
        ui,
        "OS Password",
        &mut s.os_password,
        reveal,
        error_of(e, AzureField::OsPassword),
    );
    text_import_row(
        ui,
        "SSH Public Key",
        &mut s.ssh_public_key,
        error_of(e, AzureField::SshPublicKey),
    );
    if let Some(note) = s.password_note() {
        note_row(ui, note);
    }
    code_row(
        ui,
        "Config Override (JSON)",
        &mut s.config_override,
        "json",
        false,
        error_of(e, AzureField::ConfigOverride),
    );
}

//! The AWS fields.

use super::choices;
use crate::model::ValidationErrors;
use crate::model::vm_provider::AwsSettings;
use crate::model::vm_provider::aws::VOLUME_TYPES;
use crate::ui::form::{code_row, combo_row, error_of, secret_row, text_row};
use egui::Ui;

/// Every AWS field of a VM Provider config.
pub fn rows(ui: &mut Ui, s: &mut AwsSettings, e: Option<&ValidationErrors>, reveal: &mut bool) {
    let c = &mut s.credentials;
    text_row(
        ui,
        "AWS Access Key ID",
        &mut c.access_key_id,
        error_of(e, "AWS Access Key ID"),
    );
    secret_row(
        ui,
        "AWS Secret Access Key",
        &mut c.secret_access_key,
        reveal,
        error_of(e, "AWS Secret Access Key"),
    );
    text_row(ui, "AWS: Region", &mut s.region, error_of(e, "AWS: Region"));
    text_row(
        ui,
        "AWS: EC2 AMI ID",
        &mut s.ami_id,
        error_of(e, "AWS: EC2 AMI ID"),
    );
    text_row(
        ui,
        "AWS: EC2 Instance Type",
        &mut s.instance_type,
        error_of(e, "AWS: EC2 Instance Type"),
    );
    code_row(
        ui,
        "AWS: EC2 Security Group IDs",
        &mut s.security_group_ids,
        "json",
        false,
        error_of(e, "AWS: EC2 Security Group IDs"),
    );
    text_row(
        ui,
        "AWS: EC2 Subnet ID",
        &mut s.subnet_id,
        error_of(e, "AWS: EC2 Subnet ID"),
    );
    text_row(
        ui,
        "AWS: EC2 EBS Volume Size (GB)",
        &mut s.volume_size_gb,
        error_of(e, "AWS: EC2 EBS Volume Size (GB)"),
    );
    combo_row(
        ui,
        "AWS: EC2 EBS Volume Type",
        &mut s.volume_type,
        &choices(&VOLUME_TYPES),
        error_of(e, "AWS: EC2 EBS Volume Type"),
    );
    text_row(
        ui,
        "AWS: EC2 IAM",
        &mut s.iam_instance_profile,
        error_of(e, "AWS: EC2 IAM"),
    );
    code_row(
        ui,
        "AWS: EC2 Custom Tags",
        &mut s.custom_tags,
        "json",
        false,
        error_of(e, "AWS: EC2 Custom Tags"),
    );
    text_row(ui, "SSH Keys", &mut s.key_pair, error_of(e, "SSH Keys"));
}

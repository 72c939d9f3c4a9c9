//! The AWS fields.

use super::{choices, listed_row};
use crate::model::ValidationErrors;
use crate::model::cloud_list::ListKind;
use crate::model::field::AwsField;
use crate::model::vm_provider::AwsSettings;
use crate::model::vm_provider::aws::VOLUME_TYPES;
use crate::ui::cloud_lists::{Fill, Pickers};
use crate::ui::form::{code_row, combo_row, error_of, secret_row, text_row};
use egui::Ui;

/// Every AWS field of a VM Provider config.
pub fn rows(
    ui: &mut Ui,
    s: &mut AwsSettings,
    e: Option<&ValidationErrors>,
    reveal: &mut bool,
    pickers: &mut Pickers<'_>,
) {
    let c = &mut s.credentials;
    text_row(
        ui,
        "AWS Access Key ID",
        &mut c.access_key_id,
        error_of(e, AwsField::AccessKeyId),
    );
    secret_row(
        ui,
        "AWS Secret Access Key",
        &mut c.secret_access_key,
        reveal,
        error_of(e, AwsField::SecretAccessKey),
    );
    listed_row(
        ui,
        pickers,
        "AWS: Region",
        &mut s.region,
        error_of(e, AwsField::Region),
        ListKind::Regions,
    );
    listed_row(
        ui,
        pickers,
        "AWS: EC2 AMI ID",
        &mut s.ami_id,
        error_of(e, AwsField::AmiId),
        ListKind::Images,
    );
    listed_row(
        ui,
        pickers,
        "AWS: EC2 Instance Type",
        &mut s.instance_type,
        error_of(e, AwsField::InstanceType),
        ListKind::Sizes,
    );
    code_row(
        ui,
        "AWS: EC2 Security Group IDs",
        &mut s.security_group_ids,
        "json",
        false,
        error_of(e, AwsField::SecurityGroupIds),
    );
    if pickers.attached {
        pickers.row(
            ui,
            "Add a security group",
            &mut s.security_group_ids,
            None,
            ListKind::SecurityGroups,
            Fill::JsonListItem,
        );
    }
    listed_row(
        ui,
        pickers,
        "AWS: EC2 Subnet ID",
        &mut s.subnet_id,
        error_of(e, AwsField::SubnetId),
        ListKind::Subnets,
    );
    text_row(
        ui,
        "AWS: EC2 EBS Volume Size (GB)",
        &mut s.volume_size_gb,
        error_of(e, AwsField::VolumeSize),
    );
    combo_row(
        ui,
        "AWS: EC2 EBS Volume Type",
        &mut s.volume_type,
        &choices(&VOLUME_TYPES),
        error_of(e, AwsField::VolumeType),
    );
    listed_row(
        ui,
        pickers,
        "AWS: EC2 IAM",
        &mut s.iam_instance_profile,
        error_of(e, AwsField::IamInstanceProfile),
        ListKind::Identities,
    );
    code_row(
        ui,
        "AWS: EC2 Custom Tags",
        &mut s.custom_tags,
        "json",
        false,
        error_of(e, AwsField::CustomTags),
    );
    listed_row(
        ui,
        pickers,
        "SSH Keys",
        &mut s.key_pair,
        error_of(e, AwsField::KeyPair),
        ListKind::KeyPairs,
    );
}

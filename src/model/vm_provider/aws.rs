//! AWS EC2 settings: every field of the seed's AWS table.

use crate::model::ValidationErrors;
use crate::model::cloud_ids::{aws_id, region, simple_name};
use crate::model::credentials::{AwsCredentials, note, required};
use crate::model::field::AwsField;
use crate::model::json_shapes::{string_list, string_map};
use crate::model::validation::parse_whole;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// EBS volume types EC2 accepts for a root volume.
pub const VOLUME_TYPES: [&str; 7] = ["gp3", "gp2", "io2", "io1", "st1", "sc1", "standard"];

/// The EC2 fields of a VM Provider config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct AwsSettings {
    /// AWS Access Key ID / AWS Secret Access Key.
    pub credentials: AwsCredentials,
    /// AWS: Region.
    pub region: String,
    /// AWS: EC2 AMI ID.
    pub ami_id: String,
    /// AWS: EC2 Instance Type.
    pub instance_type: String,
    /// AWS: EC2 Security Group IDs (JSON list).
    pub security_group_ids: String,
    /// AWS: EC2 Subnet ID.
    pub subnet_id: String,
    /// AWS: EC2 EBS Volume Size (GB).
    pub volume_size_gb: String,
    /// AWS: EC2 EBS Volume Type.
    pub volume_type: String,
    /// AWS: EC2 IAM (instance profile name or ARN; optional).
    pub iam_instance_profile: String,
    /// AWS: EC2 Custom Tags (JSON object).
    pub custom_tags: String,
    /// SSH Keys (key pair name; optional).
    pub key_pair: String,
}

impl Default for AwsSettings {
    fn default() -> Self {
        Self {
            credentials: AwsCredentials::default(),
            region: "us-east-1".into(),
            ami_id: String::new(),
            instance_type: "t3.medium".into(),
            security_group_ids: "[]".into(),
            subnet_id: String::new(),
            volume_size_gb: "40".into(),
            volume_type: "gp3".into(),
            iam_instance_profile: String::new(),
            custom_tags: "{}".into(),
            key_pair: String::new(),
        }
    }
}

/// What a launch takes, parsed once from checked settings: the adapter never re-parses the
/// form's text or falls back to a default.
#[derive(Clone, Debug, PartialEq)]
pub struct AwsLaunch {
    /// EC2 Security Group IDs.
    pub security_groups: Vec<String>,
    /// EBS volume size in GB.
    pub volume_size_gb: i32,
    /// EC2 Custom Tags.
    pub tags: BTreeMap<String, String>,
}

impl AwsSettings {
    /// Checks every field under the seed's labels.
    pub fn check(&self, errors: &mut ValidationErrors) {
        self.parsed(errors);
    }

    /// The launch's values, or every field that is wrong.
    pub fn launch(&self) -> Result<AwsLaunch, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let launch = self.parsed(&mut errors);
        errors.into_result(launch)
    }

    fn parsed(&self, errors: &mut ValidationErrors) -> AwsLaunch {
        self.credentials
            .check(errors, AwsField::AccessKeyId, AwsField::SecretAccessKey);
        if required(errors, AwsField::Region, &self.region) {
            note(errors, AwsField::Region, region(self.region.trim()));
        }
        if required(errors, AwsField::AmiId, &self.ami_id) {
            note(errors, AwsField::AmiId, aws_id(self.ami_id.trim(), "ami"));
        }
        if required(errors, AwsField::InstanceType, &self.instance_type) {
            note(
                errors,
                AwsField::InstanceType,
                simple_name(self.instance_type.trim(), ".-", "t3.micro"),
            );
        }
        let groups = string_list(
            errors,
            AwsField::SecurityGroupIds,
            &self.security_group_ids,
            |g| aws_id(g, "sg"),
        );
        if groups.is_empty() && errors.for_field(AwsField::SecurityGroupIds).is_none() {
            errors.push(
                AwsField::SecurityGroupIds,
                "expected at least one security group, e.g. [\"sg-0123456789abcdef0\"]",
            );
        }
        if required(errors, AwsField::SubnetId, &self.subnet_id) {
            note(
                errors,
                AwsField::SubnetId,
                aws_id(self.subnet_id.trim(), "subnet"),
            );
        }
        let volume_size_gb = parse_whole(
            errors,
            AwsField::VolumeSize,
            &self.volume_size_gb,
            8,
            16_384,
        );
        if !VOLUME_TYPES.contains(&self.volume_type.trim()) {
            errors.push(
                AwsField::VolumeType,
                format!("expected one of {}", VOLUME_TYPES.join(", ")),
            );
        }
        let profile = self.iam_instance_profile.trim();
        if !profile.is_empty() {
            note(
                errors,
                AwsField::IamInstanceProfile,
                simple_name(
                    profile,
                    "+=,.@-_/:",
                    "CloudWatchAgentRole or an instance profile ARN",
                ),
            );
        }
        let tags = string_map(
            errors,
            AwsField::CustomTags,
            &self.custom_tags,
            |key, value| {
                if key.is_empty() || key.len() > 128 || value.len() > 256 {
                    Some("tag keys take 1 to 128 characters, values at most 256".to_owned())
                } else if key.starts_with("aws:") || key.starts_with("pooladmin-") {
                    Some("the aws: and pooladmin- prefixes are reserved".to_owned())
                } else {
                    None
                }
            },
        );
        let key_pair = self.key_pair.trim();
        if key_pair.len() > 255 {
            errors.push(
                AwsField::KeyPair,
                "expected a key pair name of at most 255 characters",
            );
        }
        AwsLaunch {
            security_groups: groups,
            // 8 to 16,384 GB once checked: it fits.
            volume_size_gb: i32::try_from(volume_size_gb).unwrap_or(i32::MAX),
            tags,
        }
    }
}

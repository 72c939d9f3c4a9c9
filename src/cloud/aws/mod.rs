//! AWS: EC2 instances and Route 53 records through the AWS SDK, with the credentials and
//! region of the config and its endpoint override (sovereign regions, private endpoints,
//! moto in the tests). The SDK does not retry: the scaler's own backoff does, by class.

use super::http::CALL_TIMEOUT;
use super::{CloudError, CloudVm, CreateRequest, DnsCloud, ErrorClass, VmCloud, VmState, tags};
use crate::model::cloud_list::{ListEntry, ListKind};
use crate::model::credentials::AwsCredentials;
use crate::model::vm_provider::AwsSettings;
use async_trait::async_trait;
use aws_sdk_ec2::config::retry::RetryConfig;
use aws_sdk_ec2::config::timeout::TimeoutConfig;
use aws_sdk_ec2::config::{Credentials, Region};
use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_ec2::types::{
    BlockDeviceMapping, EbsBlockDevice, Filter, IamInstanceProfileSpecification, Instance,
    InstanceStateName, InstanceType, ResourceType, Tag, TagSpecification, VolumeType,
};
use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
};
use base64::Engine;
use jiff::Timestamp;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

/// Route 53 and IAM are global; their APIs live in us-east-1.
const ROUTE53_REGION: &str = "us-east-1";
/// TTL of the A records written for instances.
const RECORD_TTL: i64 = 60;

/// Maps an AWS error code to its class (DESIGN §4.6 and the list).
pub fn classify(code: &str) -> ErrorClass {
    match code {
        "RequestLimitExceeded"
        | "Throttling"
        | "ThrottlingException"
        | "PriorRequestNotComplete" => ErrorClass::Throttled,
        // Limits of the account back off like a full zone: the issue files them together.
        "InsufficientInstanceCapacity"
        | "InsufficientHostCapacity"
        | "InsufficientReservedInstanceCapacity"
        | "Unsupported"
        | "InstanceLimitExceeded"
        | "VcpuLimitExceeded"
        | "MaxSpotInstanceCountExceeded" => ErrorClass::Capacity,
        "AuthFailure"
        | "UnauthorizedOperation"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "OptInRequired"
        | "AccessDenied"
        | "AccessDeniedException" => ErrorClass::Auth,
        "InvalidInstanceID.NotFound" | "NoSuchHostedZone" => ErrorClass::NotFound,
        c if c.starts_with("InvalidParameter")
            || c.starts_with("InvalidAMIID.")
            || c.starts_with("InvalidSubnetID.")
            || c.starts_with("InvalidGroup")
            || c.starts_with("InvalidKeyPair.")
            || c == "MissingParameter"
            || c == "InvalidInput"
            || c == "InvalidChangeBatch" =>
        {
            ErrorClass::InvalidConfig
        }
        _ => ErrorClass::Transient,
    }
}

/// An SDK error as a classified [`CloudError`], with AWS's own code and message.
fn cloud_error<E>(error: aws_sdk_ec2::error::SdkError<E>) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match error.code() {
        Some(code) => CloudError::new(
            classify(code),
            format!("{code}: {}", error.message().unwrap_or("(no message)")),
        ),
        // No answer from AWS: a network error, a timeout, an unreadable response.
        None => CloudError::new(
            ErrorClass::Transient,
            DisplayErrorContext(&error).to_string(),
        ),
    }
}

fn credentials(keys: &AwsCredentials) -> Credentials {
    Credentials::new(
        keys.access_key_id.trim(),
        keys.secret_access_key.expose(),
        None,
        None,
        "pooladmin",
    )
}

mod lists;

/// EC2 in one account and region.
pub struct AwsCloud {
    ec2: aws_sdk_ec2::Client,
    /// IAM, for the form's instance profile picker only.
    iam: aws_sdk_iam::Client,
    settings: AwsSettings,
    /// Each AMI's root device name (`/dev/xvda`, `/dev/sda1`), read once.
    root_devices: Mutex<HashMap<String, String>>,
}

impl AwsCloud {
    /// A client for `settings`, at `endpoint` when it is not blank.
    pub fn new(settings: &AwsSettings, endpoint: &str) -> Self {
        let mut config = aws_sdk_ec2::Config::builder()
            .credentials_provider(credentials(&settings.credentials))
            .region(Region::new(settings.region.trim().to_owned()))
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout(CALL_TIMEOUT)
                    .build(),
            );
        // IAM is global: its API answers in us-east-1 (or at the same endpoint override).
        let mut iam = aws_sdk_iam::Config::builder()
            .credentials_provider(credentials(&settings.credentials))
            .region(aws_sdk_iam::config::Region::new(ROUTE53_REGION))
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout(CALL_TIMEOUT)
                    .build(),
            );
        if !endpoint.trim().is_empty() {
            config = config.endpoint_url(endpoint.trim());
            iam = iam.endpoint_url(endpoint.trim());
        }
        Self {
            ec2: aws_sdk_ec2::Client::from_conf(config.build()),
            iam: aws_sdk_iam::Client::from_conf(iam.build()),
            settings: settings.clone(),
            root_devices: Mutex::default(),
        }
    }

    /// The device the AMI boots from, where the configured volume size and type must go (a
    /// mapping on any other device adds an empty volume and leaves the root as the AMI has
    /// it). A missing AMI is an invalid config in AWS's words.
    async fn root_device(&self, ami: &str) -> Result<String, CloudError> {
        if let Some(device) = self
            .root_devices
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(ami)
        {
            return Ok(device.clone());
        }
        let out = self
            .ec2
            .describe_images()
            .image_ids(ami)
            .send()
            .await
            .map_err(cloud_error)?;
        let image = out.images().first().ok_or_else(|| {
            CloudError::new(
                ErrorClass::InvalidConfig,
                format!("InvalidAMIID.NotFound: The image id '[{ami}]' does not exist"),
            )
        })?;
        let device = image.root_device_name().ok_or_else(|| {
            CloudError::new(
                ErrorClass::InvalidConfig,
                format!("DescribeImages gave {ami} no RootDeviceName"),
            )
        })?;
        self.root_devices
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(ami.to_owned(), device.to_owned());
        Ok(device.to_owned())
    }

    /// The raw EC2 client (tests look at what was created).
    pub fn client(&self) -> &aws_sdk_ec2::Client {
        &self.ec2
    }

    fn tag_specifications(
        custom: &BTreeMap<String, String>,
        request: &CreateRequest,
    ) -> Vec<TagSpecification> {
        let mut all: Vec<Tag> = custom
            .iter()
            .chain(request.tags.iter())
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect();
        all.push(Tag::builder().key("Name").value(&request.name).build());
        // The volume carries the ownership tags too, so a leaked disk is found as well.
        [ResourceType::Instance, ResourceType::Volume]
            .into_iter()
            .map(|resource| {
                TagSpecification::builder()
                    .resource_type(resource)
                    .set_tags(Some(all.clone()))
                    .build()
            })
            .collect()
    }
}

fn vm_of(instance: &Instance) -> CloudVm {
    let tags: BTreeMap<String, String> = instance
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
        .collect();
    let state = match instance.state().and_then(|s| s.name()) {
        Some(InstanceStateName::Running) => VmState::Running,
        Some(InstanceStateName::Pending) | None => VmState::Pending,
        Some(InstanceStateName::ShuttingDown | InstanceStateName::Stopping) => VmState::Stopping,
        Some(_) => VmState::Terminated,
    };
    CloudVm {
        cloud_id: instance.instance_id().unwrap_or_default().to_owned(),
        name: tags.get("Name").cloned().unwrap_or_default(),
        address: instance
            .private_ip_address()
            .or(instance.public_ip_address())
            .map(str::to_owned),
        public_address: instance.public_ip_address().map(str::to_owned),
        created_at: instance
            .launch_time()
            .and_then(|t| Timestamp::from_second(t.secs()).ok()),
        state,
        tags,
    }
}

#[async_trait]
impl VmCloud for AwsCloud {
    async fn create(&self, request: &CreateRequest) -> Result<CloudVm, CloudError> {
        let s = &self.settings;
        // Settings that do not parse are refused with their fields, never guessed at.
        let launch = s.launch().map_err(|errors| {
            CloudError::new(
                ErrorClass::InvalidConfig,
                format!("the VM Provider config's settings: {errors}"),
            )
        })?;
        let root_device = self.root_device(s.ami_id.trim()).await?;
        let mut run = self
            .ec2
            .run_instances()
            .image_id(s.ami_id.trim())
            .instance_type(InstanceType::from(s.instance_type.trim()))
            .min_count(1)
            .max_count(1)
            .subnet_id(s.subnet_id.trim())
            .set_security_group_ids(Some(launch.security_groups))
            .block_device_mappings(
                BlockDeviceMapping::builder()
                    .device_name(root_device)
                    .ebs(
                        EbsBlockDevice::builder()
                            .volume_size(launch.volume_size_gb)
                            .volume_type(VolumeType::from(s.volume_type.trim()))
                            .delete_on_termination(true)
                            .build(),
                    )
                    .build(),
            )
            .set_tag_specifications(Some(Self::tag_specifications(&launch.tags, request)))
            .client_token(&request.token);
        if !request.startup_script.is_empty() {
            run = run.user_data(
                base64::engine::general_purpose::STANDARD.encode(&request.startup_script),
            );
        }
        let profile = s.iam_instance_profile.trim();
        if !profile.is_empty() {
            let spec = if profile.starts_with("arn:") {
                IamInstanceProfileSpecification::builder().arn(profile)
            } else {
                IamInstanceProfileSpecification::builder().name(profile)
            };
            run = run.iam_instance_profile(spec.build());
        }
        if !s.key_pair.trim().is_empty() {
            run = run.key_name(s.key_pair.trim());
        }
        let out = run.send().await.map_err(cloud_error)?;
        out.instances().first().map(vm_of).ok_or_else(|| {
            CloudError::new(
                ErrorClass::Transient,
                "RunInstances answered without an instance",
            )
        })
    }

    async fn list_owned(&self, owner: &str) -> Result<Vec<CloudVm>, CloudError> {
        let mut pages = self
            .ec2
            .describe_instances()
            .filters(
                Filter::builder()
                    .name(format!("tag:{}", tags::OWNER))
                    .values(owner)
                    .build(),
            )
            .into_paginator()
            .send();
        let mut vms = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(cloud_error)?;
            for reservation in page.reservations() {
                vms.extend(
                    reservation
                        .instances()
                        .iter()
                        .map(vm_of)
                        .filter(|vm| vm.state != VmState::Terminated),
                );
            }
        }
        Ok(vms)
    }

    async fn status(&self, cloud_id: &str) -> Result<CloudVm, CloudError> {
        let out = self
            .ec2
            .describe_instances()
            .instance_ids(cloud_id)
            .send()
            .await
            .map_err(cloud_error)?;
        out.reservations()
            .iter()
            .flat_map(|r| r.instances())
            .map(vm_of)
            .find(|vm| vm.state != VmState::Terminated)
            .ok_or_else(|| {
                CloudError::new(ErrorClass::NotFound, format!("{cloud_id} is terminated"))
            })
    }

    async fn list(&self, kind: ListKind, search: &str) -> Result<Vec<ListEntry>, CloudError> {
        self.list_of(kind, search).await
    }

    async fn test_connection(&self) -> Result<String, CloudError> {
        // The regions EC2 offers: the cheapest read that proves the keys and region.
        let regions = self
            .ec2
            .describe_regions()
            .send()
            .await
            .map_err(cloud_error)?;
        Ok(format!(
            "connected to EC2 in {}: {} regions visible",
            self.settings.region.trim(),
            regions.regions().len()
        ))
    }

    async fn delete(&self, cloud_id: &str) -> Result<(), CloudError> {
        match self
            .ec2
            .terminate_instances()
            .instance_ids(cloud_id)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => match cloud_error(e) {
                gone if gone.class == ErrorClass::NotFound => Ok(()),
                other => Err(other),
            },
        }
    }
}

/// Route 53 records in one account.
pub struct AwsDns {
    route53: aws_sdk_route53::Client,
}

fn dns_error<E>(error: aws_sdk_route53::error::SdkError<E>) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    cloud_error(error)
}

fn build_error(error: aws_sdk_route53::error::BuildError) -> CloudError {
    CloudError::new(ErrorClass::InvalidConfig, error.to_string())
}

impl AwsDns {
    /// A client for `keys`, at `endpoint` when it is not blank.
    pub fn new(keys: &AwsCredentials, endpoint: &str) -> Self {
        let mut config = aws_sdk_route53::Config::builder()
            .credentials_provider(credentials(keys))
            .region(aws_sdk_route53::config::Region::new(ROUTE53_REGION))
            .retry_config(aws_sdk_route53::config::retry::RetryConfig::disabled());
        if !endpoint.trim().is_empty() {
            config = config.endpoint_url(endpoint.trim());
        }
        Self {
            route53: aws_sdk_route53::Client::from_conf(config.build()),
        }
    }

    /// The hosted zone that holds `name`: the one with the longest matching suffix.
    async fn zone_for(&self, name: &str) -> Result<String, CloudError> {
        let wanted = format!("{}.", name.trim_end_matches('.'));
        let mut pages = self.route53.list_hosted_zones().into_paginator().send();
        let mut best: Option<(usize, String)> = None;
        while let Some(page) = pages.next().await {
            for zone in page.map_err(dns_error)?.hosted_zones() {
                let zone_name = zone.name();
                let inside = wanted == zone_name || wanted.ends_with(&format!(".{zone_name}"));
                if inside && best.as_ref().is_none_or(|(len, _)| zone_name.len() > *len) {
                    best = Some((zone_name.len(), zone.id().to_owned()));
                }
            }
        }
        best.map(|(_, id)| id).ok_or_else(|| {
            CloudError::new(
                ErrorClass::InvalidConfig,
                format!(
                    "no Route 53 hosted zone holds {name}: create one for the Base Domain Name"
                ),
            )
        })
    }

    async fn change(
        &self,
        zone: &str,
        action: ChangeAction,
        record: ResourceRecordSet,
    ) -> Result<(), CloudError> {
        let batch = ChangeBatch::builder()
            .changes(
                Change::builder()
                    .action(action)
                    .resource_record_set(record)
                    .build()
                    .map_err(build_error)?,
            )
            .build()
            .map_err(build_error)?;
        self.route53
            .change_resource_record_sets()
            .hosted_zone_id(zone)
            .change_batch(batch)
            .send()
            .await
            .map_err(dns_error)?;
        Ok(())
    }

    /// The A record `name` as it stands, if there is one.
    pub async fn record(&self, name: &str) -> Result<Option<ResourceRecordSet>, CloudError> {
        let zone = self.zone_for(name).await?;
        let wanted = format!("{}.", name.trim_end_matches('.'));
        let out = self
            .route53
            .list_resource_record_sets()
            .hosted_zone_id(&zone)
            .start_record_name(&wanted)
            .start_record_type(RrType::A)
            .max_items(1)
            .send()
            .await
            .map_err(dns_error)?;
        Ok(out
            .resource_record_sets()
            .iter()
            .find(|r| r.name() == wanted && *r.r#type() == RrType::A)
            .cloned())
    }
}

#[async_trait]
impl DnsCloud for AwsDns {
    async fn upsert_a(&self, name: &str, address: &str) -> Result<(), CloudError> {
        let zone = self.zone_for(name).await?;
        let record = ResourceRecordSet::builder()
            .name(name)
            .r#type(RrType::A)
            .ttl(RECORD_TTL)
            .resource_records(
                ResourceRecord::builder()
                    .value(address)
                    .build()
                    .map_err(build_error)?,
            )
            .build()
            .map_err(build_error)?;
        self.change(&zone, ChangeAction::Upsert, record).await
    }

    async fn test_connection(&self) -> Result<String, CloudError> {
        let zones = self
            .route53
            .list_hosted_zones()
            .send()
            .await
            .map_err(dns_error)?;
        Ok(format!(
            "connected to Route 53: {} hosted zones visible",
            zones.hosted_zones().len()
        ))
    }

    async fn delete_a(&self, name: &str) -> Result<(), CloudError> {
        // A deletion must name the record exactly as it stands.
        let Some(record) = self.record(name).await? else {
            return Ok(());
        };
        let zone = self.zone_for(name).await?;
        self.change(&zone, ChangeAction::Delete, record).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_error_codes_map_to_their_classes() {
        assert_eq!(classify("RequestLimitExceeded"), ErrorClass::Throttled);
        assert_eq!(classify("Throttling"), ErrorClass::Throttled);
        assert_eq!(
            classify("InsufficientInstanceCapacity"),
            ErrorClass::Capacity
        );
        assert_eq!(classify("InstanceLimitExceeded"), ErrorClass::Capacity);
        assert_eq!(classify("VcpuLimitExceeded"), ErrorClass::Capacity);
        assert_eq!(classify("AuthFailure"), ErrorClass::Auth);
        assert_eq!(classify("UnauthorizedOperation"), ErrorClass::Auth);
        assert_eq!(classify("InvalidClientTokenId"), ErrorClass::Auth);
        assert_eq!(classify("InvalidParameterValue"), ErrorClass::InvalidConfig);
        assert_eq!(classify("InvalidAMIID.NotFound"), ErrorClass::InvalidConfig);
        assert_eq!(
            classify("InvalidSubnetID.NotFound"),
            ErrorClass::InvalidConfig
        );
        assert_eq!(classify("InvalidInstanceID.NotFound"), ErrorClass::NotFound);
        assert_eq!(classify("InternalError"), ErrorClass::Transient);
    }
}

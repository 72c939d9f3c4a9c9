//! What the AWS form picks from: regions, AMIs (the account's own, and public ones by name,
//! newest first), instance types with their vCPUs, memory, GPUs and architectures, subnets,
//! the security groups of the subnet's VPC, key pairs and IAM instance profiles. Every
//! paged call is followed to its last page (the SDK's paginators).

use super::{AwsCloud, cloud_error};

use crate::cloud::CloudError;
use crate::model::cloud_list::{ListEntry, ListKind, SizeFacts};
use aws_sdk_ec2::types::{Filter, Image, Tag};

/// Every item of a paginated call, all pages followed, or its first error.
macro_rules! every_item {
    ($call:expr) => {
        $call
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(cloud_error)
    };
}

/// The most public AMIs a search shows (newest first).
const PUBLIC_IMAGES: usize = 100;

fn name_tag(tags: &[Tag]) -> String {
    tags.iter()
        .find(|t| t.key() == Some("Name"))
        .and_then(Tag::value)
        .unwrap_or_default()
        .to_owned()
}

fn image_entry(image: &Image) -> ListEntry {
    let arch = image.architecture().map_or("?", |a| a.as_str());
    let root = image.root_device_name().unwrap_or("?");
    let created = image.creation_date().unwrap_or("");
    ListEntry::new(image.image_id().unwrap_or_default())
        .labelled(image.name().unwrap_or_default())
        .detailed(format!("{arch} · {root} · {created}"))
}

impl AwsCloud {
    /// One list of the account in the config's region.
    pub(super) async fn list_of(
        &self,
        kind: ListKind,
        search: &str,
    ) -> Result<Vec<ListEntry>, CloudError> {
        match kind {
            ListKind::Regions => self.regions().await,
            ListKind::Images => self.images(search).await,
            ListKind::Sizes => self.instance_types().await,
            ListKind::Subnets => self.subnets().await,
            ListKind::SecurityGroups => self.security_groups().await,
            ListKind::KeyPairs => self.key_pairs().await,
            ListKind::Identities => self.instance_profiles().await,
            other => Err(CloudError::new(
                crate::cloud::ErrorClass::InvalidConfig,
                format!("AWS has no list of {}", other.as_str()),
            )),
        }
    }

    async fn regions(&self) -> Result<Vec<ListEntry>, CloudError> {
        let out = self
            .ec2
            .describe_regions()
            .send()
            .await
            .map_err(cloud_error)?;
        let mut regions: Vec<ListEntry> = out
            .regions()
            .iter()
            .filter_map(|r| {
                Some(
                    ListEntry::new(r.region_name()?)
                        .detailed(r.opt_in_status().unwrap_or_default()),
                )
            })
            .collect();
        regions.sort_by(|a, b| a.value.cmp(&b.value));
        Ok(regions)
    }

    /// The account's own AMIs, then — when `search` has three letters or more — public
    /// ones whose name holds it, newest first.
    async fn images(&self, search: &str) -> Result<Vec<ListEntry>, CloudError> {
        let mut own: Vec<Image> = every_item!(self.ec2.describe_images().owners("self"))?;
        own.sort_by(|a, b| b.creation_date().cmp(&a.creation_date()));
        let mut entries: Vec<ListEntry> = own.iter().map(image_entry).collect();
        let search = search.trim();
        if search.chars().count() >= 3 {
            let out = self
                .ec2
                .describe_images()
                .filters(
                    Filter::builder()
                        .name("name")
                        .values(format!("*{search}*"))
                        .build(),
                )
                .filters(Filter::builder().name("state").values("available").build())
                .send()
                .await
                .map_err(cloud_error)?;
            let mut public: Vec<&Image> = out
                .images()
                .iter()
                .filter(|i| !own.iter().any(|o| o.image_id() == i.image_id()))
                .collect();
            public.sort_by(|a, b| b.creation_date().cmp(&a.creation_date()));
            entries.extend(public.into_iter().take(PUBLIC_IMAGES).map(image_entry));
        }
        Ok(entries)
    }

    async fn instance_types(&self) -> Result<Vec<ListEntry>, CloudError> {
        let types: Vec<_> = every_item!(self.ec2.describe_instance_types())?;
        let mut entries = Vec::new();
        for t in &types {
            let Some(name) = t.instance_type() else {
                continue;
            };
            let cores = t.v_cpu_info().and_then(|v| v.default_v_cpus()).unwrap_or(0);
            let memory_mb = t.memory_info().and_then(|m| m.size_in_mib()).unwrap_or(0);
            let gpus: i64 = t.gpu_info().map_or(0, |g| {
                g.gpus()
                    .iter()
                    .map(|d| i64::from(d.count().unwrap_or(0)))
                    .sum()
            });
            let arch: Vec<&str> = t
                .processor_info()
                .map(|p| {
                    p.supported_architectures()
                        .iter()
                        .map(|a| a.as_str())
                        .collect()
                })
                .unwrap_or_default();
            let mut entry = ListEntry::new(name.as_str()).detailed(format!(
                "{cores} vCPUs · {memory_mb} MiB · {gpus} GPUs · {}",
                arch.join("/")
            ));
            entry.size = Some(SizeFacts {
                cores: f64::from(cores),
                memory_mb,
                gpus,
            });
            entries.push(entry);
        }
        entries.sort_by(|a, b| a.value.cmp(&b.value));
        Ok(entries)
    }

    async fn subnets(&self) -> Result<Vec<ListEntry>, CloudError> {
        let subnets: Vec<_> = every_item!(self.ec2.describe_subnets())?;
        Ok(subnets
            .iter()
            .map(|s| {
                ListEntry::new(s.subnet_id().unwrap_or_default())
                    .labelled(name_tag(s.tags()))
                    .detailed(format!(
                        "VPC {} · {} · {}",
                        s.vpc_id().unwrap_or("?"),
                        s.availability_zone().unwrap_or("?"),
                        s.cidr_block().unwrap_or("?")
                    ))
            })
            .collect())
    }

    /// The security groups of the configured subnet's VPC (all of them before a subnet is
    /// chosen).
    async fn security_groups(&self) -> Result<Vec<ListEntry>, CloudError> {
        let subnet = self.settings.subnet_id.trim();
        let vpc = if subnet.is_empty() {
            None
        } else {
            let out = self
                .ec2
                .describe_subnets()
                .subnet_ids(subnet)
                .send()
                .await
                .map_err(cloud_error)?;
            out.subnets()
                .first()
                .and_then(|s| s.vpc_id())
                .map(str::to_owned)
        };
        let mut call = self.ec2.describe_security_groups();
        if let Some(vpc) = &vpc {
            call = call.filters(Filter::builder().name("vpc-id").values(vpc).build());
        }
        let groups: Vec<_> = every_item!(call)?;
        Ok(groups
            .iter()
            .map(|g| {
                ListEntry::new(g.group_id().unwrap_or_default())
                    .labelled(g.group_name().unwrap_or_default())
                    .detailed(format!(
                        "VPC {} · {}",
                        g.vpc_id().unwrap_or("?"),
                        g.description().unwrap_or_default()
                    ))
            })
            .collect())
    }

    async fn key_pairs(&self) -> Result<Vec<ListEntry>, CloudError> {
        let out = self
            .ec2
            .describe_key_pairs()
            .send()
            .await
            .map_err(cloud_error)?;
        Ok(out
            .key_pairs()
            .iter()
            .filter_map(|k| {
                Some(ListEntry::new(k.key_name()?).detailed(format!(
                    "{} · {}",
                    k.key_type().map_or("rsa", |t| t.as_str()),
                    k.key_fingerprint().unwrap_or_default()
                )))
            })
            .collect())
    }

    async fn instance_profiles(&self) -> Result<Vec<ListEntry>, CloudError> {
        let profiles: Vec<_> = every_item!(self.iam.list_instance_profiles())?;
        Ok(profiles
            .iter()
            .map(|p| ListEntry::new(p.instance_profile_name()).detailed(p.arn()))
            .collect())
    }
}

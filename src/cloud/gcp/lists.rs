//! What the Google Cloud form picks from: zones, the zone's machine types (vCPUs, memory,
//! built-in GPUs) and accelerator types, image families of the public image projects and
//! the project's own, networks, the region's subnetworks and the project's service
//! accounts. Each list follows `nextPageToken` to its last page; values are the paths the
//! fields take.

use super::GcpCloud;
use super::api::Api;
use crate::cloud::http::text;
use crate::cloud::{CloudError, ErrorClass};
use crate::model::cloud_list::{ListEntry, ListKind, SizeFacts};
use reqwest::Method;
use serde_json::Value;
use std::collections::BTreeMap;

/// The public image projects whose families are offered (Compute Engine's own list).
pub const PUBLIC_IMAGE_PROJECTS: [&str; 6] = [
    "debian-cloud",
    "ubuntu-os-cloud",
    "rocky-linux-cloud",
    "cos-cloud",
    "windows-cloud",
    "ubuntu-os-accelerator-images",
];

/// Every item of a paged list at `path` (items under `key`).
async fn paged(api: &Api, path: &str, key: &str) -> Result<Vec<Value>, CloudError> {
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    let join = if path.contains('?') { '&' } else { '?' };
    loop {
        let mut url = format!("{path}{join}maxResults=500");
        if let Some(token) = &token {
            url.push_str(&format!("&pageToken={token}"));
        }
        let answer = api
            .call(Method::GET, &url, None)
            .await?
            .unwrap_or(Value::Null);
        if let Some(items) = answer.get(key).and_then(Value::as_array) {
            all.extend(items.iter().cloned());
        }
        token = answer
            .get("nextPageToken")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if token.is_none() {
            return Ok(all);
        }
    }
}

/// The last segment of a resource URL ("…/regions/us-central1" → "us-central1").
fn last(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or(url)
}

fn machine_type(item: &Value) -> ListEntry {
    let cores = item.get("guestCpus").and_then(Value::as_f64).unwrap_or(0.0);
    let memory_mb = item.get("memoryMb").and_then(Value::as_i64).unwrap_or(0);
    // A2 / G2 types come with their GPUs.
    let gpus = item
        .get("accelerators")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| a.get("guestAcceleratorCount").and_then(Value::as_i64))
        .sum();
    let mut entry = ListEntry::new(text(item, "name"))
        .labelled(text(item, "description"))
        .detailed(format!("{cores} vCPUs · {memory_mb} MB · {gpus} GPUs"));
    entry.size = Some(SizeFacts {
        cores,
        memory_mb,
        gpus,
    });
    entry
}

impl GcpCloud {
    /// One list of the project.
    pub(super) async fn list_of(&self, kind: ListKind) -> Result<Vec<ListEntry>, CloudError> {
        let project = self.settings.project_id.trim();
        let zone = self.settings.zone.trim();
        let region = self.settings.region.trim();
        let compute = format!("/compute/v1/projects/{project}");
        Ok(match kind {
            ListKind::Zones => paged(&self.api, &format!("{compute}/zones"), "items")
                .await?
                .iter()
                .map(|z| {
                    ListEntry::new(text(z, "name")).detailed(format!(
                        "{} · {}",
                        last(text(z, "region")),
                        text(z, "status")
                    ))
                })
                .collect(),
            ListKind::Sizes => {
                let path = format!("{compute}/zones/{zone}/machineTypes");
                paged(&self.api, &path, "items")
                    .await?
                    .iter()
                    .map(machine_type)
                    .collect()
            }
            ListKind::Accelerators => {
                let path = format!("{compute}/zones/{zone}/acceleratorTypes");
                paged(&self.api, &path, "items")
                    .await?
                    .iter()
                    .map(|a| {
                        ListEntry::new(text(a, "name"))
                            .labelled(text(a, "description"))
                            .detailed(format!(
                                "up to {} per VM",
                                a.get("maximumCardsPerInstance")
                                    .and_then(Value::as_i64)
                                    .unwrap_or(0)
                            ))
                    })
                    .collect()
            }
            ListKind::Images => self.image_families(project).await?,
            ListKind::Networks => paged(&self.api, &format!("{compute}/global/networks"), "items")
                .await?
                .iter()
                .map(|n| {
                    let name = text(n, "name");
                    ListEntry::new(format!("projects/{project}/global/networks/{name}"))
                        .labelled(name)
                })
                .collect(),
            ListKind::Subnets => {
                let path = format!("{compute}/regions/{region}/subnetworks");
                paged(&self.api, &path, "items")
                    .await?
                    .iter()
                    .map(|s| {
                        let name = text(s, "name");
                        ListEntry::new(format!(
                            "projects/{project}/regions/{region}/subnetworks/{name}"
                        ))
                        .labelled(name)
                        .detailed(format!(
                            "{} · {}",
                            last(text(s, "network")),
                            text(s, "ipCidrRange")
                        ))
                    })
                    .collect()
            }
            ListKind::Identities => {
                let path = format!("/v1/projects/{project}/serviceAccounts");
                paged(&self.iam, &path, "accounts")
                    .await?
                    .iter()
                    .map(|a| ListEntry::new(text(a, "email")).labelled(text(a, "displayName")))
                    .collect()
            }
            other => {
                return Err(CloudError::new(
                    ErrorClass::InvalidConfig,
                    format!("Google Cloud has no list of {}", other.as_str()),
                ));
            }
        })
    }

    /// One entry per image family (its newest image's words), the project's own first,
    /// then the public projects'. A public project the account may not read is skipped;
    /// the project's own failing is the error.
    async fn image_families(&self, project: &str) -> Result<Vec<ListEntry>, CloudError> {
        let mut entries = Vec::new();
        for (i, owner) in std::iter::once(project)
            .chain(PUBLIC_IMAGE_PROJECTS)
            .enumerate()
        {
            let path = format!("/compute/v1/projects/{owner}/global/images");
            let images = match paged(&self.api, &path, "items").await {
                Ok(images) => images,
                Err(e) if i > 0 && e.class != ErrorClass::Auth => continue,
                Err(e) => return Err(e),
            };
            let mut families: BTreeMap<String, &Value> = BTreeMap::new();
            for image in &images {
                if image.get("deprecated").is_some() {
                    continue;
                }
                let family = text(image, "family");
                if family.is_empty() {
                    continue;
                }
                let newer = families.get(family).is_none_or(|known| {
                    text(image, "creationTimestamp") > text(known, "creationTimestamp")
                });
                if newer {
                    families.insert(family.to_owned(), image);
                }
            }
            for (family, image) in families {
                entries.push(
                    ListEntry::new(format!("projects/{owner}/global/images/family/{family}"))
                        .labelled(text(image, "description"))
                        .detailed(format!("{owner} · newest {}", text(image, "name"))),
                );
            }
        }
        Ok(entries)
    }
}

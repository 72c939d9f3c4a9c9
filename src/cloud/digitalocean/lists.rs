//! What the DigitalOcean form picks from: regions, droplet sizes (vCPUs, memory, GPUs,
//! hourly price), images (distributions and the account's snapshots), SSH keys, firewalls,
//! tags and VPCs. Every list is read page by page while the answer's `links.pages.next`
//! says there is more.

use super::{Api, DigitalOceanCloud, PAGE, field};
use crate::cloud::http::text;
use crate::cloud::{CloudError, ErrorClass};
use crate::model::cloud_list::{ListEntry, ListKind, SizeFacts};
use reqwest::Method;
use serde_json::Value;

/// Every item of a paged collection (`/v2/sizes` → "sizes").
async fn paged(api: &Api, path: &str, key: &str) -> Result<Vec<Value>, CloudError> {
    let mut all = Vec::new();
    let join = if path.contains('?') { '&' } else { '?' };
    for page in 1.. {
        let answer = api
            .call(
                Method::GET,
                &format!("{path}{join}per_page={PAGE}&page={page}"),
                None,
            )
            .await?;
        let more = answer
            .as_ref()
            .and_then(|a| a.pointer("/links/pages/next"))
            .is_some_and(|next| next.is_string());
        let items: Vec<Value> = field(answer, key)?;
        let empty = items.is_empty();
        all.extend(items);
        if !more || empty {
            break;
        }
    }
    Ok(all)
}

fn size_entry(size: &Value) -> ListEntry {
    let cores = size.get("vcpus").and_then(Value::as_f64).unwrap_or(0.0);
    let memory_mb = size.get("memory").and_then(Value::as_i64).unwrap_or(0);
    let gpus = size
        .pointer("/gpu_info/count")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let hourly = size
        .get("price_hourly")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    let mut entry = ListEntry::new(text(size, "slug"))
        .labelled(text(size, "description"))
        .detailed(format!(
            "{cores} vCPUs · {memory_mb} MB · {gpus} GPUs · ${hourly:.5}/h"
        ));
    entry.size = Some(SizeFacts {
        cores,
        memory_mb,
        gpus,
    });
    entry
}

impl DigitalOceanCloud {
    /// One list of the account.
    pub(super) async fn list_of(&self, kind: ListKind) -> Result<Vec<ListEntry>, CloudError> {
        let api = &self.api;
        Ok(match kind {
            ListKind::Regions => paged(api, "/v2/regions", "regions")
                .await?
                .iter()
                .filter(|r| r.get("available").and_then(Value::as_bool) != Some(false))
                .map(|r| ListEntry::new(text(r, "slug")).labelled(text(r, "name")))
                .collect(),
            ListKind::Sizes => paged(api, "/v2/sizes", "sizes")
                .await?
                .iter()
                .filter(|s| s.get("available").and_then(Value::as_bool) != Some(false))
                .map(size_entry)
                .collect(),
            ListKind::Images => {
                let mut images = paged(api, "/v2/images?type=distribution", "images").await?;
                images.extend(paged(api, "/v2/images?private=true", "images").await?);
                images
                    .iter()
                    .map(|i| {
                        // The Image field takes a distribution's slug, a snapshot's id.
                        let value = match i.get("slug").and_then(Value::as_str) {
                            Some(slug) if !slug.is_empty() => slug.to_owned(),
                            _ => i.get("id").map(Value::to_string).unwrap_or_default(),
                        };
                        ListEntry::new(value)
                            .labelled(format!("{} {}", text(i, "distribution"), text(i, "name")))
                            .detailed(text(i, "type"))
                    })
                    .collect()
            }
            ListKind::KeyPairs => paged(api, "/v2/account/keys", "ssh_keys")
                .await?
                .iter()
                .map(|k| ListEntry::new(text(k, "name")).detailed(text(k, "fingerprint")))
                .collect(),
            ListKind::Firewalls => paged(api, "/v2/firewalls", "firewalls")
                .await?
                .iter()
                .map(|f| ListEntry::new(text(f, "name")).detailed(text(f, "status")))
                .collect(),
            ListKind::Tags => paged(api, "/v2/tags", "tags")
                .await?
                .iter()
                .map(|t| ListEntry::new(text(t, "name")))
                .collect(),
            ListKind::Networks => paged(api, "/v2/vpcs", "vpcs")
                .await?
                .iter()
                .map(|v| {
                    ListEntry::new(text(v, "id"))
                        .labelled(text(v, "name"))
                        .detailed(format!("{} · {}", text(v, "region"), text(v, "ip_range")))
                })
                .collect(),
            other => {
                return Err(CloudError::new(
                    ErrorClass::InvalidConfig,
                    format!("DigitalOcean has no list of {}", other.as_str()),
                ));
            }
        })
    }
}

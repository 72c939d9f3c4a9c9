//! What the Azure form picks from: locations, the region's VM sizes (cores, memory, GPUs,
//! from the resource SKUs; sizes the subscription may not use are left out), image
//! publishers → offers → SKUs → versions (down the image reference as it stands),
//! resource groups, virtual networks, their subnets and network security groups. Listings
//! follow `nextLink`.

use super::{AzureCloud, COMPUTE_API, NETWORK_API, RESOURCES_API};
use crate::cloud::{CloudError, ErrorClass};
use crate::model::cloud_list::{ListEntry, ListKind, SizeFacts};
use reqwest::Method;
use serde_json::{Map, Value, json};

const LOCATIONS_API: &str = "2022-12-01";
const SKUS_API: &str = "2021-07-01";
/// The image reference's fields, in the order the lists go down them.
const IMAGE_LEVELS: [&str; 4] = ["publisher", "offer", "sku", "version"];

fn text<'a>(item: &'a Value, pointer: &str) -> &'a str {
    item.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// A resource SKU's capability as a number ("vCPUs" → 4).
fn capability(sku: &Value, name: &str) -> f64 {
    sku.get("capabilities")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
        .and_then(|c| c.get("value").and_then(Value::as_str))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

fn size_entry(sku: &Value) -> ListEntry {
    let cores = capability(sku, "vCPUs");
    let memory_mb = (capability(sku, "MemoryGB") * 1024.0).round() as i64;
    let gpus = capability(sku, "GPUs") as i64;
    let mut entry = ListEntry::new(text(sku, "/name"))
        .labelled(text(sku, "/family"))
        .detailed(format!("{cores} cores · {memory_mb} MB · {gpus} GPUs"));
    entry.size = Some(SizeFacts {
        cores,
        memory_mb,
        gpus,
    });
    entry
}

impl AzureCloud {
    fn subscription(&self) -> String {
        format!(
            "/subscriptions/{}",
            self.settings.credentials.subscription_id.trim()
        )
    }

    /// One list of the subscription.
    pub(super) async fn list_of(&self, kind: ListKind) -> Result<Vec<ListEntry>, CloudError> {
        let region = self.settings.credentials.region.trim().to_owned();
        let subscription = self.subscription();
        let group = self.arm.group_path.clone();
        Ok(match kind {
            ListKind::Regions => self
                .arm
                .list(&format!("{subscription}/locations"), LOCATIONS_API)
                .await?
                .iter()
                .filter(|l| text(l, "/metadata/regionType") != "Logical")
                .map(|l| ListEntry::new(text(l, "/name")).labelled(text(l, "/displayName")))
                .collect(),
            ListKind::Sizes => {
                let path = format!(
                    "{subscription}/providers/Microsoft.Compute/skus?$filter=location%20eq%20'{region}'"
                );
                let mut sizes: Vec<ListEntry> = self
                    .arm
                    .list(&path, SKUS_API)
                    .await?
                    .iter()
                    .filter(|s| text(s, "/resourceType") == "virtualMachines")
                    .filter(|s| {
                        // Restricted for this subscription (NotAvailableForSubscription).
                        s.get("restrictions")
                            .and_then(Value::as_array)
                            .is_none_or(Vec::is_empty)
                    })
                    .map(size_entry)
                    .collect();
                sizes.sort_by(|a, b| a.value.cmp(&b.value));
                sizes.dedup_by(|a, b| a.value == b.value);
                sizes
            }
            ListKind::Images => self.image_level(&subscription, &region).await?,
            ListKind::ResourceGroups => self
                .arm
                .list(&format!("{subscription}/resourcegroups"), RESOURCES_API)
                .await?
                .iter()
                .map(|g| ListEntry::new(text(g, "/name")).detailed(text(g, "/location")))
                .collect(),
            ListKind::Networks | ListKind::Subnets => {
                let path = format!("{group}/providers/Microsoft.Network/virtualNetworks");
                let networks = self.arm.list(&path, NETWORK_API).await?;
                if kind == ListKind::Networks {
                    networks
                        .iter()
                        .map(|n| ListEntry::new(text(n, "/id")).labelled(text(n, "/name")))
                        .collect()
                } else {
                    networks
                        .iter()
                        .flat_map(|n| {
                            let vnet = text(n, "/name").to_owned();
                            n.pointer("/properties/subnets")
                                .and_then(Value::as_array)
                                .cloned()
                                .unwrap_or_default()
                                .into_iter()
                                .map(move |s| {
                                    ListEntry::new(text(&s, "/id"))
                                        .labelled(format!("{vnet}/{}", text(&s, "/name")))
                                        .detailed(text(&s, "/properties/addressPrefix"))
                                })
                        })
                        .collect()
                }
            }
            ListKind::SecurityGroups => {
                let path = format!("{group}/providers/Microsoft.Network/networkSecurityGroups");
                self.arm
                    .list(&path, NETWORK_API)
                    .await?
                    .iter()
                    .map(|g| ListEntry::new(text(g, "/id")).labelled(text(g, "/name")))
                    .collect()
            }
            other => {
                return Err(CloudError::new(
                    ErrorClass::InvalidConfig,
                    format!("Azure has no list of {}", other.as_str()),
                ));
            }
        })
    }

    /// The next level down the image reference as typed: publishers while it names none,
    /// then that publisher's offers, the offer's SKUs, the SKU's versions (with "latest").
    /// Each entry's value is the whole reference with that level filled in.
    async fn image_level(
        &self,
        subscription: &str,
        region: &str,
    ) -> Result<Vec<ListEntry>, CloudError> {
        let typed: Map<String, Value> =
            serde_json::from_str(self.settings.image_reference.trim()).unwrap_or_default();
        let chosen: Vec<String> = IMAGE_LEVELS
            .iter()
            .map_while(|level| {
                typed
                    .get(*level)
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
            })
            .collect();
        // A complete reference lists its versions again, so another can be picked.
        let depth = chosen.len().min(3);
        let mut path =
            format!("{subscription}/providers/Microsoft.Compute/locations/{region}/publishers");
        let segments = ["artifacttypes/vmimage/offers", "skus", "versions"];
        for (name, segment) in chosen.iter().zip(segments).take(depth) {
            path.push_str(&format!("/{name}/{segment}"));
        }
        // The VM image listings answer a bare array, not a {value} page.
        let answer = self
            .arm
            .call(Method::GET, &path, COMPUTE_API, None)
            .await?
            .unwrap_or(Value::Null);
        let names: Vec<String> = answer
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect();
        let level = IMAGE_LEVELS[depth];
        let mut names = names;
        if level == "version" {
            names.sort_by(|a, b| b.cmp(a));
            names.insert(0, "latest".to_owned());
        }
        Ok(names
            .into_iter()
            .map(|name| {
                let mut reference = Map::new();
                for (i, key) in IMAGE_LEVELS.iter().enumerate() {
                    let value = match i.cmp(&depth) {
                        std::cmp::Ordering::Less => json!(chosen[i]),
                        std::cmp::Ordering::Equal => json!(name),
                        std::cmp::Ordering::Greater => json!(""),
                    };
                    reference.insert((*key).to_owned(), value);
                }
                let value = serde_json::to_string(&reference).unwrap_or_default();
                let of = if depth == 0 {
                    format!("publisher in {region}")
                } else {
                    format!("{level} of {}", chosen[..depth].join(" / "))
                };
                ListEntry::new(value)
                    .labelled(name)
                    .detailed(of)
                    .hiding_value()
            })
            .collect())
    }
}

//! What the Oracle Cloud form picks from: the tenancy's availability domains, the shapes of
//! the chosen domain (OCPUs, memory and GPUs; a Flex shape's OCPU and memory ranges), the
//! images compatible with the chosen shape (newest first) and the compartment's subnets.
//! Listings follow `opc-next-page`.

use super::{COMPUTE, OciCloud};
use crate::cloud::http::text;
use crate::cloud::{CloudError, ErrorClass};
use crate::model::cloud_list::{FlexRange, ListEntry, ListKind, SizeFacts};
use reqwest::Method;
use serde_json::Value;

fn number(item: &Value, pointer: &str) -> f64 {
    item.pointer(pointer).and_then(Value::as_f64).unwrap_or(0.0)
}

/// A query value as OCI's URLs take it (OCIDs and domain names keep their dots and colons).
fn encoded(value: &str) -> String {
    value
        .trim()
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_owned(),
            '&' => "%26".to_owned(),
            '+' => "%2B".to_owned(),
            '#' => "%23".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// A shape with what one brings (vCPUs are twice the OCPUs); a Flex shape by its smallest
/// size, its ranges in words, and its range kept for the form.
fn shape_entry(shape: &Value) -> ListEntry {
    let flexible = shape.get("isFlexible").and_then(Value::as_bool) == Some(true);
    let (ocpus, memory_gb) = if flexible {
        (
            number(shape, "/ocpuOptions/min"),
            number(shape, "/memoryOptions/minInGBs"),
        )
    } else {
        (number(shape, "/ocpus"), number(shape, "/memoryInGBs"))
    };
    let gpus = number(shape, "/gpus") as i64;
    let detail = if flexible {
        format!(
            "Flex: {}–{} OCPUs · {}–{} GB · {gpus} GPUs",
            number(shape, "/ocpuOptions/min"),
            number(shape, "/ocpuOptions/max"),
            number(shape, "/memoryOptions/minInGBs"),
            number(shape, "/memoryOptions/maxInGBs"),
        )
    } else {
        format!("{ocpus} OCPUs · {memory_gb} GB · {gpus} GPUs")
    };
    let mut entry = ListEntry::new(text(shape, "shape"))
        .labelled(text(shape, "processorDescription"))
        .detailed(detail);
    entry.size = Some(SizeFacts {
        cores: ocpus * 2.0,
        memory_mb: (memory_gb * 1024.0).round() as i64,
        gpus,
    });
    if flexible {
        entry.flex = Some(FlexRange {
            ocpus: (
                number(shape, "/ocpuOptions/min"),
                number(shape, "/ocpuOptions/max"),
            ),
            memory_gb: (
                number(shape, "/memoryOptions/minInGBs"),
                number(shape, "/memoryOptions/maxInGBs"),
            ),
        });
    }
    entry
}

impl OciCloud {
    /// Every item of a listing at `path_and_query` on `api`, page by page.
    async fn paged(api: &super::api::Api, path_and_query: &str) -> Result<Vec<Value>, CloudError> {
        let mut all = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let mut path = format!("{path_and_query}&limit=100");
            if let Some(page) = &page {
                path.push_str(&format!("&page={}", encoded(page)));
            }
            let (items, headers) = api.call(Method::GET, &path, None, &[]).await?;
            all.extend(
                items
                    .as_ref()
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
            page = headers
                .get("opc-next-page")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            if page.is_none() {
                return Ok(all);
            }
        }
    }

    /// One list of the tenancy.
    pub(super) async fn list_of(&self, kind: ListKind) -> Result<Vec<ListEntry>, CloudError> {
        let s = &self.settings;
        let compartment = encoded(self.compartment());
        Ok(match kind {
            ListKind::Zones => {
                // ListAvailabilityDomains is not paged: one call answers all.
                let tenancy = encoded(&s.credentials.tenancy_ocid);
                let path = format!("{COMPUTE}/availabilityDomains?compartmentId={tenancy}");
                let (domains, _) = self.identity.call(Method::GET, &path, None, &[]).await?;
                domains
                    .as_ref()
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|d| ListEntry::new(text(d, "name")))
                    .collect()
            }
            ListKind::Sizes => {
                let path = format!(
                    "{COMPUTE}/shapes?compartmentId={compartment}&availabilityDomain={}",
                    encoded(&s.availability_domain)
                );
                let mut shapes: Vec<ListEntry> = Self::paged(&self.api, &path)
                    .await?
                    .iter()
                    .map(shape_entry)
                    .collect();
                shapes.dedup_by(|a, b| a.value == b.value);
                shapes
            }
            ListKind::Images => {
                let path = format!(
                    "{COMPUTE}/images?compartmentId={compartment}&shape={}&lifecycleState=AVAILABLE&sortBy=TIMECREATED&sortOrder=DESC",
                    encoded(&s.shape)
                );
                Self::paged(&self.api, &path)
                    .await?
                    .iter()
                    .map(|i| {
                        ListEntry::new(text(i, "id"))
                            .labelled(text(i, "displayName"))
                            .detailed(format!(
                                "{} {} · {}",
                                text(i, "operatingSystem"),
                                text(i, "operatingSystemVersion"),
                                text(i, "timeCreated")
                            ))
                    })
                    .collect()
            }
            ListKind::Subnets => {
                let path = format!("{COMPUTE}/subnets?compartmentId={compartment}");
                Self::paged(&self.api, &path)
                    .await?
                    .iter()
                    .map(|n| {
                        ListEntry::new(text(n, "id"))
                            .labelled(text(n, "displayName"))
                            .detailed(format!(
                                "{} · VCN {}",
                                text(n, "cidrBlock"),
                                text(n, "vcnId")
                            ))
                    })
                    .collect()
            }
            other => {
                return Err(CloudError::new(
                    ErrorClass::InvalidConfig,
                    format!("Oracle Cloud has no list of {}", other.as_str()),
                ));
            }
        })
    }
}

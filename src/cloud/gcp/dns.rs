//! Cloud DNS: A records in the project's managed zone with the longest suffix of the name,
//! written with `changes.create` (the old record set deleted and the new one added in one
//! change, as Cloud DNS asks).

use super::api::Api;
use crate::cloud::{CloudError, DnsCloud, ErrorClass};
use crate::model::credentials::GcpCredentials;
use async_trait::async_trait;
use reqwest::Method;
use serde_json::{Value, json};

/// Cloud DNS's root.
const DNS: &str = "https://dns.googleapis.com";
/// TTL of the A records written for instances.
const RECORD_TTL: u32 = 60;

/// A records in one project's managed zones.
pub struct GcpDns {
    api: Api,
    project: String,
}

impl GcpDns {
    /// A client for `project`; `endpoint` replaces `https://dns.googleapis.com`.
    pub fn new(
        project: &str,
        credentials: &GcpCredentials,
        endpoint: &str,
    ) -> Result<Self, CloudError> {
        Ok(Self {
            api: Api::new(&credentials.key_json, DNS, endpoint)?,
            project: project.trim().to_owned(),
        })
    }

    fn zones_path(&self) -> String {
        format!("/dns/v1/projects/{}/managedZones", self.project)
    }

    async fn zones(&self) -> Result<Vec<Value>, CloudError> {
        let answer = self
            .api
            .call(Method::GET, &self.zones_path(), None)
            .await?
            .unwrap_or(Value::Null);
        Ok(answer
            .get("managedZones")
            .or_else(|| answer.get("items"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default())
    }

    /// The managed zone (its resource name) whose DNS name is the longest suffix of `fqdn`.
    async fn zone_of(&self, fqdn: &str) -> Result<String, CloudError> {
        self.zones()
            .await?
            .iter()
            .filter_map(|z| {
                let dns_name = z.get("dnsName")?.as_str()?.to_lowercase();
                let name = z.get("name")?.as_str()?.to_owned();
                fqdn.ends_with(&format!(".{dns_name}"))
                    .then_some((dns_name.len(), name))
            })
            .max()
            .map(|(_, name)| name)
            .ok_or_else(|| {
                CloudError::new(
                    ErrorClass::InvalidConfig,
                    format!("no managed zone of project {} holds {fqdn}", self.project),
                )
            })
    }

    /// The A record set `fqdn` as it stands, if any.
    async fn current(&self, zone: &str, fqdn: &str) -> Result<Option<Value>, CloudError> {
        let path = format!("{}/{zone}/rrsets?name={fqdn}&type=A", self.zones_path());
        let answer = self
            .api
            .call(Method::GET, &path, None)
            .await?
            .unwrap_or(Value::Null);
        Ok(answer
            .get("rrsets")
            .or_else(|| answer.get("items"))
            .and_then(Value::as_array)
            .and_then(|sets| {
                sets.iter()
                    .find(|s| s.get("name").and_then(Value::as_str) == Some(fqdn))
                    .cloned()
            }))
    }

    async fn change(&self, zone: &str, change: Value) -> Result<(), CloudError> {
        let path = format!("{}/{zone}/changes", self.zones_path());
        self.api.call(Method::POST, &path, Some(&change)).await?;
        Ok(())
    }
}

/// Cloud DNS names end with a dot.
fn absolute(name: &str) -> String {
    format!("{}.", name.trim_end_matches('.').to_lowercase())
}

#[async_trait]
impl DnsCloud for GcpDns {
    async fn upsert_a(&self, name: &str, address: &str) -> Result<(), CloudError> {
        let fqdn = absolute(name);
        let zone = self.zone_of(&fqdn).await?;
        let addition =
            json!({ "name": fqdn, "type": "A", "ttl": RECORD_TTL, "rrdatas": [address] });
        let deletions: Vec<Value> = self.current(&zone, &fqdn).await?.into_iter().collect();
        self.change(
            &zone,
            json!({ "additions": [addition], "deletions": deletions }),
        )
        .await
    }

    async fn delete_a(&self, name: &str) -> Result<(), CloudError> {
        let fqdn = absolute(name);
        let zone = self.zone_of(&fqdn).await?;
        match self.current(&zone, &fqdn).await? {
            Some(existing) => self.change(&zone, json!({ "deletions": [existing] })).await,
            None => Ok(()),
        }
    }

    async fn test_connection(&self) -> Result<String, CloudError> {
        let zones = self.zones().await?;
        Ok(format!(
            "connected: {} managed zone(s) in project {}",
            zones.len(),
            self.project
        ))
    }
}

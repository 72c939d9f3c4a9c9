//! OCI DNS: A records in the compartment's zone with the longest suffix of the name, written
//! with UpdateDomainRecords (which replaces the name's records) and removed with
//! DeleteDomainRecords.

use super::api::Api;
use crate::cloud::dns_zone::zone_for;
use crate::cloud::{CloudError, DnsCloud, ErrorClass};
use crate::model::credentials::OciCredentials;
use async_trait::async_trait;
use reqwest::Method;
use serde_json::{Value, json};

const DNS: &str = "/20180115";
/// TTL of the A records written for instances.
const RECORD_TTL: u32 = 60;

/// A records in one compartment's DNS zones.
pub struct OciDns {
    api: Api,
    compartment: String,
}

impl OciDns {
    /// A client for `credentials`; `endpoint` replaces `https://dns.<region>.oraclecloud.com`.
    pub fn new(credentials: &OciCredentials, endpoint: &str) -> Result<Self, CloudError> {
        Ok(Self {
            api: Api::new(credentials, "dns", endpoint)?,
            compartment: credentials.compartment_ocid.trim().to_owned(),
        })
    }

    async fn zones(&self) -> Result<Vec<String>, CloudError> {
        let path = format!("{DNS}/zones?compartmentId={}&limit=100", self.compartment);
        let (zones, _) = self.api.call(Method::GET, &path, None, &[]).await?;
        Ok(zones
            .as_ref()
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|z| z.get("name").and_then(Value::as_str))
            .map(str::to_lowercase)
            .collect())
    }

    async fn zone_of(&self, name: &str) -> Result<String, CloudError> {
        let zones = self.zones().await?;
        zone_for(name, zones.iter().map(String::as_str))
            .map(|(zone, _)| zone)
            .ok_or_else(|| {
                CloudError::new(
                    ErrorClass::InvalidConfig,
                    format!("no DNS zone of this compartment holds {name}"),
                )
            })
    }
}

#[async_trait]
impl DnsCloud for OciDns {
    async fn upsert_a(&self, name: &str, address: &str) -> Result<(), CloudError> {
        let zone = self.zone_of(name).await?;
        let body = json!({ "items": [{
            "domain": name, "rtype": "A", "rdata": address, "ttl": RECORD_TTL,
        }]});
        self.api
            .call(
                Method::PUT,
                &format!("{DNS}/zones/{zone}/records/{name}"),
                Some(&body),
                &[],
            )
            .await?;
        Ok(())
    }

    async fn delete_a(&self, name: &str) -> Result<(), CloudError> {
        let zone = self.zone_of(name).await?;
        match self
            .api
            .call(
                Method::DELETE,
                &format!("{DNS}/zones/{zone}/records/{name}"),
                None,
                &[],
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.class == ErrorClass::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn test_connection(&self) -> Result<String, CloudError> {
        let zones = self.zones().await?;
        Ok(format!(
            "connected: {} DNS zone(s) in the compartment",
            zones.len()
        ))
    }
}

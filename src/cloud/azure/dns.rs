//! Azure DNS: A record sets in the resource group's DNS zone with the longest suffix of the
//! name.

use super::arm::Arm;
use crate::cloud::dns_zone::zone_for;
use crate::cloud::{CloudError, DnsCloud, ErrorClass};
use crate::model::credentials::AzureCredentials;
use async_trait::async_trait;
use reqwest::Method;
use serde_json::{Value, json};

const DNS_API: &str = "2018-05-01";
/// TTL of the A records written for instances.
const RECORD_TTL: u32 = 60;

/// A records in one resource group's DNS zones.
pub struct AzureDns {
    arm: Arm,
}

impl AzureDns {
    /// A client for `credentials`; `endpoint` replaces the authority and Resource Manager.
    pub fn new(credentials: &AzureCredentials, endpoint: &str) -> Result<Self, CloudError> {
        Ok(Self {
            arm: Arm::new(credentials, endpoint)?,
        })
    }

    fn zones_path(&self) -> String {
        format!(
            "{}/providers/Microsoft.Network/dnsZones",
            self.arm.group_path
        )
    }

    /// The zone `name` lies in, and the record's name relative to it.
    async fn zone_of(&self, name: &str) -> Result<(String, String), CloudError> {
        let zones = self.arm.list(&self.zones_path(), DNS_API).await?;
        zone_for(
            name,
            zones
                .iter()
                .filter_map(|z| z.get("name").and_then(Value::as_str)),
        )
        .ok_or_else(|| {
            CloudError::new(
                ErrorClass::InvalidConfig,
                format!("no DNS zone of this resource group holds {name}"),
            )
        })
    }

    fn record_path(&self, zone: &str, relative: &str) -> String {
        format!("{}/{zone}/A/{relative}", self.zones_path())
    }
}

#[async_trait]
impl DnsCloud for AzureDns {
    async fn upsert_a(&self, name: &str, address: &str) -> Result<(), CloudError> {
        let (zone, relative) = self.zone_of(name).await?;
        let body = json!({ "properties": {
            "TTL": RECORD_TTL,
            "ARecords": [{ "ipv4Address": address }],
        }});
        self.arm
            .call(
                Method::PUT,
                &self.record_path(&zone, &relative),
                DNS_API,
                Some(&body),
            )
            .await?;
        Ok(())
    }

    async fn delete_a(&self, name: &str) -> Result<(), CloudError> {
        let (zone, relative) = self.zone_of(name).await?;
        match self
            .arm
            .call(
                Method::DELETE,
                &self.record_path(&zone, &relative),
                DNS_API,
                None,
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.class == ErrorClass::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn test_connection(&self) -> Result<String, CloudError> {
        let zones = self.arm.list(&self.zones_path(), DNS_API).await?;
        Ok(format!(
            "connected: {} DNS zone(s) in the resource group",
            zones.len()
        ))
    }
}

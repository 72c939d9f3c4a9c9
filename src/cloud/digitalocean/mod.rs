//! DigitalOcean: droplets, tags, firewalls and domain records over its REST API (v2) with
//! a bearer token. DigitalOcean has no idempotency token, so a create first looks for the
//! droplet by its ownership tag and name; a tag that does not exist yet is created and the
//! call repeated (the seed's "tag does not exist" known issue).

use super::dns_zone::zone_for;
use super::http;
use super::rest::{self, Dialect, Fault, exchange};
use super::{CloudError, CloudVm, CreateRequest, DnsCloud, ErrorClass, VmCloud, VmState, tags};
use crate::model::Secret;
use crate::model::cloud_list::{ListEntry, ListKind};
use crate::model::vm_provider::DigitalOceanSettings;
use async_trait::async_trait;
use jiff::Timestamp;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

/// DigitalOcean's API, unless the config overrides it.
pub const DEFAULT_ENDPOINT: &str = "https://api.digitalocean.com";
/// Droplets per page when listing.
const PAGE: usize = 200;
/// TTL of the A records written for instances.
const RECORD_TTL: u32 = 60;

/// A DigitalOcean tag for an ownership tag: `key:value` (tags are plain strings there).
pub fn tag_of(key: &str, value: &str) -> String {
    format!("{key}:{value}")
}

/// The ownership tags back from a droplet's plain tags.
fn tags_of(plain: &[String]) -> BTreeMap<String, String> {
    plain
        .iter()
        .filter_map(|t| t.split_once(':'))
        .filter(|(k, _)| k.starts_with("pooladmin-"))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

mod lists;

/// The part of DigitalOcean's API both clients use: authenticated JSON calls with its
/// errors classified.
struct Api {
    http: reqwest::Client,
    base: String,
    token: Secret,
}

impl Api {
    fn new(token: &Secret, endpoint: &str) -> Result<Self, CloudError> {
        let base = if endpoint.trim().is_empty() {
            DEFAULT_ENDPOINT
        } else {
            endpoint.trim()
        };
        let http = http::client()?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token: token.clone(),
        })
    }

    /// One call; `Ok(None)` for an empty answer (204).
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Option<Value>, CloudError> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(self.token.expose().trim());
        if let Some(body) = body {
            request = request.json(&body);
        }
        Ok(exchange(&DIGITALOCEAN, request).await?.body)
    }
}

/// How DigitalOcean words its failures: `{"id": "not_found", "message": "..."}`.
const DIGITALOCEAN: Dialect = Dialect {
    cloud: "DigitalOcean",
    fault: |body| Fault::at(body, "/id", "/message"),
    classify: |status, _, message| classify(status, message),
    wait: retry_after,
};

/// How long DigitalOcean asks to wait: `Retry-After` (seconds), else until `RateLimit-Reset`
/// (epoch seconds).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    rest::retry_after(headers).or_else(|| {
        let reset: i64 = headers
            .get("ratelimit-reset")?
            .to_str()
            .ok()?
            .trim()
            .parse()
            .ok()?;
        let wait = reset - Timestamp::now().as_second();
        Some(Duration::from_secs(wait.max(0).unsigned_abs()))
    })
}

/// DigitalOcean's status codes and messages as classes.
pub fn classify(status: StatusCode, message: &str) -> ErrorClass {
    let lower = message.to_lowercase();
    match status.as_u16() {
        401 | 403 => ErrorClass::Auth,
        404 => ErrorClass::NotFound,
        429 => ErrorClass::Throttled,
        422 if lower.contains("limit") => ErrorClass::Quota,
        422 if lower.contains("not available") || lower.contains("capacity") => {
            ErrorClass::Capacity
        }
        400 | 422 => ErrorClass::InvalidConfig,
        _ => ErrorClass::Transient,
    }
}

#[derive(Deserialize)]
struct Droplet {
    id: u64,
    name: String,
    status: String,
    created_at: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    networks: Networks,
}

#[derive(Default, Deserialize)]
struct Networks {
    #[serde(default)]
    v4: Vec<Address>,
}

#[derive(Deserialize)]
struct Address {
    ip_address: String,
    #[serde(rename = "type")]
    kind: String,
}

impl Droplet {
    fn vm(&self) -> CloudVm {
        let address = |kind: &str| {
            self.networks
                .v4
                .iter()
                .find(|a| a.kind == kind)
                .map(|a| a.ip_address.clone())
        };
        CloudVm {
            cloud_id: self.id.to_string(),
            name: self.name.clone(),
            tags: tags_of(&self.tags),
            state: match self.status.as_str() {
                "active" => VmState::Running,
                "new" => VmState::Pending,
                "archive" => VmState::Terminated,
                _ => VmState::Stopping,
            },
            address: address("private").or_else(|| address("public")),
            public_address: address("public"),
            created_at: self.created_at.parse().ok(),
        }
    }
}

fn field<T: for<'de> Deserialize<'de>>(answer: Option<Value>, key: &str) -> Result<T, CloudError> {
    answer
        .and_then(|mut v| v.get_mut(key).map(Value::take))
        .and_then(|v| serde_json::from_value(v).ok())
        .ok_or_else(|| {
            CloudError::new(
                ErrorClass::Transient,
                format!("DigitalOcean answered without a readable \"{key}\""),
            )
        })
}

/// The cheapest read that proves a token: the account it belongs to.
async fn account(api: &Api) -> Result<String, CloudError> {
    let account: Value = field(api.call(Method::GET, "/v2/account", None).await?, "account")?;
    Ok(format!(
        "connected as {}",
        account
            .get("email")
            .and_then(Value::as_str)
            .unwrap_or("this account")
    ))
}

/// Droplets in one account.
pub struct DigitalOceanCloud {
    api: Api,
    settings: DigitalOceanSettings,
}

impl DigitalOceanCloud {
    /// A client for `settings`, at `endpoint` when it is not blank.
    pub fn new(settings: &DigitalOceanSettings, endpoint: &str) -> Result<Self, CloudError> {
        Ok(Self {
            api: Api::new(&settings.token, endpoint)?,
            settings: settings.clone(),
        })
    }

    async fn droplets_tagged(&self, tag: &str) -> Result<Vec<Droplet>, CloudError> {
        let mut all = Vec::new();
        for page in 1.. {
            let path = format!("/v2/droplets?tag_name={tag}&per_page={PAGE}&page={page}");
            let answer = self.api.call(Method::GET, &path, None).await?;
            let droplets: Vec<Droplet> = field(answer, "droplets")?;
            let last = droplets.len() < PAGE;
            all.extend(droplets);
            if last {
                break;
            }
        }
        Ok(all)
    }

    /// The id of the SSH key the config names.
    async fn ssh_key_id(&self, name: &str) -> Result<u64, CloudError> {
        let answer = self
            .api
            .call(Method::GET, "/v2/account/keys?per_page=200", None)
            .await?;
        let keys: Vec<Value> = field(answer, "ssh_keys")?;
        keys.iter()
            .find(|k| k.get("name").and_then(Value::as_str) == Some(name))
            .and_then(|k| k.get("id").and_then(Value::as_u64))
            .ok_or_else(|| {
                CloudError::new(
                    ErrorClass::InvalidConfig,
                    format!("no SSH key named {name} in this DigitalOcean account"),
                )
            })
    }

    /// Puts a droplet behind the firewall the config names, unless it is there already.
    async fn join_firewall(&self, name: &str, droplet: u64) -> Result<(), CloudError> {
        let answer = self
            .api
            .call(Method::GET, "/v2/firewalls?per_page=200", None)
            .await?;
        let firewalls: Vec<Value> = field(answer, "firewalls")?;
        let firewall = firewalls
            .iter()
            .find(|f| f.get("name").and_then(Value::as_str) == Some(name))
            .ok_or_else(|| {
                CloudError::new(
                    ErrorClass::InvalidConfig,
                    format!("no firewall named {name} in this DigitalOcean account"),
                )
            })?;
        let joined = firewall
            .get("droplet_ids")
            .and_then(Value::as_array)
            .is_some_and(|ids| ids.iter().any(|id| id.as_u64() == Some(droplet)));
        if joined {
            return Ok(());
        }
        let id = firewall
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| CloudError::new(ErrorClass::Transient, "a firewall without an id"))?;
        self.api
            .call(
                Method::POST,
                &format!("/v2/firewalls/{id}/droplets"),
                Some(json!({ "droplet_ids": [droplet] })),
            )
            .await?;
        Ok(())
    }

    /// The droplet an earlier try made for this instance (no token: found by the instance's
    /// tag and name), else a new one.
    async fn find_or_make(&self, request: &CreateRequest) -> Result<Droplet, CloudError> {
        if let Some(instance) = request.tags.get(tags::INSTANCE) {
            let mine = self
                .droplets_tagged(&tag_of(tags::INSTANCE, instance))
                .await?;
            if let Some(droplet) = mine.into_iter().find(|d| d.name == request.name) {
                return Ok(droplet);
            }
        }
        let mut plain: Vec<String> = request.tags.iter().map(|(k, v)| tag_of(k, v)).collect();
        if !self.settings.tag.trim().is_empty() {
            plain.push(self.settings.tag.trim().to_owned());
        }
        let mut body = json!({
            "name": request.name,
            "region": self.settings.region.trim(),
            "size": self.settings.size.trim(),
            "image": self.settings.image.trim(),
            "tags": plain,
            "user_data": request.startup_script,
        });
        if !self.settings.ssh_key_name.trim().is_empty() {
            body["ssh_keys"] = json!([self.ssh_key_id(self.settings.ssh_key_name.trim()).await?]);
        }
        let mut created = self
            .api
            .call(Method::POST, "/v2/droplets", Some(body.clone()))
            .await;
        // Each missing tag is made once, then the create repeated.
        for _ in 0..plain.len() {
            let Some(tag) = created.as_ref().err().and_then(missing_tag) else {
                break;
            };
            self.create_tag(&tag).await?;
            created = self
                .api
                .call(Method::POST, "/v2/droplets", Some(body.clone()))
                .await;
        }
        field(created?, "droplet")
    }

    async fn create_tag(&self, tag: &str) -> Result<(), CloudError> {
        match self
            .api
            .call(Method::POST, "/v2/tags", Some(json!({ "name": tag })))
            .await
        {
            // Made meanwhile by another call: what was wanted.
            Err(e) if e.class == ErrorClass::InvalidConfig && e.message.contains("already") => {
                Ok(())
            }
            other => other.map(|_| ()),
        }
    }
}

/// The tag a "tag … does not exist" message names, if it is one.
fn missing_tag(error: &CloudError) -> Option<String> {
    let rest = error.message.split("tag ").nth(1)?;
    let (tag, tail) = rest.split_once(' ')?;
    tail.starts_with("does not exist").then(|| tag.to_owned())
}

#[async_trait]
impl VmCloud for DigitalOceanCloud {
    async fn create(&self, request: &CreateRequest) -> Result<CloudVm, CloudError> {
        let droplet = self.find_or_make(request).await?;
        // Part of every create's completion, also when an earlier try made the droplet and
        // did not get this far.
        if !self.settings.firewall_name.trim().is_empty() {
            self.join_firewall(self.settings.firewall_name.trim(), droplet.id)
                .await?;
        }
        Ok(droplet.vm())
    }

    async fn list(&self, kind: ListKind, _search: &str) -> Result<Vec<ListEntry>, CloudError> {
        self.list_of(kind).await
    }

    async fn test_connection(&self) -> Result<String, CloudError> {
        account(&self.api).await
    }

    async fn list_owned(&self, owner: &str) -> Result<Vec<CloudVm>, CloudError> {
        Ok(self
            .droplets_tagged(&tag_of(tags::OWNER, owner))
            .await?
            .iter()
            .map(Droplet::vm)
            .filter(|vm| vm.state != VmState::Terminated)
            .collect())
    }

    async fn status(&self, cloud_id: &str) -> Result<CloudVm, CloudError> {
        let answer = self
            .api
            .call(Method::GET, &format!("/v2/droplets/{cloud_id}"), None)
            .await?;
        Ok(field::<Droplet>(answer, "droplet")?.vm())
    }

    async fn delete(&self, cloud_id: &str) -> Result<(), CloudError> {
        match self
            .api
            .call(Method::DELETE, &format!("/v2/droplets/{cloud_id}"), None)
            .await
        {
            Err(e) if e.class == ErrorClass::NotFound => Ok(()),
            other => other.map(|_| ()),
        }
    }
}

/// Domain records in one account.
pub struct DigitalOceanDns {
    api: Api,
}

impl DigitalOceanDns {
    /// A client for `token`, at `endpoint` when it is not blank.
    pub fn new(token: &Secret, endpoint: &str) -> Result<Self, CloudError> {
        Ok(Self {
            api: Api::new(token, endpoint)?,
        })
    }

    /// The account's domain that holds `name` (longest match), and the record name in it.
    async fn domain_for(&self, name: &str) -> Result<(String, String), CloudError> {
        let answer = self
            .api
            .call(Method::GET, "/v2/domains?per_page=200", None)
            .await?;
        let domains: Vec<Value> = field(answer, "domains")?;
        zone_for(
            name,
            domains
                .iter()
                .filter_map(|d| d.get("name").and_then(Value::as_str)),
        )
        .ok_or_else(|| {
            CloudError::new(
                ErrorClass::InvalidConfig,
                format!(
                    "no DigitalOcean domain holds {name}: add the Base Domain Name to the account"
                ),
            )
        })
    }

    /// The ids of the A records `name` holds now.
    pub async fn records(&self, name: &str) -> Result<Vec<(u64, String)>, CloudError> {
        let (domain, _) = self.domain_for(name).await?;
        let answer = self
            .api
            .call(
                Method::GET,
                &format!(
                    "/v2/domains/{domain}/records?type=A&name={}",
                    name.trim_end_matches('.')
                ),
                None,
            )
            .await?;
        let records: Vec<Value> = field(answer, "domain_records")?;
        Ok(records
            .iter()
            .filter_map(|r| Some((r.get("id")?.as_u64()?, r.get("data")?.as_str()?.to_owned())))
            .collect())
    }
}

#[async_trait]
impl DnsCloud for DigitalOceanDns {
    async fn upsert_a(&self, name: &str, address: &str) -> Result<(), CloudError> {
        let (domain, record) = self.domain_for(name).await?;
        let body = json!({ "type": "A", "name": record, "data": address, "ttl": RECORD_TTL });
        match self.records(name).await?.first() {
            Some((id, _)) => {
                self.api
                    .call(
                        Method::PUT,
                        &format!("/v2/domains/{domain}/records/{id}"),
                        Some(body),
                    )
                    .await?;
            }
            None => {
                self.api
                    .call(
                        Method::POST,
                        &format!("/v2/domains/{domain}/records"),
                        Some(body),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    async fn test_connection(&self) -> Result<String, CloudError> {
        account(&self.api).await
    }

    async fn delete_a(&self, name: &str) -> Result<(), CloudError> {
        let (domain, _) = self.domain_for(name).await?;
        for (id, _) in self.records(name).await? {
            match self
                .api
                .call(
                    Method::DELETE,
                    &format!("/v2/domains/{domain}/records/{id}"),
                    None,
                )
                .await
            {
                Err(e) if e.class != ErrorClass::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_messages_map_to_classes() {
        assert_eq!(
            classify(StatusCode::UNAUTHORIZED, "Unable to authenticate you"),
            ErrorClass::Auth
        );
        assert_eq!(
            classify(StatusCode::TOO_MANY_REQUESTS, "slow down"),
            ErrorClass::Throttled
        );
        assert_eq!(
            classify(StatusCode::NOT_FOUND, "not found"),
            ErrorClass::NotFound
        );
        assert_eq!(
            classify(
                StatusCode::UNPROCESSABLE_ENTITY,
                "creating this droplet will exceed your droplet limit"
            ),
            ErrorClass::Quota
        );
        assert_eq!(
            classify(
                StatusCode::UNPROCESSABLE_ENTITY,
                "You specified an invalid size"
            ),
            ErrorClass::InvalidConfig
        );
        assert_eq!(classify(StatusCode::BAD_GATEWAY, ""), ErrorClass::Transient);
    }

    #[test]
    fn finds_the_tag_a_message_says_is_missing() {
        let error = CloudError::new(
            ErrorClass::InvalidConfig,
            "422 : tag zone:abc123 does not exist",
        );
        assert_eq!(missing_tag(&error).as_deref(), Some("zone:abc123"));
        let other = CloudError::new(ErrorClass::InvalidConfig, "422 : invalid size");
        assert_eq!(missing_tag(&other), None);
    }

    #[test]
    fn ownership_tags_travel_as_key_colon_value() {
        let plain = vec![
            tag_of(tags::OWNER, "abc"),
            tag_of(tags::INSTANCE, "7"),
            "kasm".into(),
        ];
        let back = tags_of(&plain);
        assert_eq!(back.get(tags::OWNER).map(String::as_str), Some("abc"));
        assert_eq!(tags::instance_of(&back), Some(7));
        assert_eq!(back.len(), 2);
    }
}

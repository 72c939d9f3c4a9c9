//! How pooladmin signs in to each cloud. VM Provider and DNS Provider configs share these;
//! the seed labels some fields differently in the two, and a file keeps them at different
//! places, so each check takes the fields it names.

use super::cloud_ids::{key_fingerprint, ocid, region, uuid};
use super::field::{AzureCredentialField, Field, OciCredentialField};
use super::json_shapes::{parse_json, required_string};
use super::pem_text::{PemKind, check_pem};
use super::{Secret, ValidationErrors};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Records `problem` for `field` when there is one.
pub fn note(errors: &mut ValidationErrors, field: impl Into<Field>, problem: Option<String>) {
    let field: Field = field.into();
    if let Some(problem) = problem {
        errors.push(field, problem);
    }
}

/// Records "must not be blank" for an empty required field; true when present.
pub fn required(errors: &mut ValidationErrors, field: impl Into<Field>, text: &str) -> bool {
    let field: Field = field.into();
    if text.trim().is_empty() {
        errors.push(field, "must not be blank");
        false
    } else {
        true
    }
}

/// AWS access keys.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct AwsCredentials {
    /// Access Key ID.
    pub access_key_id: String,
    /// Secret Access Key.
    #[serde(skip)]
    pub secret_access_key: Secret,
}

impl AwsCredentials {
    /// Checks both keys, naming them `id_field` and `secret_field`.
    pub fn check(
        &self,
        errors: &mut ValidationErrors,
        id_field: impl Into<Field>,
        secret_field: impl Into<Field>,
    ) {
        let (id_label, secret_label): (Field, Field) = (id_field.into(), secret_field.into());
        let id = self.access_key_id.trim();
        let shaped = (16..=128).contains(&id.len())
            && id
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if required(errors, id_label, id) && !shaped {
            errors.push(
                id_label,
                "expected 16 to 128 upper-case letters and digits, e.g. AKIAIOSFODNN7EXAMPLE",
            );
        }
        if required(errors, secret_label, self.secret_access_key.expose())
            && self.secret_access_key.expose().trim().len() < 16
        {
            errors.push(secret_label, "is too short for an AWS secret access key");
        }
    }
}

/// The Azure clouds, each with its own sign-in authority and management endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum AzureAuthority {
    /// Azure Public Cloud.
    #[default]
    Public,
    /// Azure Government.
    Government,
    /// Azure China.
    China,
    /// Azure Germany.
    Germany,
}

impl AzureAuthority {
    /// Every authority, in the order the form offers them.
    pub const ALL: [AzureAuthority; 4] =
        [Self::Public, Self::Government, Self::China, Self::Germany];

    /// What the form shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Public => "Azure Public Cloud",
            Self::Government => "Azure Government",
            Self::China => "Azure China",
            Self::Germany => "Azure Germany",
        }
    }

    /// Where client-credential tokens come from.
    pub fn login_host(self) -> &'static str {
        match self {
            Self::Public => "https://login.microsoftonline.com",
            Self::Government => "https://login.microsoftonline.us",
            Self::China => "https://login.chinacloudapi.cn",
            Self::Germany => "https://login.microsoftonline.de",
        }
    }

    /// The audience of Resource Manager tokens: the scope asked for is `<audience>/.default`,
    /// whatever endpoint the calls then go to.
    pub fn management_audience(self) -> &'static str {
        self.management_host()
    }

    /// The Resource Manager endpoint.
    pub fn management_host(self) -> &'static str {
        match self {
            Self::Public => "https://management.azure.com",
            Self::Government => "https://management.usgovcloudapi.net",
            Self::China => "https://management.chinacloudapi.cn",
            Self::Germany => "https://management.microsoftazure.de",
        }
    }
}

/// An Azure app registration and where its resources live.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct AzureCredentials {
    /// Subscription ID.
    pub subscription_id: String,
    /// Resource Group.
    pub resource_group: String,
    /// Tenant ID.
    pub tenant_id: String,
    /// Client ID.
    pub client_id: String,
    /// Client Secret.
    #[serde(skip)]
    pub client_secret: Secret,
    /// Azure Authority.
    pub authority: AzureAuthority,
    /// Authority Host Override: where tokens come from when not the authority's own host
    /// (a private sign-in endpoint); blank for the authority's.
    pub authority_host: String,
    /// Region.
    pub region: String,
}

impl AzureCredentials {
    /// Where client-credential tokens come from.
    pub fn login_host(&self) -> String {
        match self.authority_host.trim().trim_end_matches('/') {
            "" => self.authority.login_host().to_owned(),
            own => own.to_owned(),
        }
    }
}

impl AzureCredentials {
    /// Checks every field under the seed's labels; `field` says whose they are (a VM or a
    /// DNS Provider config's).
    pub fn check(&self, errors: &mut ValidationErrors, field: fn(AzureCredentialField) -> Field) {
        for (label, value) in [
            (
                field(AzureCredentialField::SubscriptionId),
                &self.subscription_id,
            ),
            (field(AzureCredentialField::TenantId), &self.tenant_id),
            (field(AzureCredentialField::ClientId), &self.client_id),
        ] {
            if required(errors, label, value) {
                note(errors, label, uuid(value.trim()));
            }
        }
        let group = self.resource_group.trim();
        if required(errors, field(AzureCredentialField::ResourceGroup), group)
            && (group.len() > 90
                || group.ends_with('.')
                || !group
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-_.()".contains(c)))
        {
            errors.push(
                field(AzureCredentialField::ResourceGroup),
                "expected up to 90 letters, digits, - _ . ( ), not ending in a dot",
            );
        }
        required(
            errors,
            field(AzureCredentialField::ClientSecret),
            self.client_secret.expose(),
        );
        note(
            errors,
            field(AzureCredentialField::AuthorityHost),
            super::validation::check_endpoint(&self.authority_host),
        );
        let field = field(AzureCredentialField::Region);
        if required(errors, field, &self.region) {
            note(errors, field, region(self.region.trim()));
        }
    }
}

/// A Google Cloud service-account key file, as downloaded from the console.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct GcpCredentials {
    /// The key file's JSON.
    #[serde(skip)]
    pub key_json: Secret,
}

impl GcpCredentials {
    /// Checks that the JSON is a service-account key: type, client_email, private_key,
    /// token_uri.
    pub fn check(&self, errors: &mut ValidationErrors, field: impl Into<Field>) {
        let label: Field = field.into();
        if !required(errors, label, self.key_json.expose()) {
            return;
        }
        let mut parse_errors = ValidationErrors::default();
        let Some(value) = parse_json(&mut parse_errors, label, self.key_json.expose()) else {
            // The parser's message may quote the key material: say only where it broke.
            let message = parse_errors
                .for_field(label)
                .and_then(|m| m.rfind("(line").map(|i| m[i..].to_owned()))
                .unwrap_or_default();
            errors.push(label, format!("is not valid JSON {message}"));
            return;
        };
        let Some(map) = value.as_object() else {
            errors.push(
                label,
                "expected the service-account key file (a JSON object)",
            );
            return;
        };
        let problem = (|| {
            if required_string(map, "type")? != "service_account" {
                return Err(
                    "\"type\" must be \"service_account\": use a service-account key".to_owned(),
                );
            }
            let email = required_string(map, "client_email")?;
            if !email.contains('@') {
                return Err("\"client_email\" is not an email address".to_owned());
            }
            let key = required_string(map, "private_key")?;
            if let Some(problem) = check_pem(key, PemKind::PrivateKey) {
                return Err(format!("\"private_key\" {problem}"));
            }
            let token_uri = required_string(map, "token_uri")?;
            if !token_uri.starts_with("https://") && !token_uri.starts_with("http://") {
                return Err("\"token_uri\" must be an http(s) URL".to_owned());
            }
            Ok(())
        })();
        if let Err(problem) = problem {
            errors.push(label, problem);
        }
    }
}

/// An Oracle Cloud API signing key and the tenancy it belongs to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct OciCredentials {
    /// User OCID.
    pub user_ocid: String,
    /// Public Key Fingerprint.
    pub fingerprint: String,
    /// Private Key (PEM).
    #[serde(skip)]
    pub private_key: Secret,
    /// Region.
    pub region: String,
    /// Tenancy OCID.
    pub tenancy_ocid: String,
    /// Compartment OCID.
    pub compartment_ocid: String,
}

impl OciCredentials {
    /// Checks every field; `field` says whose they are (a VM or a DNS Provider config's),
    /// `fingerprint` which label the fingerprint has there.
    pub fn check(
        &self,
        errors: &mut ValidationErrors,
        field: fn(OciCredentialField) -> Field,
        fingerprint: OciCredentialField,
    ) {
        let fingerprint_label = field(fingerprint);
        for (label, value, kind) in [
            (field(OciCredentialField::UserOcid), &self.user_ocid, "user"),
            (
                field(OciCredentialField::TenancyOcid),
                &self.tenancy_ocid,
                "tenancy",
            ),
            (
                field(OciCredentialField::CompartmentOcid),
                &self.compartment_ocid,
                "compartment",
            ),
        ] {
            if required(errors, label, value) {
                note(errors, label, ocid(value.trim(), kind));
            }
        }
        if required(errors, fingerprint_label, &self.fingerprint) {
            note(
                errors,
                fingerprint_label,
                key_fingerprint(self.fingerprint.trim()),
            );
        }
        let private_key = field(OciCredentialField::PrivateKey);
        if required(errors, private_key, self.private_key.expose()) {
            note(
                errors,
                private_key,
                check_pem(self.private_key.expose(), PemKind::PrivateKey),
            );
        }
        let field = field(OciCredentialField::Region);
        if required(errors, field, &self.region) {
            note(errors, field, region(self.region.trim()));
        }
    }
}

/// A DigitalOcean personal access token.
pub fn check_digitalocean_token(
    errors: &mut ValidationErrors,
    field: impl Into<Field>,
    token: &Secret,
) {
    let field: Field = field.into();
    let token = token.expose().trim();
    if required(errors, field, token)
        && (token.len() < 20 || token.chars().any(char::is_whitespace))
    {
        errors.push(field, "expected a DigitalOcean API token, e.g. dop_v1_…");
    }
}

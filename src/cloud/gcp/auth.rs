//! A service account's access token: an RS256-signed JWT (the key file's `private_key`)
//! exchanged at the key file's `token_uri`, cached until shortly before it expires.

use crate::cloud::oauth::{TokenCache, request_token};
use crate::cloud::rsa_key::rsa_private_key;
use crate::cloud::{CloudError, ErrorClass};
use crate::model::Secret;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use serde_json::{Value, json};

/// What pooladmin asks for: Compute Engine and Cloud DNS.
const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";
/// Lifetime asked of a JWT (Google's maximum).
const JWT_LIFETIME_S: i64 = 3600;

/// A service account's key, ready to sign.
pub struct ServiceAccount {
    email: String,
    token_uri: String,
    key: RsaKeyPair,
    http: reqwest::Client,
    cached: TokenCache,
}

impl ServiceAccount {
    /// Reads the key file's JSON.
    pub fn new(key_json: &Secret, http: reqwest::Client) -> Result<Self, CloudError> {
        let invalid =
            |m: &str| CloudError::new(ErrorClass::InvalidConfig, format!("GCP Credentials: {m}"));
        let file: Value = serde_json::from_str(key_json.expose())
            .map_err(|_| invalid("not a service-account key file (JSON)"))?;
        let text = |key: &str| {
            file.get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| invalid(&format!("no \"{key}\"")))
        };
        let key = rsa_private_key(&text("private_key")?)
            .map_err(|e| invalid(&format!("\"private_key\": {e}")))?;
        Ok(Self {
            email: text("client_email")?,
            token_uri: text("token_uri")?,
            key,
            http,
            cached: TokenCache::default(),
        })
    }

    /// The signed JWT that asks for a token, issued at `now`.
    pub fn assertion(&self, now: Timestamp) -> Result<String, CloudError> {
        let header = json!({ "alg": "RS256", "typ": "JWT" });
        let iat = now.as_second();
        let claims = json!({
            "iss": self.email,
            "scope": SCOPE,
            "aud": self.token_uri,
            "iat": iat,
            "exp": iat + JWT_LIFETIME_S,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|e| CloudError::new(ErrorClass::InvalidConfig, format!("signing: {e}")))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }

    /// A valid access token.
    pub async fn token(&self) -> Result<Secret, CloudError> {
        self.cached
            .get(|| async {
                let assertion = self.assertion(Timestamp::now())?;
                let form = [
                    ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                    ("assertion", assertion.as_str()),
                ];
                request_token(&self.http, &self.token_uri, &form, "Google sign-in").await
            })
            .await
    }
}

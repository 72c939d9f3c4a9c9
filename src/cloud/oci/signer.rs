//! Oracle Cloud's request signatures (draft-cavage HTTP Signatures, RSA-SHA256), as the
//! `oci` SDKs make them: GET, DELETE and HEAD sign `date (request-target) host`; POST and
//! PUT also `content-length content-type x-content-sha256`.

use crate::cloud::rsa_key::rsa_private_key;
use crate::model::Secret;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// An API key able to sign requests.
pub struct Signer {
    key_id: String,
    key: RsaKeyPair,
}

/// The headers a signed request carries, in the order they were signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    /// (name, value) pairs to send, `authorization` last.
    pub headers: Vec<(String, String)>,
}

impl SignedHeaders {
    /// One header's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Signer {
    /// A signer for the key `tenancy/user/fingerprint`; the key is PEM, PKCS#1 ("RSA
    /// PRIVATE KEY") or PKCS#8 ("PRIVATE KEY").
    pub fn new(
        tenancy: &str,
        user: &str,
        fingerprint: &str,
        private_key: &Secret,
    ) -> Result<Self, String> {
        let key = rsa_private_key(private_key.expose())?;
        Ok(Self {
            key_id: format!("{}/{}/{}", tenancy.trim(), user.trim(), fingerprint.trim()),
            key,
        })
    }

    /// The headers for `method` on `path_and_query` at `host`, dated `date` (RFC 7231,
    /// e.g. `Thu, 05 Jan 2014 21:31:40 GMT`), with `body` for POST and PUT.
    pub fn sign(
        &self,
        method: &str,
        host: &str,
        path_and_query: &str,
        date: &str,
        body: Option<&[u8]>,
    ) -> Result<SignedHeaders, String> {
        let method = method.to_lowercase();
        let mut headers = vec![
            ("date".to_owned(), date.to_owned()),
            (
                "(request-target)".to_owned(),
                format!("{method} {path_and_query}"),
            ),
            ("host".to_owned(), host.to_owned()),
        ];
        if matches!(method.as_str(), "post" | "put" | "patch") {
            let body = body.unwrap_or_default();
            let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, body);
            headers.push(("content-length".to_owned(), body.len().to_string()));
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
            headers.push(("x-content-sha256".to_owned(), STANDARD.encode(digest)));
        }
        let signing_string = headers
            .iter()
            .map(|(name, value)| format!("{name}: {value}"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signing_string.as_bytes(),
                &mut signature,
            )
            .map_err(|e| format!("signing failed: {e}"))?;
        let names: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
        // The parameters in the SDKs' order (alphabetical), so the header is byte-equal.
        let authorization = format!(
            "Signature algorithm=\"rsa-sha256\",headers=\"{}\",keyId=\"{}\",signature=\"{}\",version=\"1\"",
            names.join(" "),
            self.key_id,
            STANDARD.encode(&signature)
        );
        headers.retain(|(name, _)| name != "(request-target)");
        headers.push(("authorization".to_owned(), authorization));
        Ok(SignedHeaders { headers })
    }
}

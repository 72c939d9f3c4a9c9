//! An RSA private key from PEM, as Oracle Cloud API keys and Google service-account keys
//! come: PKCS#1 ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE KEY"). One loader, one set of words
//! for what is wrong.

use aws_lc_rs::signature::RsaKeyPair;

/// The key in `text`, or what is wrong with it in words for the field's error.
pub fn rsa_private_key(text: &str) -> Result<RsaKeyPair, String> {
    let pem = pem::parse(text.trim()).map_err(|e| format!("the private key is not PEM: {e}"))?;
    match pem.tag() {
        "RSA PRIVATE KEY" => RsaKeyPair::from_der(pem.contents()),
        "PRIVATE KEY" => RsaKeyPair::from_pkcs8(pem.contents()),
        other => return Err(format!("expected an RSA private key, not {other}")),
    }
    .map_err(|e| format!("the private key is not a usable RSA key: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_an_rsa_key_is_said_in_words() {
        assert!(rsa_private_key("hello").unwrap_err().contains("not PEM"));
        let certificate = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(
            rsa_private_key(certificate)
                .unwrap_err()
                .contains("not CERTIFICATE")
        );
        let garbage = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(
            rsa_private_key(garbage)
                .unwrap_err()
                .contains("not a usable RSA key")
        );
    }
}

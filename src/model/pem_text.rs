//! PEM certificates and keys, and OpenSSH public keys, parsed rather than trusted.

use base64::Engine;

/// What a PEM field must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PemKind {
    /// One or more X.509 certificates (a chain).
    Certificate,
    /// A private key (PKCS#8, PKCS#1 RSA or SEC1 EC).
    PrivateKey,
}

const KEY_TAGS: [&str; 3] = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];

/// Checks that `text` is PEM of `kind` whose contents are DER (an ASN.1 sequence).
pub fn check_pem(text: &str, kind: PemKind) -> Option<String> {
    let blocks = match pem::parse_many(text.trim()) {
        Ok(blocks) if !blocks.is_empty() => blocks,
        Ok(_) => return Some(expectation(kind)),
        Err(e) => return Some(format!("is not valid PEM ({e}); {}", expectation(kind))),
    };
    if text.contains("ENCRYPTED") {
        return Some(
            "is an encrypted key; pooladmin needs the key without a passphrase".to_owned(),
        );
    }
    for block in &blocks {
        let tag_ok = match kind {
            PemKind::Certificate => block.tag() == "CERTIFICATE",
            PemKind::PrivateKey => KEY_TAGS.contains(&block.tag()),
        };
        if !tag_ok {
            return Some(format!(
                "holds a \"{}\" block; {}",
                block.tag(),
                expectation(kind)
            ));
        }
        if block.contents().first() != Some(&0x30) || block.contents().len() < 16 {
            return Some(format!("its \"{}\" block is not DER-encoded", block.tag()));
        }
    }
    if kind == PemKind::PrivateKey && blocks.len() > 1 {
        return Some("holds several keys; expected exactly one".to_owned());
    }
    None
}

fn expectation(kind: PemKind) -> String {
    match kind {
        PemKind::Certificate => {
            "expected a PEM certificate (-----BEGIN CERTIFICATE-----)".to_owned()
        }
        PemKind::PrivateKey => {
            "expected a PEM private key (-----BEGIN PRIVATE KEY-----)".to_owned()
        }
    }
}

/// Checks an OpenSSH public key line: `type base64 [comment]`, the encoded type matching.
pub fn check_ssh_public_key(text: &str) -> Option<String> {
    const TYPES: [&str; 6] = [
        "ssh-rsa",
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
    ];
    let expected = "expected an OpenSSH public key line, e.g. ssh-ed25519 AAAAC3… user@host";
    let mut parts = text.split_whitespace();
    let (Some(key_type), Some(body)) = (parts.next(), parts.next()) else {
        return Some(expected.to_owned());
    };
    if !TYPES.contains(&key_type) {
        return Some(format!(
            "key type \"{key_type}\" is not supported; {expected}"
        ));
    }
    let Ok(blob) = base64::engine::general_purpose::STANDARD.decode(body) else {
        return Some(format!("the key is not valid base64; {expected}"));
    };
    // The blob starts with the key type, length-prefixed.
    let inner = blob
        .get(..4)
        .and_then(|len| {
            let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
            blob.get(4..4 + len)
        })
        .map(|t| t == key_type.as_bytes());
    if inner != Some(true) {
        return Some(format!(
            "the key data does not match its type \"{key_type}\""
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem_block(tag: &str) -> String {
        let mut der = vec![0x30, 0x82, 0x01, 0x00];
        der.extend(std::iter::repeat_n(7u8, 40));
        pem::encode(&pem::Pem::new(tag, der))
    }

    #[test]
    fn pem_blocks_by_kind() {
        assert!(check_pem(&pem_block("CERTIFICATE"), PemKind::Certificate).is_none());
        assert!(check_pem(&pem_block("PRIVATE KEY"), PemKind::PrivateKey).is_none());
        assert!(check_pem(&pem_block("RSA PRIVATE KEY"), PemKind::PrivateKey).is_none());
        let wrong = check_pem(&pem_block("CERTIFICATE"), PemKind::PrivateKey).unwrap();
        assert!(wrong.contains("CERTIFICATE"), "{wrong}");
        assert!(check_pem("hello", PemKind::Certificate).is_some());
        assert!(check_pem("", PemKind::PrivateKey).is_some());
    }

    #[test]
    fn ssh_keys() {
        // The blob of an ed25519 key: type string then a 32-byte key.
        let mut blob = Vec::new();
        blob.extend(11u32.to_be_bytes());
        blob.extend(b"ssh-ed25519");
        blob.extend(32u32.to_be_bytes());
        blob.extend([1u8; 32]);
        let body = base64::engine::general_purpose::STANDARD.encode(&blob);
        assert!(check_ssh_public_key(&format!("ssh-ed25519 {body} me@host")).is_none());
        assert!(check_ssh_public_key(&format!("ssh-rsa {body}")).is_some());
        assert!(check_ssh_public_key("ssh-ed25519 !!!").is_some());
        assert!(check_ssh_public_key("").is_some());
    }
}

//! Bearer secrets of the HTTP API (portal keys, agent tokens): made here from 256 random
//! bits, shown once, and kept only as their SHA-256, so the database never holds one.

use crate::model::Secret;
use base64::Engine;
use rand::Rng;
use subtle::ConstantTimeEq;

/// The stored form of a bearer secret.
pub(super) type BearerHash = [u8; 32];

/// A fresh secret: `prefix` then 43 URL-safe characters.
pub(super) fn new_bearer(prefix: &str) -> Secret {
    let bits: [u8; 32] = rand::rng().random();
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bits);
    Secret::new(format!("{prefix}{text}"))
}

/// What is stored of `secret`.
pub(super) fn bearer_hash(secret: &str) -> BearerHash {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, secret.as_bytes());
    let mut hash = [0u8; 32];
    hash.copy_from_slice(digest.as_ref());
    hash
}

/// Whether a stored hash is the one of the presented secret, in constant time.
pub(super) fn hash_matches(stored: &[u8], presented: &BearerHash) -> bool {
    stored.len() == presented.len() && bool::from(stored.ct_eq(presented))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_fresh_and_hashes_match_only_their_own() {
        let a = new_bearer("pa_k_");
        let b = new_bearer("pa_k_");
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), 5 + 43);
        let hash = bearer_hash(a.expose());
        assert!(hash_matches(&hash, &bearer_hash(a.expose())));
        assert!(!hash_matches(&hash, &bearer_hash(b.expose())));
        assert!(!hash_matches(&hash[..31], &bearer_hash(a.expose())));
    }
}

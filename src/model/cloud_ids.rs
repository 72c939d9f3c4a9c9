//! Identifiers of the clouds' resources, checked for their shape: UUIDs, OCIDs, AWS ids,
//! region names, DNS names. Each check returns the problem, if any, as a sentence part.

/// A UUID such as Azure's subscription, tenant and client ids.
pub fn uuid(text: &str) -> Option<String> {
    let groups: Vec<&str> = text.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    let ok = groups.len() == 5
        && groups
            .iter()
            .zip(lengths)
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()));
    (!ok).then(|| "expected a UUID, e.g. 0a1b2c3d-4e5f-6789-abcd-ef0123456789".to_owned())
}

/// An Oracle Cloud id of `kind`: `ocid1.<kind>.<realm>.[region].<unique>`.
pub fn ocid(text: &str, kind: &str) -> Option<String> {
    let parts: Vec<&str> = text.split('.').collect();
    let ok = parts.len() == 5
        && parts[0] == "ocid1"
        && parts[1] == kind
        && !parts[2].is_empty()
        && parts[4].len() >= 3
        && parts.iter().all(|p| {
            p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    (!ok).then(|| format!("expected an OCID like ocid1.{kind}.oc1..aaaa…"))
}

/// An AWS id with `prefix` ("ami", "subnet", "sg"): the prefix, a dash, 8 or 17 hex digits.
pub fn aws_id(text: &str, prefix: &str) -> Option<String> {
    let ok = text
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|hex| {
            (hex.len() == 8 || hex.len() == 17) && hex.chars().all(|c| c.is_ascii_hexdigit())
        });
    (!ok).then(|| format!("expected an id like {prefix}-0123456789abcdef0"))
}

/// A region or zone name: lower-case letters, digits and hyphens ("us-east-1", "eastus").
pub fn region(text: &str) -> Option<String> {
    let ok = !text.is_empty()
        && text.len() <= 64
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !text.starts_with('-')
        && !text.ends_with('-');
    (!ok).then(|| {
        "expected a region name like us-east-1 (lower-case letters, digits, hyphens)".to_owned()
    })
}

/// A DNS name such as a Base Domain Name: dot-separated labels of letters, digits, hyphens.
pub fn dns_name(text: &str) -> Option<String> {
    let name = text.strip_suffix('.').unwrap_or(text);
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let ok = name.len() <= 253 && name.contains('.') && name.split('.').all(label_ok);
    (!ok).then(|| "expected a DNS name like agents.example.com".to_owned())
}

/// A name made of letters, digits, and the characters in `extra` (instance types, sizes,
/// image names), not blank.
pub fn simple_name(text: &str, extra: &str, example: &str) -> Option<String> {
    let ok = !text.is_empty()
        && text.len() <= 256
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(c));
    (!ok).then(|| format!("expected a name like {example}"))
}

/// An OCI API key fingerprint: 16 colon-separated pairs of hex digits.
pub fn key_fingerprint(text: &str) -> Option<String> {
    let pairs: Vec<&str> = text.split(':').collect();
    let ok = pairs.len() == 16
        && pairs
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()));
    (!ok).then(|| "expected 16 colon-separated hex pairs, e.g. 12:34:…:ef".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_good_and_refuses_bad_ids() {
        assert!(uuid("0a1b2c3d-4e5f-6789-abcd-ef0123456789").is_none());
        assert!(uuid("0a1b2c3d-4e5f-6789-abcd").is_some());
        assert!(ocid("ocid1.user.oc1..aaaabbbbcccc", "user").is_none());
        assert!(ocid("ocid1.image.oc1.iad.aaaabbbb", "image").is_none());
        assert!(ocid("ocid1.user.oc1..aaaa", "tenancy").is_some());
        assert!(aws_id("ami-0123456789abcdef0", "ami").is_none());
        assert!(aws_id("sg-01234567", "sg").is_none());
        assert!(aws_id("ami-xyz", "ami").is_some());
        assert!(region("us-east-1").is_none());
        assert!(region("US East").is_some());
        assert!(dns_name("agents.kasm.example.com").is_none());
        assert!(dns_name("localhost").is_some());
        assert!(key_fingerprint("12:34:56:78:9a:bc:de:f0:12:34:56:78:9a:bc:de:f0").is_none());
        assert!(key_fingerprint("xx:yy").is_some());
    }
}

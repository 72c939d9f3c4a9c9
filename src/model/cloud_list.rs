//! What a VM Provider form can pick from the account: the kinds of list each cloud answers,
//! which field each fills, and one entry's shape (the value the field takes, words to
//! recognise it by, and for sizes what one brings).

use super::vm_provider::{ProviderKind, VmProviderSpec};
use serde::Serialize;
use std::hash::{DefaultHasher, Hash, Hasher};

/// A list read from a cloud account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListKind {
    /// Regions (AWS, DigitalOcean), locations (Azure).
    Regions,
    /// Zones (Google Cloud), availability domains (Oracle Cloud).
    Zones,
    /// Machine images: AMIs, droplet images, image families, OCI images.
    Images,
    /// Instance types, droplet sizes, machine types, VM sizes, shapes.
    Sizes,
    /// Subnets (AWS, OCI), subnetworks (Google Cloud).
    Subnets,
    /// Security groups of the subnet's VPC (AWS), network security groups (Azure).
    SecurityGroups,
    /// Key pairs (AWS), SSH keys (DigitalOcean).
    KeyPairs,
    /// IAM instance profiles (AWS), service accounts (Google Cloud).
    Identities,
    /// Firewalls (DigitalOcean).
    Firewalls,
    /// Tags (DigitalOcean).
    Tags,
    /// VPCs (DigitalOcean), networks (Google Cloud), virtual networks (Azure).
    Networks,
    /// Accelerator types of the zone (Google Cloud).
    Accelerators,
    /// Resource groups (Azure).
    ResourceGroups,
}

impl ListKind {
    /// Every kind, in the command line's order.
    pub const ALL: [ListKind; 13] = [
        Self::Regions,
        Self::Zones,
        Self::Images,
        Self::Sizes,
        Self::Subnets,
        Self::SecurityGroups,
        Self::KeyPairs,
        Self::Identities,
        Self::Firewalls,
        Self::Tags,
        Self::Networks,
        Self::Accelerators,
        Self::ResourceGroups,
    ];

    /// The command line's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Regions => "regions",
            Self::Zones => "zones",
            Self::Images => "images",
            Self::Sizes => "sizes",
            Self::Subnets => "subnets",
            Self::SecurityGroups => "security-groups",
            Self::KeyPairs => "key-pairs",
            Self::Identities => "identities",
            Self::Firewalls => "firewalls",
            Self::Tags => "tags",
            Self::Networks => "networks",
            Self::Accelerators => "accelerators",
            Self::ResourceGroups => "resource-groups",
        }
    }

    /// Parses the command line's spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// What the list is called in `cloud`'s words ("instance types", "droplet sizes").
    pub fn noun(self, cloud: ProviderKind) -> &'static str {
        use ProviderKind as P;
        match (self, cloud) {
            (Self::Regions, P::Azure) => "locations",
            (Self::Regions, _) => "regions",
            (Self::Zones, P::Oci) => "availability domains",
            (Self::Zones, _) => "zones",
            (Self::Images, P::Aws) => "AMIs",
            (Self::Images, P::Gcp) => "image families",
            (Self::Images, _) => "images",
            (Self::Sizes, P::Aws) => "instance types",
            (Self::Sizes, P::DigitalOcean) => "droplet sizes",
            (Self::Sizes, P::Gcp) => "machine types",
            (Self::Sizes, P::Azure) => "VM sizes",
            (Self::Sizes, P::Oci) => "shapes",
            (Self::Sizes, P::Simulator) => "sizes",
            (Self::Subnets, P::Gcp) => "subnetworks",
            (Self::Subnets, _) => "subnets",
            (Self::SecurityGroups, P::Azure) => "network security groups",
            (Self::SecurityGroups, _) => "security groups",
            (Self::KeyPairs, P::DigitalOcean) => "SSH keys",
            (Self::KeyPairs, _) => "key pairs",
            (Self::Identities, P::Gcp) => "service accounts",
            (Self::Identities, _) => "IAM instance profiles",
            (Self::Firewalls, _) => "firewalls",
            (Self::Tags, _) => "tags",
            (Self::Networks, P::DigitalOcean) => "VPCs",
            (Self::Networks, P::Azure) => "virtual networks",
            (Self::Networks, _) => "networks",
            (Self::Accelerators, _) => "accelerator types",
            (Self::ResourceGroups, _) => "resource groups",
        }
    }

    /// The lists `cloud` answers.
    pub fn of(cloud: ProviderKind) -> &'static [ListKind] {
        match cloud {
            ProviderKind::Aws => &[
                Self::Regions,
                Self::Images,
                Self::Sizes,
                Self::Subnets,
                Self::SecurityGroups,
                Self::KeyPairs,
                Self::Identities,
            ],
            ProviderKind::DigitalOcean => &[
                Self::Regions,
                Self::Sizes,
                Self::Images,
                Self::KeyPairs,
                Self::Firewalls,
                Self::Tags,
                Self::Networks,
            ],
            ProviderKind::Gcp => &[
                Self::Zones,
                Self::Sizes,
                Self::Accelerators,
                Self::Images,
                Self::Networks,
                Self::Subnets,
                Self::Identities,
            ],
            ProviderKind::Azure => &[
                Self::Regions,
                Self::Sizes,
                Self::Images,
                Self::ResourceGroups,
                Self::Networks,
                Self::Subnets,
                Self::SecurityGroups,
            ],
            ProviderKind::Oci => &[Self::Zones, Self::Sizes, Self::Images, Self::Subnets],
            ProviderKind::Simulator => &[],
        }
    }
}

/// What one size brings, for the AutoScale config's overrides.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SizeFacts {
    /// vCPUs (OCPUs × 2 on OCI).
    pub cores: f64,
    /// Memory in MB.
    pub memory_mb: i64,
    /// GPUs.
    pub gpus: i64,
}

/// A Flex shape's ranges (Oracle Cloud): what its OCPU and memory fields may take.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct FlexRange {
    /// Fewest and most OCPUs.
    pub ocpus: (f64, f64),
    /// Least and most memory, GB.
    pub memory_gb: (f64, f64),
}

impl FlexRange {
    /// What is wrong with `ocpus` and `memory_gb` as typed for this shape, in words.
    pub fn check(&self, ocpus: &str, memory_gb: &str) -> Vec<String> {
        let mut out = Vec::new();
        let outside = |text: &str, (min, max): (f64, f64)| {
            text.trim().parse::<f64>().is_ok_and(|v| v < min || v > max)
        };
        if outside(ocpus, self.ocpus) {
            out.push(format!(
                "Flex CPUs: this shape takes {} to {} OCPUs",
                self.ocpus.0, self.ocpus.1
            ));
        }
        if outside(memory_gb, self.memory_gb) {
            out.push(format!(
                "Flex Memory GB: this shape takes {} to {} GB",
                self.memory_gb.0, self.memory_gb.1
            ));
        }
        out
    }
}

/// One entry of a list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ListEntry {
    /// What the field takes (an id, a name, a URL).
    pub value: String,
    /// Words to recognise it by (a name, a description), may be empty.
    pub label: String,
    /// The rest worth knowing ("VPC vpc-1 · us-east-1a", "x86_64 · /dev/xvda").
    pub detail: String,
    /// For sizes: what one brings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<SizeFacts>,
    /// A Flex shape's ranges.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flex: Option<FlexRange>,
    /// Shown by its label alone: the value is not for reading (a whole JSON reference).
    #[serde(skip)]
    pub value_hidden: bool,
}

impl ListEntry {
    /// An entry that is its own label.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            label: String::new(),
            detail: String::new(),
            size: None,
            flex: None,
            value_hidden: false,
        }
    }

    /// Shown by its label alone.
    pub fn hiding_value(mut self) -> Self {
        self.value_hidden = true;
        self
    }

    /// With words to recognise it by.
    pub fn labelled(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// With details.
    pub fn detailed(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    /// Whether it matches a search (case-insensitive, any of its words).
    pub fn matches(&self, search: &str) -> bool {
        let search = search.trim().to_lowercase();
        search.is_empty()
            || [&self.value, &self.label, &self.detail]
                .iter()
                .any(|t| t.to_lowercase().contains(&search))
    }

    /// One line: "value — label · detail".
    pub fn line(&self) -> String {
        if self.value_hidden {
            return format!("{} · {}", self.label, self.detail);
        }
        let mut line = self.value.clone();
        if !self.label.is_empty() && self.label != self.value {
            line.push_str(" — ");
            line.push_str(&self.label);
        }
        if !self.detail.is_empty() {
            line.push_str(" · ");
            line.push_str(&self.detail);
        }
        line
    }
}

/// What a list depends on: the cloud, its endpoint and credentials, and the fields that
/// narrow it (region, zone, project, the subnet's VPC). The text of the field a list fills
/// is not in it, so typing there does not read the list again.
pub fn list_scope(spec: &VmProviderSpec, kind: ListKind) -> u64 {
    use super::vm_provider::ProviderSettings as S;
    let mut h = DefaultHasher::new();
    spec.endpoint_override.trim().hash(&mut h);
    kind.hash(&mut h);
    match &spec.settings {
        S::Aws(s) => {
            s.credentials.access_key_id.trim().hash(&mut h);
            s.credentials.secret_access_key.expose().hash(&mut h);
            if kind != ListKind::Regions {
                s.region.trim().hash(&mut h);
            }
            if kind == ListKind::SecurityGroups {
                s.subnet_id.trim().hash(&mut h);
            }
        }
        S::DigitalOcean(s) => s.token.expose().hash(&mut h),
        S::Gcp(s) => {
            s.credentials.key_json.expose().hash(&mut h);
            s.project_id.trim().hash(&mut h);
            if matches!(kind, ListKind::Sizes | ListKind::Accelerators) {
                s.zone.trim().hash(&mut h);
            }
            if kind == ListKind::Subnets {
                s.region.trim().hash(&mut h);
            }
        }
        S::Azure(s) => {
            let c = &s.credentials;
            for part in [
                &c.subscription_id,
                &c.resource_group,
                &c.tenant_id,
                &c.client_id,
                &c.authority_host,
                &c.region,
            ] {
                part.trim().hash(&mut h);
            }
            c.client_secret.expose().hash(&mut h);
            // The image lists go publisher → offer → SKU → version down the reference.
            if kind == ListKind::Images {
                s.image_reference.trim().hash(&mut h);
            }
        }
        S::Oci(s) => {
            let c = &s.credentials;
            for part in [
                &c.user_ocid,
                &c.fingerprint,
                &c.tenancy_ocid,
                &c.compartment_ocid,
                &c.region,
            ] {
                part.trim().hash(&mut h);
            }
            c.private_key.expose().hash(&mut h);
            if kind == ListKind::Sizes {
                s.availability_domain.trim().hash(&mut h);
            }
            if kind == ListKind::Images {
                s.shape.trim().hash(&mut h);
            }
        }
        S::Simulator(_) => "simulator".hash(&mut h),
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::vm_provider::{ProviderKind, ProviderSettings};

    #[test]
    fn typing_in_the_field_a_list_fills_keeps_its_scope() {
        let mut spec = VmProviderSpec::new(ProviderKind::Aws);
        let before = list_scope(&spec, ListKind::Images);
        if let ProviderSettings::Aws(s) = &mut spec.settings {
            s.ami_id = "ami-123".into();
        }
        assert_eq!(list_scope(&spec, ListKind::Images), before);
        if let ProviderSettings::Aws(s) = &mut spec.settings {
            s.region = "eu-west-1".into();
        }
        assert_ne!(
            list_scope(&spec, ListKind::Images),
            before,
            "another region, another list"
        );
    }
}

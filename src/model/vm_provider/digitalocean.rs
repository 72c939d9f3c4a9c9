//! DigitalOcean droplet settings: every field of the seed's Digital Ocean table.

use crate::model::cloud_ids::{region, simple_name};
use crate::model::credentials::{check_digitalocean_token, note, required};
use crate::model::field::DigitalOceanField;
use crate::model::{Secret, ValidationErrors};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The droplet fields of a VM Provider config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct DigitalOceanSettings {
    /// Token.
    #[serde(skip)]
    pub token: Secret,
    /// Region (slug, e.g. nyc1).
    pub region: String,
    /// Image (slug or id).
    pub image: String,
    /// Droplet Size (slug).
    pub size: String,
    /// Tags: one tag (pooladmin creates it when missing).
    pub tag: String,
    /// SSH Key Name (optional).
    pub ssh_key_name: String,
    /// Firewall Name (optional).
    pub firewall_name: String,
}

impl Default for DigitalOceanSettings {
    fn default() -> Self {
        Self {
            token: Secret::default(),
            region: "nyc1".into(),
            image: "docker-20-04".into(),
            size: "s-2vcpu-4gb".into(),
            tag: String::new(),
            ssh_key_name: String::new(),
            firewall_name: String::new(),
        }
    }
}

impl DigitalOceanSettings {
    /// Checks every field under the seed's labels.
    pub fn check(&self, errors: &mut ValidationErrors) {
        check_digitalocean_token(errors, DigitalOceanField::Token, &self.token);
        if required(errors, DigitalOceanField::Region, &self.region) {
            note(
                errors,
                DigitalOceanField::Region,
                region(self.region.trim()),
            );
        }
        if required(errors, DigitalOceanField::Image, &self.image) {
            note(
                errors,
                DigitalOceanField::Image,
                simple_name(self.image.trim(), "-._", "docker-20-04"),
            );
        }
        if required(errors, DigitalOceanField::Size, &self.size) {
            note(
                errors,
                DigitalOceanField::Size,
                simple_name(self.size.trim(), "-", "s-2vcpu-4gb"),
            );
        }
        let tag = self.tag.trim();
        if !tag.is_empty() {
            note(
                errors,
                DigitalOceanField::Tags,
                simple_name(tag, ":-_", "kasm-agents (letters, digits, : - _)"),
            );
        }
        for (label, value) in [
            (DigitalOceanField::SshKeyName, &self.ssh_key_name),
            (DigitalOceanField::FirewallName, &self.firewall_name),
        ] {
            if value.trim().len() > 255 {
                errors.push(label, "expected at most 255 characters");
            }
        }
    }
}

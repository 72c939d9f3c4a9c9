//! Records that hold secrets list them by label, so the store seals them all and tests can
//! prove none leaks; one trait serves every kind of config.

use super::Secret;
use super::autoscale::AutoScaleSpec;
use super::dns_provider::{DnsProviderSpec, DnsSettings};
use super::ldap::LdapSpec;
use super::vm_provider::{ProviderSettings, VmProviderSpec};

/// A record with secret fields.
pub trait SecretFields: Clone {
    /// Every secret field with its label, to fill or to seal.
    fn secret_fields(&mut self) -> Vec<(&'static str, &mut Secret)>;

    /// Every secret field with its label, copied.
    fn secret_values(&self) -> Vec<(&'static str, Secret)> {
        let mut copy = self.clone();
        copy.secret_fields()
            .into_iter()
            .map(|(label, secret)| (label, secret.clone()))
            .collect()
    }
}

impl SecretFields for ProviderSettings {
    fn secret_fields(&mut self) -> Vec<(&'static str, &mut Secret)> {
        self.secrets_mut()
    }
}

impl SecretFields for DnsSettings {
    fn secret_fields(&mut self) -> Vec<(&'static str, &mut Secret)> {
        self.secrets_mut()
    }
}

impl SecretFields for AutoScaleSpec {
    fn secret_fields(&mut self) -> Vec<(&'static str, &mut Secret)> {
        self.secrets_mut()
    }
}

impl SecretFields for LdapSpec {
    fn secret_fields(&mut self) -> Vec<(&'static str, &mut Secret)> {
        self.secrets_mut()
    }
}

impl SecretFields for VmProviderSpec {
    fn secret_fields(&mut self) -> Vec<(&'static str, &mut Secret)> {
        self.settings.secrets_mut()
    }
}

impl SecretFields for DnsProviderSpec {
    fn secret_fields(&mut self) -> Vec<(&'static str, &mut Secret)> {
        self.settings.secrets_mut()
    }
}

//! The lists of a configuration file, as a type: an import's plan, its writes, its secret
//! references and its errors name a list by this, so a misspelt list does not compile
//! (a string would silently match nothing and skip its writes).

use std::fmt;

/// One list of a configuration file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum List {
    /// `zones`.
    Zones,
    /// `pools`.
    Pools,
    /// `servers`.
    Servers,
    /// `docker_agents`.
    DockerAgents,
    /// `staging_configs`.
    StagingConfigs,
    /// `ldap_configs`.
    LdapConfigs,
    /// `vm_provider_configs`.
    VmProviderConfigs,
    /// `dns_provider_configs`.
    DnsProviderConfigs,
    /// `autoscale_configs`.
    AutoScaleConfigs,
}

impl List {
    /// Every list, in the file's order.
    pub const ALL: [Self; 9] = [
        Self::Zones,
        Self::Pools,
        Self::Servers,
        Self::DockerAgents,
        Self::StagingConfigs,
        Self::LdapConfigs,
        Self::VmProviderConfigs,
        Self::DnsProviderConfigs,
        Self::AutoScaleConfigs,
    ];

    /// Its key in the file.
    pub fn key(self) -> &'static str {
        match self {
            Self::Zones => "zones",
            Self::Pools => "pools",
            Self::Servers => "servers",
            Self::DockerAgents => "docker_agents",
            Self::StagingConfigs => "staging_configs",
            Self::LdapConfigs => "ldap_configs",
            Self::VmProviderConfigs => "vm_provider_configs",
            Self::DnsProviderConfigs => "dns_provider_configs",
            Self::AutoScaleConfigs => "autoscale_configs",
        }
    }
}

impl fmt::Display for List {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::List;

    #[test]
    fn each_list_is_a_key_of_the_format() {
        // An empty file in the format, every list present: each key parses, none is unknown.
        let lists: Vec<String> = List::ALL
            .iter()
            .map(|list| format!("\"{list}\": []"))
            .collect();
        let text = format!("{{\"format\": \"pooladmin/1\", {}}}", lists.join(", "));
        let parsed = crate::config_file::parse(&text);
        assert!(parsed.is_ok(), "{text}: {parsed:?}");
    }
}

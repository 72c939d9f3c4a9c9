//! Whether an AutoScale config creates Active Directory computer records, and where: read
//! from its settings and the LDAP configs, before anything is asked of a directory.

use crate::model::LdapId;
use crate::model::autoscale::{AutoScaleSpec, Scaling};
use crate::model::ldap::{LdapSpec, domain_of};

/// Where a config's computer records go.
pub(super) struct ComputerTarget {
    pub(super) ldap_id: LdapId,
    pub(super) ldap: LdapSpec,
    pub(super) ou_dn: String,
    pub(super) pattern: String,
}

impl ComputerTarget {
    /// The domain's DNS name, for `{domain}`.
    pub fn domain(&self) -> Option<String> {
        domain_of(&self.ldap.search_base)
    }
}

/// Whether a config creates computer records, and where; `Err` when its LDAP config is gone.
pub(super) fn computer_target(
    spec: &AutoScaleSpec,
    ldap: &std::collections::HashMap<LdapId, LdapSpec>,
) -> Option<Result<ComputerTarget, String>> {
    let Scaling::Servers(s) = &spec.scaling else {
        return None;
    };
    if !s.create_ad_record {
        return None;
    }
    Some(
        s.ldap_config
            .and_then(|id| Some((id, ldap.get(&id)?)))
            .map(|(ldap_id, ldap)| ComputerTarget {
                ldap_id,
                ldap: ldap.clone(),
                ou_dn: s.ad_computer_ou_dn.trim().to_owned(),
                pattern: s.computer_name_pattern.trim().to_owned(),
            })
            .ok_or_else(|| "its LDAP config is gone".to_owned()),
    )
}

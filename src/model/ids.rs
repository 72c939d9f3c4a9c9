//! Typed row ids, so a server id can never be passed where an agent id is meant.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($name:ident, $what:literal) => {
        #[doc = concat!("Row id of ", $what, ".")]
        #[derive(
            Clone,
            Copy,
            Debug,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            Serialize,
            Deserialize,
            JsonSchema,
        )]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(PoolId, "a pool");
id_type!(ZoneId, "a deployment zone");
id_type!(ServerId, "a server");
id_type!(AgentId, "a docker agent");
id_type!(StagingId, "a staging config");
id_type!(SessionId, "a session");
id_type!(AutoScaleId, "an AutoScale config");
id_type!(VmProviderId, "a VM Provider config");
id_type!(DnsProviderId, "a DNS Provider config");
id_type!(LdapId, "an LDAP config");

//! Which address an autoscaled member gets when its agent checks in. The agent runs on a VM
//! any session may share, so its word is taken only where the cloud confirms it: a claimed
//! address is used if it is one the cloud reports for that instance, never a loopback,
//! link-local or unspecified one; otherwise the cloud's own address is kept, and why is said.

use std::net::IpAddr;

/// The address chosen, and what to say when the agent's claim was not taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressChoice {
    /// The member's address (none when neither the claim nor the cloud gives one).
    pub address: Option<String>,
    /// Why the claim was not taken, when it was not.
    pub refused: Option<String>,
}

/// Whether `address` can never be where sessions reach a member: loopback, link-local or
/// unspecified.
pub fn unreachable_address(address: &str) -> bool {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback() || ip.is_link_local() || ip.is_unspecified(),
        Ok(IpAddr::V6(ip)) => ip.is_loopback() || ip.is_unicast_link_local() || ip.is_unspecified(),
        Err(_) => address.eq_ignore_ascii_case("localhost"),
    }
}

/// Two spellings of one address (`::1` and `0:0::1`), or the same name in any case.
fn same_address(a: &str, b: &str) -> bool {
    match (a.parse::<IpAddr>(), b.parse::<IpAddr>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.eq_ignore_ascii_case(b),
    }
}

/// Chooses between what the agent `claimed` and the addresses the cloud reports for the
/// instance (`cloud`: its own address first).
pub fn choose_address(claimed: &str, cloud: &[&str]) -> AddressChoice {
    let own = cloud
        .iter()
        .find(|a| !unreachable_address(a))
        .map(|a| (*a).to_owned());
    if unreachable_address(claimed) {
        return AddressChoice {
            address: own,
            refused: Some(format!(
                "its agent claimed {claimed}, a loopback, link-local or unspecified address"
            )),
        };
    }
    if cloud.iter().any(|a| same_address(a, claimed)) {
        return AddressChoice {
            address: Some(claimed.to_owned()),
            refused: None,
        };
    }
    let known = if cloud.is_empty() {
        "none".to_owned()
    } else {
        cloud.join(", ")
    };
    AddressChoice {
        address: own,
        refused: Some(format!(
            "its agent claimed {claimed}, not one of the addresses the cloud reports ({known})"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_is_taken_only_where_the_cloud_confirms_it() {
        let cloud = ["10.0.0.7", "198.18.0.7"];
        assert_eq!(
            choose_address("198.18.0.7", &cloud),
            AddressChoice {
                address: Some("198.18.0.7".into()),
                refused: None
            }
        );
        let spoofed = choose_address("10.9.9.9", &cloud);
        assert_eq!(spoofed.address.as_deref(), Some("10.0.0.7"));
        assert!(spoofed.refused.unwrap().contains("claimed 10.9.9.9"));
        for unreachable in [
            "127.0.0.1",
            "169.254.1.1",
            "0.0.0.0",
            "::1",
            "0:0::1",
            "fe80::1",
            "::",
            "localhost",
        ] {
            // Even where the cloud names it, it is never a member's address.
            let choice = choose_address(unreachable, &[unreachable, "10.0.0.7"]);
            assert_eq!(choice.address.as_deref(), Some("10.0.0.7"), "{unreachable}");
            assert!(
                choice.refused.unwrap().contains("loopback"),
                "{unreachable}"
            );
        }
        assert_eq!(
            choose_address("2001:db8::1", &["2001:DB8:0::1"]).refused,
            None
        );
    }
}

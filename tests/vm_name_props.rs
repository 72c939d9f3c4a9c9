//! Every cloud's VM and host names hold the cloud's documented rules, for instance ids
//! 1…10⁷ and every valid Computer Name Pattern, and stay unique within an installation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

use pooladmin::model::computer_name::{check_pattern, computer_name};
use pooladmin::model::vm_names::{VmNames, vm_names};
use pooladmin::model::vm_provider::{
    AwsSettings, AzureSettings, DigitalOceanSettings, GcpSettings, OciSettings, ProviderSettings,
};
use proptest::prelude::*;

/// Letters, digits and inner hyphens, at most `max` characters.
fn is_host_label(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.len() <= max
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// Azure's Windows computerName: 1–15 characters, not all digits, no leading or trailing
/// hyphen, none of `~ ! @ # $ % ^ & * ( ) = + _ [ ] { } \ | ; : . ' " , < > / ?`.
fn is_azure_windows_name(name: &str) -> bool {
    is_host_label(name, 15) && !name.chars().all(|c| c.is_ascii_digit())
}

/// Compute Engine: `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
fn is_gcp_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && is_host_label(name, 63)
        && !name.chars().any(|c| c.is_ascii_uppercase())
}

fn every_cloud() -> Vec<ProviderSettings> {
    let azure = |windows| {
        ProviderSettings::Azure(AzureSettings {
            image_is_windows: windows,
            ..AzureSettings::default()
        })
    };
    vec![
        ProviderSettings::Aws(AwsSettings::default()),
        azure(true),
        azure(false),
        ProviderSettings::DigitalOcean(DigitalOceanSettings::default()),
        ProviderSettings::Gcp(GcpSettings::default()),
        ProviderSettings::Oci(OciSettings::default()),
    ]
}

fn holds_the_rules(settings: &ProviderSettings, names: &VmNames) -> Result<(), String> {
    let ok = match settings {
        ProviderSettings::Azure(a) if a.image_is_windows => {
            is_azure_windows_name(&names.host_name) && is_azure_windows_name(&names.vm_name)
        }
        ProviderSettings::Azure(_) => {
            is_host_label(&names.host_name, 64) && is_host_label(&names.vm_name, 64)
        }
        ProviderSettings::Gcp(_) => is_gcp_name(&names.vm_name),
        ProviderSettings::DigitalOcean(_) => is_host_label(&names.vm_name, 63),
        _ => !names.vm_name.is_empty(),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{:?}: {names:?}", settings.kind()))
    }
}

/// The installation's part of instance names: eight lower-case hex digits.
fn installation() -> impl Strategy<Value = String> {
    "[0-9a-f]{8}"
}

/// A valid pattern: letters, digits and hyphens around one `{n}`.
fn pattern() -> impl Strategy<Value = String> {
    ("[A-Za-z][A-Za-z0-9-]{0,8}", "[A-Za-z0-9-]{0,3}")
        .prop_map(|(head, tail)| format!("{head}{{n}}{tail}"))
        .prop_filter("valid patterns only", |p| check_pattern(p).is_none())
}

proptest! {
    #[test]
    fn instance_names_hold_every_clouds_rules(
        short in installation(),
        id in 1i64..=10_000_000,
    ) {
        let name = format!("pa-{short}-{id}");
        for settings in every_cloud() {
            let names = vm_names(&settings, &name, None);
            prop_assert!(holds_the_rules(&settings, &names).is_ok(), "{name}: {:?}", names);
        }
    }

    #[test]
    fn computer_names_hold_every_clouds_rules(pattern in pattern(), n in 1u32..=999) {
        let computer = computer_name(&pattern, n).expect("valid patterns hold 3 digits");
        for settings in every_cloud() {
            let names = vm_names(&settings, "pa-1a2b3c4d-42", Some(&computer));
            prop_assert!(holds_the_rules(&settings, &names).is_ok(), "{computer}: {:?}", names);
        }
    }

    #[test]
    fn two_instances_never_share_a_name(
        short in installation(),
        a in 1i64..=10_000_000,
        b in 1i64..=10_000_000,
    ) {
        prop_assume!(a != b);
        for settings in every_cloud() {
            let first = vm_names(&settings, &format!("pa-{short}-{a}"), None);
            let second = vm_names(&settings, &format!("pa-{short}-{b}"), None);
            prop_assert_ne!(&first.vm_name, &second.vm_name);
            prop_assert_ne!(&first.host_name, &second.host_name);
        }
    }
}

//! What each cloud calls an instance's VM, and the host name it gives the guest: the one
//! place that knows each cloud's naming rules. The inputs are the instance's own name
//! (`pa-<installation>-<id>`, unique within the installation) and, for a server that joins a
//! domain, its computer name (`VDI-7`, checked by [`super::computer_name::check_pattern`]).

use super::vm_provider::ProviderSettings;

/// Windows computer names (NetBIOS) take at most 15 characters.
pub const WINDOWS_HOST_MAX: usize = 15;
/// Azure Linux computer names take at most 64 characters.
pub const AZURE_LINUX_HOST_MAX: usize = 64;
/// Compute Engine names: `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
pub const GCP_NAME_MAX: usize = 63;
/// One DNS label (DigitalOcean host names are made of them).
pub const DNS_LABEL_MAX: usize = 63;

/// The names one create call uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmNames {
    /// The VM's name in the cloud (its Name tag on AWS, its resource name on Azure, …).
    pub vm_name: String,
    /// The host name the guest gets (and `{server_hostname}` in the startup script).
    pub host_name: String,
}

/// The names for an instance called `instance_name`, joined to a domain as `computer_name`
/// when it has one, in the cloud `settings` describe.
pub fn vm_names(
    settings: &ProviderSettings,
    instance_name: &str,
    computer_name: Option<&str>,
) -> VmNames {
    let own = computer_name.unwrap_or(instance_name);
    match settings {
        ProviderSettings::Azure(azure) => {
            let host_name = if azure.image_is_windows {
                windows_host_name(own)
            } else {
                dns_label(own, AZURE_LINUX_HOST_MAX)
            };
            // Windows VMs' resource names follow their computer names' 15 characters.
            VmNames {
                vm_name: host_name.clone(),
                host_name,
            }
        }
        ProviderSettings::Gcp(_) => {
            let vm_name = gcp_name(own);
            VmNames {
                host_name: computer_name.map_or_else(|| vm_name.clone(), str::to_owned),
                vm_name,
            }
        }
        ProviderSettings::DigitalOcean(_) => {
            let name = dns_label(own, DNS_LABEL_MAX);
            VmNames {
                vm_name: name.clone(),
                host_name: name,
            }
        }
        // AWS names a VM by its Name tag and OCI by its display name, both free text; the
        // guest's host name is the cloud's own unless a startup script sets it.
        ProviderSettings::Aws(_) | ProviderSettings::Oci(_) | ProviderSettings::Simulator(_) => {
            VmNames {
                vm_name: own.to_owned(),
                host_name: own.to_owned(),
            }
        }
    }
}

/// A Windows computer name: at most 15 characters, never all digits, no leading or trailing
/// hyphen. A name that is too long keeps its trailing counter whole and shortens the rest,
/// so names stay unique within the installation (`pa-1a2b3c4d-12345` → `pa1a2b3c4-12345`).
pub fn windows_host_name(name: &str) -> String {
    let short = shortened(&dns_label(name, usize::MAX));
    if short.chars().all(|c| c.is_ascii_digit()) {
        // Windows refuses names of digits only.
        format!("p{}", &short[1..])
    } else {
        short
    }
}

fn shortened(name: &str) -> String {
    if name.len() <= WINDOWS_HOST_MAX {
        return name.to_owned();
    }
    let (head, counter) = match name.rsplit_once('-') {
        Some((head, counter)) if counter.chars().all(|c| c.is_ascii_digit()) => (head, counter),
        _ => (name, ""),
    };
    let head: String = head.chars().filter(|c| *c != '-').collect();
    if counter.is_empty() {
        return trim_hyphens(&head[..WINDOWS_HOST_MAX]);
    }
    // Room for the head: the limit less the hyphen and the counter; at least one letter.
    let room = WINDOWS_HOST_MAX.saturating_sub(counter.len() + 1).max(1);
    let counter = &counter[counter.len().saturating_sub(WINDOWS_HOST_MAX - room - 1)..];
    format!("{}-{counter}", &head[..room.min(head.len())])
}

/// A Compute Engine name: lower case, `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
pub fn gcp_name(name: &str) -> String {
    let lower = dns_label(&name.to_ascii_lowercase(), GCP_NAME_MAX);
    if lower.starts_with(|c: char| c.is_ascii_lowercase()) {
        lower
    } else {
        dns_label(&format!("pa-{lower}"), GCP_NAME_MAX)
    }
}

/// One DNS label of at most `max` characters: letters, digits and inner hyphens.
pub fn dns_label(name: &str, max: usize) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(max)
        .collect();
    let label = trim_hyphens(&cleaned);
    if label.is_empty() {
        "pa".to_owned()
    } else {
        label
    }
}

fn trim_hyphens(text: &str) -> String {
    text.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::vm_provider::{
        AwsSettings, AzureSettings, DigitalOceanSettings, GcpSettings, OciSettings,
    };

    fn azure(windows: bool) -> ProviderSettings {
        ProviderSettings::Azure(AzureSettings {
            image_is_windows: windows,
            ..AzureSettings::default()
        })
    }

    #[test]
    fn azure_windows_names_keep_their_counter_and_never_start_with_a_hyphen() {
        let names = vm_names(&azure(true), "pa-1a2b3c4d-12345", None);
        assert_eq!(names.host_name, "pa1a2b3c4-12345");
        assert_eq!(names.vm_name, "pa1a2b3c4-12345");
        assert_eq!(
            vm_names(&azure(true), "pa-1a2b3c4d-7", None).host_name,
            "pa-1a2b3c4d-7"
        );
        assert_eq!(
            vm_names(&azure(true), "pa-1a2b3c4d-10000000", None).host_name,
            "pa1a2b-10000000"
        );
    }

    #[test]
    fn azure_linux_names_are_not_cut_to_fifteen() {
        let names = vm_names(&azure(false), "pa-1a2b3c4d-12345", None);
        assert_eq!(names.host_name, "pa-1a2b3c4d-12345");
    }

    #[test]
    fn a_computer_name_names_the_vm_on_every_cloud() {
        let gcp = ProviderSettings::Gcp(GcpSettings::default());
        assert_eq!(
            vm_names(&gcp, "pa-1a2b3c4d-3", Some("VDI-1")),
            VmNames {
                vm_name: "vdi-1".into(),
                host_name: "VDI-1".into()
            }
        );
        assert_eq!(
            vm_names(&azure(true), "pa-1a2b3c4d-3", Some("VDI-1")).host_name,
            "VDI-1"
        );
        for settings in [
            ProviderSettings::Aws(AwsSettings::default()),
            ProviderSettings::DigitalOcean(DigitalOceanSettings::default()),
            ProviderSettings::Oci(OciSettings::default()),
        ] {
            assert_eq!(
                vm_names(&settings, "pa-1a2b3c4d-3", Some("VDI-1")).vm_name,
                "VDI-1"
            );
        }
    }

    #[test]
    fn gcp_names_start_with_a_letter() {
        assert_eq!(gcp_name("7-up"), "pa-7-up");
        assert_eq!(gcp_name("Pa_X-"), "pa-x");
    }
}

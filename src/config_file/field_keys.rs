//! Where a form field lives in the file: validators name fields by their labels ("Port");
//! an import names them by JSON path too (`servers[3].port`).

use crate::model::autoscale::Scaling;
use crate::model::cost::{HOURLY_PRICE, MONTHLY_BUDGET};
use crate::model::dns_provider::{DnsProviderSpec, DnsSettings};
use crate::model::vm_provider::{ProviderSettings, VmProviderSpec};

/// The key of a server's field.
pub fn server(label: &str) -> Option<String> {
    let key = match label {
        "Friendly Name" => "friendly_name",
        "Host" => "host",
        "Port" => "port",
        "Username" => "username",
        "Connection Info (JSON)" => "connection_info",
        "Max Simultaneous Sessions" => "max_sessions",
        _ => return None,
    };
    Some(key.to_owned())
}

/// The key of a docker agent's field.
pub fn agent(label: &str) -> Option<String> {
    let key = match label {
        "Hostname" => "hostname",
        "Cores" => "reported.cores",
        "Memory (MB)" => "reported.memory_mb",
        "GPUs" => "reported.gpus",
        "Cores Override" => "overrides.cores",
        "Memory Override (MB)" => "overrides.memory_mb",
        "GPUs Override" => "overrides.gpus",
        _ => return None,
    };
    Some(key.to_owned())
}

/// The key of a staging config's field.
pub fn staging(label: &str) -> Option<String> {
    let key = match label {
        "Workspace Name" => "workspace_name",
        "Desired Sessions" => "desired_sessions",
        "Cores per Session" => "per_session.cores",
        "Memory per Session (MB)" => "per_session.memory_mb",
        "GPUs per Session" => "per_session.gpus",
        _ => return None,
    };
    Some(key.to_owned())
}

/// The key of an LDAP config's field.
pub fn ldap(label: &str) -> Option<String> {
    let key = match label {
        "Name" => "name",
        "URL" => "url",
        "StartTLS" => "start_tls",
        "Search Base" => "search_base",
        "Service Account DN" => "service_account_dn",
        "Connection Timeout (s)" => "connection_timeout_s",
        "CA Certificate" => "ca_certificate",
        _ => return None,
    };
    Some(key.to_owned())
}

/// The key of a schedule row's field: "Schedule window 2: Start" → `schedule.windows[1].start`.
fn schedule(label: &str) -> Option<String> {
    let (row, field) = label.split_once(": ")?;
    let (list, n) = if let Some(n) = row.strip_prefix("Schedule window ") {
        ("windows", n)
    } else {
        ("overrides", row.strip_prefix("Date override ")?)
    };
    let index = n.parse::<usize>().ok()?.checked_sub(1)?;
    let key = match field {
        "Days" => "days",
        "Start" => "start",
        "End" => "end",
        "Time Zone" => "time_zone",
        "Date" => "date",
        "Standby Cores" => "values.standby_cores",
        "Standby GPUs" => "values.standby_gpus",
        "Standby Memory (MB)" => "values.standby_memory_mb",
        "Minimum Available Sessions" => "values.minimum_available_sessions",
        _ => return None,
    };
    Some(format!("schedule.{list}[{index}].{key}"))
}

/// The key of an AutoScale config's field.
pub fn autoscale(scaling: &Scaling, label: &str) -> Option<String> {
    if let Some(key) = schedule(label) {
        return Some(key);
    }
    let own = match label {
        "Name" => Some("name"),
        "Deployment Zone" => Some("zone"),
        "Downscale Backoff (Seconds)" => Some("downscale_backoff_s"),
        "Provision Timeout (s)" => Some("provision_timeout_s"),
        "LDAP Config" => Some("ldap_config"),
        "DNS Provider Config" => Some("dns_provider"),
        _ => None,
    };
    if let Some(key) = own {
        return Some(key.to_owned());
    }
    let (variant, key) = match scaling {
        Scaling::Servers(_) => (
            "Servers",
            match label {
                "Connection Port" => "connection_port",
                "Connection Username" => "connection_username",
                "Connection Info (JSON)" => "connection_info",
                "Active Directory Computer OU DN" => "ad_computer_ou_dn",
                "Computer Name Pattern" => "computer_name_pattern",
                "Minimum Available Sessions" => "minimum_available_sessions",
                "Max Simultaneous Sessions Per Server" => "max_sessions_per_server",
                "Base Domain Name" => "base_domain_name",
                _ => return None,
            },
        ),
        Scaling::Agents(_) => (
            "Agents",
            match label {
                "Standby Cores" => "standby_cores",
                "Standby GPUs" => "standby_gpus",
                "Standby Memory (MB)" => "standby_memory_mb",
                "Agent Cores Override" => "agent_cores_override",
                "Agent GPUs Override" => "agent_gpus_override",
                "Agent Memory Override (GB)" => "agent_memory_override_gb",
                "NGINX Cert" => "nginx_cert",
                "Base Domain Name" => "base_domain_name",
                _ => return None,
            },
        ),
    };
    Some(format!("scaling.{variant}.{key}"))
}

/// The keys of the Azure and OCI credential fields, shared by VM and DNS configs.
fn credential(label: &str) -> Option<&'static str> {
    Some(match label {
        "Subscription ID" => "subscription_id",
        "Resource Group" => "resource_group",
        "Tenant ID" => "tenant_id",
        "Client ID" => "client_id",
        "Authority Host Override" => "authority_host",
        "User OCID" => "user_ocid",
        "Public Key Fingerprint" | "Fingerprint" => "fingerprint",
        "Tenancy OCID" => "tenancy_ocid",
        "Compartment OCID" => "compartment_ocid",
        _ => return None,
    })
}

/// The key of a VM Provider config's field.
pub fn vm_provider(spec: &VmProviderSpec, label: &str) -> Option<String> {
    let kind = spec.settings.kind();
    if label == "Name" {
        return Some("name".to_owned());
    }
    if label == kind.max_instances_label() {
        return Some("max_instances".to_owned());
    }
    if label == kind.startup_script_label() {
        return Some("startup_script".to_owned());
    }
    if label == "Endpoint Override" {
        return Some("endpoint_override".to_owned());
    }
    if label == HOURLY_PRICE {
        return Some("hourly_price".to_owned());
    }
    if label == MONTHLY_BUDGET {
        return Some("monthly_budget".to_owned());
    }
    let (variant, key) = match &spec.settings {
        ProviderSettings::Aws(_) => (
            "Aws",
            match label {
                "AWS Access Key ID" => "credentials.access_key_id",
                "AWS: Region" => "region",
                "AWS: EC2 AMI ID" => "ami_id",
                "AWS: EC2 Instance Type" => "instance_type",
                "AWS: EC2 Security Group IDs" => "security_group_ids",
                "AWS: EC2 Subnet ID" => "subnet_id",
                "AWS: EC2 EBS Volume Size (GB)" => "volume_size_gb",
                "AWS: EC2 EBS Volume Type" => "volume_type",
                "AWS: EC2 IAM" => "iam_instance_profile",
                "AWS: EC2 Custom Tags" => "custom_tags",
                "SSH Keys" => "key_pair",
                _ => return None,
            }
            .to_owned(),
        ),
        ProviderSettings::Azure(_) => (
            "Azure",
            match (credential(label), label) {
                (Some(key), _) => format!("credentials.{key}"),
                (None, "Region") => "credentials.region".to_owned(),
                (None, other) => match other {
                    "VM Size" => "vm_size",
                    "OS Disk Type" => "os_disk_type",
                    "OS Disk Size (GB)" => "os_disk_size_gb",
                    "OS Image Reference (JSON)" => "image_reference",
                    "Network Security Group" => "network_security_group",
                    "Subnet" => "subnet",
                    "Tags (JSON)" => "tags",
                    "OS Username" => "os_username",
                    "SSH Public Key" => "ssh_public_key",
                    "Config Override (JSON)" => "config_override",
                    _ => return None,
                }
                .to_owned(),
            },
        ),
        ProviderSettings::DigitalOcean(_) => (
            "DigitalOcean",
            match label {
                "Region" => "region",
                "Image" => "image",
                "Droplet Size" => "size",
                "Tags" => "tag",
                "SSH Key Name" => "ssh_key_name",
                "Firewall Name" => "firewall_name",
                _ => return None,
            }
            .to_owned(),
        ),
        ProviderSettings::Gcp(_) => (
            "Gcp",
            match label {
                "Project ID" => "project_id",
                "Region" => "region",
                "Zone" => "zone",
                "Machine Type" => "machine_type",
                "Machine Image" => "machine_image",
                "Boot Volume GB" => "boot_volume_gb",
                "Disk Type" => "disk_type",
                "Customer Managed Encryption Key (CMEK)" => "cmek",
                "Network" => "network",
                "Sub Network" => "subnetwork",
                "Network Tags (JSON)" => "network_tags",
                "Custom Labels (JSON)" => "custom_labels",
                "Metadata (JSON)" => "metadata",
                "Service Account (JSON)" => "service_account",
                "Guest Accelerators (JSON)" => "guest_accelerators",
                "GCP Config Override (JSON)" => "config_override",
                _ => return None,
            }
            .to_owned(),
        ),
        ProviderSettings::Oci(_) => (
            "Oci",
            match (credential(label), label) {
                (Some(key), _) => format!("credentials.{key}"),
                (None, "Region") => "credentials.region".to_owned(),
                (None, other) => match other {
                    "Availability Domain" => "availability_domain",
                    "Image OCID" => "image_ocid",
                    "Shape" => "shape",
                    "Flex CPUs" => "flex_cpus",
                    "Flex Memory GB" => "flex_memory_gb",
                    "Boot Volume GB" => "boot_volume_gb",
                    "Custom Tags (JSON)" => "custom_tags",
                    "Subnet OCID" => "subnet_ocid",
                    "SSH Public Key" => "ssh_public_key",
                    _ => return None,
                }
                .to_owned(),
            },
        ),
        ProviderSettings::Simulator(_) => (
            "Simulator",
            match label {
                "Boot Delay (s)" => "boot_delay_s",
                "Failure Rate (%)" => "failure_rate_percent",
                "Throttle Rate (%)" => "throttle_rate_percent",
                "Capacity Errors (%)" => "capacity_error_percent",
                "API Latency (ms)" => "api_latency_ms",
                _ => return None,
            }
            .to_owned(),
        ),
    };
    Some(format!("settings.{variant}.{key}"))
}

/// The key of a DNS Provider config's field.
pub fn dns_provider(spec: &DnsProviderSpec, label: &str) -> Option<String> {
    match label {
        "Name" => return Some("name".to_owned()),
        "Endpoint Override" => return Some("endpoint_override".to_owned()),
        "Register" => return Some("register".to_owned()),
        _ => {}
    }
    let (variant, key) = match &spec.settings {
        DnsSettings::Aws(_) if label == "Access Key ID" => ("Aws", "access_key_id"),
        DnsSettings::Azure(_) if label == "Region" => ("Azure", "region"),
        DnsSettings::Azure(_) => ("Azure", credential(label)?),
        DnsSettings::Gcp { .. } if label == "Project" => ("Gcp", "project"),
        DnsSettings::Oci(_) if label == "Region" => ("Oci", "region"),
        DnsSettings::Oci(_) => ("Oci", credential(label)?),
        _ => return None,
    };
    Some(format!("settings.{variant}.{key}"))
}

//! The clouds' fields: what every VM Provider config has, each cloud's own, the sign-in
//! fields VM and DNS configs share, and a DNS Provider config's.

use crate::model::vm_provider::kind::ProviderKind;

form_fields! {
    /// The fields every VM Provider config has, whatever its cloud.
    ProviderField {
        Name => "Name", Some("name");
        EndpointOverride => "Endpoint Override", Some("endpoint_override");
        HourlyPrice => "Hourly Price", Some("hourly_price");
        MonthlyBudget => "Monthly Budget", Some("monthly_budget");
        Provider => "Provider", Some("settings");
    }
}

form_fields! {
    /// The AWS EC2 fields (the seed's AWS table).
    AwsField {
        AccessKeyId => "AWS Access Key ID", Some("credentials.access_key_id");
        SecretAccessKey => "AWS Secret Access Key", None;
        Region => "AWS: Region", Some("region");
        AmiId => "AWS: EC2 AMI ID", Some("ami_id");
        InstanceType => "AWS: EC2 Instance Type", Some("instance_type");
        SecurityGroupIds => "AWS: EC2 Security Group IDs", Some("security_group_ids");
        SubnetId => "AWS: EC2 Subnet ID", Some("subnet_id");
        VolumeSize => "AWS: EC2 EBS Volume Size (GB)", Some("volume_size_gb");
        VolumeType => "AWS: EC2 EBS Volume Type", Some("volume_type");
        IamInstanceProfile => "AWS: EC2 IAM", Some("iam_instance_profile");
        CustomTags => "AWS: EC2 Custom Tags", Some("custom_tags");
        KeyPair => "SSH Keys", Some("key_pair");
    }
}

form_fields! {
    /// The Azure sign-in fields, shared by VM and DNS configs.
    AzureCredentialField {
        SubscriptionId => "Subscription ID", Some("subscription_id");
        ResourceGroup => "Resource Group", Some("resource_group");
        TenantId => "Tenant ID", Some("tenant_id");
        ClientId => "Client ID", Some("client_id");
        ClientSecret => "Client Secret", None;
        AuthorityHost => "Authority Host Override", Some("authority_host");
        Region => "Region", Some("region");
    }
}

form_fields! {
    /// The Azure VM fields (the seed's Azure table, sign-in aside).
    AzureField {
        VmSize => "VM Size", Some("vm_size");
        OsDiskType => "OS Disk Type", Some("os_disk_type");
        OsDiskSize => "OS Disk Size (GB)", Some("os_disk_size_gb");
        ImageReference => "OS Image Reference (JSON)", Some("image_reference");
        NetworkSecurityGroup => "Network Security Group", Some("network_security_group");
        Subnet => "Subnet", Some("subnet");
        Tags => "Tags (JSON)", Some("tags");
        OsUsername => "OS Username", Some("os_username");
        OsPassword => "OS Password", None;
        SshPublicKey => "SSH Public Key", Some("ssh_public_key");
        ConfigOverride => "Config Override (JSON)", Some("config_override");
    }
}

form_fields! {
    /// The DigitalOcean droplet fields.
    DigitalOceanField {
        Token => "Token", None;
        Region => "Region", Some("region");
        Image => "Image", Some("image");
        Size => "Droplet Size", Some("size");
        Tags => "Tags", Some("tag");
        SshKeyName => "SSH Key Name", Some("ssh_key_name");
        FirewallName => "Firewall Name", Some("firewall_name");
    }
}

form_fields! {
    /// The Google Compute Engine fields.
    GcpField {
        Credentials => "GCP Credentials", None;
        ProjectId => "Project ID", Some("project_id");
        Region => "Region", Some("region");
        Zone => "Zone", Some("zone");
        MachineType => "Machine Type", Some("machine_type");
        MachineImage => "Machine Image", Some("machine_image");
        BootVolume => "Boot Volume GB", Some("boot_volume_gb");
        DiskType => "Disk Type", Some("disk_type");
        Cmek => "Customer Managed Encryption Key (CMEK)", Some("cmek");
        Network => "Network", Some("network");
        Subnetwork => "Sub Network", Some("subnetwork");
        NetworkTags => "Network Tags (JSON)", Some("network_tags");
        CustomLabels => "Custom Labels (JSON)", Some("custom_labels");
        Metadata => "Metadata (JSON)", Some("metadata");
        ServiceAccount => "Service Account (JSON)", Some("service_account");
        GuestAccelerators => "Guest Accelerators (JSON)", Some("guest_accelerators");
        ConfigOverride => "GCP Config Override (JSON)", Some("config_override");
    }
}

form_fields! {
    /// The Oracle Cloud sign-in fields, shared by VM and DNS configs.
    OciCredentialField {
        UserOcid => "User OCID", Some("user_ocid");
        PublicKeyFingerprint => "Public Key Fingerprint", Some("fingerprint");
        Fingerprint => "Fingerprint", Some("fingerprint");
        PrivateKey => "Private Key", None;
        TenancyOcid => "Tenancy OCID", Some("tenancy_ocid");
        CompartmentOcid => "Compartment OCID", Some("compartment_ocid");
        Region => "Region", Some("region");
    }
}

form_fields! {
    /// The Oracle Cloud instance fields (sign-in aside).
    OciField {
        AvailabilityDomain => "Availability Domain", Some("availability_domain");
        ImageOcid => "Image OCID", Some("image_ocid");
        Shape => "Shape", Some("shape");
        FlexCpus => "Flex CPUs", Some("flex_cpus");
        FlexMemory => "Flex Memory GB", Some("flex_memory_gb");
        BootVolume => "Boot Volume GB", Some("boot_volume_gb");
        CustomTags => "Custom Tags (JSON)", Some("custom_tags");
        SubnetOcid => "Subnet OCID", Some("subnet_ocid");
        SshPublicKey => "SSH Public Key", Some("ssh_public_key");
    }
}

form_fields! {
    /// The simulated cloud's fields.
    SimulatorField {
        BootDelay => "Boot Delay (s)", Some("boot_delay_s");
        FailureRate => "Failure Rate (%)", Some("failure_rate_percent");
        ThrottleRate => "Throttle Rate (%)", Some("throttle_rate_percent");
        CapacityErrors => "Capacity Errors (%)", Some("capacity_error_percent");
        ApiLatency => "API Latency (ms)", Some("api_latency_ms");
    }
}

/// A VM Provider config's field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VmProviderField {
    /// One every cloud has.
    Common(ProviderField),
    /// Max Instances, under the cloud's own label ("AWS: Max EC2 Nodes").
    MaxInstances(ProviderKind),
    /// The startup script, under the cloud's own label ("AWS: EC2 Startup Script").
    StartupScript(ProviderKind),
    /// An AWS field.
    Aws(AwsField),
    /// An Azure sign-in field.
    AzureCredential(AzureCredentialField),
    /// An Azure VM field.
    Azure(AzureField),
    /// A DigitalOcean field.
    DigitalOcean(DigitalOceanField),
    /// A Google Cloud field.
    Gcp(GcpField),
    /// An Oracle Cloud sign-in field.
    OciCredential(OciCredentialField),
    /// An Oracle Cloud instance field.
    Oci(OciField),
    /// A simulated cloud's field.
    Simulator(SimulatorField),
}

impl VmProviderField {
    pub(super) fn label(self) -> &'static str {
        match self {
            Self::Common(f) => f.label(),
            Self::MaxInstances(kind) => kind.max_instances_label(),
            Self::StartupScript(kind) => kind.startup_script_label(),
            Self::Aws(f) => f.label(),
            Self::AzureCredential(f) => f.label(),
            Self::Azure(f) => f.label(),
            Self::DigitalOcean(f) => f.label(),
            Self::Gcp(f) => f.label(),
            Self::OciCredential(f) => f.label(),
            Self::Oci(f) => f.label(),
            Self::Simulator(f) => f.label(),
        }
    }

    pub(super) fn key(self) -> Option<String> {
        let (cloud, key) = match self {
            Self::Common(f) => return f.key().map(str::to_owned),
            Self::MaxInstances(_) => return Some("max_instances".to_owned()),
            Self::StartupScript(_) => return Some("startup_script".to_owned()),
            Self::Aws(f) => ("Aws", f.key()?.to_owned()),
            Self::AzureCredential(f) => ("Azure", format!("credentials.{}", f.key()?)),
            Self::Azure(f) => ("Azure", f.key()?.to_owned()),
            Self::DigitalOcean(f) => ("DigitalOcean", f.key()?.to_owned()),
            Self::Gcp(f) => ("Gcp", f.key()?.to_owned()),
            Self::OciCredential(f) => ("Oci", format!("credentials.{}", f.key()?)),
            Self::Oci(f) => ("Oci", f.key()?.to_owned()),
            Self::Simulator(f) => ("Simulator", f.key()?.to_owned()),
        };
        Some(format!("settings.{cloud}.{key}"))
    }
}

form_fields! {
    /// The DNS Provider config fields of its own (the clouds' sign-in fields aside).
    DnsField {
        Name => "Name", Some("name");
        EndpointOverride => "Endpoint Override", Some("endpoint_override");
        Register => "Register", Some("register");
        Provider => "Provider", Some("settings");
        AwsAccessKeyId => "Access Key ID", Some("settings.Aws.access_key_id");
        AwsAccessKeySecret => "Access Key Secret", None;
        DigitalOceanToken => "Token", None;
        GcpProject => "Project", Some("settings.Gcp.project");
        GcpCredentials => "Credentials", None;
    }
}

/// A DNS Provider config's field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DnsProviderField {
    /// One of its own.
    Own(DnsField),
    /// An Azure sign-in field.
    AzureCredential(AzureCredentialField),
    /// An Oracle Cloud sign-in field.
    OciCredential(OciCredentialField),
}

//! The field tables' own tests: labels and keys from one table, no label twice in a form.

use super::*;
use crate::model::vm_provider::ProviderKind;

#[test]
fn labels_and_keys_come_from_one_table() {
    assert_eq!(Field::from(ServerField::Port).label(), "Port");
    assert_eq!(
        Field::from(AgentField::Memory).json_key().as_deref(),
        Some("reported.memory_mb")
    );
    assert_eq!(
        Field::from(AwsField::Region).json_key().as_deref(),
        Some("settings.Aws.region")
    );
    assert_eq!(
        Field::vm_azure(AzureCredentialField::TenantId)
            .json_key()
            .as_deref(),
        Some("settings.Azure.credentials.tenant_id")
    );
    assert_eq!(
        Field::dns_azure(AzureCredentialField::TenantId)
            .json_key()
            .as_deref(),
        Some("settings.Azure.tenant_id")
    );
    // A secret has a label but no place in a file.
    assert_eq!(Field::from(AwsField::SecretAccessKey).json_key(), None);
    let start = Field::Schedule(ScheduleField {
        row: ScheduleRow::Window(1),
        part: SchedulePart::Start,
    });
    assert_eq!(start.label(), "Schedule window 2: Start");
    assert_eq!(
        start.json_key().as_deref(),
        Some("schedule.windows[1].start")
    );
    assert_eq!(
        Field::VmProvider(VmProviderField::MaxInstances(ProviderKind::Aws)).label(),
        "AWS: Max EC2 Nodes"
    );
}

#[test]
fn no_form_has_two_fields_under_one_label() {
    fn distinct(labels: Vec<&str>) {
        let mut seen = std::collections::HashSet::new();
        for label in labels {
            assert!(seen.insert(label), "{label} twice");
        }
    }
    distinct(ServerField::ALL.iter().map(|f| f.label()).collect());
    distinct(AgentField::ALL.iter().map(|f| f.label()).collect());
    distinct(StagingField::ALL.iter().map(|f| f.label()).collect());
    distinct(LdapField::ALL.iter().map(|f| f.label()).collect());
    distinct(GcpField::ALL.iter().map(|f| f.label()).collect());
    distinct(AzureField::ALL.iter().map(|f| f.label()).collect());
    // The one label two fields share: the Base Domain Name of either kind of scaling.
    let autoscale: Vec<_> = AutoScaleField::ALL
        .iter()
        .filter(|f| **f != AutoScaleField::AgentsBaseDomain)
        .map(|f| f.label())
        .collect();
    distinct(autoscale);
}

//! The forms of VM Provider and DNS Provider configs: the common fields here, each cloud's
//! own in its file. Labels are the seed's.

pub mod aws;
pub mod azure;
pub mod digitalocean;
pub mod gcp;
pub mod oci;
pub mod simulator;

use super::cloud_lists::{Fill, Pickers};
use super::form::{code_row, combo_row, error_of, note_row, secret_row, text_row};
use crate::model::Field;
use crate::model::ValidationErrors;
use crate::model::cloud_list::ListKind;
use crate::model::credentials::{AzureAuthority, AzureCredentials, OciCredentials};
use crate::model::dns_provider::{DnsProviderSpec, DnsSettings, RegisterAddress};
use crate::model::field::{
    AzureCredentialField, DnsField, OciCredentialField, ProviderField, VmProviderField,
};
use crate::model::startup_script::{PLACEHOLDERS, unknown_placeholders};
use crate::model::vm_provider::{ProviderKind, ProviderSettings, VmProviderSpec};
use egui::Ui;

/// Choices of a text field that takes one of a fixed list.
pub fn choices(values: &[&str]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|v| ((*v).to_owned(), (*v).to_owned()))
        .collect()
}

/// The Provider picker of a new VM Provider config: a change starts that cloud's fields
/// afresh.
pub fn vm_kind_row(ui: &mut Ui, spec: &mut VmProviderSpec) {
    let mut kind = spec.settings.kind();
    let kinds: Vec<_> = ProviderKind::ALL
        .iter()
        .map(|k| (*k, k.label().to_owned()))
        .collect();
    combo_row(ui, "Provider", &mut kind, &kinds, None);
    if kind != spec.settings.kind() {
        spec.settings = ProviderSettings::new(kind);
    }
}

/// The Provider picker of a new DNS Provider config (every cloud but the simulator).
pub fn dns_kind_row(ui: &mut Ui, spec: &mut DnsProviderSpec) {
    let mut kind = spec.settings.kind();
    let kinds: Vec<_> = ProviderKind::ALL
        .iter()
        .filter(|k| DnsSettings::new(**k).is_some())
        .map(|k| (*k, k.label().to_owned()))
        .collect();
    combo_row(ui, "Provider", &mut kind, &kinds, None);
    if kind != spec.settings.kind()
        && let Some(settings) = DnsSettings::new(kind)
    {
        spec.settings = settings;
    }
}

/// A text field with a picker of the account's `kind` beside it when a scaler runs to ask.
pub fn listed_row(
    ui: &mut Ui,
    pickers: &mut Pickers<'_>,
    label: &str,
    value: &mut String,
    error: Option<&str>,
    kind: ListKind,
) {
    if pickers.attached {
        pickers.row(ui, label, value, error, kind, Fill::Text);
    } else {
        text_row(ui, label, value, error);
    }
}

/// Every field of a VM Provider config, inside a form grid; `pickers` offers what the
/// account has beside the fields that name it.
pub fn vm_provider_rows(
    ui: &mut Ui,
    spec: &mut VmProviderSpec,
    errors: Option<&ValidationErrors>,
    reveal: &mut bool,
    pickers: &mut Pickers<'_>,
) {
    let kind = spec.settings.kind();
    text_row(
        ui,
        "Name",
        &mut spec.name,
        error_of(errors, ProviderField::Name),
    );
    text_row(
        ui,
        kind.max_instances_label(),
        &mut spec.max_instances,
        error_of(errors, VmProviderField::MaxInstances(kind)),
    );
    text_row(
        ui,
        ProviderField::HourlyPrice.label(),
        &mut spec.hourly_price,
        error_of(errors, ProviderField::HourlyPrice),
    )
    .on_hover_text("What one instance costs per hour, in the General page's currency");
    text_row(
        ui,
        ProviderField::MonthlyBudget.label(),
        &mut spec.monthly_budget,
        error_of(errors, ProviderField::MonthlyBudget),
    )
    .on_hover_text(
        "The most this config's instances may cost in a calendar month (UTC): a create that \
         would take the month's projection over it is not made; at 80 % you are warned",
    );
    note_row(
        ui,
        "Per instance-hour and per UTC month, in the General page's currency; blank for none.",
    );
    match &mut spec.settings {
        ProviderSettings::Aws(s) => aws::rows(ui, s, errors, reveal, pickers),
        ProviderSettings::Azure(s) => azure::rows(ui, s, errors, reveal, pickers),
        ProviderSettings::DigitalOcean(s) => digitalocean::rows(ui, s, errors, reveal, pickers),
        ProviderSettings::Gcp(s) => gcp::rows(ui, s, errors, reveal, pickers),
        ProviderSettings::Oci(s) => oci::rows(ui, s, errors, reveal, pickers),
        ProviderSettings::Simulator(s) => simulator::rows(ui, s, errors),
    }
    code_row(
        ui,
        kind.startup_script_label(),
        &mut spec.startup_script,
        "sh",
        true,
        error_of(errors, VmProviderField::StartupScript(kind)),
    );
    let unknown = unknown_placeholders(&spec.startup_script);
    if !unknown.is_empty() {
        ui.label("");
        let names: Vec<String> = unknown.iter().map(|n| format!("{{{n}}}")).collect();
        ui.label(
            egui::RichText::new(format!(
                "Not placeholders pooladmin fills in, so they stay as typed: {}. Known: {}.",
                names.join(", "),
                PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
            ))
            .color(ui.visuals().warn_fg_color)
            .small(),
        );
        ui.end_row();
    }
    text_row(
        ui,
        "Endpoint Override",
        &mut spec.endpoint_override,
        error_of(errors, ProviderField::EndpointOverride),
    );
}

/// Every field of a DNS Provider config, inside a form grid.
pub fn dns_provider_rows(
    ui: &mut Ui,
    spec: &mut DnsProviderSpec,
    errors: Option<&ValidationErrors>,
    reveal: &mut bool,
) {
    text_row(ui, "Name", &mut spec.name, error_of(errors, DnsField::Name));
    match &mut spec.settings {
        DnsSettings::Aws(c) => {
            text_row(
                ui,
                "Access Key ID",
                &mut c.access_key_id,
                error_of(errors, DnsField::AwsAccessKeyId),
            );
            secret_row(
                ui,
                "Access Key Secret",
                &mut c.secret_access_key,
                reveal,
                error_of(errors, DnsField::AwsAccessKeySecret),
            );
        }
        DnsSettings::Azure(c) => azure_credential_rows(ui, c, Field::dns_azure, errors, reveal),
        DnsSettings::DigitalOcean { token } => {
            secret_row(
                ui,
                "Token",
                token,
                reveal,
                error_of(errors, DnsField::DigitalOceanToken),
            );
        }
        DnsSettings::Gcp {
            project,
            credentials,
        } => {
            text_row(
                ui,
                "Project",
                project,
                error_of(errors, DnsField::GcpProject),
            );
            secret_code_row(
                ui,
                DnsField::GcpCredentials,
                credentials.key_json.expose_mut(),
                reveal,
                errors,
            );
        }
        DnsSettings::Oci(c) => oci_credential_rows(
            ui,
            c,
            (Field::dns_oci, OciCredentialField::Fingerprint),
            errors,
            reveal,
        ),
    }
    let choices: Vec<_> = RegisterAddress::ALL
        .iter()
        .map(|r| (*r, r.label().to_owned()))
        .collect();
    combo_row(ui, "Register", &mut spec.register, &choices, None);
    text_row(
        ui,
        "Endpoint Override",
        &mut spec.endpoint_override,
        error_of(errors, DnsField::EndpointOverride),
    );
}

/// The Azure app registration fields, shared by VM and DNS configs.
pub fn azure_credential_rows(
    ui: &mut Ui,
    c: &mut AzureCredentials,
    field: fn(AzureCredentialField) -> Field,
    errors: Option<&ValidationErrors>,
    reveal: &mut bool,
) {
    let error = |f| error_of(errors, field(f));
    text_row(
        ui,
        "Subscription ID",
        &mut c.subscription_id,
        error(AzureCredentialField::SubscriptionId),
    );
    text_row(
        ui,
        "Resource Group",
        &mut c.resource_group,
        error(AzureCredentialField::ResourceGroup),
    );
    text_row(
        ui,
        "Tenant ID",
        &mut c.tenant_id,
        error(AzureCredentialField::TenantId),
    );
    text_row(
        ui,
        "Client ID",
        &mut c.client_id,
        error(AzureCredentialField::ClientId),
    );
    secret_row(
        ui,
        "Client Secret",
        &mut c.client_secret,
        reveal,
        error(AzureCredentialField::ClientSecret),
    );
    let authorities: Vec<_> = AzureAuthority::ALL
        .iter()
        .map(|a| (*a, a.label().to_owned()))
        .collect();
    combo_row(ui, "Azure Authority", &mut c.authority, &authorities, None);
    text_row(
        ui,
        "Authority Host Override",
        &mut c.authority_host,
        error(AzureCredentialField::AuthorityHost),
    )
    .on_hover_text("Where tokens come from, if not the Azure cloud's own sign-in host");
    text_row(
        ui,
        "Region",
        &mut c.region,
        error(AzureCredentialField::Region),
    );
}

/// The OCI API key fields, shared by VM and DNS configs.
pub fn oci_credential_rows(
    ui: &mut Ui,
    c: &mut OciCredentials,
    (field, fingerprint): (fn(OciCredentialField) -> Field, OciCredentialField),
    errors: Option<&ValidationErrors>,
    reveal: &mut bool,
) {
    let error = |f| error_of(errors, field(f));
    text_row(
        ui,
        "User OCID",
        &mut c.user_ocid,
        error(OciCredentialField::UserOcid),
    );
    text_row(
        ui,
        fingerprint.label(),
        &mut c.fingerprint,
        error(fingerprint),
    );
    secret_code_row(
        ui,
        field(OciCredentialField::PrivateKey),
        c.private_key.expose_mut(),
        reveal,
        errors,
    );
    text_row(
        ui,
        "Region",
        &mut c.region,
        error(OciCredentialField::Region),
    );
    text_row(
        ui,
        "Tenancy OCID",
        &mut c.tenancy_ocid,
        error(OciCredentialField::TenancyOcid),
    );
    text_row(
        ui,
        "Compartment OCID",
        &mut c.compartment_ocid,
        error(OciCredentialField::CompartmentOcid),
    );
}

/// A secret that is a whole file (a key, a credentials JSON): masked until revealed, then a
/// multi-line editor; Import… reads it from disk either way.
pub fn secret_code_row(
    ui: &mut Ui,
    field: impl Into<Field>,
    value: &mut String,
    reveal: &mut bool,
    errors: Option<&ValidationErrors>,
) {
    let field: Field = field.into();
    let label = &*field.label();
    if *reveal {
        let language = if value.trim_start().starts_with('{') {
            "json"
        } else {
            "txt"
        };
        code_row(ui, label, value, language, true, error_of(errors, field));
        return;
    }
    let label_response = ui.label(label);
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            let summary = if value.trim().is_empty() {
                "(empty)".to_owned()
            } else {
                format!("•••••• ({} characters)", value.len())
            };
            let response = ui.add(
                egui::TextEdit::singleline(&mut summary.clone())
                    .interactive(false)
                    .desired_width(200.0),
            );
            let _ = response.labelled_by(label_response.id);
            if ui.small_button("Show").clicked() {
                *reveal = true;
            }
        });
        super::file_import::import_button(ui, label, value);
        if let Some(error) = error_of(errors, field) {
            ui.label(
                egui::RichText::new(error)
                    .color(ui.visuals().error_fg_color)
                    .small(),
            );
        }
    });
    ui.end_row();
}

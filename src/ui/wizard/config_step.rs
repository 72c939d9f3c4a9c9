//! Step 1: the AutoScale config's own fields, Server or Docker Agent variant; the Active
//! Directory fields appear only when Create Active Directory Computer Record is ticked.

use crate::model::autoscale::{AgentScaling, AutoScaleSpec, Scaling, ServerScaling};
use crate::model::field::AutoScaleField;
use crate::model::{ConnectionType, ValidationErrors};
use crate::ui::catalog::Catalog;
use crate::ui::form::{
    checkbox_row, code_row, combo_row, error_of, form_grid, secret_row, text_row,
};
use crate::ui::provider_form::secret_code_row;
use crate::ui::schedule_editor;
use egui::Ui;

/// Draws the step's fields; `directory_test` draws the Test connection of the chosen LDAP
/// config and OU, under the Active Directory fields.
pub fn ui(
    ui: &mut Ui,
    spec: &mut AutoScaleSpec,
    pool_name: &str,
    catalog: &Catalog,
    errors: Option<&ValidationErrors>,
    reveal: &mut bool,
    directory_test: &mut dyn FnMut(&mut Ui, &ServerScaling),
) {
    form_grid(ui, "autoscale-config", |ui| {
        text_row(
            ui,
            "Name",
            &mut spec.name,
            error_of(errors, AutoScaleField::Name),
        );
        fixed_row(ui, "AutoScale Type", spec.scaling.kind().label());
        fixed_row(ui, "Pool", pool_name);
        checkbox_row(
            ui,
            "Enabled",
            &mut spec.enabled,
            "a disabled config creates and deletes nothing",
        );
        combo_row(
            ui,
            "Deployment Zone",
            &mut spec.zone,
            &catalog.zone_choices(),
            error_of(errors, AutoScaleField::Zone),
        );
        match &mut spec.scaling {
            Scaling::Servers(s) => server_rows(ui, s, catalog, errors, reveal, directory_test),
            Scaling::Agents(a) => agent_rows(ui, a, errors, reveal),
        }
        text_row(
            ui,
            "Downscale Backoff (Seconds)",
            &mut spec.downscale_backoff_s,
            error_of(errors, AutoScaleField::DownscaleBackoff),
        );
        checkbox_row(
            ui,
            "Require Check-in",
            &mut spec.require_check_in,
            "running only once the connection port answers",
        );
        if spec.require_check_in {
            checkbox_row(
                ui,
                "Check-in by agent",
                &mut spec.agent_check_in,
                "running once its agent calls POST /v1/checkin with {checkin_token} (instead of the port)",
            );
        }
        text_row(
            ui,
            "Provision Timeout (s)",
            &mut spec.provision_timeout_s,
            error_of(errors, AutoScaleField::ProvisionTimeout),
        );
    });
    let servers = matches!(spec.scaling, Scaling::Servers(_));
    schedule_editor::ui(ui, &mut spec.schedule, servers, errors);
}

/// A field set by the wizard's context, shown but not editable.
fn fixed_row(ui: &mut Ui, label: &str, value: &str) {
    let label = ui.label(label);
    let _ = ui
        .label(egui::RichText::new(value).strong())
        .labelled_by(label.id);
    ui.end_row();
}

fn server_rows(
    ui: &mut Ui,
    s: &mut ServerScaling,
    catalog: &Catalog,
    e: Option<&ValidationErrors>,
    reveal: &mut bool,
    directory_test: &mut dyn FnMut(&mut Ui, &ServerScaling),
) {
    let types: Vec<_> = ConnectionType::ALL
        .iter()
        .map(|t| (*t, t.label().to_owned()))
        .collect();
    let before = s.connection_type;
    combo_row(ui, "Connection Type", &mut s.connection_type, &types, None);
    if s.connection_type != before && s.connection_port == before.default_port().to_string() {
        s.connection_port = s.connection_type.default_port().to_string();
    }
    text_row(
        ui,
        "Connection Port",
        &mut s.connection_port,
        error_of(e, AutoScaleField::ConnectionPort),
    );
    text_row(
        ui,
        "Connection Username",
        &mut s.connection_username,
        error_of(e, AutoScaleField::ConnectionUsername),
    );
    secret_row(
        ui,
        "Connection Password",
        &mut s.connection_password,
        reveal,
        error_of(e, AutoScaleField::ConnectionPassword),
    );
    code_row(
        ui,
        "Connection Info (JSON)",
        &mut s.connection_info,
        "json",
        false,
        error_of(e, AutoScaleField::ConnectionInfo),
    );
    checkbox_row(
        ui,
        "Create Active Directory Computer Record",
        &mut s.create_ad_record,
        "pre-create the computer object before the VM",
    );
    if s.create_ad_record {
        let mut ldap: Vec<_> = catalog
            .ldap
            .iter()
            .map(|l| (Some(l.id), l.spec.name.clone()))
            .collect();
        if ldap.is_empty() {
            ldap.push((
                None,
                "no LDAP config yet: add one on the LDAP Configs page".to_owned(),
            ));
        }
        combo_row(
            ui,
            "LDAP Config",
            &mut s.ldap_config,
            &ldap,
            error_of(e, AutoScaleField::LdapConfig),
        );
        text_row(
            ui,
            "Active Directory Computer OU DN",
            &mut s.ad_computer_ou_dn,
            error_of(e, AutoScaleField::AdComputerOuDn),
        );
        text_row(
            ui,
            "Computer Name Pattern",
            &mut s.computer_name_pattern,
            error_of(e, AutoScaleField::ComputerNamePattern),
        );
        if s.ldap_config.is_some() {
            ui.label("");
            directory_test(ui, s);
            ui.end_row();
        }
    }
    checkbox_row(
        ui,
        "Reusable",
        &mut s.reusable,
        "a server may host another session after one ends",
    );
    text_row(
        ui,
        "Minimum Available Sessions",
        &mut s.minimum_available_sessions,
        error_of(e, AutoScaleField::MinimumAvailableSessions),
    );
    text_row(
        ui,
        "Max Simultaneous Sessions Per Server",
        &mut s.max_sessions_per_server,
        error_of(e, AutoScaleField::MaxSessionsPerServer),
    );
    dns_rows(
        ui,
        AutoScaleField::ServersBaseDomain,
        &mut s.register_dns,
        &mut s.base_domain_name,
        "register <server id>.<Base Domain Name> for each server",
        e,
    );
}

fn agent_rows(ui: &mut Ui, a: &mut AgentScaling, e: Option<&ValidationErrors>, reveal: &mut bool) {
    for (label, value) in [
        (AutoScaleField::StandbyCores, &mut a.standby_cores),
        (AutoScaleField::StandbyGpus, &mut a.standby_gpus),
        (AutoScaleField::StandbyMemory, &mut a.standby_memory_mb),
        (
            AutoScaleField::AgentCoresOverride,
            &mut a.agent_cores_override,
        ),
        (
            AutoScaleField::AgentGpusOverride,
            &mut a.agent_gpus_override,
        ),
        (
            AutoScaleField::AgentMemoryOverride,
            &mut a.agent_memory_override_gb,
        ),
    ] {
        text_row(ui, label.label(), value, error_of(e, label));
    }
    code_row(
        ui,
        "NGINX Cert",
        &mut a.nginx_cert,
        "txt",
        true,
        error_of(e, AutoScaleField::NginxCert),
    );
    secret_code_row(
        ui,
        AutoScaleField::NginxKey,
        a.nginx_key.expose_mut(),
        reveal,
        e,
    );
    dns_rows(
        ui,
        AutoScaleField::AgentsBaseDomain,
        &mut a.register_dns,
        &mut a.base_domain_name,
        "register <id>.<Base Domain Name> for each agent",
        e,
    );
}

/// Register DNS and, when on, the Base Domain Name.
fn dns_rows(
    ui: &mut Ui,
    field: AutoScaleField,
    register: &mut bool,
    domain: &mut String,
    hint: &str,
    e: Option<&ValidationErrors>,
) {
    checkbox_row(ui, "Register DNS", register, hint);
    if *register {
        text_row(ui, "Base Domain Name", domain, error_of(e, field));
    }
}

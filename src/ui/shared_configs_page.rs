//! The All VM Provider Configs, All DNS Provider Configs and LDAP Configs pages: each
//! config with the AutoScale configs that use it; edit; delete refused while in use.

use super::catalog::Catalog;
use super::confirm::{Action, Confirm};
use super::connection_test::ConnectionTest;
use super::context::PageContext;
use super::dialog::form_dialog_saving;
use super::editor::Editor;
use super::form::{checkbox_row, code_row, error_of, form_grid, secret_row, text_row};
use super::provider_form::{dns_kind_row, dns_provider_rows, vm_kind_row, vm_provider_rows};
use super::scaler_view::ScalerView;
use crate::model::ValidationErrors;
use crate::model::autoscale::Scaling;
use crate::model::dns_provider::{DnsProviderSpec, DnsSettings};
use crate::model::field::LdapField;
use crate::model::ldap::LdapSpec;
use crate::model::vm_provider::{ProviderKind, VmProviderSpec};
use crate::scaler::ConnectionTarget;
use crate::store::{ConfigRow, SharedConfig};
use egui::Ui;
use egui_extras::{Column, TableBuilder};

/// What a page needs to know about its kind of config.
pub trait ConfigPageKind: SharedConfig + Clone + PartialEq {
    /// Page heading.
    const TITLE: &'static str;
    /// What the page says the configs are for.
    const ABOUT: &'static str;
    /// The stored configs.
    fn rows(catalog: &Catalog) -> &[ConfigRow<Self>];
    /// A new, empty config.
    fn blank() -> Self;
    /// The provider column.
    fn provider_label(&self) -> &'static str;
    /// The confirmation action that deletes it.
    fn delete_action(id: Self::Id) -> Action;
    /// The provider picker of a new config (none for LDAP).
    fn kind_ui(_ui: &mut Ui, _spec: &mut Self) {}
    /// Every field, inside a form grid.
    fn rows_ui(
        ui: &mut Ui,
        spec: &mut Self,
        errors: Option<&ValidationErrors>,
        reveal: &mut bool,
        scaler: &mut ScalerView,
    );
    /// What Test connection asks about, for the kinds that have one; `id` is the config
    /// being edited (none while new).
    fn connection_target(
        _spec: &Self,
        _id: Option<Self::Id>,
        _catalog: &Catalog,
    ) -> Option<ConnectionTarget> {
        None
    }
}

impl ConfigPageKind for VmProviderSpec {
    const TITLE: &'static str = "VM Provider Configs";
    const ABOUT: &'static str = "How to create a VM in one cloud. AutoScale configs may share one: an edit applies to all of them.";
    fn rows(catalog: &Catalog) -> &[ConfigRow<Self>] {
        &catalog.vm_providers
    }
    fn blank() -> Self {
        VmProviderSpec::new(ProviderKind::Aws)
    }
    fn provider_label(&self) -> &'static str {
        self.settings.kind().label()
    }
    fn delete_action(id: Self::Id) -> Action {
        Action::DeleteVmProvider(id)
    }
    fn kind_ui(ui: &mut Ui, spec: &mut Self) {
        vm_kind_row(ui, spec);
    }
    fn rows_ui(
        ui: &mut Ui,
        spec: &mut Self,
        errors: Option<&ValidationErrors>,
        reveal: &mut bool,
        scaler: &mut ScalerView,
    ) {
        let mut pickers = scaler.pickers(spec);
        vm_provider_rows(ui, spec, errors, reveal, &mut pickers);
    }
    fn connection_target(
        spec: &Self,
        _id: Option<Self::Id>,
        _catalog: &Catalog,
    ) -> Option<ConnectionTarget> {
        Some(ConnectionTarget::Vm(Box::new(spec.clone())))
    }
}

impl ConfigPageKind for DnsProviderSpec {
    const TITLE: &'static str = "DNS Provider Configs";
    const ABOUT: &'static str =
        "Credentials to register <id>.<Base Domain Name> records in one cloud's DNS.";
    fn rows(catalog: &Catalog) -> &[ConfigRow<Self>] {
        &catalog.dns_providers
    }
    fn blank() -> Self {
        DnsProviderSpec {
            register: Default::default(),
            name: String::new(),
            endpoint_override: String::new(),
            settings: DnsSettings::Aws(Default::default()),
        }
    }
    fn provider_label(&self) -> &'static str {
        self.settings.kind().label()
    }
    fn delete_action(id: Self::Id) -> Action {
        Action::DeleteDnsProvider(id)
    }
    fn kind_ui(ui: &mut Ui, spec: &mut Self) {
        dns_kind_row(ui, spec);
    }
    fn rows_ui(
        ui: &mut Ui,
        spec: &mut Self,
        errors: Option<&ValidationErrors>,
        reveal: &mut bool,
        _scaler: &mut ScalerView,
    ) {
        dns_provider_rows(ui, spec, errors, reveal);
    }
    fn connection_target(
        spec: &Self,
        _id: Option<Self::Id>,
        _catalog: &Catalog,
    ) -> Option<ConnectionTarget> {
        Some(ConnectionTarget::Dns(Box::new(spec.clone())))
    }
}

impl ConfigPageKind for LdapSpec {
    const TITLE: &'static str = "LDAP Configs";
    const ABOUT: &'static str =
        "Directory connections that pre-create Active Directory computer records for new servers.";
    fn rows(catalog: &Catalog) -> &[ConfigRow<Self>] {
        &catalog.ldap
    }
    fn blank() -> Self {
        LdapSpec::default()
    }
    fn provider_label(&self) -> &'static str {
        if self.url.trim().starts_with("ldaps://") {
            "LDAPS"
        } else {
            "LDAP"
        }
    }
    fn delete_action(id: Self::Id) -> Action {
        Action::DeleteLdap(id)
    }
    /// Binds, then checks the search base and the OUs of the AutoScale configs that create
    /// computer records through this config.
    fn connection_target(
        spec: &Self,
        id: Option<Self::Id>,
        catalog: &Catalog,
    ) -> Option<ConnectionTarget> {
        let ous = catalog
            .autoscale
            .iter()
            .filter_map(|row| match &row.spec.scaling {
                Scaling::Servers(s)
                    if s.create_ad_record && id.is_some() && s.ldap_config == id =>
                {
                    Some(s.ad_computer_ou_dn.trim().to_owned())
                }
                _ => None,
            })
            .filter(|ou| !ou.is_empty())
            .collect();
        Some(ConnectionTarget::Ldap(Box::new(spec.clone()), ous))
    }
    fn rows_ui(
        ui: &mut Ui,
        spec: &mut Self,
        e: Option<&ValidationErrors>,
        reveal: &mut bool,
        _scaler: &mut ScalerView,
    ) {
        text_row(ui, "Name", &mut spec.name, error_of(e, LdapField::Name));
        text_row(ui, "URL", &mut spec.url, error_of(e, LdapField::Url));
        checkbox_row(
            ui,
            "StartTLS",
            &mut spec.start_tls,
            "upgrade an ldap:// connection to TLS",
        );
        if let Some(error) = error_of(e, LdapField::StartTls) {
            ui.label("");
            ui.label(
                egui::RichText::new(error)
                    .color(ui.visuals().error_fg_color)
                    .small(),
            );
            ui.end_row();
        }
        checkbox_row(
            ui,
            LdapField::AllowUnencrypted.label(),
            &mut spec.allow_unencrypted,
            "",
        );
        if spec.allow_unencrypted && spec.sends_password_in_clear() {
            ui.label("");
            ui.label(
                egui::RichText::new(
                    "⚠ the service account's password crosses the network in clear: \
                     for a test directory only",
                )
                .color(ui.visuals().warn_fg_color)
                .small(),
            );
            ui.end_row();
        }
        text_row(
            ui,
            "Search Base",
            &mut spec.search_base,
            error_of(e, LdapField::SearchBase),
        );
        text_row(
            ui,
            "Service Account DN",
            &mut spec.service_account_dn,
            error_of(e, LdapField::ServiceAccountDn),
        );
        secret_row(
            ui,
            "Service Account Password",
            &mut spec.service_account_password,
            reveal,
            error_of(e, LdapField::ServiceAccountPassword),
        );
        checkbox_row(
            ui,
            "Enabled",
            &mut spec.enabled,
            "for sign-in; AD records may use a disabled config",
        );
        text_row(
            ui,
            "Connection Timeout (s)",
            &mut spec.connection_timeout_s,
            error_of(e, LdapField::ConnectionTimeout),
        );
        code_row(
            ui,
            "CA Certificate",
            &mut spec.ca_certificate,
            "txt",
            true,
            error_of(e, LdapField::CaCertificate),
        );
    }
}

/// A page of shared configs of kind `T`.
pub struct SharedConfigsPage<T: ConfigPageKind> {
    editor: Option<Editor<T, Option<T::Id>>>,
    connection: ConnectionTest,
}

impl<T: ConfigPageKind> Default for SharedConfigsPage<T> {
    fn default() -> Self {
        Self {
            editor: None,
            connection: ConnectionTest::default(),
        }
    }
}

fn parse<T: ConfigPageKind>(spec: &T) -> Result<T, ValidationErrors> {
    spec.validate().map(|()| spec.clone())
}

impl<T: ConfigPageKind> SharedConfigsPage<T> {
    /// Draws the page.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        ui.horizontal(|ui| {
            ui.heading(T::TITLE);
            ui.add_space(16.0);
            if ui.button(format!("Add {}", T::NOUN)).clicked() {
                self.editor = Some(Editor::new(None, T::blank()));
                self.connection = ConnectionTest::default();
            }
        });
        ui.label(T::ABOUT);
        ui.separator();
        let rows = T::rows(ctx.catalog);
        if rows.is_empty() {
            ui.label(format!("No {} yet.", T::NOUN));
        }
        let mut edit = None;
        let mut delete = None;
        TableBuilder::new(ui)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .id_salt(T::TITLE)
            .striped(true)
            .column(Column::initial(220.0).resizable(true))
            .column(Column::initial(120.0))
            .column(Column::initial(360.0).resizable(true))
            .column(Column::remainder().at_least(140.0))
            .header(24.0, |mut header| {
                for label in ["Name", "Provider", "Used by", "Actions"] {
                    header.col(|ui| {
                        ui.strong(label);
                    });
                }
            })
            .body(|mut body| {
                for row in rows {
                    body.row(24.0, |mut cells| {
                        cells.col(|ui| {
                            if ui.link(row.spec.name()).clicked() {
                                edit = Some(row);
                            }
                        });
                        cells.col(|ui| {
                            ui.label(row.spec.provider_label());
                        });
                        cells.col(|ui| {
                            let used = match row.used_by.len() {
                                0 => "no AutoScale config".to_owned(),
                                n => format!("{n}: {}", row.used_by.join(", ")),
                            };
                            ui.label(used);
                        });
                        cells.col(|ui| {
                            if ui.small_button("Edit").clicked() {
                                edit = Some(row);
                            }
                            if ui.small_button("Delete").clicked() {
                                delete = Some(row);
                            }
                        });
                    });
                }
            });
        if let Some(row) = edit {
            self.editor = Some(Editor::new(Some(row.id), row.spec.clone()));
            self.connection = ConnectionTest::default();
        }
        if let Some(row) = delete {
            ctx.confirm(Confirm::delete(
                T::NOUN,
                row.spec.name(),
                "One still used by an AutoScale config is kept.",
                T::delete_action(row.id),
            ));
        }
        self.editor_ui(ui, ctx);
    }

    fn editor_ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        let Some(editor) = &mut self.editor else {
            return;
        };
        editor.recheck(parse::<T>);
        let errors = editor.errors().cloned();
        let saving = editor.saving();
        let is_new = editor.target.is_none();
        let title = format!("{} {}", if is_new { "Add" } else { "Edit" }, T::NOUN);
        // Editing a config others share: say who else the change reaches.
        let shared: Option<String> = editor
            .target
            .and_then(|id| {
                T::rows(ctx.catalog)
                    .iter()
                    .find(|r| T::raw(r.id) == T::raw(id))
            })
            .filter(|row| !row.used_by.is_empty())
            .map(|row| row.used_by.join(", "));
        let reveal = &mut editor.reveal;
        let draft = &mut editor.draft;
        let connection = &mut self.connection;
        let scaler = &mut *ctx.scaler;
        let catalog = ctx.catalog;
        let editing = editor.target;
        let outcome = form_dialog_saving(ui, "shared-config", &title, "Save", saving, |ui| {
            if let Some(users) = &shared {
                ui.label(
                    egui::RichText::new(format!(
                        "Used by {users}: a change applies to all of them."
                    ))
                    .color(ui.visuals().warn_fg_color),
                );
            }
            egui::ScrollArea::vertical()
                .max_height(600.0)
                .show(ui, |ui| {
                    form_grid(ui, "shared-config-form", |ui| {
                        if is_new {
                            T::kind_ui(ui, draft);
                        }
                        T::rows_ui(ui, draft, errors.as_ref(), reveal, scaler);
                    });
                });
            if T::connection_target(draft, editing, catalog).is_some() {
                connection.ui(ui, scaler, || T::connection_target(draft, editing, catalog));
            }
        });
        let noun = T::NOUN;
        let close = editor.finish(
            ctx,
            outcome,
            parse::<T>,
            |store, spec| store.add_config(spec),
            |store, id, spec| store.update_config(id, spec),
            move |spec| format!("{noun} {}", spec.name().trim()),
        );
        if close {
            self.editor = None;
            ui.ctx()
                .data_mut(|d| d.remove::<String>(egui::Id::unique("shared-warning")));
        }
    }
}

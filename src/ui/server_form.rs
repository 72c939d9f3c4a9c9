//! The Add / Edit server dialog, with every field of a server.

use super::context::PageContext;
use super::dialog::form_dialog_saving;
use super::editor::Editor;
use super::form::{
    checkbox_row, combo_row, error_of, form_grid, multiline_row, secret_row, text_row,
};
use crate::model::field::ServerField;
use crate::model::{ConnectionType, CredentialType, PoolId, PoolKind, ServerDraft, ServerId};
use egui::Ui;

/// An open server dialog.
pub struct ServerForm(Editor<ServerDraft, Option<ServerId>>);

impl ServerForm {
    /// A new server, in `pool` if given.
    pub fn add(ctx: &PageContext<'_>, pool: Option<PoolId>) -> Self {
        let zone = ctx.catalog.zones.first().map(|z| z.id);
        Self(Editor::new(None, ServerDraft::new(zone, pool)))
    }

    /// Edits a stored server.
    pub fn edit(id: ServerId, draft: ServerDraft) -> Self {
        Self(Editor::new(Some(id), draft))
    }

    /// Draws the dialog; true when it should close.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) -> bool {
        let editor = &mut self.0;
        editor.recheck(ServerDraft::parse);
        let errors = editor.errors().cloned();
        let saving = editor.saving();
        let errors = errors.as_ref();
        let title = if editor.target.is_some() {
            "Edit server"
        } else {
            "Add server"
        };
        let zones = ctx.catalog.zone_choices();
        let pools = ctx.catalog.pool_choices(PoolKind::Server, true);
        let reveal = &mut editor.reveal;
        let d = &mut editor.draft;
        let outcome = form_dialog_saving(ui, "server", title, "Save", saving, |ui| {
            egui::ScrollArea::vertical()
                .max_height(560.0)
                .show(ui, |ui| {
                    form_grid(ui, "server-form", |ui| {
                        text_row(
                            ui,
                            "Friendly Name",
                            &mut d.friendly_name,
                            error_of(errors, ServerField::FriendlyName),
                        );
                        checkbox_row(
                            ui,
                            "Enabled",
                            &mut d.enabled,
                            "disabled servers take no new sessions",
                        );
                        combo_row(
                            ui,
                            "Deployment Zone",
                            &mut d.zone,
                            &zones,
                            error_of(errors, ServerField::Zone),
                        );
                        combo_row(
                            ui,
                            "Pool",
                            &mut d.pool,
                            &pools,
                            error_of(errors, ServerField::Pool),
                        );
                        let before = d.connection_type;
                        let types: Vec<_> = ConnectionType::ALL
                            .iter()
                            .map(|t| (*t, t.label().to_owned()))
                            .collect();
                        combo_row(ui, "Connection Type", &mut d.connection_type, &types, None);
                        if d.connection_type != before
                            && d.port == before.default_port().to_string()
                        {
                            // Follow the type's usual port unless the administrator chose another.
                            d.port = d.connection_type.default_port().to_string();
                        }
                        text_row(ui, "Host", &mut d.host, error_of(errors, ServerField::Host));
                        text_row(ui, "Port", &mut d.port, error_of(errors, ServerField::Port));
                        let credentials: Vec<_> = CredentialType::ALL
                            .iter()
                            .map(|t| (*t, t.label().to_owned()))
                            .collect();
                        combo_row(
                            ui,
                            "Credential Type",
                            &mut d.credential_type,
                            &credentials,
                            None,
                        );
                        if d.credential_type == CredentialType::Static {
                            text_row(
                                ui,
                                "Username",
                                &mut d.username,
                                error_of(errors, ServerField::Username),
                            );
                            secret_row(ui, "Password", &mut d.password, reveal, None);
                        }
                        multiline_row(
                            ui,
                            "Connection Info (JSON)",
                            &mut d.connection_info,
                            error_of(errors, ServerField::ConnectionInfo),
                        );
                        text_row(
                            ui,
                            "Max Simultaneous Sessions",
                            &mut d.max_sessions,
                            error_of(errors, ServerField::MaxSessions),
                        );
                        checkbox_row(
                            ui,
                            "Reusable",
                            &mut d.reusable,
                            "may host another session after one ends",
                        );
                    });
                });
        });
        editor.finish(
            ctx,
            outcome,
            ServerDraft::parse,
            |s, spec| s.add_server(spec),
            |s, id, spec| s.update_server(id, spec),
            |spec| format!("Server {}", spec.friendly_name),
        )
    }
}

//! The Staging Configs page: sessions to keep pre-started in Docker Agent pools.

use super::confirm::{Action, Confirm};
use super::context::PageContext;
use super::dialog::form_dialog_saving;
use super::editor::Editor;
use super::form::{combo_row, error_of, form_grid, text_row};
use crate::model::field::StagingField;
use crate::model::resources::format_cores;
use crate::model::{PoolKind, StagingDraft, StagingId};
use egui::Ui;
use egui_extras::{Column, TableBuilder};

/// State of the Staging Configs page.
#[derive(Default)]
pub struct StagingPage {
    editor: Option<Editor<StagingDraft, Option<StagingId>>>,
}

impl StagingPage {
    /// Draws the page.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        ui.horizontal(|ui| {
            ui.heading("Staging Configs");
            ui.add_space(16.0);
            if ui.button("Add staging config").clicked() {
                let zone = ctx.catalog.zones.first().map(|z| z.id);
                let pool = ctx
                    .catalog
                    .pools_of(PoolKind::DockerAgent)
                    .next()
                    .map(|p| p.id);
                self.editor = Some(Editor::new(None, StagingDraft::new(zone, pool)));
            }
        });
        ui.label(
            "Sessions kept pre-started in a Docker Agent pool; what they need adds to the pool's \
             standby target.",
        );
        ui.separator();
        let catalog = ctx.catalog;
        if catalog.staging.is_empty() {
            ui.label("No staging configs yet.");
        }
        let mut edit = None;
        let mut delete = None;
        TableBuilder::new(ui)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .id_salt("staging")
            .striped(true)
            .column(Column::initial(150.0).resizable(true))
            .column(Column::initial(150.0).resizable(true))
            .column(Column::initial(100.0))
            .column(Column::initial(120.0))
            .columns(Column::initial(200.0).resizable(true), 2)
            .column(Column::remainder().at_least(120.0))
            .header(24.0, |mut header| {
                for label in [
                    "Pool",
                    "Workspace",
                    "Zone",
                    "Desired Sessions",
                    "Per session",
                    "Total need",
                    "Actions",
                ] {
                    header.col(|ui| {
                        ui.strong(label);
                    });
                }
            })
            .body(|mut body| {
                for config in &catalog.staging {
                    let spec = &config.spec;
                    body.row(24.0, |mut row| {
                        row.col(|ui| {
                            ui.label(catalog.pool_name(Some(spec.pool)));
                        });
                        row.col(|ui| {
                            ui.label(&spec.workspace_name);
                        });
                        row.col(|ui| {
                            ui.label(catalog.zone_name(spec.zone));
                        });
                        row.col(|ui| {
                            ui.label(spec.desired_sessions.to_string());
                        });
                        row.col(|ui| {
                            ui.label(spec.per_session.to_string());
                        });
                        row.col(|ui| {
                            let total = spec.total_need();
                            ui.label(format!(
                                "{} cores, {} MB, {} GPUs",
                                format_cores(total.cores),
                                total.memory_mb,
                                total.gpus
                            ));
                        });
                        row.col(|ui| {
                            if ui.small_button("Edit").clicked() {
                                edit = Some(config.clone());
                            }
                            if ui.small_button("Delete").clicked() {
                                delete = Some(config.clone());
                            }
                        });
                    });
                }
            });
        if let Some(config) = edit {
            self.editor = Some(Editor::new(
                Some(config.id),
                StagingDraft::from_spec(&config.spec),
            ));
        }
        if let Some(config) = delete {
            let name = config.spec.workspace_name;
            ctx.confirm(Confirm::delete(
                "Staging config",
                &name,
                "Its sessions will no longer be kept ready.",
                Action::DeleteStaging(config.id),
            ));
        }
        self.editor_ui(ui, ctx);
    }

    fn editor_ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        let Some(editor) = &mut self.editor else {
            return;
        };
        editor.recheck(StagingDraft::parse);
        let errors = editor.errors().cloned();
        let saving = editor.saving();
        let errors = errors.as_ref();
        let zones = ctx.catalog.zone_choices();
        let pools = ctx.catalog.pool_choices(PoolKind::DockerAgent, false);
        let title = if editor.target.is_some() {
            "Edit staging config"
        } else {
            "Add staging config"
        };
        let d = &mut editor.draft;
        let outcome = form_dialog_saving(ui, "staging", title, "Save", saving, |ui| {
            form_grid(ui, "staging-form", |ui| {
                combo_row(
                    ui,
                    "Deployment Zone",
                    &mut d.zone,
                    &zones,
                    error_of(errors, StagingField::Zone),
                );
                combo_row(
                    ui,
                    "Pool",
                    &mut d.pool,
                    &pools,
                    error_of(errors, StagingField::Pool),
                );
                text_row(
                    ui,
                    "Workspace Name",
                    &mut d.workspace_name,
                    error_of(errors, StagingField::WorkspaceName),
                );
                text_row(
                    ui,
                    "Desired Sessions",
                    &mut d.desired_sessions,
                    error_of(errors, StagingField::DesiredSessions),
                );
                text_row(
                    ui,
                    "Cores per Session",
                    &mut d.cores,
                    error_of(errors, StagingField::Cores),
                );
                text_row(
                    ui,
                    "Memory per Session (MB)",
                    &mut d.memory_mb,
                    error_of(errors, StagingField::Memory),
                );
                text_row(
                    ui,
                    "GPUs per Session",
                    &mut d.gpus,
                    error_of(errors, StagingField::Gpus),
                );
            });
        });
        let close = editor.finish(
            ctx,
            outcome,
            StagingDraft::parse,
            |s, spec| s.add_staging(spec),
            |s, id, spec| s.update_staging(id, spec),
            |spec| format!("Staging config {}", spec.workspace_name),
        );
        if close {
            self.editor = None;
        }
    }
}

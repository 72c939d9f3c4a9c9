//! The Deployment Zones page.

use super::confirm::{Action, Confirm};
use super::context::PageContext;
use super::dialog::form_dialog_saving;
use super::editor::Editor;
use super::form::{error_of, form_grid, text_row};
use crate::model::field::ZoneField;
use crate::model::validation::check_name;
use crate::model::{ValidationErrors, ZoneId};
use egui::Ui;
use egui_extras::{Column, TableBuilder};

fn parse_zone(name: &str) -> Result<String, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    check_name(&mut errors, ZoneField::Name, name);
    errors.into_result(name.trim().to_owned())
}

/// State of the Deployment Zones page.
#[derive(Default)]
pub struct ZonesPage {
    editor: Option<Editor<String, Option<ZoneId>>>,
}

impl ZonesPage {
    /// Draws the page.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        ui.horizontal(|ui| {
            ui.heading("Deployment Zones");
            ui.add_space(16.0);
            if ui.button("Add zone").clicked() {
                self.editor = Some(Editor::new(None, String::new()));
            }
        });
        ui.label("A zone is a named location; servers, docker agents and AutoScale configs belong to one.");
        ui.separator();
        let catalog = ctx.catalog;
        let mut rename = None;
        let mut delete = None;
        TableBuilder::new(ui)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .id_salt("zones")
            .striped(true)
            .column(Column::initial(220.0).resizable(true))
            .columns(Column::initial(110.0), 3)
            .column(Column::remainder().at_least(140.0))
            .header(24.0, |mut header| {
                for label in [
                    "Name",
                    "Servers",
                    "Docker Agents",
                    "Staging Configs",
                    "Actions",
                ] {
                    header.col(|ui| {
                        ui.strong(label);
                    });
                }
            })
            .body(|mut body| {
                for zone in &catalog.zones {
                    let servers = catalog
                        .servers
                        .iter()
                        .filter(|s| s.server.spec.zone == zone.id)
                        .count();
                    let agents = catalog
                        .agents
                        .iter()
                        .filter(|a| a.agent.spec.zone == zone.id)
                        .count();
                    let staging = catalog
                        .staging
                        .iter()
                        .filter(|s| s.spec.zone == zone.id)
                        .count();
                    body.row(24.0, |mut row| {
                        row.col(|ui| {
                            ui.label(&zone.name);
                        });
                        for n in [servers, agents, staging] {
                            row.col(|ui| {
                                ui.label(n.to_string());
                            });
                        }
                        row.col(|ui| {
                            if ui.small_button("Rename").clicked() {
                                rename = Some(zone.clone());
                            }
                            if ui.small_button("Delete").clicked() {
                                delete = Some(zone.clone());
                            }
                        });
                    });
                }
            });
        if let Some(zone) = rename {
            self.editor = Some(Editor::new(Some(zone.id), zone.name));
        }
        if let Some(zone) = delete {
            ctx.confirm(Confirm::delete(
                "Zone",
                &zone.name,
                "A zone still in use is kept.",
                Action::DeleteZone(zone.id),
            ));
        }
        self.editor_ui(ui, ctx);
    }

    fn editor_ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        let Some(editor) = &mut self.editor else {
            return;
        };
        editor.recheck(|name: &String| parse_zone(name));
        let errors = editor.errors().cloned();
        let saving = editor.saving();
        let title = if editor.target.is_some() {
            "Rename zone"
        } else {
            "Add zone"
        };
        let outcome = form_dialog_saving(ui, "zone", title, "Save", saving, |ui| {
            form_grid(ui, "zone-form", |ui| {
                text_row(
                    ui,
                    "Name",
                    &mut editor.draft,
                    error_of(errors.as_ref(), ZoneField::Name),
                );
            });
        });
        let close = editor.finish(
            ctx,
            outcome,
            |name: &String| parse_zone(name),
            |s, name| s.add_zone(name),
            |s, id, name| s.rename_zone(id, name),
            |name| format!("Zone {name}"),
        );
        if close {
            self.editor = None;
        }
    }
}

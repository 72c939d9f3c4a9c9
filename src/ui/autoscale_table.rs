//! The AutoScale configs table: in a pool's AutoScale Configurations (in serving order,
//! reorderable) and on the All AutoScale Configs page.

use super::catalog::Catalog;
use super::confirm::{Action, Confirm};
use super::context::PageContext;
use super::preview_dialog::PreviewDialog;
use super::table::{ACTIONS_MENU, local_time};
use super::wizard::AutoScaleWizard;
use crate::model::AutoScaleId;
use crate::model::config_health::{ConfigHealth, HealthStatus};
use crate::model::vm_provider::VmProviderSpec;
use crate::store::ConfigRow;
use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

/// What a row's menu asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoScaleAction {
    /// Open the wizard on it.
    Edit(AutoScaleId),
    /// Ask to delete it.
    Delete(AutoScaleId),
    /// Serve before the config above it.
    Up(AutoScaleId),
    /// Serve after the config below it.
    Down(AutoScaleId),
    /// Open its Preview.
    Preview(AutoScaleId),
}

/// The dialogs a configs table opens: the wizard and the Preview.
#[derive(Default)]
pub struct AutoScaleDialogs {
    /// The wizard, while open.
    pub wizard: Option<AutoScaleWizard>,
    /// A config's Preview, while open.
    pub preview: Option<PreviewDialog>,
}

impl AutoScaleDialogs {
    /// Draws whichever is open.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        if let Some(wizard) = &mut self.wizard
            && wizard.ui(ui, ctx)
        {
            self.wizard = None;
        }
        if let Some(preview) = &mut self.preview
            && preview.ui(ui, ctx)
        {
            self.preview = None;
        }
    }
}

fn vm_label(rows: &[ConfigRow<VmProviderSpec>], id: Option<crate::model::VmProviderId>) -> String {
    id.and_then(|id| rows.iter().find(|r| r.id == id))
        .map_or_else(
            || "—".to_owned(),
            |r| format!("{} ({})", r.spec.name, r.spec.settings.kind().label()),
        )
}

/// Draws the configs at `rows` (indices into the catalog); returns the menu choice.
pub fn autoscale_table(
    ui: &mut Ui,
    id_salt: &str,
    catalog: &Catalog,
    rows: &[usize],
    in_pool: bool,
) -> Option<AutoScaleAction> {
    let mut action = None;
    let headers: &[&str] = if in_pool {
        &[
            "Order",
            "Name",
            "Enabled",
            "Zone",
            "VM Provider",
            "DNS Provider",
            "Actions",
        ]
    } else {
        &[
            "Pool",
            "Name",
            "Enabled",
            "Zone",
            "VM Provider",
            "DNS Provider",
            "Actions",
        ]
    };
    TableBuilder::new(ui)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .id_salt(id_salt)
        .striped(true)
        .column(Column::initial(if in_pool { 56.0 } else { 150.0 }).resizable(true))
        .column(Column::initial(170.0).resizable(true))
        .column(Column::initial(70.0))
        .column(Column::initial(100.0).resizable(true))
        .columns(Column::initial(200.0).resizable(true), 2)
        .column(Column::remainder().at_least(100.0))
        .header(24.0, |mut header| {
            for label in headers {
                header.col(|ui| {
                    ui.strong(*label);
                });
            }
        })
        .body(|mut body| {
            for (position, &i) in rows.iter().enumerate() {
                let row = &catalog.autoscale[i];
                let spec = &row.spec;
                body.row(24.0, |mut cells| {
                    cells.col(|ui| {
                        if in_pool {
                            ui.label((position + 1).to_string());
                        } else {
                            ui.label(catalog.pool_name(Some(spec.pool)));
                        }
                    });
                    cells.col(|ui| {
                        if ui.link(&spec.name).clicked() {
                            action = Some(AutoScaleAction::Edit(row.id));
                        }
                    });
                    cells.col(|ui| {
                        enabled_cell(ui, spec.enabled, catalog.health.get(&row.id));
                    });
                    cells.col(|ui| {
                        ui.label(spec.zone.map_or("—", |z| catalog.zone_name(z)));
                    });
                    cells.col(|ui| {
                        ui.label(vm_label(&catalog.vm_providers, spec.vm_provider));
                    });
                    cells.col(|ui| {
                        let dns = spec
                            .dns_provider
                            .and_then(|id| catalog.dns_providers.iter().find(|r| r.id == id))
                            .map_or("—", |r| r.spec.name.as_str());
                        ui.label(dns);
                    });
                    cells.col(|ui| {
                        ui.menu_button(ACTIONS_MENU, |ui| {
                            if ui.button("Edit").clicked() {
                                action = Some(AutoScaleAction::Edit(row.id));
                            }
                            if ui
                                .button("Preview…")
                                .on_hover_text(
                                    "Replay the pool's recorded demand with other values",
                                )
                                .clicked()
                            {
                                action = Some(AutoScaleAction::Preview(row.id));
                            }
                            if in_pool {
                                if ui
                                    .add_enabled(position > 0, egui::Button::new("Move up"))
                                    .clicked()
                                {
                                    action = Some(AutoScaleAction::Up(row.id));
                                }
                                let last = position + 1 == rows.len();
                                if ui
                                    .add_enabled(!last, egui::Button::new("Move down"))
                                    .clicked()
                                {
                                    action = Some(AutoScaleAction::Down(row.id));
                                }
                            }
                            if ui.button("Delete…").clicked() {
                                action = Some(AutoScaleAction::Delete(row.id));
                            }
                        });
                    });
                });
            }
        });
    action
}

/// "Yes" or "No", and for an enabled config that is not scaling, why not.
fn enabled_cell(ui: &mut Ui, enabled: bool, health: Option<&ConfigHealth>) {
    if !enabled {
        ui.label("No");
        return;
    }
    let status = health.map_or(HealthStatus::Ok, |h| h.status(jiff::Timestamp::now()));
    let (text, detail) = match &status {
        HealthStatus::Ok => {
            ui.label("Yes");
            return;
        }
        HealthStatus::Paused => ("Yes, paused", "Paused on the pool's Status tab".to_owned()),
        HealthStatus::BackingOff(until) => (
            "Yes, backing off",
            format!(
                "No creates until {}: {}",
                local_time(*until, "%H:%M:%S"),
                health
                    .and_then(|h| h.last_error.as_deref())
                    .unwrap_or("the cloud had no capacity")
            ),
        ),
        HealthStatus::Stopped(reason) => ("Yes, stopped", reason.clone()),
    };
    ui.label(RichText::new(text).color(ui.visuals().warn_fg_color))
        .on_hover_text(detail);
}

/// Carries out a menu choice.
pub fn handle_autoscale_action(
    action: AutoScaleAction,
    ctx: &mut PageContext<'_>,
    dialogs: &mut AutoScaleDialogs,
) {
    let id = match action {
        AutoScaleAction::Edit(id)
        | AutoScaleAction::Preview(id)
        | AutoScaleAction::Delete(id)
        | AutoScaleAction::Up(id)
        | AutoScaleAction::Down(id) => id,
    };
    let Some(row) = ctx.catalog.autoscale.iter().find(|r| r.id == id) else {
        return;
    };
    let name = row.spec.name.clone();
    match action {
        AutoScaleAction::Edit(_) => dialogs.wizard = Some(AutoScaleWizard::edit(row, ctx)),
        AutoScaleAction::Preview(_) => dialogs.preview = PreviewDialog::open(id, ctx),
        AutoScaleAction::Delete(_) => {
            ctx.confirm(Confirm::delete(
                "AutoScale config",
                &name,
                "Its pool stops scaling through it.",
                Action::DeleteAutoScale(id),
            ));
        }
        AutoScaleAction::Up(_) | AutoScaleAction::Down(_) => {
            let up = matches!(action, AutoScaleAction::Up(_));
            ctx.act(
                move |store| store.move_autoscale(id, up),
                format!("AutoScale config {name} moved"),
            );
        }
    }
}

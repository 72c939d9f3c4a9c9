//! The Preview of a stored AutoScale config: its planner numbers as candidate fields
//! (prefilled with today's), and the replay of its pool's recorded demand against both.

use super::context::PageContext;
use super::form::{form_grid, text_row};
use super::preview_panel::{PreviewInput, PreviewPanel};
use crate::model::AutoScaleId;
use crate::replay::changes::{
    Change, KEYS, apply, differences, label, parse_max_instances, value_of,
};
use egui::{Id, Key, Modifiers, Ui};

/// An open Preview dialog.
pub struct PreviewDialog {
    config: AutoScaleId,
    name: String,
    /// The candidate values by key, as typed.
    fields: Vec<(&'static str, String)>,
    /// Max instances, as typed.
    max_instances: String,
    panel: PreviewPanel,
}

impl PreviewDialog {
    /// Opens on config `id`, or `None` when it is gone.
    pub fn open(id: AutoScaleId, ctx: &PageContext<'_>) -> Option<Self> {
        let row = ctx.catalog.autoscale.iter().find(|r| r.id == id)?;
        let fields = KEYS
            .iter()
            .filter_map(|key| Some((*key, value_of(&row.spec, key)?)))
            .collect();
        let max_instances = row
            .spec
            .vm_provider
            .and_then(|p| ctx.catalog.vm_providers.iter().find(|r| r.id == p))
            .map_or_else(String::new, |r| r.spec.max_instances.trim().to_owned());
        Some(Self {
            config: id,
            name: row.spec.name.clone(),
            fields,
            max_instances,
            panel: PreviewPanel::default(),
        })
    }

    /// Draws the dialog; true when it should close.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) -> bool {
        let Some(row) = ctx.catalog.autoscale.iter().find(|r| r.id == self.config) else {
            return true;
        };
        let egui_ctx = ui.ctx().clone();
        let mut close = false;
        egui::Modal::new(Id::unique("autoscale-preview")).show(&egui_ctx, |ui| {
            ui.set_width(720.0);
            ui.heading(format!("Preview of {}", self.name));
            ui.label(
                "Change the values below and run the Preview: the pool's recorded demand is \
                 replayed against today's values and these. Nothing is saved or created.",
            );
            ui.separator();
            let mut changes: Vec<Change> = Vec::new();
            form_grid(ui, "preview-fields", |ui| {
                for (key, value) in &mut self.fields {
                    text_row(ui, label(key), value, None);
                    changes.push(Change {
                        key: (*key).to_owned(),
                        value: value.clone(),
                    });
                }
                text_row(ui, label("max_instances"), &mut self.max_instances, None);
            });
            let candidate = apply(&row.spec, &changes);
            let provider = row
                .spec
                .vm_provider
                .and_then(|p| ctx.catalog.vm_providers.iter().find(|r| r.id == p))
                .map(|r| &r.spec);
            let max = parse_max_instances(&self.max_instances);
            ui.separator();
            match (&candidate, &max) {
                (Err(e), _) | (_, Err(e)) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                (Ok(candidate), &Ok(max)) => {
                    let mut words = differences(&row.spec, candidate);
                    let stored = provider.and_then(|p| p.max_instances.trim().parse().ok());
                    if stored != Some(max) {
                        words.push(format!("max_instances {} → {max}", stored.unwrap_or(0)));
                    }
                    let candidate_max = Some(max);
                    egui::ScrollArea::vertical()
                        .max_height(460.0)
                        .show(ui, |ui| {
                            self.panel.ui(
                                ui,
                                ctx.store,
                                ctx.worker,
                                PreviewInput {
                                    target: Some(self.config),
                                    current: Some(&row.spec),
                                    candidate,
                                    provider,
                                    candidate_max,
                                    changes: words,
                                },
                            );
                        });
                }
            }
            ui.separator();
            if ui.button("Close").clicked() {
                close = true;
            }
        });
        if egui_ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
            close = true;
        }
        close
    }
}

//! The Add / Edit docker agent dialog, with every field of an agent.

use super::context::PageContext;
use super::dialog::form_dialog_saving;
use super::editor::Editor;
use super::form::{checkbox_row, combo_row, error_of, form_grid, text_row};
use crate::model::field::AgentField;
use crate::model::{AgentDraft, AgentId, PoolId, PoolKind};
use egui::Ui;

/// An open agent dialog.
pub struct AgentForm(Editor<AgentDraft, Option<AgentId>>);

impl AgentForm {
    /// A new agent, in `pool` if given.
    pub fn add(ctx: &PageContext<'_>, pool: Option<PoolId>) -> Self {
        let zone = ctx.catalog.zones.first().map(|z| z.id);
        Self(Editor::new(None, AgentDraft::new(zone, pool)))
    }

    /// Edits a stored agent.
    pub fn edit(id: AgentId, draft: AgentDraft) -> Self {
        Self(Editor::new(Some(id), draft))
    }

    /// Draws the dialog; true when it should close.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) -> bool {
        let editor = &mut self.0;
        editor.recheck(AgentDraft::parse);
        let errors = editor.errors().cloned();
        let saving = editor.saving();
        let errors = errors.as_ref();
        let title = if editor.target.is_some() {
            "Edit docker agent"
        } else {
            "Add docker agent"
        };
        let zones = ctx.catalog.zone_choices();
        let pools = ctx.catalog.pool_choices(PoolKind::DockerAgent, true);
        let d = &mut editor.draft;
        let outcome = form_dialog_saving(ui, "agent", title, "Save", saving, |ui| {
            form_grid(ui, "agent-form", |ui| {
                text_row(
                    ui,
                    "Hostname",
                    &mut d.hostname,
                    error_of(errors, AgentField::Hostname),
                );
                checkbox_row(
                    ui,
                    "Enabled",
                    &mut d.enabled,
                    "disabled agents take no new sessions",
                );
                combo_row(
                    ui,
                    "Deployment Zone",
                    &mut d.zone,
                    &zones,
                    error_of(errors, AgentField::Zone),
                );
                combo_row(
                    ui,
                    "Pool",
                    &mut d.pool,
                    &pools,
                    error_of(errors, AgentField::Pool),
                );
                text_row(
                    ui,
                    "Cores",
                    &mut d.cores,
                    error_of(errors, AgentField::Cores),
                );
                text_row(
                    ui,
                    "Memory (MB)",
                    &mut d.memory_mb,
                    error_of(errors, AgentField::Memory),
                );
                text_row(ui, "GPUs", &mut d.gpus, error_of(errors, AgentField::Gpus));
                ui.label("");
                ui.label(
                    egui::RichText::new("Overrides replace the reported values; 0 = no override.")
                        .weak()
                        .small(),
                );
                ui.end_row();
                text_row(
                    ui,
                    "Cores Override",
                    &mut d.cores_override,
                    error_of(errors, AgentField::CoresOverride),
                );
                text_row(
                    ui,
                    "Memory Override (MB)",
                    &mut d.memory_override_mb,
                    error_of(errors, AgentField::MemoryOverride),
                );
                text_row(
                    ui,
                    "GPUs Override",
                    &mut d.gpus_override,
                    error_of(errors, AgentField::GpusOverride),
                );
            });
        });
        editor.finish(
            ctx,
            outcome,
            AgentDraft::parse,
            |s, spec| s.add_agent(spec),
            |s, id, spec| s.update_agent(id, spec),
            |spec| format!("Docker agent {}", spec.hostname),
        )
    }
}

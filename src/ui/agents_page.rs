//! The Docker Agents page: every container host, static or autoscaled.

use super::agent_form::AgentForm;
use super::agent_table::{agents_table, handle_agent_action, visible_agents};
use super::context::PageContext;
use super::table::{RowOrder, Sort, filter_box};
use egui::Ui;

/// State of the Docker Agents page.
#[derive(Default)]
pub struct AgentsPage {
    pub(super) filter: String,
    pub(super) sort: Sort,
    order: RowOrder,
    form: Option<AgentForm>,
}

impl AgentsPage {
    /// Draws the page.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        ui.horizontal(|ui| {
            ui.heading("Docker Agents");
            ui.add_space(16.0);
            filter_box(ui, &mut self.filter);
            if ui.button("Add docker agent").clicked() {
                self.form = Some(AgentForm::add(ctx, None));
            }
        });
        ui.separator();
        let catalog = ctx.catalog;
        let rows = self
            .order
            .rows(catalog.generation, &self.filter, self.sort, |f| {
                visible_agents(catalog, f, self.sort, None)
            })
            .to_vec();
        if catalog.agents.is_empty() {
            ui.label("No docker agents yet. Add the hosts that run container sessions.");
        } else if let Some(action) =
            agents_table(ui, "agents", catalog, &rows, &mut self.sort, false)
        {
            handle_agent_action(action, ctx, &mut self.form);
        }
        if let Some(form) = &mut self.form
            && form.ui(ui, ctx)
        {
            self.form = None;
        }
    }
}

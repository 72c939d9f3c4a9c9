//! The Servers page: every server, static or autoscaled.

use super::context::PageContext;
use super::server_form::ServerForm;
use super::server_table::{handle_server_action, servers_table, visible_servers};
use super::table::{RowOrder, Sort, filter_box};
use egui::Ui;

/// State of the Servers page.
#[derive(Default)]
pub struct ServersPage {
    pub(super) filter: String,
    pub(super) sort: Sort,
    order: RowOrder,
    form: Option<ServerForm>,
}

impl ServersPage {
    /// Draws the page.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        ui.horizontal(|ui| {
            ui.heading("Servers");
            ui.add_space(16.0);
            filter_box(ui, &mut self.filter);
            if ui.button("Add server").clicked() {
                self.form = Some(ServerForm::add(ctx, None));
            }
        });
        ui.separator();
        let catalog = ctx.catalog;
        let rows = self
            .order
            .rows(catalog.generation, &self.filter, self.sort, |f| {
                visible_servers(catalog, f, self.sort, None)
            })
            .to_vec();
        if catalog.servers.is_empty() {
            ui.label("No servers yet. Add the fixed systems users connect to by KasmVNC, RDP, SSH or VNC.");
        } else if let Some(action) =
            servers_table(ui, "servers", catalog, &rows, &mut self.sort, false)
        {
            handle_server_action(action, ctx, &mut self.form);
        }
        if let Some(form) = &mut self.form
            && form.ui(ui, ctx)
        {
            self.form = None;
        }
    }
}

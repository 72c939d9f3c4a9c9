//! The All AutoScale Configs page: every config of every pool.

use super::autoscale_table::{AutoScaleDialogs, autoscale_table, handle_autoscale_action};
use super::context::PageContext;
use egui::Ui;

/// State of the All AutoScale Configs page.
#[derive(Default)]
pub struct AutoScalePage {
    dialogs: AutoScaleDialogs,
}

impl AutoScalePage {
    /// Draws the page.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        ui.heading("AutoScale Configs");
        ui.label(
            "Every AutoScale config of every pool. Add one from its pool's page, where the \
             wizard sets its type and pool.",
        );
        ui.separator();
        if ctx.catalog.autoscale.is_empty() {
            ui.label("No AutoScale config yet.");
        } else {
            let rows: Vec<usize> = (0..ctx.catalog.autoscale.len()).collect();
            if let Some(action) = autoscale_table(ui, "all-autoscale", ctx.catalog, &rows, false) {
                handle_autoscale_action(action, ctx, &mut self.dialogs);
            }
        }
        self.dialogs.ui(ui, ctx);
    }
}

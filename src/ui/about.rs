//! The About dialog: version, where the data lives, and a backup copy on request.

use super::catalog::Catalog;
use super::file_dialog::{Chooser, choose, stamped};
use super::promise::{Poll, Promise};
use crate::model::cost_report::{PoolCost, cost_csv};
use crate::store::Store;
use egui::{Id, Key, Modifiers, Ui};
use std::path::PathBuf;

/// State of the About dialog.
#[derive(Default)]
pub struct About {
    /// Shown when true.
    pub open: bool,
    /// The file chooser runs on its own thread; its answer arrives here.
    chooser: Option<Promise<Option<PathBuf>>>,
    /// The same for the cost report, with the report as it was when asked for.
    cost_chooser: Option<(Promise<Option<PathBuf>>, String)>,
}

impl About {
    /// Draws the dialog; takes a backup when a file was chosen.
    pub fn ui(
        &mut self,
        ui: &Ui,
        store: &Store,
        catalog: &Catalog,
        toasts: &mut egui_notify::Toasts,
    ) {
        self.poll_chooser(store, toasts);
        self.poll_cost_chooser(toasts);
        if !self.open {
            return;
        }
        let ctx = ui.ctx().clone();
        let response = egui::Modal::new(Id::unique("about")).show(&ctx, |ui| {
            ui.set_max_width(520.0);
            ui.heading(format!("pooladmin {}", env!("CARGO_PKG_VERSION")));
            ui.label(env!("CARGO_PKG_DESCRIPTION"));
            ui.separator();
            egui::Grid::new("about-grid").num_columns(2).show(ui, |ui| {
                ui.label("Database");
                ui.label(store.database().to_string());
                ui.end_row();
                ui.label("Secrets sealed with");
                ui.label(store.key_location().to_string());
                ui.end_row();
                ui.label("Installation id");
                ui.label(store.installation_id());
                ui.end_row();
            });
            ui.separator();
            ui.horizontal(|ui| {
                let busy = self.chooser.is_some();
                // A server's database is backed up with its own tools (pg_dump).
                let on_file = store.database().file().is_some();
                if on_file
                    && ui
                        .add_enabled(!busy, egui::Button::new("Back up database…"))
                        .clicked()
                {
                    self.chooser = Some(choose(
                        &ctx,
                        Chooser::Save {
                            title: "Back up the pooladmin database".to_owned(),
                            file_name: stamped("pooladmin-backup", "sqlite"),
                        },
                    ));
                }
                let priced = !catalog.priced.is_empty();
                if ui
                    .add_enabled(
                        priced && self.cost_chooser.is_none(),
                        egui::Button::new("Export cost report…"),
                    )
                    .on_disabled_hover_text("No VM Provider config has an Hourly Price")
                    .on_hover_text("Per pool: per hour, today, this month and projected (CSV)")
                    .clicked()
                {
                    let report = cost_report(catalog);
                    let rx = choose(
                        &ctx,
                        Chooser::Save {
                            title: "Export the cost report".to_owned(),
                            file_name: stamped("pooladmin-cost", "csv"),
                        },
                    );
                    self.cost_chooser = Some((rx, report));
                }
                ui.button("Close").clicked()
            })
            .inner
        });
        let escape = ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape));
        if response.inner || escape {
            self.open = false;
        }
    }

    fn poll_cost_chooser(&mut self, toasts: &mut egui_notify::Toasts) {
        let Some((promise, _)) = &self.cost_chooser else {
            return;
        };
        let choice = match promise.poll() {
            Poll::Pending => return,
            Poll::Ready(choice) => choice,
            Poll::Lost => None,
        };
        let Some((_, report)) = self.cost_chooser.take() else {
            return;
        };
        if let Some(path) = choice {
            match std::fs::write(&path, report) {
                Ok(()) => {
                    toasts.success(format!("Cost report written to {}", path.display()));
                }
                Err(e) => {
                    toasts.error(format!("Writing {} failed: {e}", path.display()));
                }
            }
        }
    }

    fn poll_chooser(&mut self, store: &Store, toasts: &mut egui_notify::Toasts) {
        let Some(promise) = &self.chooser else {
            return;
        };
        let choice = match promise.poll() {
            Poll::Pending => return,
            Poll::Ready(choice) => choice,
            Poll::Lost => None,
        };
        self.chooser = None;
        if let Some(path) = choice {
            match store.backup_to(&path) {
                Ok(()) => {
                    toasts.success(format!("Backup written to {}", path.display()));
                }
                Err(e) => {
                    toasts.error(format!("Backup failed: {e}"));
                }
            }
        }
    }
}

/// Every priced pool's cost now, as CSV.
pub fn cost_report(catalog: &Catalog) -> String {
    let now = jiff::Timestamp::now();
    let rows: Vec<PoolCost> = catalog
        .pools
        .iter()
        .filter_map(|pool| {
            Some(PoolCost {
                pool: pool.name.clone(),
                cost: catalog.pool_cost(pool.id, now)?,
            })
        })
        .collect();
    cost_csv(&rows, &catalog.settings.currency, now)
}

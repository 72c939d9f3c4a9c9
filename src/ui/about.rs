//! The About dialog: version, where the data lives, and a backup copy on request.

use super::file_dialog::{Chooser, choose, stamped};
use crate::store::Store;
use egui::{Id, Key, Modifiers, Ui};
use std::path::PathBuf;
use std::sync::mpsc::Receiver;

/// State of the About dialog.
#[derive(Default)]
pub struct About {
    /// Shown when true.
    pub open: bool,
    /// The file chooser runs on its own thread; its answer arrives here.
    chooser: Option<Receiver<Option<PathBuf>>>,
}

impl About {
    /// Draws the dialog; takes a backup when a file was chosen.
    pub fn ui(&mut self, ui: &Ui, store: &Store, toasts: &mut egui_notify::Toasts) {
        self.poll_chooser(store, toasts);
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
                ui.label(store.path().display().to_string());
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
                if ui
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
                ui.button("Close").clicked()
            })
            .inner
        });
        let escape = ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape));
        if response.inner || escape {
            self.open = false;
        }
    }

    fn poll_chooser(&mut self, store: &Store, toasts: &mut egui_notify::Toasts) {
        let Some(rx) = &self.chooser else {
            return;
        };
        let Ok(choice) = rx.try_recv() else {
            return;
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

//! The window shown when the database cannot be opened: the path and the reason, and Quit.

use egui::{RichText, Ui};

/// Says why pooladmin cannot start.
pub struct OpenErrorApp {
    /// The full message, path included.
    pub message: String,
}

impl eframe::App for OpenErrorApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("pooladmin cannot open its database");
            ui.add_space(8.0);
            ui.label(RichText::new(&self.message).color(ui.visuals().error_fg_color));
            ui.add_space(8.0);
            ui.label("Nothing was changed. Choose another file with --db PATH, or fix the cause and start again.");
            ui.add_space(8.0);
            if ui.button("Quit").clicked() {
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
            }
        });
    }
}

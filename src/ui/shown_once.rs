//! A secret shown this once (a new portal key, a member's agent token): selectable, with a
//! Copy button, and gone when the dialog closes.

use crate::model::Secret;
use egui::{Id, Key, Modifiers, RichText, TextEdit, Ui};

/// What the dialog shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ShownOnce {
    /// Dialog title.
    pub title: String,
    /// What it is and how to use it.
    pub message: String,
    /// The secret itself.
    pub secret: Secret,
}

impl ShownOnce {
    /// Shows the dialog; `true` once the administrator closed it.
    pub fn show(&self, ui: &Ui) -> bool {
        let ctx = ui.ctx().clone();
        let modal = egui::Modal::new(Id::unique("shown-once")).show(&ctx, |ui| {
            ui.set_max_width(560.0);
            ui.heading(&self.title);
            ui.label(&self.message);
            ui.add_space(6.0);
            let mut text = self.secret.expose().to_owned();
            let label = ui.label("Secret");
            ui.add(
                TextEdit::singleline(&mut text)
                    .font(egui::TextStyle::Monospace)
                    .desired_width(520.0),
            )
            .labelled_by(label.id);
            ui.label(
                RichText::new("It is shown only this once: pooladmin keeps only its hash.")
                    .color(ui.visuals().warn_fg_color),
            );
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                if ui.button("Copy").clicked() {
                    ui.ctx().copy_text(self.secret.expose().to_owned());
                }
                ui.button("Done").clicked()
            })
            .inner
        });
        let escape = ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape));
        modal.inner || escape
    }
}

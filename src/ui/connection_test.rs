//! The Test connection button of a provider form: the config as typed goes to the scaler,
//! which makes one cheap read; a spinner shows while it runs, then the cloud's own answer.

use super::scaler_view::ScalerView;
use crate::scaler::{Command, ConnectionTarget};
use egui::{RichText, Ui};

/// One form's test: the question in flight, or the last answer.
#[derive(Default)]
pub struct ConnectionTest {
    waiting: Option<u64>,
    answer: Option<Result<String, String>>,
}

impl ConnectionTest {
    /// Draws the button and the answer; `target` is read only when the button is clicked.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        scaler: &mut ScalerView,
        target: impl FnOnce() -> Option<ConnectionTarget>,
    ) {
        if let Some(id) = self.waiting
            && let Some(answer) = scaler.answers.remove(&id)
        {
            self.answer = Some(answer);
            self.waiting = None;
        }
        ui.horizontal_wrapped(|ui| {
            let button = ui.add_enabled(
                self.waiting.is_none() && scaler.attached,
                egui::Button::new("Test connection"),
            );
            let button = if scaler.attached {
                button.on_hover_text("One cheap read with these settings, saved or not")
            } else {
                button.on_disabled_hover_text("The scaler is not running in this window")
            };
            if button.clicked()
                && let Some(target) = target()
            {
                scaler.last_test += 1;
                let id = scaler.last_test;
                scaler.send(Command::TestConnection(id, target));
                self.waiting = Some(id);
                self.answer = None;
            }
            if self.waiting.is_some() {
                ui.spinner();
                ui.label("asking the cloud…");
            }
            match &self.answer {
                Some(Ok(text)) => {
                    ui.label(
                        RichText::new(format!("✔ {text}"))
                            .color(super::theme::ok_colour(ui.visuals())),
                    );
                }
                Some(Err(text)) => {
                    ui.label(RichText::new(format!("✖ {text}")).color(ui.visuals().error_fg_color));
                }
                None => {}
            }
        });
    }
}

//! The General settings page: the currency of prices and budgets, and how long ended
//! sessions are kept for what-if replays.

use super::context::PageContext;
use super::form::{error_of, form_grid, note_row, text_row};
use super::store_answer::StoreAnswer;
use crate::model::ValidationErrors;
use crate::model::app_settings::AppSettingsDraft;
use crate::model::field::AppSettingsField;
use egui::Ui;

/// State of the page: the form as typed, and its last check.
#[derive(Default)]
pub struct SettingsPage {
    draft: Option<AppSettingsDraft>,
    loaded_at: Option<u64>,
    errors: Option<ValidationErrors>,
    save: StoreAnswer<()>,
}

impl SettingsPage {
    /// Draws the page.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        ui.heading("General");
        ui.label(
            "Prices and budgets of the VM Provider configs are in one currency; ended sessions \
             are kept so a Preview can replay real demand.",
        );
        ui.add_space(8.0);
        let stored = AppSettingsDraft::from_settings(&ctx.catalog.settings);
        // A reload after someone else's save refreshes an untouched form, never an edited one.
        if self.draft.is_none()
            || (self.loaded_at != Some(ctx.catalog.generation)
                && self.draft.as_ref() == Some(&stored))
        {
            self.draft = Some(stored.clone());
            self.loaded_at = Some(ctx.catalog.generation);
        }
        let Some(draft) = self.draft.as_mut() else {
            return;
        };
        let errors = self.errors.as_ref();
        form_grid(ui, "settings-form", |ui| {
            text_row(
                ui,
                AppSettingsField::Currency.label(),
                &mut draft.currency,
                error_of(errors, AppSettingsField::Currency),
            );
            text_row(
                ui,
                AppSettingsField::HistoryDays.label(),
                &mut draft.history_days,
                error_of(errors, AppSettingsField::HistoryDays),
            );
            note_row(
                ui,
                "Sessions that ended longer ago are forgotten (checked every hour by the \
                 scaler).",
            );
        });
        ui.add_space(8.0);
        let dirty = *draft != stored;
        let busy = self.save.busy();
        let (save, revert) = ui
            .horizontal(|ui| {
                if busy {
                    ui.spinner();
                    ui.label("Saving…");
                    return (false, false);
                }
                (
                    ui.add_enabled(dirty, egui::Button::new("Save")).clicked(),
                    ui.add_enabled(dirty, egui::Button::new("Revert")).clicked(),
                )
            })
            .inner;
        if save {
            match draft.validate() {
                Ok(settings) => self
                    .save
                    .start(ctx, move |store| store.save_app_settings(&settings)),
                Err(errors) => self.errors = Some(errors),
            }
        }
        // The draft stays until the database has answered, and after a refusal.
        if let Some(saved) = self.save.answer()
            && ctx.report(saved, "Settings saved")
        {
            self.errors = None;
            self.draft = None;
        }
        if revert {
            self.draft = None;
            self.errors = None;
        }
    }
}

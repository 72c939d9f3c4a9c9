//! Modal dialogs for forms: a title, the form, Save and Cancel. Enter submits (except in a
//! multi-line editor), Escape cancels; a click beside the dialog does nothing, so nothing
//! typed is lost by accident.

use super::form::MULTILINE_FOCUS;
use egui::{Id, Key, Modifiers, Ui};

/// What the administrator did with a dialog this frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Still open.
    Open,
    /// Save (or Enter).
    Submit,
    /// Cancel (or Escape).
    Cancel,
}

/// Shows a modal form dialog.
pub fn form_dialog(
    ui: &Ui,
    id_salt: &str,
    title: &str,
    submit_label: &str,
    body: impl FnOnce(&mut Ui),
) -> Outcome {
    form_dialog_saving(ui, id_salt, title, submit_label, false, body)
}

/// [`form_dialog`] for a form whose save may be on its way to the database: while
/// `saving`, the form is shown as typed but not editable, a spinner says so, and neither
/// Save nor Cancel (nor Enter or Escape) does anything until the database answers.
pub fn form_dialog_saving(
    ui: &Ui,
    id_salt: &str,
    title: &str,
    submit_label: &str,
    saving: bool,
    body: impl FnOnce(&mut Ui),
) -> Outcome {
    let ctx = ui.ctx().clone();
    // Multi-line editors set this while focused, during the body below.
    ctx.data_mut(|d| d.insert_temp(Id::unique(MULTILINE_FOCUS), false));
    let modal = egui::Modal::new(Id::unique(("dialog", id_salt))).show(&ctx, |ui| {
        ui.set_min_width(420.0);
        ui.heading(title);
        ui.separator();
        ui.add_enabled_ui(!saving, body);
        ui.separator();
        ui.horizontal(|ui| {
            if saving {
                ui.spinner();
                ui.label("Saving… the form stays open until the database answers.");
                return (false, false);
            }
            let submit = ui.button(submit_label).clicked();
            let cancel = ui.button("Cancel").clicked();
            (submit, cancel)
        })
        .inner
    });
    let (submit, cancel) = modal.inner;
    if saving {
        return Outcome::Open;
    }
    let in_multiline = ctx.data(|d| {
        d.get_temp::<bool>(Id::unique(MULTILINE_FOCUS))
            .unwrap_or(false)
    });
    let enter = !in_multiline && ctx.input(|i| i.key_pressed(Key::Enter));
    let escape = ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape));
    if submit || enter {
        Outcome::Submit
    } else if cancel || escape {
        Outcome::Cancel
    } else {
        Outcome::Open
    }
}

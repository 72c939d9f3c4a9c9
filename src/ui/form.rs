//! Labelled form rows: a label, its input (named by the label for screen readers and tests)
//! and the field's error beneath it. Rows go inside [`form_grid`].

use crate::model::Field;
use crate::model::{Secret, ValidationErrors};
use egui::{Id, Response, RichText, TextEdit, Ui};

use super::theme::FIELD_WIDTH;

/// Set while a multi-line editor has focus, so Enter adds a line instead of submitting.
pub const MULTILINE_FOCUS: &str = "pooladmin-multiline-focus";

/// A two-column grid for form rows.
pub fn form_grid(ui: &mut Ui, id_salt: &str, rows: impl FnOnce(&mut Ui)) {
    egui::Grid::new(id_salt)
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, rows);
}

/// The error of `field`, if any, from the errors on show.
pub fn error_of(errors: Option<&ValidationErrors>, field: impl Into<Field>) -> Option<&str> {
    errors.and_then(|e| e.for_field(field))
}

/// A field's error in small red letters, when it has one.
pub fn error_line(ui: &mut Ui, error: Option<&str>) {
    if let Some(error) = error {
        ui.label(
            RichText::new(error)
                .color(ui.visuals().error_fg_color)
                .small(),
        );
    }
}

/// A one-line text field.
pub fn text_row(ui: &mut Ui, label: &str, value: &mut String, error: Option<&str>) -> Response {
    let label = ui.label(label);
    let response = ui
        .vertical(|ui| {
            let response = ui
                .add(TextEdit::singleline(value).desired_width(FIELD_WIDTH))
                .labelled_by(label.id);
            error_line(ui, error);
            response
        })
        .inner;
    ui.end_row();
    response
}

/// A one-line field whose value usually comes from a file (an SSH public key): Import…
/// reads it.
pub fn text_import_row(ui: &mut Ui, label: &str, value: &mut String, error: Option<&str>) {
    let label_response = ui.label(label);
    ui.vertical(|ui| {
        ui.add(TextEdit::singleline(value).desired_width(FIELD_WIDTH))
            .labelled_by(label_response.id);
        super::file_import::import_button(ui, label, value);
        error_line(ui, error);
    });
    ui.end_row();
}

/// A masked secret with a Show / Hide toggle.
pub fn secret_row(
    ui: &mut Ui,
    label: &str,
    secret: &mut Secret,
    reveal: &mut bool,
    error: Option<&str>,
) {
    let label = ui.label(label);
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            ui.add(
                TextEdit::singleline(secret.expose_mut())
                    .password(!*reveal)
                    .desired_width(FIELD_WIDTH - 60.0),
            )
            .labelled_by(label.id);
            let toggle = if *reveal { "Hide" } else { "Show" };
            if ui.small_button(toggle).clicked() {
                *reveal = !*reveal;
            }
        });
        error_line(ui, error);
    });
    ui.end_row();
}

/// A multi-line JSON editor.
pub fn multiline_row(ui: &mut Ui, label: &str, value: &mut String, error: Option<&str>) {
    code_row(ui, label, value, "json", false, error);
}

/// A multi-line editor with syntax highlighting (`language` "json" or "sh") and, for
/// files kept on disk (keys, certificates), an Import… button.
pub fn code_row(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    language: &str,
    import: bool,
    error: Option<&str>,
) {
    let label_response = ui.label(label);
    ui.vertical(|ui| {
        let theme = egui_extras::syntax_highlighting::CodeTheme::from_memory(ui.ctx(), ui.style());
        let mut layouter = |ui: &Ui, buf: &dyn egui::TextBuffer, wrap_width: f32| {
            let mut job = egui_extras::syntax_highlighting::highlight(
                ui.ctx(),
                ui.style(),
                &theme,
                buf.as_str(),
                language,
            );
            job.wrap.max_width = wrap_width;
            ui.fonts_mut(|f| f.layout_job(job))
        };
        let response = ui
            .add(
                TextEdit::multiline(value)
                    .code_editor()
                    .desired_rows(3)
                    .desired_width(FIELD_WIDTH)
                    .layouter(&mut layouter),
            )
            .labelled_by(label_response.id);
        let focused = response.has_focus();
        if focused {
            ui.data_mut(|d| d.insert_temp(Id::unique(MULTILINE_FOCUS), true));
        }
        if import {
            super::file_import::import_button(ui, label, value);
        }
        error_line(ui, error);
    });
    ui.end_row();
}

/// A drop-down choice among `options` (value, text).
pub fn combo_row<T: PartialEq + Clone>(
    ui: &mut Ui,
    label: &str,
    value: &mut T,
    options: &[(T, String)],
    error: Option<&str>,
) {
    let label_response = ui.label(label);
    ui.vertical(|ui| {
        let selected = options
            .iter()
            .find(|(v, _)| v == value)
            .map_or("Choose…", |(_, text)| text.as_str())
            .to_owned();
        let inner = egui::ComboBox::from_id_salt(label)
            .width(FIELD_WIDTH)
            .selected_text(selected)
            .show_ui(ui, |ui| {
                for (option, text) in options {
                    ui.selectable_value(value, option.clone(), text);
                }
            });
        let _ = inner.response.labelled_by(label_response.id);
        error_line(ui, error);
    });
    ui.end_row();
}

/// A quiet note under the row above it: what a setting will do.
pub fn note_row(ui: &mut Ui, note: &str) {
    ui.label("");
    ui.label(RichText::new(note).weak().small());
    ui.end_row();
}

/// A checkbox whose own text is its label, with an optional hint beside it.
pub fn checkbox_row(ui: &mut Ui, label: &str, value: &mut bool, hint: &str) {
    ui.label("");
    ui.horizontal(|ui| {
        ui.checkbox(value, label);
        if !hint.is_empty() {
            ui.label(RichText::new(hint).weak().small());
        }
    });
    ui.end_row();
}

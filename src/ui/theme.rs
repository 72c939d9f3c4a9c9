//! The window's look in one place: the sizes every page shares, the colours that carry a
//! meaning (all taken from the visuals, so they hold in light and dark), and the switch
//! between the system's theme, light and dark.

use egui::{Color32, Frame, Stroke, ThemePreference, Ui, Visuals};

/// The navigation's width.
pub const NAV_WIDTH: f32 = 190.0;
/// A table row's height.
pub const ROW_HEIGHT: f32 = 24.0;
/// A form field's width.
pub const FIELD_WIDTH: f32 = 320.0;
/// A "what the account has" picker's width, beside its field.
pub const PICKER_WIDTH: f32 = 250.0;
/// The wizard's step area: the same height for every step, so its buttons do not jump.
pub const WIZARD_STEP_HEIGHT: f32 = 540.0;

/// The colour of "all is well" (a passed connection test, a healthy host): a green that
/// reads on the panel's background in either theme.
pub fn ok_colour(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_rgb(60, 160, 80)
    } else {
        Color32::from_rgb(20, 110, 45)
    }
}

/// A framed notice above the page, edged in `edge`, on `fill`.
pub fn notice_frame(edge: Color32, fill: Color32) -> Frame {
    Frame::new()
        .fill(fill)
        .stroke(Stroke::new(1.0, edge))
        .inner_margin(6.0)
        .corner_radius(4.0)
}

/// The View menu's theme choice: follow the system, or light, or dark. egui keeps the
/// choice in its memory, which eframe stores between runs.
pub fn theme_menu(ui: &mut Ui) {
    let mut preference = ui.ctx().options(|o| o.theme_preference);
    let before = preference;
    ui.radio_value(
        &mut preference,
        ThemePreference::System,
        "Follow the system",
    );
    ui.radio_value(&mut preference, ThemePreference::Light, "Light");
    ui.radio_value(&mut preference, ThemePreference::Dark, "Dark");
    if preference != before {
        ui.ctx().set_theme(preference);
    }
}

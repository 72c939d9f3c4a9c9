//! The schedule of an AutoScale config: its windows (day toggles, start, end, a time zone
//! picked from the time zone database with a search, and the values that hold meanwhile)
//! and its date overrides (a date, closed or its own values), each row's errors under it.

use crate::model::Field;
use crate::model::ValidationErrors;
use crate::model::field::ScheduleRow;
use crate::model::schedule::{DAYS, DateOverride, Schedule, ScheduleWindow, ScheduledValues};
use egui::{Id, RichText, TextEdit, Ui};
use std::sync::OnceLock;

/// How many matching zones the picker lists at once.
const ZONES_SHOWN: usize = 60;

/// Every IANA time zone name this machine knows, sorted.
fn zone_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<String> = jiff::tz::db()
            .available()
            .map(|name| name.to_string())
            .collect();
        names.sort();
        names
    })
}

/// Draws the schedule; `servers` picks Minimum Available Sessions over the standby fields.
pub fn ui(ui: &mut Ui, schedule: &mut Schedule, servers: bool, errors: Option<&ValidationErrors>) {
    ui.add_space(6.0);
    ui.label(RichText::new("Schedule").strong());
    ui.label(
        RichText::new(
            "Outside every window the values above hold; 0 turns standby off. A window's values \
             are in place when it begins: pooladmin starts early by the config's boot time.",
        )
        .weak()
        .small(),
    );
    let mut remove = None;
    for (i, window) in schedule.windows.iter_mut().enumerate() {
        let at = format!("Schedule window {}", i + 1);
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(&at).strong());
                for (day, on) in DAYS.iter().zip(window.days.iter_mut()) {
                    ui.toggle_value(on, *day)
                        .on_hover_text(format!("{at}: starts on {day}"));
                }
                labelled_text(
                    ui,
                    &format!("{at}: Start"),
                    "Start",
                    &mut window.start,
                    48.0,
                );
                labelled_text(ui, &format!("{at}: End"), "End", &mut window.end, 48.0);
                zone_picker(ui, &format!("{at}: Time Zone"), &mut window.time_zone);
                if ui.small_button("Remove").clicked() {
                    remove = Some(i);
                }
            });
            values_row(ui, &at, &mut window.values, servers);
            row_errors(ui, errors, ScheduleRow::Window(i));
        });
    }
    if let Some(i) = remove {
        schedule.windows.remove(i);
    }
    if ui.button("Add window").clicked() {
        schedule.windows.push(ScheduleWindow::default());
    }
    let mut remove = None;
    for (i, date_override) in schedule.overrides.iter_mut().enumerate() {
        let at = format!("Date override {}", i + 1);
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(&at).strong());
                labelled_text(
                    ui,
                    &format!("{at}: Date"),
                    "Date",
                    &mut date_override.date,
                    90.0,
                );
                zone_picker(
                    ui,
                    &format!("{at}: Time Zone"),
                    &mut date_override.time_zone,
                );
                ui.checkbox(&mut date_override.closed, "Closed")
                    .on_hover_text("nothing kept free that day");
                if ui.small_button("Remove").clicked() {
                    remove = Some(i);
                }
            });
            if !date_override.closed {
                values_row(ui, &at, &mut date_override.values, servers);
            }
            row_errors(ui, errors, ScheduleRow::Override(i));
        });
    }
    if let Some(i) = remove {
        schedule.overrides.remove(i);
    }
    if ui.button("Add date override").clicked() {
        schedule.overrides.push(DateOverride::default());
    }
}

/// A short text field after its label; `name` ("Schedule window 1: Start") is what screen
/// readers and tests call it, the row's fields sharing their short labels with others.
fn labelled_text(ui: &mut Ui, name: &str, label: &str, value: &mut String, width: f32) {
    ui.label(label);
    let response = ui
        .add(TextEdit::singleline(value).desired_width(width))
        .on_hover_text(name);
    let enabled = ui.is_enabled();
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, enabled, name));
}

fn values_row(ui: &mut Ui, at: &str, values: &mut ScheduledValues, servers: bool) {
    ui.horizontal_wrapped(|ui| {
        if servers {
            labelled_text(
                ui,
                &format!("{at}: Minimum Available Sessions"),
                "Minimum Available Sessions",
                &mut values.minimum_available_sessions,
                56.0,
            );
        } else {
            for (label, value) in [
                ("Standby Cores", &mut values.standby_cores),
                ("Standby GPUs", &mut values.standby_gpus),
                ("Standby Memory (MB)", &mut values.standby_memory_mb),
            ] {
                labelled_text(ui, &format!("{at}: {label}"), label, value, 64.0);
            }
        }
    });
}

/// The errors of one row's fields, under it.
fn row_errors(ui: &mut Ui, errors: Option<&ValidationErrors>, row: ScheduleRow) {
    let Some(errors) = errors else { return };
    for error in errors.errors() {
        if let Field::Schedule(field) = error.field
            && field.row == row
        {
            ui.label(
                RichText::new(format!("{}: {}", field.part.label(), error.message))
                    .color(ui.visuals().error_fg_color)
                    .small(),
            );
        }
    }
}

/// A combo box of time zones with a search field at its top.
fn zone_picker(ui: &mut Ui, name: &str, zone: &mut String) {
    let label = ui.label("Time zone");
    let search_id = Id::unique(("zone-search", name));
    let shown = if zone.trim().is_empty() {
        "choose…".to_owned()
    } else {
        zone.clone()
    };
    let inner = egui::ComboBox::from_id_salt(("zone", name))
        .selected_text(shown)
        .width(190.0)
        // Typing in the search field must not close it; choosing a zone does.
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
        .show_ui(ui, |ui| {
            let mut search: String = ui.data_mut(|d| d.get_temp(search_id).unwrap_or_default());
            let field = ui.add(TextEdit::singleline(&mut search).hint_text("search, e.g. berlin"));
            field.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Time zone search")
            });
            if !field.has_focus() && search.is_empty() {
                field.request_focus();
            }
            let needle = search.to_lowercase();
            let matching = zone_names()
                .iter()
                .filter(|z| needle.is_empty() || z.to_lowercase().contains(&needle));
            for candidate in matching.take(ZONES_SHOWN) {
                if ui
                    .selectable_label(zone == candidate, candidate.as_str())
                    .clicked()
                {
                    *zone = candidate.clone();
                    ui.close();
                }
            }
            ui.data_mut(|d| d.insert_temp(search_id, search));
        });
    let response = inner.response.labelled_by(label.id).on_hover_text(name);
    // Its row's name, for screen readers and tests: every row has a "Time zone".
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, name));
}

//! Steps 2 and 3: the VM Provider config and the DNS Provider config, each existing
//! (optionally edited, for all that share it), new, or for DNS none.

use super::shared_choice::{Mode, SharedChoice};
use crate::model::ValidationErrors;
use crate::model::cloud_list::{ListEntry, ListKind};
use crate::model::dns_provider::DnsProviderSpec;
use crate::model::vm_provider::VmProviderSpec;
use crate::store::{ConfigRow, SharedConfig};
use crate::ui::form::{combo_row, form_grid};
use crate::ui::provider_form::{dns_kind_row, dns_provider_rows, vm_kind_row, vm_provider_rows};
use crate::ui::scaler_view::ScalerView;
use egui::{RichText, Ui};

/// The VM Provider step.
pub fn vm_ui(
    ui: &mut Ui,
    choice: &mut SharedChoice<VmProviderSpec>,
    rows: &[ConfigRow<VmProviderSpec>],
    own_name: &str,
    errors: Option<&ValidationErrors>,
    reveal: &mut bool,
    scaler: &mut ScalerView,
) -> Option<(ListKind, ListEntry)> {
    mode_ui(ui, choice, rows, "VM Provider config", false);
    if choice.mode == Mode::Existing {
        existing_ui(ui, choice, rows, "VM Provider Configs", own_name, |spec| {
            spec.settings.kind().label()
        });
    }
    if choice.mode == Mode::New {
        form_grid(ui, "vm-kind", |ui| vm_kind_row(ui, &mut choice.draft));
    }
    if !choice.writes_draft() {
        return None;
    }
    ui.separator();
    let mut pickers = scaler.pickers(&choice.draft);
    form_grid(ui, "vm-form", |ui| {
        vm_provider_rows(ui, &mut choice.draft, errors, reveal, &mut pickers)
    });
    pickers.picked
}

/// The DNS Provider step.
pub fn dns_ui(
    ui: &mut Ui,
    choice: &mut SharedChoice<DnsProviderSpec>,
    rows: &[ConfigRow<DnsProviderSpec>],
    own_name: &str,
    required: bool,
    errors: Option<&ValidationErrors>,
    reveal: &mut bool,
) {
    if required {
        ui.label(
            RichText::new("Register DNS is on: this config needs a DNS Provider config.").strong(),
        );
    }
    mode_ui(ui, choice, rows, "DNS Provider config", !required);
    if choice.mode == Mode::Existing {
        existing_ui(ui, choice, rows, "DNS Provider Configs", own_name, |spec| {
            spec.settings.kind().label()
        });
    }
    if choice.mode == Mode::New {
        form_grid(ui, "dns-kind", |ui| dns_kind_row(ui, &mut choice.draft));
    }
    if choice.writes_draft() {
        ui.separator();
        form_grid(ui, "dns-form", |ui| {
            dns_provider_rows(ui, &mut choice.draft, errors, reveal)
        });
    }
}

fn mode_ui<T: SharedConfig + Clone>(
    ui: &mut Ui,
    choice: &mut SharedChoice<T>,
    rows: &[ConfigRow<T>],
    noun: &str,
    allow_none: bool,
) where
    T::Id: PartialEq,
{
    let before = choice.mode;
    ui.horizontal(|ui| {
        if allow_none {
            ui.radio_value(&mut choice.mode, Mode::None, "None");
        }
        ui.add_enabled_ui(!rows.is_empty(), |ui| {
            ui.radio_value(
                &mut choice.mode,
                Mode::Existing,
                format!("Select an existing {noun}"),
            )
            .on_disabled_hover_text(format!("No {noun} is stored yet"));
        });
        ui.radio_value(&mut choice.mode, Mode::New, format!("Create a new {noun}"));
    });
    // A new config starts as a copy of the one that was selected, renamed.
    if before == Mode::Existing && choice.mode == Mode::New && !choice.draft.name().is_empty() {
        let copy = format!("{} (copy)", choice.draft.name());
        choice.draft.set_name(copy);
    }
    if choice.mode == Mode::Existing
        && choice.existing.is_none()
        && let Some(first) = rows.first()
    {
        choice.pick(first);
    }
}

fn existing_ui<T: SharedConfig + Clone>(
    ui: &mut Ui,
    choice: &mut SharedChoice<T>,
    rows: &[ConfigRow<T>],
    label: &str,
    own_name: &str,
    provider: impl Fn(&T) -> &'static str,
) where
    T::Id: PartialEq,
{
    let mut picked = choice.existing;
    form_grid(ui, "existing", |ui| {
        let options: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    Some(r.id),
                    format!("{} ({})", r.spec.name(), provider(&r.spec)),
                )
            })
            .collect();
        combo_row(ui, label, &mut picked, &options, None);
    });
    if picked != choice.existing
        && let Some(row) = rows.iter().find(|r| Some(r.id) == picked)
    {
        choice.pick(row);
    }
    if let Some(row) = choice.chosen(rows) {
        let others: Vec<&str> = row
            .used_by
            .iter()
            .map(String::as_str)
            .filter(|name| !name.eq_ignore_ascii_case(own_name.trim()))
            .collect();
        if others.is_empty() {
            ui.label("No other AutoScale config uses it.");
        } else {
            ui.label(
                RichText::new(format!(
                    "Shared with {}: any edit here changes it for them too.",
                    others.join(", ")
                ))
                .color(ui.visuals().warn_fg_color),
            );
        }
        ui.checkbox(&mut choice.edit_existing, "Edit this config");
    }
}

//! The forms' pickers of what a cloud account has: lists asked of the scaler (the window
//! never waits on a cloud), kept for ten minutes per account and scope, and the row that
//! shows one beside its text field — free text stays possible.

use super::form::error_line;
use crate::model::cloud_list::{ListEntry, ListKind, list_scope};
use crate::model::vm_provider::VmProviderSpec;
use crate::scaler::Command;
use egui::{RichText, TextEdit, Ui};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long a list is kept before it is read again.
pub const KEPT_FOR: Duration = Duration::from_secs(600);
/// The most entries a picker shows at once (search narrows the rest).
const SHOWN: usize = 200;
use super::theme::PICKER_WIDTH;

/// Where one list stands.
#[derive(Clone, Debug, PartialEq)]
pub enum ListState {
    /// Asked; the answer is on its way.
    Loading,
    /// What the account has, as of when.
    Ready(Vec<ListEntry>, Instant),
    /// The cloud's words.
    Failed(String, Instant),
}

/// Every list asked for in this window, by account scope and kind.
#[derive(Default)]
pub struct CloudLists {
    lists: HashMap<(u64, ListKind), ListState>,
    asked: HashMap<u64, (u64, ListKind)>,
    next: u64,
    /// The picker open now, and its search text.
    open: Option<((u64, ListKind), String)>,
}

impl CloudLists {
    /// Takes an answer from the scaler.
    pub fn absorb(&mut self, id: u64, answer: Result<Vec<ListEntry>, String>) {
        let Some(key) = self.asked.remove(&id) else {
            return;
        };
        let state = match answer {
            Ok(entries) => ListState::Ready(entries, Instant::now()),
            Err(e) => ListState::Failed(e, Instant::now()),
        };
        self.lists.insert(key, state);
    }

    /// The list of `kind` in `scope`, if asked for.
    pub fn state(&self, scope: u64, kind: ListKind) -> Option<&ListState> {
        self.lists.get(&(scope, kind))
    }

    /// Asks for a list unless it is on its way or fresh; the command goes to the scaler.
    fn ask(
        &mut self,
        scope: u64,
        kind: ListKind,
        spec: &VmProviderSpec,
        search: &str,
        force: bool,
        outbox: &mut Vec<Command>,
    ) {
        let fresh = match self.lists.get(&(scope, kind)) {
            Some(ListState::Loading) => true,
            Some(ListState::Ready(_, at) | ListState::Failed(_, at)) => at.elapsed() < KEPT_FOR,
            None => false,
        };
        if fresh && !force {
            return;
        }
        if force && matches!(self.lists.get(&(scope, kind)), Some(ListState::Loading)) {
            return;
        }
        self.next += 1;
        self.asked.insert(self.next, (scope, kind));
        self.lists.insert((scope, kind), ListState::Loading);
        outbox.push(Command::ListCloud(
            self.next,
            Box::new(spec.clone()),
            kind,
            search.to_owned(),
        ));
    }
}

/// How a pick goes into its field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fill {
    /// A one-line text field beside the picker, replaced by the pick.
    Text,
    /// Added to the JSON list of a field drawn elsewhere (security groups).
    JsonListItem,
    /// Replaces the whole text of a field drawn elsewhere (an image reference as JSON).
    Whole,
}

/// What a form's rows need to offer lists: the config as typed (what the scaler lists
/// with), the lists and the scaler's outbox; a pick made this frame comes back here.
pub struct Pickers<'a> {
    /// The config as it was when the rows began.
    pub spec: VmProviderSpec,
    /// The lists.
    pub lists: &'a mut CloudLists,
    /// Where commands for the scaler go.
    pub outbox: &'a mut Vec<Command>,
    /// Whether a scaler runs to ask (without one, the rows are plain text fields).
    pub attached: bool,
    /// The entry picked this frame, and from which list.
    pub picked: Option<(ListKind, ListEntry)>,
}

impl Pickers<'_> {
    /// The entry `value` of the `kind` list already read for this config, if any.
    pub fn known(&self, kind: ListKind, value: &str) -> Option<&ListEntry> {
        match self.lists.state(list_scope(&self.spec, kind), kind) {
            Some(ListState::Ready(entries, _)) => entries.iter().find(|e| e.value == value.trim()),
            _ => None,
        }
    }

    /// A picker of `kind` for `value`, with the text field itself when `fill` is
    /// [`Fill::Text`].
    pub fn row(
        &mut self,
        ui: &mut Ui,
        label: &str,
        value: &mut String,
        error: Option<&str>,
        kind: ListKind,
        fill: Fill,
    ) {
        let cloud = self.spec.settings.kind();
        let scope = list_scope(&self.spec, kind);
        let key = (scope, kind);
        let label_response = ui.label(label);
        ui.vertical(|ui| {
            ui.horizontal(|ui| {
                if fill == Fill::Text {
                    ui.add(TextEdit::singleline(value).desired_width(PICKER_WIDTH))
                        .labelled_by(label_response.id);
                }
                if !self.attached {
                    return;
                }
                let open = self.lists.open.as_ref().is_some_and(|(k, _)| *k == key);
                let pick = ui
                    .add(egui::Button::new(if open {
                        "Close list"
                    } else {
                        "Pick…"
                    }))
                    .on_hover_text(format!("Choose from the account's {}", kind.noun(cloud)));
                // A name of its own for screen readers and tests ("Pick AWS: Region").
                pick.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Pick {label}"))
                });
                if pick.clicked() {
                    if open {
                        self.lists.open = None;
                    } else {
                        self.lists.open = Some((key, String::new()));
                        self.lists
                            .ask(scope, kind, &self.spec, "", false, self.outbox);
                    }
                }
                if open
                    && ui
                        .small_button("⟳")
                        .on_hover_text("Read the list again")
                        .clicked()
                {
                    let search = self
                        .lists
                        .open
                        .as_ref()
                        .map(|(_, s)| s.clone())
                        .unwrap_or_default();
                    self.lists
                        .ask(scope, kind, &self.spec, &search, true, self.outbox);
                }
                if matches!(self.lists.state(scope, kind), Some(ListState::Loading)) {
                    ui.spinner();
                }
            });
            error_line(ui, error);
            match self.lists.state(scope, kind) {
                Some(ListState::Failed(words, _)) => {
                    error_line(
                        ui,
                        Some(&format!("{} could not be read: {words}", kind.noun(cloud))),
                    );
                }
                Some(ListState::Ready(entries, _)) => {
                    let typed = value.trim();
                    let known = typed.is_empty()
                        || fill != Fill::Text
                        || entries.iter().any(|e| e.value == typed || e.label == typed);
                    if !known {
                        ui.label(RichText::new("not found in the account").weak().small());
                    }
                }
                _ => {}
            }
            self.list_ui(ui, key, value, fill);
        });
        ui.end_row();
    }

    fn list_ui(&mut self, ui: &mut Ui, key: (u64, ListKind), value: &mut String, fill: Fill) {
        let Some((open, search)) = self.lists.open.as_mut() else {
            return;
        };
        if *open != key {
            return;
        }
        let Some(ListState::Ready(entries, _)) = self.lists.lists.get(&key) else {
            return;
        };
        let searched = ui
            .add(
                TextEdit::singleline(search)
                    .hint_text("search")
                    .desired_width(PICKER_WIDTH),
            )
            .changed();
        let shown: Vec<&ListEntry> = entries.iter().filter(|e| e.matches(search)).collect();
        let mut chosen = None;
        ui.label(
            RichText::new(format!("{} of {}", shown.len(), entries.len()))
                .weak()
                .small(),
        );
        let current = value.trim().to_owned();
        egui::ScrollArea::vertical()
            .max_height(180.0)
            .min_scrolled_height(160.0)
            .id_salt(("cloud-list", key.0, key.1.as_str()))
            .show(ui, |ui| {
                for entry in shown.iter().take(SHOWN) {
                    if ui
                        .selectable_label(entry.value == current, entry.line())
                        .clicked()
                    {
                        chosen = Some((*entry).clone());
                    }
                }
                if shown.len() > SHOWN {
                    ui.weak(format!("{} more: narrow the search", shown.len() - SHOWN));
                }
                if shown.is_empty() {
                    ui.weak("nothing matches");
                }
            });
        // Public AMIs are searched by the cloud, not here: a new search asks again.
        if searched && key.1 == ListKind::Images && search.trim().len() >= 3 {
            let search = search.clone();
            self.lists
                .ask(key.0, key.1, &self.spec, &search, true, self.outbox);
        }
        if let Some(entry) = chosen {
            if fill == Fill::JsonListItem {
                *value = appended(value, &entry.value);
            } else {
                value.clone_from(&entry.value);
            }
            self.lists.open = None;
            self.picked = Some((key.1, entry));
        }
    }
}

/// A JSON list of strings with `item` added (once).
fn appended(list: &str, item: &str) -> String {
    let mut items: Vec<String> = serde_json::from_str(list.trim()).unwrap_or_default();
    if !items.iter().any(|i| i == item) {
        items.push(item.to_owned());
    }
    serde_json::to_string(&items).unwrap_or_else(|_| list.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pick_is_added_to_a_json_list_once() {
        assert_eq!(appended("[]", "sg-1"), r#"["sg-1"]"#);
        assert_eq!(appended(r#"["sg-1"]"#, "sg-2"), r#"["sg-1","sg-2"]"#);
        assert_eq!(appended(r#"["sg-1"]"#, "sg-1"), r#"["sg-1"]"#);
    }
}

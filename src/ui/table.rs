//! Sortable, filterable tables: header buttons that sort, and a row order that is computed
//! only when the data, the filter or the sort changes, never on an idle frame.

use egui::{Button, Ui};

/// The label of each row's menu of actions.
pub const ACTIONS_MENU: &str = "Actions ⏷";

/// Which column sorts the table, and which way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Sort {
    /// Column index.
    pub column: usize,
    /// Ascending or descending.
    pub descending: bool,
}

impl Sort {
    /// Orders two rows by the sort's direction.
    pub fn apply(self, ordering: std::cmp::Ordering) -> std::cmp::Ordering {
        if self.descending {
            ordering.reverse()
        } else {
            ordering
        }
    }
}

/// A header cell: a click sorts by this column, a second click reverses.
pub fn sort_header(ui: &mut Ui, label: &str, column: usize, sort: &mut Sort) {
    let arrow = match (sort.column == column, sort.descending) {
        (true, false) => " ▲",
        (true, true) => " ▼",
        (false, _) => "",
    };
    let response = ui
        .add(Button::new(egui::RichText::new(format!("{label}{arrow}")).strong()).frame(false))
        .on_hover_text(format!("Sort by {label}"));
    if response.clicked() {
        if sort.column == column {
            sort.descending = !sort.descending;
        } else {
            *sort = Sort {
                column,
                descending: false,
            };
        }
    }
}

/// A cached order of visible rows (indices into the catalog's list).
#[derive(Default)]
pub struct RowOrder {
    key: Option<(u64, String, Sort)>,
    rows: Vec<usize>,
}

impl RowOrder {
    /// The visible rows; `compute` runs only when the generation, filter or sort changed.
    pub fn rows(
        &mut self,
        generation: u64,
        filter: &str,
        sort: Sort,
        compute: impl FnOnce(&str) -> Vec<usize>,
    ) -> &[usize] {
        let key = (generation, filter.to_owned(), sort);
        if self.key.as_ref() != Some(&key) {
            self.rows = compute(&filter.to_lowercase());
            self.key = Some(key);
        }
        &self.rows
    }
}

/// Whether any of `texts` contains the (lower-case) filter.
pub fn matches(filter: &str, texts: &[&str]) -> bool {
    filter.is_empty() || texts.iter().any(|t| t.to_lowercase().contains(filter))
}

/// The filter box of a table's toolbar.
pub fn filter_box(ui: &mut Ui, filter: &mut String) {
    ui.add(
        egui::TextEdit::singleline(filter)
            .hint_text("Filter")
            .desired_width(200.0),
    )
    .accessible_name("Filter");
}

/// A time as the administrator reads it: in the computer's own time zone.
pub fn local_time(t: jiff::Timestamp, format: &str) -> String {
    t.to_zoned(jiff::tz::TimeZone::system())
        .strftime(format)
        .to_string()
}

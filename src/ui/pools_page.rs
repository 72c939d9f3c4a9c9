//! The Pools page: every pool with its members, sessions and free capacity.

use super::catalog::Catalog;
use super::confirm::{Action, Confirm};
use super::context::PageContext;
use super::dialog::form_dialog_saving;
use super::editor::Editor;
use super::form::{combo_row, error_of, form_grid, text_row};
use super::page::Page;
use super::table::{RowOrder, Sort, filter_box, matches, sort_header};
use crate::model::cost::{CostSummary, format_money};
use crate::model::field::PoolField;
use crate::model::validation::check_name;
use crate::model::{PoolId, PoolKind, ValidationErrors};
use egui::Ui;
use egui_extras::{Column, TableBuilder};

use super::theme::ROW_HEIGHT;

/// The pool form: a name, and a type when the pool is new.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolDraft {
    /// Name, as typed; unique among pools.
    pub name: String,
    /// Type; fixed once created.
    pub kind: PoolKind,
}

/// A pool's cost: per hour and the month projected, the rest on hover; a dash without a
/// price (no cost is guessed).
fn cost_cell(ui: &mut Ui, catalog: &Catalog, pool: PoolId, now: jiff::Timestamp) {
    let Some(cost) = catalog.pool_cost(pool, now) else {
        ui.weak("—")
            .on_hover_text("No Hourly Price on its VM Provider configs");
        return;
    };
    let currency = &catalog.settings.currency;
    ui.label(format!(
        "{:.2}/h · {} month",
        cost.per_hour,
        format_money(cost.projected, currency)
    ))
    .on_hover_text(cost_words(&cost, currency));
}

/// Every figure of a cost summary in one line, as the Status tab and tooltips show it.
pub fn cost_words(cost: &CostSummary, currency: &str) -> String {
    format!(
        "{} per hour now · today {} · this month {} · projected to the month's end {} (UTC \
         days and months)",
        format_money(cost.per_hour, currency),
        format_money(cost.today, currency),
        format_money(cost.month, currency),
        format_money(cost.projected, currency),
    )
}

fn parse_pool(draft: &PoolDraft) -> Result<PoolDraft, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    check_name(&mut errors, PoolField::Name, &draft.name);
    errors.into_result(draft.clone())
}

/// State of the Pools page.
#[derive(Default)]
pub struct PoolsPage {
    pub(super) filter: String,
    pub(super) sort: Sort,
    order: RowOrder,
    editor: Option<Editor<PoolDraft, Option<PoolId>>>,
}

impl PoolsPage {
    /// Opens the Add pool dialog.
    pub fn open_add(&mut self) {
        self.editor = Some(Editor::new(
            None,
            PoolDraft {
                name: String::new(),
                kind: PoolKind::Server,
            },
        ));
    }

    /// Draws the page.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        ui.horizontal(|ui| {
            ui.heading("Pools");
            ui.add_space(16.0);
            filter_box(ui, &mut self.filter);
            if ui.button("Add pool").clicked() {
                self.open_add();
            }
        });
        ui.label(
            "A pool groups similar servers or docker agents into one Workspace; sessions are \
             spread evenly over its members.",
        );
        ui.separator();
        self.table_ui(ui, ctx);
        self.editor_ui(ui, ctx);
    }

    fn table_ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        let overview = &ctx.catalog.overview;
        let catalog = ctx.catalog;
        let now = jiff::Timestamp::now();
        let projected = |i: usize| {
            catalog
                .pool_cost(overview[i].pool.id, now)
                .map_or(-1.0, |c| c.projected)
        };
        let sort = self.sort;
        let rows = self
            .order
            .rows(ctx.catalog.generation, &self.filter, sort, |filter| {
                let mut rows: Vec<usize> = (0..overview.len())
                    .filter(|&i| {
                        let p = &overview[i].pool;
                        matches(filter, &[&p.name, p.kind.label()])
                    })
                    .collect();
                rows.sort_by(|&ia, &ib| {
                    let (a, b) = (&overview[ia], &overview[ib]);
                    sort.apply(match sort.column {
                        5 => projected(ia).total_cmp(&projected(ib)),
                        1 => a.pool.kind.label().cmp(b.pool.kind.label()),
                        2 => a.members.cmp(&b.members),
                        3 => a.sessions.cmp(&b.sessions),
                        4 => a.free.sort_key().total_cmp(&b.free.sort_key()),
                        _ => a.pool.name.to_lowercase().cmp(&b.pool.name.to_lowercase()),
                    })
                });
                rows
            })
            .to_vec();
        if overview.is_empty() {
            ui.label("No pools yet. Add one to group servers or docker agents.");
            return;
        }
        let mut open = None;
        let mut rename = None;
        let mut delete = None;
        TableBuilder::new(ui)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .id_salt("pools")
            .striped(true)
            .column(Column::initial(200.0).at_least(120.0).resizable(true))
            .column(Column::initial(110.0).resizable(true))
            .column(Column::initial(80.0))
            .column(Column::initial(80.0))
            .column(Column::initial(230.0).resizable(true))
            .column(Column::initial(170.0).resizable(true))
            .column(Column::remainder().at_least(200.0))
            .header(ROW_HEIGHT, |mut header| {
                for (i, label) in [
                    "Name",
                    "Type",
                    "Members",
                    "Sessions",
                    "Free capacity",
                    "Cost",
                ]
                .into_iter()
                .enumerate()
                {
                    header.col(|ui| sort_header(ui, label, i, &mut self.sort));
                }
                header.col(|ui| {
                    ui.strong("Actions");
                });
            })
            .body(|body| {
                body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                    let summary = &overview[rows[row.index()]];
                    row.col(|ui| {
                        if ui.link(&summary.pool.name).clicked() {
                            open = Some(summary.pool.id);
                        }
                    });
                    row.col(|ui| {
                        ui.label(summary.pool.kind.label());
                    });
                    row.col(|ui| {
                        ui.label(summary.members.to_string());
                    });
                    row.col(|ui| {
                        ui.label(summary.sessions.to_string());
                    });
                    row.col(|ui| {
                        ui.label(summary.free.to_string());
                    });
                    row.col(|ui| {
                        cost_cell(ui, catalog, summary.pool.id, now);
                    });
                    row.col(|ui| {
                        if ui.small_button("Open").clicked() {
                            open = Some(summary.pool.id);
                        }
                        if ui.small_button("Rename").clicked() {
                            rename = Some(summary.pool.clone());
                        }
                        if ui.small_button("Delete").clicked() {
                            delete = Some(summary.pool.clone());
                        }
                    });
                });
            });
        if let Some(id) = open {
            ctx.navigate(Page::Pool(id));
        }
        if let Some(pool) = rename {
            self.editor = Some(Editor::new(
                Some(pool.id),
                PoolDraft {
                    name: pool.name,
                    kind: pool.kind,
                },
            ));
        }
        if let Some(pool) = delete {
            ctx.confirm(delete_pool_confirm(&pool.name, pool.id));
        }
    }

    fn editor_ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        let Some(editor) = &mut self.editor else {
            return;
        };
        editor.recheck(parse_pool);
        let is_new = editor.target.is_none();
        let title = if is_new { "Add pool" } else { "Rename pool" };
        let errors = editor.errors().cloned();
        let saving = editor.saving();
        let outcome = form_dialog_saving(
            ui,
            "pool",
            title,
            if is_new { "Add" } else { "Save" },
            saving,
            |ui| {
                form_grid(ui, "pool-form", |ui| {
                    text_row(
                        ui,
                        "Name",
                        &mut editor.draft.name,
                        error_of(errors.as_ref(), PoolField::Name),
                    );
                    if is_new {
                        let options: Vec<_> = PoolKind::ALL
                            .iter()
                            .map(|k| (*k, k.label().to_owned()))
                            .collect();
                        combo_row(ui, "Type", &mut editor.draft.kind, &options, None);
                    } else {
                        ui.label("Type");
                        ui.label(editor.draft.kind.label());
                        ui.end_row();
                    }
                });
            },
        );
        let close = editor.finish(
            ctx,
            outcome,
            parse_pool,
            |s, d| s.add_pool(&d.name, d.kind),
            |s, id, d| s.rename_pool(id, &d.name),
            |d| format!("Pool {}", d.name.trim()),
        );
        if close {
            self.editor = None;
        }
    }
}

/// The question asked before a pool is deleted.
pub fn delete_pool_confirm(name: &str, id: PoolId) -> Confirm {
    Confirm::delete(
        "Pool",
        name,
        "A pool that still has servers, docker agents or staging configs is kept.",
        Action::DeletePool(id),
    )
}

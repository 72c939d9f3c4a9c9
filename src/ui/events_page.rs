//! The Events page: the scaler's persisted log of every decision, transition and error,
//! filtered by kind, pool and text, newest first, following the scaler live.

use super::context::PageContext;
use super::store_answer::StoreAnswer;
use super::table::{filter_box, local_time};
use crate::model::PoolId;
use crate::model::scaler_event::{EventKind, ScalerEvent};
use crate::store::EventFilter;
use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use std::time::{Duration, Instant};

/// Rows read at most.
const SHOWN: usize = 1_000;
/// How often the page reads again while events arrive.
const REFRESH: Duration = Duration::from_millis(300);

/// State of the Events page.
pub struct EventsPage {
    kinds: Vec<(EventKind, bool)>,
    pool: Option<PoolId>,
    pub(super) filter: String,
    rows: Vec<(i64, ScalerEvent)>,
    loaded: Option<(EventFilter, u64, Instant)>,
    error: Option<String>,
    read: StoreAnswer<Vec<(i64, ScalerEvent)>>,
}

impl Default for EventsPage {
    fn default() -> Self {
        Self {
            kinds: EventKind::ALL.iter().map(|k| (*k, true)).collect(),
            pool: None,
            filter: String::new(),
            rows: Vec::new(),
            loaded: None,
            error: None,
            read: StoreAnswer::default(),
        }
    }
}

impl EventsPage {
    fn filter(&self) -> EventFilter {
        let chosen: Vec<EventKind> = self
            .kinds
            .iter()
            .filter(|(_, on)| *on)
            .map(|(k, _)| *k)
            .collect();
        EventFilter {
            // All kinds off shows nothing rather than everything.
            kinds: if chosen.is_empty() { vec![] } else { chosen },
            pool: self.pool,
            text: self.filter.clone(),
            after: None,
        }
    }

    fn refresh(&mut self, ctx: &mut PageContext<'_>) {
        let filter = self.filter();
        let generation = ctx.scaler.generation;
        let current = self
            .loaded
            .as_ref()
            .is_some_and(|(f, g, at)| *f == filter && (*g == generation || at.elapsed() < REFRESH));
        if !current {
            if self.kinds.iter().all(|(_, on)| !on) {
                self.rows.clear();
            } else {
                let wanted = filter.clone();
                self.read
                    .start(ctx, move |store| store.events(&wanted, SHOWN));
            }
            self.loaded = Some((filter, generation, Instant::now()));
        }
        match self.read.answer() {
            Some(Ok(rows)) => {
                self.rows = rows;
                self.error = None;
            }
            Some(Err(e)) => self.error = Some(format!("Reading the event log failed: {e}")),
            None => {}
        }
    }

    /// Draws the page.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        self.refresh(ctx);
        ui.heading("Events");
        ui.label("Every decision of the scaler with its reason, every instance transition and every error, as the cloud said it.");
        ui.horizontal_wrapped(|ui| {
            for (kind, on) in &mut self.kinds {
                ui.checkbox(on, kind.label());
            }
            ui.separator();
            let label = ui.label("Pool");
            let pool_name = ctx.catalog.pool_name(self.pool).to_owned();
            let choice = egui::ComboBox::from_id_salt("events-pool")
                .selected_text(if self.pool.is_none() {
                    "All pools".to_owned()
                } else {
                    pool_name
                })
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.pool, None, "All pools");
                    for pool in &ctx.catalog.pools {
                        ui.selectable_value(&mut self.pool, Some(pool.id), &pool.name);
                    }
                });
            // Screen readers (and the snapshot tests' accessibility check) name it "Pool".
            let _ = choice.response.labelled_by(label.id);
            ui.separator();
            filter_box(ui, &mut self.filter);
        });
        if let Some(error) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        ui.label(
            RichText::new(format!(
                "{} events{}",
                self.rows.len(),
                if self.rows.len() == SHOWN {
                    " (the newest; narrow the filter to see older ones)"
                } else {
                    ""
                }
            ))
            .weak(),
        );
        let catalog = ctx.catalog;
        TableBuilder::new(ui)
            .id_salt("events")
            .striped(true)
            .column(Column::auto().at_least(140.0))
            .column(Column::auto().at_least(80.0))
            .column(Column::auto().at_least(140.0))
            .column(Column::remainder())
            .header(20.0, |mut header| {
                for title in ["Time", "Kind", "Pool", "Message"] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(20.0, self.rows.len(), |mut row| {
                    let (_, event) = &self.rows[row.index()];
                    row.col(|ui| {
                        ui.label(local_time(event.at, "%Y-%m-%d %H:%M:%S"));
                    });
                    row.col(|ui| {
                        let text = RichText::new(event.kind.label());
                        ui.label(if event.kind == EventKind::Error {
                            text.color(ui.visuals().error_fg_color)
                        } else {
                            text
                        });
                    });
                    row.col(|ui| {
                        ui.label(catalog.pool_name(event.pool));
                    });
                    row.col(|ui| {
                        ui.label(&event.message).on_hover_text(&event.message);
                    });
                });
            });
    }
}

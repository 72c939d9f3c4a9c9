//! The Preview: replays the pool's recorded demand against a config's current values and the
//! ones in the form, off the window's thread, and shows both side by side with a chart of
//! capacity against demand.

use super::promise::{Promise, take};
use super::store_worker::StoreWorker;
use crate::model::AutoScaleId;
use crate::model::autoscale::AutoScaleSpec;
use crate::model::vm_provider::VmProviderSpec;
use crate::replay::{Basis, Outcome, Preview, preview};
use crate::store::Store;
use egui::{RichText, Ui};
use egui_plot::{Corner, Legend, Line, LineStyle, Plot, PlotPoints};
use jiff::{SignedDuration, Timestamp};

/// What a Preview whose thread ended without an answer says.
const STOPPED: &str = "The Preview stopped unexpectedly";

/// Days replayed, as the span picker offers them.
const SPANS: [u32; 3] = [1, 7, 30];

/// What is being compared.
pub struct PreviewInput<'a> {
    /// The stored config, when there is one (its boot times are on record).
    pub target: Option<AutoScaleId>,
    /// Its stored values; `None` for a new config (compared with the pool without it).
    pub current: Option<&'a AutoScaleSpec>,
    /// The values in the form.
    pub candidate: &'a AutoScaleSpec,
    /// The VM Provider config as stored (its Max instances and price are the current side's).
    pub provider: Option<&'a VmProviderSpec>,
    /// Max instances in the form, when it differs from the stored VM Provider config's.
    pub candidate_max: Option<u32>,
    /// What differs, in words.
    pub changes: Vec<String>,
}

/// State of one Preview.
pub struct PreviewPanel {
    days: u32,
    // On a database server: the recorded demand being read on the window's database
    // thread, and what the replay then compares.
    reading: Option<Promise<Result<Basis, String>>>,
    compared: Option<Compared>,
    running: Option<Promise<Result<Preview, String>>>,
    result: Option<Result<Preview, String>>,
}

/// What a replay compares, kept while its recorded demand is read.
struct Compared {
    current: Option<AutoScaleSpec>,
    candidate: AutoScaleSpec,
    candidate_max: Option<u32>,
    changes: Vec<String>,
}

impl Default for PreviewPanel {
    fn default() -> Self {
        Self {
            days: 7,
            reading: None,
            compared: None,
            running: None,
            result: None,
        }
    }
}

impl PreviewPanel {
    /// The last report, once a replay finished.
    pub fn result(&self) -> Option<&Result<Preview, String>> {
        self.result.as_ref()
    }

    /// Draws the panel: the span, the Run button (a spinner while it runs), the report.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        store: &Store,
        worker: Option<&StoreWorker>,
        input: PreviewInput<'_>,
    ) {
        self.poll(ui);
        ui.horizontal(|ui| {
            ui.label("Replay the last");
            for days in SPANS {
                let label = if days == 1 {
                    "day".to_owned()
                } else {
                    format!("{days} days")
                };
                ui.selectable_value(&mut self.days, days, label);
            }
            let busy = self.running.is_some() || self.reading.is_some();
            if ui
                .add_enabled(!busy, egui::Button::new("Run Preview"))
                .on_hover_text(
                    "Plays the pool's recorded sessions against the current values and these, on \
                     the simulated cloud",
                )
                .clicked()
            {
                self.start(ui, store, worker, &input);
            }
            if busy {
                ui.spinner();
                ui.label("Replaying…");
            }
        });
        match &self.result {
            None => {
                ui.weak("Not run yet: nothing is created while a Preview runs.");
            }
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            Some(Ok(report)) => report_ui(ui, report),
        }
    }

    fn start(
        &mut self,
        ui: &Ui,
        store: &Store,
        worker: Option<&StoreWorker>,
        input: &PreviewInput<'_>,
    ) {
        let now = Timestamp::now();
        let from = now - SignedDuration::from_hours(24 * i64::from(self.days));
        let compared = Compared {
            current: input.current.cloned(),
            candidate: input.candidate.clone(),
            candidate_max: input.candidate_max,
            changes: input.changes.clone(),
        };
        let (candidate, target, provider) = (
            input.candidate.clone(),
            input.target,
            input.provider.cloned(),
        );
        let load = move |store: &Store| {
            Basis::load(store, &candidate, target, provider.as_ref(), from, now, now)
                .map_err(|e| format!("The Preview could not start: {e}"))
        };
        // The recorded demand is read first: on a file here (fast), on a server on the
        // window's database thread; the replay itself runs on a thread of its own.
        match worker {
            Some(worker) => {
                self.reading = Some(worker.run(move |store: &mut Store| load(store)));
                self.compared = Some(compared);
            }
            None => match load(store) {
                Ok(basis) => self.replay(ui, basis, compared),
                Err(e) => self.result = Some(Err(e)),
            },
        }
    }

    fn replay(&mut self, ui: &Ui, basis: Basis, compared: Compared) {
        self.running = Some(Promise::spawn(ui.ctx(), move || {
            preview(
                &basis,
                compared.current.as_ref(),
                &compared.candidate,
                compared.candidate_max,
                compared.changes,
            )
            .map_err(|e| format!("The Preview could not run: {e}"))
        }));
    }

    fn poll(&mut self, ui: &Ui) {
        if let Some(read) = take(&mut self.reading, || Err(STOPPED.to_owned()))
            && let Some(compared) = self.compared.take()
        {
            match read {
                Ok(basis) => self.replay(ui, basis, compared),
                Err(e) => self.result = Some(Err(e)),
            }
        }
        if let Some(answer) = take(&mut self.running, || Err(STOPPED.to_owned())) {
            self.result = Some(answer);
        }
    }

    /// Waits for a running replay (tests).
    pub fn wait(&mut self) {
        if let Some(running) = self.running.take() {
            self.result = Some(running.wait().unwrap_or_else(|| Err(STOPPED.to_owned())));
        }
    }
}

fn report_ui(ui: &mut Ui, report: &Preview) {
    let text = report.to_text();
    // The header lines: the demand's source and the boot time.
    for line in text.lines().skip(1).take_while(|l| !l.is_empty()) {
        ui.label(RichText::new(line).small());
    }
    let left = if report.current_is_without {
        "Without it"
    } else {
        "Current"
    };
    egui::Grid::new("preview-report")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            ui.strong(left);
            ui.strong("Candidate");
            ui.end_row();
            for (label, a, b) in report.rows() {
                ui.label(label);
                ui.label(&a);
                let changed = RichText::new(&b);
                ui.label(if a != b { changed.strong() } else { changed });
                ui.end_row();
            }
        });
    let unit = match report.basis.kind {
        crate::model::PoolKind::DockerAgent => "cores",
        crate::model::PoolKind::Server => "sessions",
    };
    chart(ui, report, unit);
}

fn chart(ui: &mut Ui, report: &Preview, unit: &str) {
    let start = report.basis.from;
    let hours =
        move |o: &Outcome, value: fn(&crate::replay::Sample) -> f64| -> PlotPoints<'static> {
            o.series
                .iter()
                .map(|s| [s.at.duration_since(start).as_secs_f64() / 3600.0, value(s)])
                .collect()
        };
    Plot::new("preview-chart")
        .height(200.0)
        .legend(Legend::default().position(Corner::LeftTop))
        .include_y(0.0)
        .x_axis_label("hours into the replay")
        .allow_drag(false)
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.line(
                Line::new(
                    format!("demand ({unit})"),
                    hours(&report.current.outcome, |s| s.demand),
                )
                .width(1.5),
            );
            plot.line(
                Line::new(
                    format!("capacity now ({unit})"),
                    hours(&report.current.outcome, |s| s.capacity),
                )
                .style(LineStyle::dashed_loose()),
            );
            plot.line(
                Line::new(
                    format!("capacity with the candidate ({unit})"),
                    hours(&report.candidate.outcome, |s| s.capacity),
                )
                .width(2.0),
            );
        });
}

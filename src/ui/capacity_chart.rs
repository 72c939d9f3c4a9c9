//! A pool's free capacity, target and instance count over the last hour.

use super::scaler_view::LevelSample;
use egui::Ui;
use egui_plot::{Corner, Legend, Line, LineStyle, Plot, PlotPoints};
use jiff::Timestamp;
use std::collections::VecDeque;

/// Draws the chart; `unit` names what free and target count (cores, sessions).
pub fn capacity_chart(ui: &mut Ui, id_salt: &str, samples: &VecDeque<LevelSample>, unit: &str) {
    let now = Timestamp::now();
    // Minutes before now, so the axis reads "-40 … 0" whatever the clock says.
    let minutes = |s: &LevelSample| -(now.duration_since(s.at).as_secs_f64() / 60.0);
    let series = |value: fn(&LevelSample) -> f64| -> PlotPoints<'static> {
        samples.iter().map(|s| [minutes(s), value(s)]).collect()
    };
    Plot::new(id_salt)
        .height(180.0)
        // The newest samples are on the right: the legend keeps out of their way.
        .legend(Legend::default().position(Corner::LeftTop))
        // At least the last quarter hour; older samples (up to an hour) widen it.
        .include_x(-15.0)
        .include_x(0.0)
        .include_y(0.0)
        .x_axis_label("minutes ago")
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.line(Line::new(format!("free {unit}"), series(|s| s.free)).width(2.0));
            plot.line(
                Line::new(format!("target {unit}"), series(|s| s.target))
                    .style(LineStyle::dashed_loose()),
            );
            plot.line(
                Line::new("members", series(|s| f64::from(s.instances)))
                    .style(LineStyle::dotted_dense()),
            );
        });
}

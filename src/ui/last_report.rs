//! The Last report cell of the members tables: "12 s ago", and missing / dead in the error
//! colour once the agent is silent past the API's expirations, amber once it is late.

use super::catalog::Catalog;
use crate::model::host_health::{HostHealth, report_age};
use egui::{RichText, Ui};
use jiff::Timestamp;

/// The text of a member's Last report, and its health.
pub fn last_report_text(
    catalog: &Catalog,
    last_report: Option<Timestamp>,
    now: Timestamp,
) -> (String, HostHealth) {
    let (missing_s, dead_s) = catalog.host_expiry;
    let health = HostHealth::of(last_report, now, missing_s, dead_s);
    let age = report_age(last_report, now);
    let text = match health.label() {
        Some(word) => format!("{age} · {word}"),
        None => age,
    };
    (text, health)
}

/// Draws the cell: amber when late, in the error colour when missing or dead.
pub fn last_report_cell(ui: &mut Ui, catalog: &Catalog, last_report: Option<Timestamp>) {
    let (text, health) = last_report_text(catalog, last_report, Timestamp::now());
    match health {
        HostHealth::Unmonitored | HostHealth::Reporting => {
            ui.label(text);
        }
        HostHealth::Late => {
            ui.label(RichText::new(text).color(ui.visuals().warn_fg_color))
                .on_hover_text(
                    "No agent report for a third of the Host Missing Expiration: it still \
                     takes sessions, but its agent may have stopped",
                );
        }
        HostHealth::Missing | HostHealth::Dead => {
            ui.label(RichText::new(text).color(ui.visuals().error_fg_color))
                .on_hover_text(
                    "No agent report within the Host Missing Expiration: no new sessions go here",
                );
        }
    }
}

//! The Nodes page (Settings): every pooladmin process on a PostgreSQL database the deployment
//! shares — its role, when it was last heard from, its version — which one runs the scaler,
//! and this window's own part: it runs the scaler only when its administrator asks.

use super::context::PageContext;
use super::store_answer::StoreAnswer;
use crate::model::node::{Lease, Node, NodeRole, ago_text};
use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use std::time::{Duration, Instant};

/// How often the page reads the nodes again while it is on show.
const READ_EVERY: Duration = Duration::from_secs(2);

/// What the page shows and its next read.
#[derive(Default)]
pub struct NodesPage {
    nodes: Vec<Node>,
    lease: Option<Lease>,
    error: Option<String>,
    read: StoreAnswer<(Vec<Node>, Lease)>,
    read_at: Option<Instant>,
}

impl NodesPage {
    /// Draws the page.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        ui.heading("Nodes");
        let Some(leadership) = ctx.scaler.leadership.clone() else {
            ui.label(
                "This window holds an SQLite file: it is the only pooladmin on it, and it runs \
                 the scaler. Several nodes — headless servers that all serve the API, one of \
                 them running the scaler and another taking over within seconds when it \
                 stops — share a PostgreSQL database (README, \"High availability\").",
            );
            return;
        };
        ui.label(
            "Every pooladmin on this database serves the API; exactly one runs the scaler, \
             elected by a lease it renews every 2 s. When it stops, another node takes over \
             within 10 s (within a second after a clean stop).",
        );
        ui.add_space(8.0);
        self.refresh(ctx);
        ui.ctx().request_repaint_after(READ_EVERY);
        self.this_window_ui(ui, &leadership);
        ui.add_space(8.0);
        if let Some(error) = &self.error {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("The nodes could not be read: {error}"),
            );
        }
        if let Some(lease) = &self.lease {
            let scaler = match lease.leader() {
                Some(leader) => format!(
                    "The scaler runs on {leader} (lease renewed {}, epoch {}).",
                    ago_text(lease.renewed_ago),
                    lease.epoch
                ),
                None => "No node runs the scaler.".to_owned(),
            };
            ui.label(RichText::new(scaler).strong());
            ui.label(format!(
                "Take-overs after a node stopped renewing: {}.",
                lease.failovers
            ));
            ui.add_space(6.0);
        }
        self.table_ui(ui);
    }

    /// Reads the nodes at once when shown, then every couple of seconds.
    fn refresh(&mut self, ctx: &mut PageContext<'_>) {
        if let Some(answer) = self.read.answer() {
            match answer {
                Ok((nodes, lease)) => {
                    self.nodes = nodes;
                    self.lease = Some(lease);
                    self.error = None;
                }
                Err(e) => self.error = Some(e.to_string()),
            }
        }
        let due = self.read_at.is_none_or(|at| at.elapsed() >= READ_EVERY);
        if due && !self.read.busy() {
            self.read_at = Some(Instant::now());
            self.read
                .start(ctx, |store| Ok((store.nodes()?, store.lease()?)));
        }
    }

    fn this_window_ui(&self, ui: &mut Ui, leadership: &crate::scaler::Leadership) {
        let view = leadership.view();
        ui.horizontal(|ui| {
            ui.label(format!("This window is node {}.", view.node));
            if view.role == Some(NodeRole::Scaler) {
                ui.label("It runs the scaler.");
                if ui
                    .button("Stop running the scaler here")
                    .on_hover_text("Hands the scaler back: a standby node takes it over at once")
                    .clicked()
                {
                    leadership.set_campaign(false);
                }
            } else if leadership.campaigns() {
                ui.spinner();
                ui.label("It will run the scaler once no other node does.");
                if ui.button("Do not run the scaler here").clicked() {
                    leadership.set_campaign(false);
                }
            } else if ui
                .button("Run the scaler here")
                .on_hover_text(
                    "This window stands for the scaler: it takes it over once no other node \
                     runs it. A laptop that sleeps hands it over to a standby node.",
                )
                .clicked()
            {
                leadership.set_campaign(true);
            }
        });
        if !view.note.is_empty() {
            ui.colored_label(ui.visuals().warn_fg_color, &view.note);
        }
    }

    fn table_ui(&self, ui: &mut Ui) {
        let leader = self.lease.as_ref().and_then(Lease::leader);
        TableBuilder::new(ui)
            .id_salt("nodes")
            .striped(true)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::initial(220.0).resizable(true))
            .column(Column::initial(150.0))
            .column(Column::initial(140.0))
            .column(Column::initial(90.0))
            .column(Column::initial(120.0))
            .column(Column::initial(180.0).resizable(true))
            .column(Column::remainder().at_least(120.0))
            .header(24.0, |mut header| {
                for label in [
                    "Node",
                    "Role",
                    "Last heartbeat",
                    "Version",
                    "Started",
                    "Process",
                    "Note",
                ] {
                    header.col(|ui| {
                        ui.strong(label);
                    });
                }
            })
            .body(|mut body| {
                for node in &self.nodes {
                    let gone = node.is_gone();
                    let leads = leader == Some(node.name.as_str()) && !gone;
                    body.row(24.0, |mut row| {
                        row.col(|ui| {
                            let name = RichText::new(&node.name);
                            ui.label(if leads { name.strong() } else { name });
                        });
                        row.col(|ui| {
                            let role = match (gone, node.role) {
                                (true, NodeRole::Stopped) => RichText::new("stopped").weak(),
                                (true, _) => RichText::new("gone").weak(),
                                (false, NodeRole::Scaler) => RichText::new("scaler")
                                    .strong()
                                    .color(ui.visuals().hyperlink_color),
                                (false, role) => RichText::new(role.as_str()),
                            };
                            ui.label(role);
                        });
                        row.col(|ui| {
                            let text = ago_text(node.heartbeat_ago);
                            ui.label(if gone {
                                RichText::new(text).weak()
                            } else {
                                RichText::new(text)
                            });
                        });
                        row.col(|ui| {
                            ui.label(&node.version);
                        });
                        row.col(|ui| {
                            ui.label(ago_text(node.started_ago));
                        });
                        row.col(|ui| {
                            ui.label(format!("pid {} on {}", node.pid, node.host));
                        });
                        row.col(|ui| {
                            ui.label(&node.note);
                        });
                    });
                }
            });
    }
}

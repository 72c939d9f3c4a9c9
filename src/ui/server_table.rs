//! The servers table, shared by the Servers page and a pool's Servers List.

use super::catalog::Catalog;
use super::last_report::last_report_cell;
use super::table::{ACTIONS_MENU, Sort, matches, sort_header};
use crate::model::{PoolId, ServerId};
use egui::Ui;
use egui_extras::{Column, TableBuilder};

use super::theme::ROW_HEIGHT;
const HEADERS: [&str; 11] = [
    "Friendly Name",
    "Enabled",
    "Zone",
    "Pool",
    "Connection",
    "Host",
    "Port",
    "Sessions",
    "Reusable",
    "Origin",
    "Last report",
];

/// What a row's buttons ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerAction {
    /// Open the edit dialog.
    Edit(ServerId),
    /// Ask to delete.
    Delete(ServerId),
    /// Take out of its pool.
    Unassign(ServerId),
    /// Issue a new agent token (shown once).
    AgentToken(ServerId),
}

/// Indices of the servers to show: those of `pool` (or all), matching `filter`, sorted.
pub fn visible_servers(
    catalog: &Catalog,
    filter: &str,
    sort: Sort,
    pool: Option<PoolId>,
) -> Vec<usize> {
    let servers = &catalog.servers;
    let mut rows: Vec<usize> = (0..servers.len())
        .filter(|&i| {
            let s = &servers[i].server.spec;
            pool.is_none_or(|p| s.pool == Some(p))
                && matches(
                    filter,
                    &[&s.friendly_name, &s.host, catalog.pool_name(s.pool)],
                )
        })
        .collect();
    rows.sort_by(|&a, &b| {
        let (ra, rb) = (&servers[a], &servers[b]);
        let (a, b) = (&ra.server.spec, &rb.server.spec);
        sort.apply(match sort.column {
            1 => a.enabled.cmp(&b.enabled),
            2 => catalog.zone_name(a.zone).cmp(catalog.zone_name(b.zone)),
            3 => catalog.pool_name(a.pool).cmp(catalog.pool_name(b.pool)),
            4 => a.connection_type.label().cmp(b.connection_type.label()),
            5 => a.host.cmp(&b.host),
            6 => a.port.cmp(&b.port),
            7 => ra.sessions.cmp(&rb.sessions),
            8 => a.reusable.cmp(&b.reusable),
            9 => ra.server.origin.label().cmp(rb.server.origin.label()),
            10 => ra.server.last_report.cmp(&rb.server.last_report),
            _ => a
                .friendly_name
                .to_lowercase()
                .cmp(&b.friendly_name.to_lowercase()),
        })
    });
    rows
}

/// Draws the table; returns the button clicked, if any.
pub fn servers_table(
    ui: &mut Ui,
    id_salt: &str,
    catalog: &Catalog,
    rows: &[usize],
    sort: &mut Sort,
    in_pool: bool,
) -> Option<ServerAction> {
    let mut action = None;
    // Wide tables scroll sideways rather than hiding their last columns.
    egui::ScrollArea::horizontal()
        .id_salt(id_salt)
        .show(ui, |ui| {
            TableBuilder::new(ui)
                .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
                .id_salt(id_salt)
                .striped(true)
                .column(Column::initial(140.0).at_least(100.0).resizable(true))
                .column(Column::initial(64.0))
                .column(Column::initial(90.0).resizable(true))
                .column(Column::initial(100.0).resizable(true))
                .column(Column::initial(86.0))
                .column(Column::initial(150.0).resizable(true))
                .column(Column::initial(50.0))
                .column(Column::initial(70.0))
                .column(Column::initial(70.0))
                .column(Column::initial(80.0))
                .column(Column::initial(120.0))
                .column(Column::remainder().at_least(100.0))
                .header(ROW_HEIGHT, |mut header| {
                    for (i, label) in HEADERS.into_iter().enumerate() {
                        header.col(|ui| sort_header(ui, label, i, sort));
                    }
                    header.col(|ui| {
                        ui.strong("Actions");
                    });
                })
                .body(|body| {
                    body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                        let entry = &catalog.servers[rows[row.index()]];
                        let s = &entry.server.spec;
                        let id = entry.server.id;
                        row.col(|ui| {
                            if ui.link(&s.friendly_name).clicked() {
                                action = Some(ServerAction::Edit(id));
                            }
                        });
                        row.col(|ui| {
                            ui.label(if s.enabled { "Yes" } else { "No" });
                        });
                        row.col(|ui| {
                            ui.label(catalog.zone_name(s.zone));
                        });
                        row.col(|ui| {
                            ui.label(catalog.pool_name(s.pool));
                        });
                        row.col(|ui| {
                            ui.label(s.connection_type.label());
                        });
                        row.col(|ui| {
                            ui.label(&s.host);
                        });
                        row.col(|ui| {
                            ui.label(s.port.to_string());
                        });
                        row.col(|ui| {
                            ui.label(format!("{} / {}", entry.sessions, s.max_sessions));
                        });
                        row.col(|ui| {
                            ui.label(if s.reusable { "Yes" } else { "No" });
                        });
                        row.col(|ui| {
                            ui.label(entry.server.origin.label());
                        });
                        row.col(|ui| {
                            last_report_cell(ui, catalog, entry.server.last_report);
                        });
                        row.col(|ui| {
                            ui.menu_button(ACTIONS_MENU, |ui| {
                                if ui.button("Edit").clicked() {
                                    action = Some(ServerAction::Edit(id));
                                }
                                if entry.server.origin == crate::model::Origin::Static
                                    && ui.button("Agent token…").clicked()
                                {
                                    action = Some(ServerAction::AgentToken(id));
                                }
                                if in_pool {
                                    if ui.button("Unassign").clicked() {
                                        action = Some(ServerAction::Unassign(id));
                                    }
                                } else if ui.button("Delete…").clicked() {
                                    action = Some(ServerAction::Delete(id));
                                }
                            });
                        });
                    });
                });
        });
    action
}

/// Carries out a row's button: opens the form, asks before deleting, or unassigns.
pub fn handle_server_action(
    action: ServerAction,
    ctx: &mut super::context::PageContext<'_>,
    form: &mut Option<super::server_form::ServerForm>,
) {
    let id = match action {
        ServerAction::Edit(id)
        | ServerAction::Delete(id)
        | ServerAction::Unassign(id)
        | ServerAction::AgentToken(id) => id,
    };
    let Some(row) = ctx.catalog.servers.iter().find(|r| r.server.id == id) else {
        return;
    };
    let name = row.server.spec.friendly_name.clone();
    match action {
        ServerAction::Edit(_) => {
            *form = Some(super::server_form::ServerForm::edit(
                id,
                crate::model::ServerDraft::from_spec(&row.server.spec),
            ));
        }
        ServerAction::Delete(_) => {
            ctx.confirm(super::confirm::Confirm::delete(
                "Server",
                &name,
                "This cannot be undone.",
                super::confirm::Action::DeleteServer(id),
            ));
        }
        ServerAction::Unassign(_) => {
            ctx.act(
                move |store| store.unassign_server(id),
                format!("Server {name} unassigned"),
            );
        }
        ServerAction::AgentToken(_) => {
            ctx.issue_token(&name, crate::model::SessionHost::Server(id));
        }
    }
}

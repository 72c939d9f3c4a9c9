//! The docker agents table, shared by the Docker Agents page and a pool's Docker Agents List.

use super::catalog::Catalog;
use super::last_report::last_report_cell;
use super::table::{ACTIONS_MENU, Sort, matches, sort_header};
use crate::model::resources::format_cores;
use crate::model::{AgentId, PoolId};
use crate::store::AgentRow;
use egui::Ui;
use egui_extras::{Column, TableBuilder};

use super::theme::ROW_HEIGHT;
const HEADERS: [&str; 11] = [
    "Hostname",
    "State",
    "Zone",
    "Pool",
    "Cores",
    "Memory (MB)",
    "GPUs",
    "Sessions",
    "Free cores",
    "Origin",
    "Last report",
];

/// What a row's buttons ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentAction {
    /// Open the edit dialog.
    Edit(AgentId),
    /// Ask to delete.
    Delete(AgentId),
    /// Take out of its pool.
    Unassign(AgentId),
    /// Enable or disable.
    SetEnabled(AgentId, bool),
    /// Start or stop draining.
    SetDraining(AgentId, bool),
    /// Issue a new agent token (shown once).
    AgentToken(AgentId),
}

fn state(row: &AgentRow) -> &'static str {
    match (row.agent.spec.enabled, row.agent.draining) {
        (false, _) => "Disabled",
        (true, true) => "Draining",
        (true, false) => "Enabled",
    }
}

/// Indices of the agents to show: those of `pool` (or all), matching `filter`, sorted.
pub fn visible_agents(
    catalog: &Catalog,
    filter: &str,
    sort: Sort,
    pool: Option<PoolId>,
) -> Vec<usize> {
    let agents = &catalog.agents;
    let mut rows: Vec<usize> = (0..agents.len())
        .filter(|&i| {
            let a = &agents[i];
            pool.is_none_or(|p| a.agent.spec.pool == Some(p))
                && matches(
                    filter,
                    &[
                        &a.agent.spec.hostname,
                        catalog.pool_name(a.agent.spec.pool),
                        state(a),
                    ],
                )
        })
        .collect();
    rows.sort_by(|&a, &b| {
        let (ra, rb) = (&agents[a], &agents[b]);
        let (a, b) = (&ra.agent.spec, &rb.agent.spec);
        let (ca, cb) = (a.capacity(), b.capacity());
        sort.apply(match sort.column {
            1 => state(ra).cmp(state(rb)),
            2 => catalog.zone_name(a.zone).cmp(catalog.zone_name(b.zone)),
            3 => catalog.pool_name(a.pool).cmp(catalog.pool_name(b.pool)),
            4 => ca.cores.total_cmp(&cb.cores),
            5 => ca.memory_mb.cmp(&cb.memory_mb),
            6 => ca.gpus.cmp(&cb.gpus),
            7 => ra.sessions.cmp(&rb.sessions),
            8 => ra.free().cores.total_cmp(&rb.free().cores),
            9 => ra.agent.origin.label().cmp(rb.agent.origin.label()),
            10 => ra.agent.last_report.cmp(&rb.agent.last_report),
            _ => a.hostname.to_lowercase().cmp(&b.hostname.to_lowercase()),
        })
    });
    rows
}

/// Draws the table; returns the button clicked, if any.
pub fn agents_table(
    ui: &mut Ui,
    id_salt: &str,
    catalog: &Catalog,
    rows: &[usize],
    sort: &mut Sort,
    in_pool: bool,
) -> Option<AgentAction> {
    let mut action = None;
    // Wide tables scroll sideways rather than hiding their last columns.
    egui::ScrollArea::horizontal()
        .id_salt(id_salt)
        .show(ui, |ui| {
            TableBuilder::new(ui)
                .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
                .id_salt(id_salt)
                .striped(true)
                .column(Column::initial(170.0).at_least(100.0).resizable(true))
                .column(Column::initial(70.0))
                .column(Column::initial(80.0).resizable(true))
                .column(Column::initial(100.0).resizable(true))
                .column(Column::initial(56.0))
                .column(Column::initial(100.0))
                .column(Column::initial(52.0))
                .column(Column::initial(72.0))
                .column(Column::initial(84.0))
                .column(Column::initial(84.0))
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
                        let entry = &catalog.agents[rows[row.index()]];
                        let a = &entry.agent.spec;
                        let id = entry.agent.id;
                        let capacity = a.capacity();
                        row.col(|ui| {
                            if ui.link(&a.hostname).clicked() {
                                action = Some(AgentAction::Edit(id));
                            }
                        });
                        row.col(|ui| {
                            ui.label(state(entry));
                        });
                        row.col(|ui| {
                            ui.label(catalog.zone_name(a.zone));
                        });
                        row.col(|ui| {
                            ui.label(catalog.pool_name(a.pool));
                        });
                        row.col(|ui| {
                            ui.label(format_cores(capacity.cores));
                        });
                        row.col(|ui| {
                            ui.label(capacity.memory_mb.to_string());
                        });
                        row.col(|ui| {
                            ui.label(capacity.gpus.to_string());
                        });
                        row.col(|ui| {
                            ui.label(entry.sessions.to_string());
                        });
                        row.col(|ui| {
                            ui.label(format_cores(entry.free().cores));
                        });
                        row.col(|ui| {
                            ui.label(entry.agent.origin.label());
                        });
                        row.col(|ui| {
                            last_report_cell(ui, catalog, entry.agent.last_report);
                        });
                        row.col(|ui| {
                            ui.menu_button(ACTIONS_MENU, |ui| {
                                if ui.button("Edit").clicked() {
                                    action = Some(AgentAction::Edit(id));
                                }
                                let toggle = if a.enabled { "Disable" } else { "Enable" };
                                if ui.button(toggle).clicked() {
                                    action = Some(AgentAction::SetEnabled(id, !a.enabled));
                                }
                                let drain = if entry.agent.draining {
                                    "Stop draining"
                                } else {
                                    "Drain"
                                };
                                if ui.button(drain).clicked() {
                                    action =
                                        Some(AgentAction::SetDraining(id, !entry.agent.draining));
                                }
                                if entry.agent.origin == crate::model::Origin::Static
                                    && ui.button("Agent token…").clicked()
                                {
                                    action = Some(AgentAction::AgentToken(id));
                                }
                                if in_pool {
                                    if ui.button("Unassign").clicked() {
                                        action = Some(AgentAction::Unassign(id));
                                    }
                                } else if ui.button("Delete…").clicked() {
                                    action = Some(AgentAction::Delete(id));
                                }
                            });
                        });
                    });
                });
        });
    action
}

/// Carries out a row's button: opens the form, asks before deleting, or changes the agent.
pub fn handle_agent_action(
    action: AgentAction,
    ctx: &mut super::context::PageContext<'_>,
    form: &mut Option<super::agent_form::AgentForm>,
) {
    let id = match action {
        AgentAction::Edit(id)
        | AgentAction::Delete(id)
        | AgentAction::Unassign(id)
        | AgentAction::SetEnabled(id, _)
        | AgentAction::SetDraining(id, _)
        | AgentAction::AgentToken(id) => id,
    };
    let Some(row) = ctx.catalog.agents.iter().find(|r| r.agent.id == id) else {
        return;
    };
    let name = row.agent.spec.hostname.clone();
    match action {
        AgentAction::Edit(_) => {
            *form = Some(super::agent_form::AgentForm::edit(
                id,
                crate::model::AgentDraft::from_spec(&row.agent.spec),
            ));
        }
        AgentAction::Delete(_) => {
            ctx.confirm(super::confirm::Confirm::delete(
                "Docker agent",
                &name,
                "This cannot be undone.",
                super::confirm::Action::DeleteAgent(id),
            ));
        }
        AgentAction::Unassign(_) => {
            ctx.act(
                move |store| store.unassign_agent(id),
                format!("Docker agent {name} unassigned"),
            );
        }
        AgentAction::SetEnabled(_, enabled) => {
            let verb = if enabled { "enabled" } else { "disabled" };
            ctx.act(
                move |store| store.set_agent_enabled(id, enabled),
                format!("Docker agent {name} {verb}"),
            );
        }
        AgentAction::AgentToken(_) => {
            ctx.issue_token(&name, crate::model::SessionHost::Agent(id));
        }
        AgentAction::SetDraining(_, draining) => {
            let what = if draining {
                "is draining: it takes no new sessions"
            } else {
                "takes new sessions again"
            };
            ctx.act(
                move |store| store.set_agent_draining(id, draining),
                format!("Docker agent {name} {what}"),
            );
        }
    }
}

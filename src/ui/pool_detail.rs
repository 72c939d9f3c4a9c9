//! One pool: its Servers List or Docker Agents List, with Assign and Unassign.

use super::agent_form::AgentForm;
use super::agent_table::{agents_table, handle_agent_action, visible_agents};
use super::autoscale_table::{AutoScaleDialogs, autoscale_table, handle_autoscale_action};
use super::context::PageContext;
use super::dialog::{Outcome, form_dialog};
use super::page::Page;
use super::pool_status::PoolStatus;
use super::pools_page::delete_pool_confirm;
use super::server_form::ServerForm;
use super::server_table::{handle_server_action, servers_table, visible_servers};
use super::table::{RowOrder, Sort, filter_box, matches};
use super::wizard::AutoScaleWizard;
use crate::model::{AgentId, AutoScaleId, Pool, PoolId, PoolKind, ServerId};
use egui::Ui;
use std::collections::BTreeSet;

/// The Assign dialog: unassigned members of the pool's kind, several at once.
#[derive(Default)]
struct AssignDialog {
    filter: String,
    chosen: BTreeSet<i64>,
}

/// The two tabs of a pool page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Tab {
    /// AutoScale configs and members.
    #[default]
    Members,
    /// What the scaler does for this pool.
    Status,
}

/// State of the pool page.
#[derive(Default)]
pub struct PoolDetail {
    pool: Option<PoolId>,
    tab: Tab,
    status: PoolStatus,
    filter: String,
    sort: Sort,
    order: RowOrder,
    assign: Option<AssignDialog>,
    server_form: Option<ServerForm>,
    agent_form: Option<AgentForm>,
    dialogs: AutoScaleDialogs,
    /// The Assign dialog of AutoScale configs: the one chosen.
    assign_autoscale: Option<Option<AutoScaleId>>,
}

impl PoolDetail {
    /// Draws the page of the pool on show.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        let Page::Pool(id) = ctx.page else {
            return;
        };
        if self.pool != Some(id) {
            *self = Self {
                pool: Some(id),
                ..Self::default()
            };
        }
        let Some(pool) = ctx.catalog.pool(id).cloned() else {
            ui.label("This pool no longer exists.");
            if ui.button("Back to Pools").clicked() {
                ctx.navigate(Page::Pools);
            }
            return;
        };
        self.header_ui(ui, ctx, &pool);
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.tab, Tab::Members, "Members and AutoScale");
            ui.selectable_value(&mut self.tab, Tab::Status, "Status");
        });
        ui.separator();
        match self.tab {
            Tab::Members => {
                self.autoscale_ui(ui, ctx, &pool);
                ui.separator();
                self.members_ui(ui, ctx, &pool);
            }
            Tab::Status => self.status.ui(ui, ctx, &pool),
        }
        self.assign_ui(ui, ctx, &pool);
        self.assign_autoscale_ui(ui, ctx, &pool);
        self.dialogs.ui(ui, ctx);
        if let Some(form) = &mut self.server_form
            && form.ui(ui, ctx)
        {
            self.server_form = None;
        }
        if let Some(form) = &mut self.agent_form
            && form.ui(ui, ctx)
        {
            self.agent_form = None;
        }
    }

    fn header_ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>, pool: &Pool) {
        ui.horizontal(|ui| {
            if ui.link("← Pools").clicked() {
                ctx.navigate(Page::Pools);
            }
        });
        ui.horizontal(|ui| {
            ui.heading(&pool.name);
            ui.label(format!("{} pool", pool.kind.label()));
            ui.add_space(16.0);
            if ui.button("Delete pool").clicked() {
                ctx.confirm(delete_pool_confirm(&pool.name, pool.id));
            }
        });
        if let Some(summary) = ctx.catalog.overview.iter().find(|s| s.pool.id == pool.id) {
            ui.label(format!(
                "{} members · {} sessions · free: {}",
                summary.members, summary.sessions, summary.free
            ));
        }
    }

    fn autoscale_ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>, pool: &Pool) {
        ui.horizontal(|ui| {
            ui.heading("AutoScale Configurations");
            ui.add_space(16.0);
            if ui.button("Add AutoScale config").clicked() {
                self.dialogs.wizard = Some(AutoScaleWizard::add(pool, ctx));
            }
            if ui.button("Assign AutoScale config").clicked() {
                self.assign_autoscale = Some(None);
            }
        });
        let rows: Vec<usize> = (0..ctx.catalog.autoscale.len())
            .filter(|&i| ctx.catalog.autoscale[i].spec.pool == pool.id)
            .collect();
        if rows.is_empty() {
            ui.label(format!(
                "No AutoScale config keeps this pool supplied. Add one to create {}s in a cloud on demand.",
                pool.kind.member_noun()
            ));
            return;
        }
        ui.label("Configs serve a deficit in this order: the first with headroom goes first.");
        ui.push_id("pool-autoscale", |ui| {
            if let Some(action) = autoscale_table(ui, "pool-autoscale", ctx.catalog, &rows, true) {
                handle_autoscale_action(action, ctx, &mut self.dialogs);
            }
        });
    }

    fn assign_autoscale_ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>, pool: &Pool) {
        let Some(chosen) = &mut self.assign_autoscale else {
            return;
        };
        let candidates: Vec<_> = ctx
            .catalog
            .autoscale
            .iter()
            .filter(|r| r.spec.pool != pool.id && r.spec.scaling.kind() == pool.kind)
            .collect();
        let title = format!("Assign an AutoScale config to {}", pool.name);
        let outcome = form_dialog(ui, "assign-autoscale", &title, "Assign", |ui| {
            if candidates.is_empty() {
                ui.label(format!(
                    "No AutoScale config of another {} pool exists. Add one with the wizard instead.",
                    pool.kind.label()
                ));
            }
            for row in &candidates {
                let text = format!(
                    "{} (now in {})",
                    row.spec.name,
                    ctx.catalog.pool_name(Some(row.spec.pool))
                );
                ui.radio_value(chosen, Some(row.id), text);
            }
        });
        let close = match outcome {
            Outcome::Open => false,
            Outcome::Cancel => true,
            Outcome::Submit => match *chosen {
                None => {
                    ctx.error("Choose the AutoScale config to assign".to_owned());
                    false
                }
                Some(id) => {
                    let pool_id = pool.id;
                    ctx.act(
                        move |store| store.assign_autoscale(id, pool_id),
                        format!("AutoScale config assigned to {}", pool.name),
                    )
                }
            },
        };
        if close {
            self.assign_autoscale = None;
        }
    }

    fn members_ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>, pool: &Pool) {
        let (title, noun) = match pool.kind {
            PoolKind::Server => ("Servers List", "server"),
            PoolKind::DockerAgent => ("Docker Agents List", "docker agent"),
        };
        ui.horizontal(|ui| {
            ui.heading(title);
            ui.add_space(16.0);
            filter_box(ui, &mut self.filter);
            if ui.button("Assign").clicked() {
                self.assign = Some(AssignDialog::default());
            }
            if ui.button(format!("Add {noun}")).clicked() {
                match pool.kind {
                    PoolKind::Server => {
                        self.server_form = Some(ServerForm::add(ctx, Some(pool.id)))
                    }
                    PoolKind::DockerAgent => {
                        self.agent_form = Some(AgentForm::add(ctx, Some(pool.id)));
                    }
                }
            }
        });
        let catalog = ctx.catalog;
        let sort = self.sort;
        let rows = self
            .order
            .rows(catalog.generation, &self.filter, sort, |f| {
                match pool.kind {
                    PoolKind::Server => visible_servers(catalog, f, sort, Some(pool.id)),
                    PoolKind::DockerAgent => visible_agents(catalog, f, sort, Some(pool.id)),
                }
            })
            .to_vec();
        if rows.is_empty() && self.filter.is_empty() {
            ui.label(format!(
                "No {noun}s in this pool yet. Assign existing ones or add a new one."
            ));
            return;
        }
        match pool.kind {
            PoolKind::Server => {
                if let Some(action) =
                    servers_table(ui, "pool-servers", catalog, &rows, &mut self.sort, true)
                {
                    handle_server_action(action, ctx, &mut self.server_form);
                }
            }
            PoolKind::DockerAgent => {
                if let Some(action) =
                    agents_table(ui, "pool-agents", catalog, &rows, &mut self.sort, true)
                {
                    handle_agent_action(action, ctx, &mut self.agent_form);
                }
            }
        }
    }

    fn assign_ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>, pool: &Pool) {
        let Some(dialog) = &mut self.assign else {
            return;
        };
        let catalog = ctx.catalog;
        // Unassigned members of the pool's kind: (id, name, detail).
        let candidates: Vec<(i64, &str, String)> = match pool.kind {
            PoolKind::Server => catalog
                .servers
                .iter()
                .filter(|r| r.server.spec.pool.is_none())
                .map(|r| {
                    let s = &r.server.spec;
                    (
                        r.server.id.0,
                        s.friendly_name.as_str(),
                        format!("{} {}:{}", s.connection_type.label(), s.host, s.port),
                    )
                })
                .collect(),
            PoolKind::DockerAgent => catalog
                .agents
                .iter()
                .filter(|r| r.agent.spec.pool.is_none())
                .map(|r| {
                    (
                        r.agent.id.0,
                        r.agent.spec.hostname.as_str(),
                        r.agent.spec.capacity().to_string(),
                    )
                })
                .collect(),
        };
        let noun = pool.kind.member_noun();
        let title = format!("Assign {noun}s to {}", pool.name);
        let submit = format!("Assign {}", dialog.chosen.len());
        let outcome = form_dialog(ui, "assign", &title, &submit, |ui| {
            if candidates.is_empty() {
                ui.label(format!(
                    "Every {noun} is already in a pool. Unassign one elsewhere, or add a new one."
                ));
                return;
            }
            filter_box(ui, &mut dialog.filter);
            let filter = dialog.filter.to_lowercase();
            egui::ScrollArea::vertical()
                .max_height(320.0)
                .show(ui, |ui| {
                    for (id, name, detail) in &candidates {
                        if !matches(&filter, &[name, detail]) {
                            continue;
                        }
                        let mut on = dialog.chosen.contains(id);
                        ui.horizontal(|ui| {
                            if ui.checkbox(&mut on, *name).changed() {
                                if on {
                                    dialog.chosen.insert(*id);
                                } else {
                                    dialog.chosen.remove(id);
                                }
                            }
                            ui.label(egui::RichText::new(detail).weak());
                        });
                    }
                });
        });
        let close = match outcome {
            Outcome::Open => false,
            Outcome::Cancel => true,
            Outcome::Submit if dialog.chosen.is_empty() => {
                ctx.error(format!("Choose at least one {noun} to assign"));
                false
            }
            Outcome::Submit => {
                let count = dialog.chosen.len();
                let done = format!("{count} {noun}s assigned to {}", pool.name);
                let (pool_id, chosen) = (pool.id, dialog.chosen.clone());
                match pool.kind {
                    PoolKind::Server => {
                        let ids: Vec<_> = chosen.iter().map(|&i| ServerId(i)).collect();
                        ctx.act(move |store| store.assign_servers(pool_id, &ids), done)
                    }
                    PoolKind::DockerAgent => {
                        let ids: Vec<_> = chosen.iter().map(|&i| AgentId(i)).collect();
                        ctx.act(move |store| store.assign_agents(pool_id, &ids), done)
                    }
                }
            }
        };
        if close {
            self.assign = None;
        }
    }
}

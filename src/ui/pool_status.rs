//! A pool's Status tab: its members by lifecycle state, free capacity against the target,
//! each AutoScale config's health with Pause / Resume, the chart of the last hour, the
//! scaler's last decisions with their reasons, and the autoscaled instances.

use super::capacity_chart::capacity_chart;
use super::context::PageContext;
use super::pools_page::cost_words;
use super::store_answer::StoreAnswer;
use super::table::local_time;
use crate::model::autoscale::{AutoScaleSpec, ScalingValues};
use crate::model::config_health::{ConfigHealth, HealthStatus};
use crate::model::instance::{Instance, InstanceState};
use crate::model::resources::format_cores;
use crate::model::scaler_event::{EventKind, ScalerEvent};
use crate::model::schedule::Level;
use crate::model::{AutoScaleId, Pool, PoolKind};
use crate::scaler::Command;
use crate::store::{EventFilter, MemberCounts};
use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How often the tab reads the store again while the scaler is busy.
const REFRESH: Duration = Duration::from_millis(250);
/// Decisions shown.
const DECISIONS: usize = 8;

/// What the tab last read.
#[derive(Default)]
pub struct PoolStatus {
    loaded: Option<(u64, Instant)>,
    instances: Vec<Instance>,
    health: HashMap<AutoScaleId, ConfigHealth>,
    decisions: Vec<(i64, ScalerEvent)>,
    /// Its members by state (late and missing ones counted), as the API reports them.
    members: MemberCounts,
    /// What each config's timetable says, worked out with the rest, not every frame.
    timetables: Vec<String>,
    /// What its instances cost, when its configs have a price.
    cost: Option<String>,
    error: Option<String>,
    /// The instance whose Drain waits for a second click.
    confirm_drain: Option<crate::model::instance::InstanceId>,
    read: StoreAnswer<StatusRows>,
}

/// What the tab reads of the store: the pool's live instances, every config's health, the
/// pool's last decisions, and its members by state.
type StatusRows = (
    Vec<Instance>,
    HashMap<AutoScaleId, ConfigHealth>,
    Vec<(i64, ScalerEvent)>,
    MemberCounts,
);

impl PoolStatus {
    fn refresh(&mut self, ctx: &mut PageContext<'_>, pool: &Pool) {
        let generation = ctx.scaler.generation;
        let fresh = self
            .loaded
            .is_some_and(|(g, at)| g == generation || at.elapsed() < REFRESH);
        if !fresh {
            let pool_id = pool.id;
            self.read.start(ctx, move |store| {
                let instances: Vec<Instance> = store
                    .live_instances()?
                    .into_iter()
                    .filter(|i| i.pool == pool_id)
                    .collect();
                let decisions = store.events(
                    &EventFilter {
                        kinds: vec![EventKind::Decision, EventKind::Budget],
                        pool: Some(pool_id),
                        ..EventFilter::default()
                    },
                    DECISIONS,
                )?;
                let members = store
                    .member_counts(jiff::Timestamp::now())?
                    .remove(&pool_id)
                    .unwrap_or_default();
                Ok((instances, store.config_health()?, decisions, members))
            });
            let now = jiff::Timestamp::now();
            self.cost = ctx.catalog.pool_cost(pool.id, now).map(|cost| {
                format!(
                    "Cost: {}",
                    cost_words(&cost, &ctx.catalog.settings.currency)
                )
            });
            self.timetables = ctx
                .catalog
                .autoscale
                .iter()
                .filter(|c| c.spec.pool == pool.id)
                .filter_map(|c| {
                    timetable_line(&c.spec, now).map(|line| format!("{}: {line}", c.spec.name))
                })
                .collect();
            self.loaded = Some((generation, Instant::now()));
        }
        match self.read.answer() {
            Some(Ok((instances, health, decisions, members))) => {
                self.members = members;
                self.instances = instances;
                self.health = health;
                self.decisions = decisions;
                self.error = None;
            }
            Some(Err(e)) => self.error = Some(format!("Reading the scaler's state failed: {e}")),
            None => {}
        }
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>, pool: &Pool) {
        self.refresh(ctx, pool);
        if let Some(error) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        if !ctx.scaler.attached {
            ui.label(
                RichText::new(
                    "The scaler is not running in this window: nothing is created or deleted.",
                )
                .color(ui.visuals().warn_fg_color),
            );
        }
        if let Some((reason, _)) = &ctx.scaler.stopped {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("scaler stopped: {reason}"),
            );
        }
        if let Some(reason) = &ctx.scaler.creates_paused {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("creates paused: {reason}"),
            );
        }
        let unit = match pool.kind {
            PoolKind::DockerAgent => "cores",
            PoolKind::Server => "sessions",
        };
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                self.capacity_ui(ui, ctx, pool, unit);
                if let Some(cost) = &self.cost {
                    ui.label(cost);
                }
                ui.add_space(6.0);
                self.configs_ui(ui, ctx, pool);
                ui.add_space(6.0);
                ui.strong(
                    "Free capacity (in-flight instances included), target and members — last hour",
                );
                match ctx.scaler.levels.get(&pool.id) {
                    Some(samples) if !samples.is_empty() => {
                        capacity_chart(ui, "capacity-chart", samples, unit);
                    }
                    _ => {
                        ui.weak("No samples yet: the chart fills as the scaler runs.");
                    }
                }
                ui.add_space(6.0);
                self.decisions_ui(ui);
                ui.add_space(6.0);
                self.instances_ui(ui, ctx);
            });
    }

    fn capacity_ui(&self, ui: &mut Ui, ctx: &PageContext<'_>, pool: &Pool, unit: &str) {
        ui.horizontal_wrapped(|ui| {
            match ctx.scaler.level(pool.id) {
                Some(level) => {
                    let short = level.free + 1e-9 < level.target;
                    let text = format!(
                        "Free {} of target {} {unit}",
                        format_cores(level.free),
                        format_cores(level.target)
                    );
                    let color = if short {
                        ui.visuals().warn_fg_color
                    } else {
                        ui.visuals().text_color()
                    };
                    ui.label(RichText::new(text).strong().color(color));
                }
                None => {
                    ui.label("Free capacity: waiting for the scaler's first pass");
                }
            }
            ui.separator();
            for state in InstanceState::ALL.iter().filter(|s| !s.is_terminal()) {
                let count = self.instances.iter().filter(|i| i.state == *state).count();
                let busy = matches!(
                    state,
                    InstanceState::Requested
                        | InstanceState::Creating
                        | InstanceState::Booting
                        | InstanceState::Deleting
                );
                if busy && count > 0 {
                    ui.spinner();
                }
                ui.label(format!("{}: {count}", state.label()));
            }
            // Every autoscaled member is an instance's; the rest were added by hand.
            let members = ctx
                .catalog
                .overview
                .iter()
                .find(|summary| summary.pool.id == pool.id)
                .map_or(0, |summary| summary.members as usize);
            let autoscaled = self.instances.iter().filter(|i| i.member.is_some()).count();
            let static_members = members.saturating_sub(autoscaled);
            ui.separator();
            ui.label(format!("Static: {static_members}"));
            let late = self.members.late;
            let gone = self.members.missing + self.members.dead;
            if late > 0 {
                ui.separator();
                ui.label(
                    RichText::new(format!("Reporting late: {late}"))
                        .color(ui.visuals().warn_fg_color),
                )
                .on_hover_text(
                    "Members whose agents have not reported for a third of the Host Missing \
                     Expiration",
                );
            }
            if gone > 0 {
                ui.separator();
                ui.label(
                    RichText::new(format!("Missing or dead: {gone}"))
                        .color(ui.visuals().error_fg_color),
                );
            }
        });
    }

    fn configs_ui(&self, ui: &mut Ui, ctx: &mut PageContext<'_>, pool: &Pool) {
        ui.strong("AutoScale configs");
        let now = jiff::Timestamp::now();
        let configs: Vec<_> = ctx
            .catalog
            .autoscale
            .iter()
            .filter(|c| c.spec.pool == pool.id)
            .map(|c| (c.id, c.spec.name.clone(), c.spec.enabled))
            .collect();
        egui::Grid::new("config-health")
            .num_columns(3)
            .striped(true)
            .show(ui, |ui| {
                for (id, name, enabled) in configs {
                    ui.label(&name);
                    let health = self.health.get(&id).cloned().unwrap_or_default();
                    let status = health.status(now);
                    let (text, color) = if !enabled {
                        ("disabled".to_owned(), ui.visuals().weak_text_color())
                    } else {
                        match &status {
                            HealthStatus::Ok => {
                                ("ok".to_owned(), super::theme::ok_colour(ui.visuals()))
                            }
                            HealthStatus::Paused => {
                                ("paused".to_owned(), ui.visuals().warn_fg_color)
                            }
                            HealthStatus::BackingOff(until) => (
                                format!(
                                    "backing off until {}{}",
                                    local_time(*until, "%H:%M:%S"),
                                    health
                                        .last_error
                                        .as_deref()
                                        .map(|e| format!(" — {e}"))
                                        .unwrap_or_default()
                                ),
                                ui.visuals().warn_fg_color,
                            ),
                            HealthStatus::Stopped(reason) => {
                                (format!("stopped: {reason}"), ui.visuals().error_fg_color)
                            }
                        }
                    };
                    ui.label(RichText::new(text).color(color));
                    ui.horizontal(|ui| {
                        let paused = matches!(status, HealthStatus::Paused);
                        if status == HealthStatus::Ok {
                            if ui
                                .button("Pause")
                                .on_hover_text("Create nothing for this config until resumed")
                                .clicked()
                            {
                                ctx.scaler.send(Command::Pause(id));
                            }
                        } else if ui
                            .button("Resume")
                            .on_hover_text(if paused {
                                "Scale with this config again"
                            } else {
                                "Clear the backoff or stop and try again now"
                            })
                            .clicked()
                        {
                            ctx.scaler.send(Command::Resume(id));
                        }
                    });
                    ui.end_row();
                }
            });
        for line in &self.timetables {
            ui.label(RichText::new(line).small());
        }
    }

    fn decisions_ui(&self, ui: &mut Ui) {
        ui.strong("Last decisions");
        if self.decisions.is_empty() {
            ui.weak("No decision yet.");
        }
        for (_, event) in &self.decisions {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(local_time(event.at, "%H:%M:%S"))
                        .monospace()
                        .weak(),
                );
                ui.label(&event.message);
            });
        }
    }

    fn instances_ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        ui.strong(format!("Autoscaled instances ({})", self.instances.len()));
        if self.instances.is_empty() {
            ui.weak("None yet.");
            return;
        }
        let names: HashMap<AutoScaleId, &str> = ctx
            .catalog
            .autoscale
            .iter()
            .map(|c| (c.id, c.spec.name.as_str()))
            .collect();
        let mut drain = None;
        let mut confirm = self.confirm_drain;
        TableBuilder::new(ui)
            .id_salt("instances")
            .striped(true)
            .column(Column::auto().at_least(160.0))
            .column(Column::auto().at_least(110.0))
            .column(Column::auto().at_least(80.0))
            .column(Column::auto().at_least(110.0))
            .column(Column::auto().at_least(140.0))
            .column(Column::remainder())
            .header(20.0, |mut header| {
                for title in ["Name", "State", "Since", "Address", "AutoScale Config", ""] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(22.0, self.instances.len(), |mut row| {
                    let instance = &self.instances[row.index()];
                    row.col(|ui| {
                        ui.label(&instance.name);
                    });
                    row.col(|ui| {
                        ui.horizontal(|ui| {
                            if !matches!(
                                instance.state,
                                InstanceState::Running | InstanceState::Draining
                            ) {
                                ui.spinner();
                            }
                            ui.label(instance.state.label());
                        });
                    });
                    row.col(|ui| {
                        ui.label(local_time(instance.state_since, "%H:%M:%S"));
                    });
                    row.col(|ui| {
                        ui.label(instance.address.as_deref().unwrap_or("—"));
                    });
                    row.col(|ui| {
                        ui.label(names.get(&instance.config).copied().unwrap_or("?"));
                    });
                    row.col(|ui| {
                        if instance.state != InstanceState::Running {
                            return;
                        }
                        // Draining ends in deleting the VM: a second click confirms.
                        if confirm == Some(instance.id) {
                            ui.label("Delete it once empty?");
                            if ui.small_button("Drain").clicked() {
                                drain = Some(instance.id);
                                confirm = None;
                            }
                            if ui.small_button("Cancel").clicked() {
                                confirm = None;
                            }
                        } else if ui
                            .small_button("Drain…")
                            .on_hover_text("Take no new sessions; delete it once empty")
                            .clicked()
                        {
                            confirm = Some(instance.id);
                        }
                    });
                });
            });
        self.confirm_drain = confirm;
        if let Some(id) = drain {
            ctx.scaler.send(Command::Drain(id));
        }
    }
}

/// What a config's timetable says now and when that changes: "window Mon–Fri 08:00–18:00
/// Europe/Berlin: standby 32 cores; from 18:00 standby 4 cores".
fn timetable_line(spec: &AutoScaleSpec, now: jiff::Timestamp) -> Option<String> {
    let values = spec.values().ok()?;
    if values.schedule.is_empty() {
        return None;
    }
    let base = match values.scaling {
        ScalingValues::Agents { standby, .. } => Level::Agents(standby),
        ScalingValues::Servers { min_available, .. } => Level::Servers(min_available),
    };
    let (level, why) = values.schedule.level_at(base, now);
    let mut line = match why {
        Some(why) => format!("{why}: {}", level.describe()),
        None => format!("no window open: {}", level.describe()),
    };
    if let Some((at, next)) = values.schedule.next_change(base, now) {
        line.push_str(&format!(
            "; from {} {}",
            local_time(at, "%a %H:%M"),
            next.describe()
        ));
    }
    Some(line)
}

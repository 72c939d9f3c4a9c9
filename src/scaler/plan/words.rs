//! The planner's reasons in words: what is short, and what is created.

use super::Demand;
use crate::model::PoolKind;
use crate::model::Resources;
use crate::model::instance::InstanceSize;
use crate::model::resources::format_cores;
use crate::scaler::snapshot::PoolSnapshot;

pub(super) fn describe(pool: &PoolSnapshot, deficit: &Resources, demand: &Demand) -> String {
    let shortfall = shortfall(pool, deficit, demand);
    let timetables: Vec<String> = demand
        .scheduled
        .iter()
        .filter_map(|c| {
            let why = c.standby_explained(demand.now).why?;
            Some(format!("{}: {why}", c.name))
        })
        .collect();
    if timetables.is_empty() {
        shortfall
    } else {
        format!("{}; {shortfall}", timetables.join("; "))
    }
}

fn shortfall(pool: &PoolSnapshot, deficit: &Resources, demand: &Demand) -> String {
    match pool.kind {
        PoolKind::Server => format!(
            "available sessions {} < minimum {}",
            format_cores(demand.free.cores),
            format_cores(demand.need.cores)
        ),
        PoolKind::DockerAgent => {
            let mut parts = Vec::new();
            if deficit.cores > 1e-9 {
                parts.push(format!(
                    "standby cores {} > free {}",
                    format_cores(demand.need.cores),
                    format_cores(demand.free.cores)
                ));
            }
            if deficit.memory_mb > 0 {
                parts.push(format!(
                    "standby memory {} MB > free {} MB",
                    demand.need.memory_mb, demand.free.memory_mb
                ));
            }
            if deficit.gpus > 0 {
                parts.push(format!(
                    "standby GPUs {} > free {}",
                    demand.need.gpus, demand.free.gpus
                ));
            }
            parts.join(", ")
        }
    }
}

pub(super) fn size_words(pool: &PoolSnapshot, count: u32, size: &InstanceSize) -> String {
    let noun = match (pool.kind, count) {
        (PoolKind::Server, 1) => "server",
        (PoolKind::Server, _) => "servers",
        (PoolKind::DockerAgent, 1) => "agent",
        (PoolKind::DockerAgent, _) => "agents",
    };
    match size {
        InstanceSize::Agent(r) => format!(
            "{count} {noun} of {} cores / {} MB / {} GPUs",
            format_cores(r.cores),
            r.memory_mb,
            r.gpus
        ),
        InstanceSize::Server { slots: 1 } => format!("{count} {noun} of 1 session"),
        InstanceSize::Server { slots } => format!("{count} {noun} of {slots} sessions"),
    }
}

//! The monthly budget in the plan: creates cut to what the month's projection affords, and
//! the 80 % warning.

use super::{Headroom, Note, Plan, UpContext, size_words};
use crate::model::VmProviderId;
use crate::model::cost::{BudgetUse, format_money};
use crate::model::instance::InstanceSize;
use crate::model::scaler_event::EventKind;
use crate::scaler::snapshot::{ConfigSnapshot, PoolSnapshot, ProviderUse, Snapshot};

/// Share of a budget at which the administrator is warned.
pub const BUDGET_WARNING: f64 = 0.8;

/// A budget whose month is projected at 80 % or more is said once, under the first config
/// that uses it; the words do not change while it lasts, so it is logged once.
pub(super) fn warn_of_budgets(snapshot: &Snapshot, out: &mut Plan) {
    let mut budgeted: Vec<(&VmProviderId, &ProviderUse, BudgetUse)> = snapshot
        .providers
        .iter()
        .filter_map(|(id, p)| Some((id, p, p.budget?)))
        .filter(|(_, _, b)| b.projected() >= BUDGET_WARNING * b.monthly_budget)
        .collect();
    budgeted.sort_by_key(|(id, _, _)| **id);
    for (id, provider, budget) in budgeted {
        let Some((pool, config)) = snapshot.pools.iter().find_map(|pool| {
            let config = pool.configs.iter().find(|c| c.vm_provider == *id)?;
            Some((pool.id, config.id))
        }) else {
            continue;
        };
        out.notes.push(Note {
            pool,
            config: Some(config),
            kind: EventKind::Budget,
            message: format!(
                "budget {} for {}: the month's projected cost has reached {} % of it",
                format_money(budget.monthly_budget, &snapshot.currency),
                provider.name,
                (BUDGET_WARNING * 100.0).round()
            ),
        });
    }
}

/// Cuts `count` to what the provider's monthly budget affords, with a note saying what was
/// not created; charges the rest to the month's projection.
pub(super) fn hold_to_budget(
    pool: &PoolSnapshot,
    config: &ConfigSnapshot,
    room: &mut Headroom,
    count: u32,
    size: &InstanceSize,
    context: &UpContext,
    out: &mut Plan,
) -> u32 {
    let Some((budget, projected)) = room.budget.as_mut() else {
        return count;
    };
    let affordable = count.min(budget.affordable(*projected, context.now));
    let each = budget.each(context.now);
    if affordable < count {
        out.notes.push(Note {
            pool: pool.id,
            config: Some(config.id),
            kind: EventKind::Decision,
            message: format!(
                "budget {} for {}: projected {} — {} not created",
                format_money(budget.monthly_budget, context.currency),
                room.name,
                format_money(*projected + each * f64::from(count), context.currency),
                size_words(pool, count - affordable, size),
            ),
        });
    }
    *projected += each * f64::from(affordable);
    affordable
}

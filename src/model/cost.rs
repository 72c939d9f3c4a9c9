//! What instances cost: a VM Provider config's price per instance-hour over the lifetimes of
//! its instances (create call to deleted), per UTC day and month as the clouds bill, and the
//! month's projection the budget is held to. Pure: the caller passes `now`.

use super::ValidationErrors;
use super::field::Field;
use crate::model::field::ProviderField;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

const MS_PER_HOUR: f64 = 3_600_000.0;

/// The highest price or budget a field takes (a typo guard, not a policy).
pub const MAX_AMOUNT: f64 = 100_000_000.0;

/// A config's price and budget, parsed. No price means no cost is shown or held.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CostTerms {
    /// What one instance costs per hour.
    pub hourly_price: Option<f64>,
    /// The most the config may cost in a calendar month (UTC).
    pub monthly_budget: Option<f64>,
}

/// Parses the two cost fields as typed; blank is "none".
pub fn parse_terms(price: &str, budget: &str) -> Result<CostTerms, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let hourly_price = parse_amount(&mut errors, ProviderField::HourlyPrice, price);
    let monthly_budget = parse_amount(&mut errors, ProviderField::MonthlyBudget, budget);
    if monthly_budget.is_some() && hourly_price.is_none() {
        errors.push(
            ProviderField::MonthlyBudget,
            "needs an Hourly Price: without one no cost is known to hold the budget to",
        );
    }
    errors.into_result(CostTerms {
        hourly_price,
        monthly_budget,
    })
}

fn parse_amount(errors: &mut ValidationErrors, field: impl Into<Field>, text: &str) -> Option<f64> {
    let field: Field = field.into();
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() && (0.0..=MAX_AMOUNT).contains(&n) => Some(n),
        _ => {
            errors.push(
                field,
                "expected an amount of at least 0, e.g. 0.096, or nothing for none",
            );
            None
        }
    }
}

/// A three-letter currency code (ISO 4217 style), upper case.
pub fn check_currency(text: &str) -> Result<String, String> {
    let code = text.trim().to_ascii_uppercase();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err("expected a three-letter currency code, e.g. USD or EUR".to_owned())
    }
}

/// An amount as the forms and reasons show it: "12.34 EUR".
pub fn format_money(amount: f64, currency: &str) -> String {
    format!("{amount:.2} {currency}")
}

/// When an instance cost money: from its create call to its end (`None` while it lives).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifetime {
    /// The create call.
    pub from: Timestamp,
    /// Deleted, failed or lost; `None` while it is not over.
    pub to: Option<Timestamp>,
}

impl Lifetime {
    /// Milliseconds of it inside `[start, end)`, a live one counted up to `now`.
    pub fn millis_within(&self, start: Timestamp, end: Timestamp, now: Timestamp) -> i64 {
        let to = self.to.unwrap_or(now).min(end);
        let from = self.from.max(start);
        (to.as_millisecond() - from.as_millisecond()).max(0)
    }
}

/// The UTC calendar month around `now`: its first instant and the next month's.
pub fn month_of(now: Timestamp) -> (Timestamp, Timestamp) {
    let first = now.to_zoned(TimeZone::UTC).date().first_of_month();
    utc_span(first, first.checked_add(1.month())).unwrap_or((now, now))
}

/// The UTC day around `now`: its first instant and the next day's.
pub fn day_of(now: Timestamp) -> (Timestamp, Timestamp) {
    let date = now.to_zoned(TimeZone::UTC).date();
    utc_span(date, date.tomorrow()).unwrap_or((now, now))
}

/// Midnight UTC of `first` and of `next`; only at the ends of jiff's range is there none.
fn utc_span(first: Date, next: Result<Date, jiff::Error>) -> Option<(Timestamp, Timestamp)> {
    let midnight = |d: Date| d.to_zoned(TimeZone::UTC).map(|z| z.timestamp());
    Some((midnight(first).ok()?, next.and_then(midnight).ok()?))
}

/// Instance-time of the month as it stands plus what the live instances run up to its end,
/// in milliseconds. It does not change as time passes while nothing is created or deleted,
/// so a budget note quoting it stays the same.
pub fn projected_month_millis(lifetimes: &[Lifetime], now: Timestamp) -> i64 {
    let (start, end) = month_of(now);
    lifetimes
        .iter()
        .map(|l| l.millis_within(start, end, end))
        .sum()
}

/// Whole hours left in the month (rounded up): what one more instance is charged for by the
/// budget check, so its figure changes once an hour, not every pass.
pub fn hours_left_in_month(now: Timestamp) -> f64 {
    let (_, end) = month_of(now);
    let ms = (end.as_millisecond() - now.as_millisecond()).max(0);
    (ms as f64 / MS_PER_HOUR).ceil()
}

/// What a set of instances costs at one price.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CostSummary {
    /// Per hour, for the instances live now.
    pub per_hour: f64,
    /// Since 00:00 UTC.
    pub today: f64,
    /// Since the 1st, 00:00 UTC.
    pub month: f64,
    /// The month as it stands plus the live instances to its end.
    pub projected: f64,
}

/// The cost of instances, each with its price per instance-hour, at `now`.
pub fn summarize<'a>(
    priced: impl IntoIterator<Item = &'a (Lifetime, f64)>,
    now: Timestamp,
) -> CostSummary {
    let (day_start, day_end) = day_of(now);
    let (month_start, month_end) = month_of(now);
    let mut summary = CostSummary::default();
    for (l, price) in priced {
        let cost = |ms: i64| ms as f64 / MS_PER_HOUR * price;
        if l.to.is_none() {
            summary.per_hour += price;
        }
        summary.today += cost(l.millis_within(day_start, day_end, now));
        summary.month += cost(l.millis_within(month_start, month_end, now));
        summary.projected += cost(l.millis_within(month_start, month_end, month_end));
    }
    summary
}

/// What the budget check needs of one VM Provider config.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BudgetUse {
    /// Price per instance-hour.
    pub hourly_price: f64,
    /// The month's budget.
    pub monthly_budget: f64,
    /// The month's projection as it stands ([`projected_month_millis`]).
    pub projected_millis: i64,
}

impl BudgetUse {
    /// The projection as money.
    pub fn projected(&self) -> f64 {
        self.projected_millis as f64 / MS_PER_HOUR * self.hourly_price
    }

    /// How many more instances the month can take within the budget at `now`, each
    /// charged to the month's end.
    pub fn affordable(&self, projected: f64, now: Timestamp) -> u32 {
        let each = self.each(now);
        let room = self.monthly_budget - projected;
        if each <= 0.0 {
            return if room >= 0.0 { u32::MAX } else { 0 };
        }
        (room / each + 1e-9).floor().clamp(0.0, f64::from(u32::MAX)) as u32
    }

    /// What one more instance adds to the projection at `now`.
    pub fn each(&self, now: Timestamp) -> f64 {
        self.hourly_price * hours_left_in_month(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn months_and_days_are_utc_calendar_ones() {
        let (start, end) = month_of(at("2026-02-14T23:30:00+01:00"));
        assert_eq!(start, at("2026-02-01T00:00:00Z"));
        assert_eq!(end, at("2026-03-01T00:00:00Z"));
        let (start, end) = day_of(at("2026-12-31T23:59:59Z"));
        assert_eq!(start, at("2026-12-31T00:00:00Z"));
        assert_eq!(end, at("2027-01-01T00:00:00Z"));
    }

    #[test]
    fn a_summary_counts_the_hours_inside_each_period() {
        let now = at("2026-12-10T12:00:00Z");
        let lifetimes = [
            // Ran all of yesterday and this morning, still live: 36 h this month so far.
            Lifetime {
                from: at("2026-12-09T00:00:00Z"),
                to: None,
            },
            // Began last month, ended on the 2nd at 00:00: 24 h this month, none today.
            Lifetime {
                from: at("2026-11-30T00:00:00Z"),
                to: Some(at("2026-12-02T00:00:00Z")),
            },
        ];
        let priced: Vec<(Lifetime, f64)> = lifetimes.iter().map(|l| (*l, 0.5)).collect();
        let s = summarize(&priced, now);
        assert_eq!(s.per_hour, 0.5);
        assert!((s.today - 6.0).abs() < 1e-9, "{s:?}");
        assert!((s.month - 30.0).abs() < 1e-9, "{s:?}");
        // The live one to the month's end: from the 9th to the 1st of January = 23 days.
        assert!(
            (s.projected - (23.0 * 24.0 * 0.5 + 12.0)).abs() < 1e-9,
            "{s:?}"
        );
    }

    #[test]
    fn the_projection_stands_still_while_nothing_changes() {
        let lifetimes = [Lifetime {
            from: at("2026-12-09T00:00:00Z"),
            to: None,
        }];
        assert_eq!(
            projected_month_millis(&lifetimes, at("2026-12-10T12:00:00Z")),
            projected_month_millis(&lifetimes, at("2026-12-20T07:13:00Z"))
        );
    }

    #[test]
    fn a_budget_affords_whole_instances_to_the_months_end() {
        let now = at("2026-12-31T14:00:00Z"); // 10 hours left
        let budget = BudgetUse {
            hourly_price: 1.0,
            monthly_budget: 100.0,
            projected_millis: 0,
        };
        assert_eq!(budget.affordable(75.0, now), 2);
        assert_eq!(budget.affordable(80.0, now), 2);
        assert_eq!(budget.affordable(100.0, now), 0);
        assert_eq!(budget.affordable(120.0, now), 0);
        let free = BudgetUse {
            hourly_price: 0.0,
            ..budget
        };
        assert_eq!(free.affordable(0.0, now), u32::MAX);
    }

    #[test]
    fn terms_are_checked_field_by_field() {
        assert_eq!(parse_terms("", "").unwrap(), CostTerms::default());
        let t = parse_terms(" 0.096 ", "500").unwrap();
        assert_eq!(t.hourly_price, Some(0.096));
        assert_eq!(t.monthly_budget, Some(500.0));
        let e = parse_terms("-1", "x").unwrap_err();
        assert!(
            e.for_field(ProviderField::HourlyPrice)
                .unwrap()
                .contains("at least 0")
        );
        assert!(
            e.for_field(ProviderField::MonthlyBudget)
                .unwrap()
                .contains("amount")
        );
        let e = parse_terms("", "500").unwrap_err();
        assert!(
            e.for_field(ProviderField::MonthlyBudget)
                .unwrap()
                .contains("Hourly Price")
        );
        assert_eq!(check_currency(" eur ").unwrap(), "EUR");
        assert!(check_currency("EURO").is_err());
    }
}

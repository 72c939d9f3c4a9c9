//! The cost report the About dialog exports: one CSV line per priced pool, UTC days and
//! months, in the settings' currency.

use super::cost::CostSummary;

/// One pool's line.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolCost {
    /// The pool's name.
    pub pool: String,
    /// What its instances cost.
    pub cost: CostSummary,
}

/// The report as CSV (RFC 4180: names with commas or quotes are quoted).
pub fn cost_csv(rows: &[PoolCost], currency: &str, at: jiff::Timestamp) -> String {
    let mut out = "pool,currency,per_hour,today,month,projected_month,as_of_utc\n".to_owned();
    for row in rows {
        out.push_str(&format!(
            "{},{currency},{:.4},{:.2},{:.2},{:.2},{}\n",
            quoted(&row.pool),
            row.cost.per_hour,
            row.cost.today,
            row.cost.month,
            row.cost.projected,
            at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        ));
    }
    out
}

fn quoted(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_per_pool_with_names_quoted_when_they_need_it() {
        let cost = CostSummary {
            per_hour: 0.192,
            today: 1.5,
            month: 10.0,
            projected: 99.999,
        };
        let rows = [
            PoolCost {
                pool: "Browser Isolation".into(),
                cost,
            },
            PoolCost {
                pool: "GPU, \"big\"".into(),
                cost,
            },
        ];
        let at: jiff::Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
        assert_eq!(
            cost_csv(&rows, "EUR", at),
            "pool,currency,per_hour,today,month,projected_month,as_of_utc\n\
             Browser Isolation,EUR,0.1920,1.50,10.00,100.00,2026-12-01T12:00:00Z\n\
             \"GPU, \"\"big\"\"\",EUR,0.1920,1.50,10.00,100.00,2026-12-01T12:00:00Z\n"
        );
    }
}

//! Customer lifecycle stages (客户生命周期), computed from each customer's orders with thresholds
//! the company sets — prospect (never ordered), new (first order recently), active, at risk,
//! churned, won back (ordering again after having churned) — and satisfaction records (CSAT
//! 1–5 and NPS 0–10) per customer.

use std::collections::BTreeMap;

use kernel::db::Tx;
use kernel::{Ctx, Error, Result, audit};
use serde::{Deserialize, Serialize};

use crate::permissions::{READ, SETUP, WRITE};

pub const STAGES: [&str; 6] = ["prospect", "new", "active", "at_risk", "churned", "won_back"];

/// Days that separate the stages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"new_days": 90, "active_days": 180, "churn_days": 365}))]
pub struct Thresholds {
    /// A first order within this many days makes a new customer.
    pub new_days: i64,
    /// A latest order within this many days keeps a customer active; after it, at risk.
    pub active_days: i64,
    /// No order for this many days is churned; an order after such a gap wins the customer back.
    pub churn_days: i64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds { new_days: 90, active_days: 180, churn_days: 365 }
    }
}

fn days(from: &str, to: time::Date) -> Option<i64> {
    Some((to - kernel::clock::parse_date(from).ok()?).whole_days())
}

/// The stage of a customer from its order dates, on `today`.
pub fn stage_of(dates: &sales::customer::OrderDates, today: time::Date, t: &Thresholds) -> &'static str {
    let (Some(first), Some(last)) = (&dates.first, &dates.last) else { return "prospect" };
    let since_last = days(last, today).unwrap_or(0);
    if since_last > t.churn_days {
        return "churned";
    }
    if since_last > t.active_days {
        return "at_risk";
    }
    let gap_before_last = dates.previous.as_deref().and_then(|p| {
        let last = kernel::clock::parse_date(last).ok()?;
        days(p, last)
    });
    if gap_before_last.is_some_and(|gap| gap > t.churn_days) {
        return "won_back";
    }
    if days(first, today).is_some_and(|d| d <= t.new_days) {
        return "new";
    }
    "active"
}

pub fn thresholds(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Thresholds> {
    Ok(tx
        .query_opt(
            "select new_days, active_days, churn_days from crm_lifecycle_setting where company_id = $1",
            &[&ctx.company()],
        )?
        .map(|r| Ok::<_, Error>(Thresholds { new_days: r.get(0)?, active_days: r.get(1)?, churn_days: r.get(2)? }))
        .transpose()?
        .unwrap_or_default())
}

pub fn set_thresholds(tx: &mut Tx<'_>, ctx: &Ctx, t: &Thresholds) -> Result<Thresholds> {
    ctx.require(SETUP)?;
    if t.new_days <= 0 || t.active_days <= 0 || t.churn_days <= t.active_days {
        return Err(Error::field("churn_days", "crm.thresholds_invalid"));
    }
    tx.execute(
        "insert into crm_lifecycle_setting (company_id, new_days, active_days, churn_days) values ($1, $2, $3, $4)
         on conflict (company_id) do update set new_days = excluded.new_days, active_days = excluded.active_days,
             churn_days = excluded.churn_days",
        &[&ctx.company(), &t.new_days, &t.active_days, &t.churn_days],
    )?;
    audit::record(
        tx,
        ctx,
        "crm.lifecycle.thresholds",
        "crm.lifecycle",
        &ctx.company(),
        serde_json::to_value(t).unwrap_or_default(),
    )?;
    Ok(*t)
}

/// One customer's stage.
pub fn customer_stage(tx: &mut Tx<'_>, ctx: &Ctx, customer: &str) -> Result<&'static str> {
    let t = thresholds(tx, ctx)?;
    let dates = sales::customer::customer_order_dates(tx, ctx, customer)?;
    Ok(stage_of(&dates, ctx.today(), &t))
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LifecycleSummary {
    pub thresholds: Thresholds,
    /// Customers per stage, in the order of `STAGES`.
    pub counts: Vec<(String, i64)>,
}

/// How many customers stand at each stage (customers without orders are prospects).
pub fn summary(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<LifecycleSummary> {
    ctx.require(READ)?;
    let t = thresholds(tx, ctx)?;
    let today = ctx.today();
    let mut counts: BTreeMap<&str, i64> = STAGES.iter().map(|s| (*s, 0)).collect();
    let with_orders = sales::customer::order_dates(tx, ctx)?;
    for dates in &with_orders {
        *counts.entry(stage_of(dates, today, &t)).or_default() += 1;
    }
    let customers: i64 = tx.scalar(
        "select count(*) from party_party where company_id = $1 and active = 1 and kind in ('customer', 'both')",
        &[&ctx.company()],
    )?;
    *counts.entry("prospect").or_default() += (customers - with_orders.len() as i64).max(0);
    Ok(LifecycleSummary { thresholds: t, counts: STAGES.iter().map(|s| (s.to_string(), counts[s])).collect() })
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"customer": "C0001", "kind": "nps", "score": 9, "comment": "发货很快"}))]
pub struct SatisfactionInput {
    /// The customer's id or code.
    pub customer: String,
    /// csat (1–5) or nps (0–10).
    pub kind: String,
    pub score: i64,
    #[serde(default)]
    pub comment: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Satisfaction {
    pub recorded: i64,
    /// Average CSAT (1–5), one decimal, when any.
    pub csat: Option<String>,
    /// NPS: promoters (9–10) − detractors (0–6), percent of answers, when any.
    pub nps: Option<i64>,
}

pub fn record_satisfaction(tx: &mut Tx<'_>, ctx: &Ctx, input: &SatisfactionInput) -> Result<Satisfaction> {
    ctx.require(WRITE)?;
    let range = match input.kind.as_str() {
        "csat" => 1..=5,
        "nps" => 0..=10,
        _ => return Err(Error::field("kind", "crm.satisfaction_kind_invalid")),
    };
    if !range.contains(&input.score) {
        return Err(Error::field("score", "crm.score_out_of_range"));
    }
    let customer = party::trading_terms(tx, ctx, &input.customer)?
        .ok_or_else(|| Error::field("customer", "crm.customer_unknown"))?
        .id;
    tx.execute(
        "insert into crm_satisfaction (id, company_id, partner_id, kind, score, comment, recorded_at, recorded_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &kernel::id::Uuid::now_v7(),
            &ctx.company(),
            &customer,
            &input.kind,
            &input.score,
            &input.comment.trim(),
            &ctx.now_text(),
            &ctx.actor().label(),
        ],
    )?;
    satisfaction_of(tx, ctx, &customer)
}

/// A customer's satisfaction: CSAT average and NPS over every answer recorded.
pub fn satisfaction_of(tx: &mut Tx<'_>, ctx: &Ctx, customer: &str) -> Result<Satisfaction> {
    let r = tx.query_one(
        "select count(*),
                coalesce(sum(case when kind = 'csat' then score else 0 end), 0),
                coalesce(sum(case when kind = 'csat' then 1 else 0 end), 0),
                coalesce(sum(case when kind = 'nps' and score >= 9 then 1 else 0 end), 0),
                coalesce(sum(case when kind = 'nps' and score <= 6 then 1 else 0 end), 0),
                coalesce(sum(case when kind = 'nps' then 1 else 0 end), 0)
         from crm_satisfaction where company_id = $1 and partner_id = $2",
        &[&ctx.company(), &customer],
    )?;
    let (recorded, csat_sum, csat_n, promoters, detractors, nps_n): (i64, i64, i64, i64, i64, i64) =
        (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
    let csat = (csat_n > 0).then(|| {
        // One decimal, half up.
        let tenths = (csat_sum * 20 + csat_n) / (2 * csat_n);
        format!("{}.{}", tenths / 10, tenths % 10)
    });
    let nps = (nps_n > 0).then(|| {
        let diff = (promoters - detractors) * 100;
        // Rounded half away from zero.
        if diff >= 0 { (diff * 2 + nps_n) / (2 * nps_n) } else { -((-diff * 2 + nps_n) / (2 * nps_n)) }
    });
    Ok(Satisfaction { recorded, csat, nps })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sales::customer::OrderDates;

    fn dates(first: Option<&str>, last: Option<&str>, previous: Option<&str>) -> OrderDates {
        OrderDates {
            customer_id: "c".into(),
            first: first.map(str::to_string),
            last: last.map(str::to_string),
            previous: previous.map(str::to_string),
        }
    }

    #[test]
    fn stages_follow_the_order_dates() {
        let today = time::macros::date!(2026 - 11 - 27);
        let t = Thresholds::default();
        assert_eq!(stage_of(&dates(None, None, None), today, &t), "prospect");
        assert_eq!(stage_of(&dates(Some("2026-10-01"), Some("2026-11-01"), Some("2026-10-01")), today, &t), "new");
        assert_eq!(stage_of(&dates(Some("2025-01-01"), Some("2026-11-01"), Some("2026-10-01")), today, &t), "active");
        assert_eq!(stage_of(&dates(Some("2025-01-01"), Some("2026-03-01"), None), today, &t), "at_risk");
        assert_eq!(stage_of(&dates(Some("2024-01-01"), Some("2025-06-01"), None), today, &t), "churned");
        // Back after more than a year without orders.
        assert_eq!(stage_of(&dates(Some("2023-01-01"), Some("2026-11-01"), Some("2025-06-01")), today, &t), "won_back");
    }
}

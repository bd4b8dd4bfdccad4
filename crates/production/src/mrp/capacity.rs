//! Capacity load (产能负荷): per work center and day, the minutes that planned make orders and
//! open work orders ask of it against what its calendar offers (capacity × hours on working
//! days). An order's minutes per operation (setup + run × quantity still to do) are spread
//! evenly over the work center's working days from its release to the day before it is due.

use std::collections::HashMap;

use kernel::db::Tx;
use kernel::{Ctx, Error, Result};
use serde::Serialize;

use crate::bom::qty_text;
use crate::permissions::READ;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CapacityDay {
    pub work_center: String,
    pub name: String,
    pub date: String,
    pub load_minutes: String,
    pub capacity_minutes: String,
    /// Load as a percentage of capacity, one decimal ("" on a day off with no load).
    pub load_percent: String,
    pub overloaded: bool,
    #[serde(skip)]
    pub load_scaled: i64,
}

/// An operation of a routing: sequence, work center, setup and run minutes (scaled 10^4).
type RoutingStep = (i64, String, i64, i64);

struct Center {
    code: String,
    name: String,
    /// Minutes of a working day, scaled 10^4.
    day: i64,
    working: [bool; 7],
}

impl Center {
    fn works(&self, day: i64) -> bool {
        // Julian day 0 was a Monday; Monday first as in the calendar string.
        self.working[usize::try_from(day.rem_euclid(7)).unwrap_or(0)]
    }
}

/// The load of every work center on each of `days` days from `from` (today by default).
pub fn capacity_load(tx: &mut Tx<'_>, ctx: &Ctx, from: Option<&str>, days: i64) -> Result<Vec<CapacityDay>> {
    ctx.require(READ)?;
    let start = match from.map(str::trim).filter(|f| !f.is_empty()) {
        Some(f) => kernel::clock::parse_date(f).map_err(|_| Error::field("from", "production.date_invalid"))?,
        None => ctx.today(),
    };
    let (first, days) = (i64::from(start.to_julian_day()), days.clamp(1, 120));
    let today = i64::from(ctx.today().to_julian_day());
    let mut centers: HashMap<String, Center> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for r in tx.query(
        "select id, code, name, capacity, hours_per_day, working_days from production_work_center
         where company_id = $1 order by code",
        &[&ctx.company()],
    )? {
        let (id, working): (String, String) = (r.get(0)?, r.get(5)?);
        let (capacity, hours): (i64, i64) = (r.get(3)?, r.get(4)?);
        let mut days = [false; 7];
        for (i, c) in working.chars().take(7).enumerate() {
            days[i] = c == '1';
        }
        order.push(id.clone());
        centers.insert(
            id,
            Center { code: r.get(1)?, name: r.get(2)?, day: capacity * hours * 60 * 10_000, working: days },
        );
    }
    // The first routing of each product: its operations' work centers and minutes.
    let mut routings: HashMap<String, (String, Vec<RoutingStep>)> = HashMap::new();
    for r in tx.query(
        "select r.product_id, r.code, o.seq, o.work_center_id, o.setup_minutes, o.run_minutes
         from production_routing r join production_operation o on o.routing_id = r.id
         where r.company_id = $1 order by r.product_id, r.code, o.seq",
        &[&ctx.company()],
    )? {
        let (product, code): (String, String) = (r.get(0)?, r.get(1)?);
        let entry = routings.entry(product).or_insert_with(|| (code.clone(), Vec::new()));
        if entry.0 == code {
            entry.1.push((r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?));
        }
    }
    let julian = |text: &str| kernel::clock::parse_date(text).map(|d| i64::from(d.to_julian_day())).unwrap_or(today);
    let mut load: HashMap<(String, i64), i64> = HashMap::new();
    let mut spread = |center: &str, minutes: i64, release: i64, due: i64| {
        let Some(c) = centers.get(center) else { return };
        let last = (due - 1).max(release);
        let working: Vec<i64> = (release..=last).filter(|d| c.works(*d)).collect();
        let slots = if working.is_empty() { vec![release] } else { working };
        let count = slots.len() as i64;
        for (i, d) in slots.iter().enumerate() {
            let share = minutes / count + if i == 0 { minutes % count } else { 0 };
            *load.entry((center.to_string(), *d)).or_default() += share;
        }
    };
    let current = super::run::current_run(tx, ctx)?;
    for r in tx.query(
        "select product_id, quantity, release_date, due_date from production_planned_order
         where company_id = $1 and state = 'planned' and kind = 'make' and run_id = $2",
        &[&ctx.company(), &current],
    )? {
        let (product, quantity, release, due): (String, i64, String, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        if let Some((_, ops)) = routings.get(&product) {
            for (_, center, setup, run) in ops {
                let minutes = setup + i64::try_from(i128::from(*run) * i128::from(quantity) / 10_000).unwrap_or(0);
                spread(center, minutes, julian(&release), julian(&due));
            }
        }
    }
    // Open work orders: what each operation still has to do, from today to the due date.
    for r in tx.query(
        "select w.product_id, w.quantity, w.due_date, o.seq, o.work_center_id, o.good + o.scrap
         from production_work_order w join production_work_order_operation o on o.work_order_id = w.id
         where w.company_id = $1 and w.state in ('confirmed', 'in_progress') and o.good + o.scrap < w.quantity",
        &[&ctx.company()],
    )? {
        let (product, quantity, due, seq, center, done): (String, i64, Option<String>, i64, String, i64) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
        let (setup, run) = routings
            .get(&product)
            .and_then(|(_, ops)| ops.iter().find(|o| o.0 == seq))
            .map_or((0, 0), |o| (if done == 0 { o.2 } else { 0 }, o.3));
        let minutes = setup + i64::try_from(i128::from(run) * i128::from(quantity - done) / 10_000).unwrap_or(0);
        let due = due.as_deref().map_or(today, julian).max(today);
        spread(&center, minutes, today, due);
    }
    let mut out = Vec::new();
    for id in &order {
        let Some(c) = centers.get(id) else { continue };
        for day in first..first + days {
            let scaled = load.get(&(id.clone(), day)).copied().unwrap_or(0);
            let capacity = if c.works(day) { c.day } else { 0 };
            let percent = if capacity > 0 {
                let tenths = kernel::money::div_round_half_up(i128::from(scaled) * 1000, i128::from(capacity));
                format!("{}.{}", tenths / 10, tenths % 10)
            } else {
                String::new()
            };
            out.push(CapacityDay {
                work_center: c.code.clone(),
                name: c.name.clone(),
                date: i32::try_from(day)
                    .ok()
                    .and_then(|d| time::Date::from_julian_day(d).ok())
                    .map(kernel::clock::format_date)
                    .unwrap_or_default(),
                load_minutes: qty_text(scaled),
                capacity_minutes: qty_text(capacity),
                load_percent: percent,
                overloaded: scaled > capacity,
                load_scaled: scaled,
            });
        }
    }
    Ok(out)
}

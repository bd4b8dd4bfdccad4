//! The shop-floor board (车间大屏): per work center of a workshop, a day's output from the job
//! reports — good and scrapped units, yield — and OEE with its three factors:
//!
//! - availability = minutes run (reported that day) ÷ minutes planned (hours per day × 60 ×
//!   capacity on a working day of the center's calendar, nothing on a day off);
//! - performance = standard minutes (the routing's run minutes × units reported) ÷ minutes run;
//! - quality = good ÷ (good + scrap);
//! - OEE = availability × performance × quality.
//!
//! Ratios are kept in millionths (integers) and shown as percentages with one decimal; a ratio
//! whose divisor is zero is shown as nothing. One query reads the centers, one aggregates the
//! day's reports.

use kernel::db::Tx;
use kernel::money::div_round_half_up;
use kernel::{Ctx, Error, Result};
use serde::Serialize;

use crate::bom::qty_text;
use crate::permissions::READ;

const MILLION: i128 = 1_000_000;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BoardRow {
    pub work_center: String,
    pub name: String,
    pub workshop: String,
    pub good: String,
    pub scrap: String,
    /// Decimals the units are shown with: the finest unit among the products reported (个 0).
    pub digits: u8,
    /// Percent with one decimal (good ÷ all reported); empty when nothing was reported.
    pub yield_percent: Option<String>,
    pub run_minutes: String,
    pub planned_minutes: String,
    pub standard_minutes: String,
    pub availability: Option<String>,
    pub performance: Option<String>,
    pub quality: Option<String>,
    pub oee: Option<String>,
    #[serde(skip)]
    pub oee_millionths: Option<i64>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub date: String,
    /// Empty: every workshop.
    pub workshop: String,
    pub rows: Vec<BoardRow>,
    /// Every center together: units, and OEE of the sums.
    pub total: BoardRow,
}

/// `num ÷ den` in millionths, rounded half up; `None` when `den` is zero.
fn ratio(num: i128, den: i128) -> Option<i128> {
    (den > 0).then(|| div_round_half_up(num * MILLION, den))
}

/// Millionths as a percentage with one decimal: 416_667 → "41.7".
pub fn percent(millionths: i128) -> String {
    let tenths = div_round_half_up(millionths, 1_000);
    let sign = if tenths < 0 { "-" } else { "" };
    format!("{sign}{}.{}", tenths.abs() / 10, tenths.abs() % 10)
}

struct Figures {
    digits: u8,
    good: i64,
    scrap: i64,
    /// Minutes scaled 10^4.
    run: i128,
    planned: i128,
    /// Minutes scaled 10^8 (run minutes 10^4 × units 10^4).
    standard_e8: i128,
}

fn row(code: String, name: String, workshop: String, f: &Figures) -> BoardRow {
    let (good, all) = (i128::from(f.good), i128::from(f.good) + i128::from(f.scrap));
    let standard = div_round_half_up(f.standard_e8, 10_000);
    let availability = ratio(f.run, f.planned);
    let performance = ratio(standard, f.run);
    let quality = ratio(good, all);
    let oee = match (availability, performance, quality) {
        (Some(a), Some(p), Some(q)) => Some(div_round_half_up(a * p * q, MILLION * MILLION)),
        _ => None,
    };
    let minutes = |m: i128| qty_text(i64::try_from(m).unwrap_or(i64::MAX));
    BoardRow {
        work_center: code,
        name,
        workshop,
        good: qty_text(f.good),
        scrap: qty_text(f.scrap),
        digits: f.digits,
        yield_percent: quality.map(percent),
        run_minutes: minutes(f.run),
        planned_minutes: minutes(f.planned),
        standard_minutes: minutes(standard),
        availability: availability.map(percent),
        performance: performance.map(percent),
        quality: quality.map(percent),
        oee: oee.map(percent),
        oee_millionths: oee.and_then(|o| i64::try_from(o).ok()),
    }
}

/// The board of `workshop` (every workshop when empty) for `date` (today by default, a Beijing
/// date: reports are counted from its 00:00 to the next, China time).
pub fn board(tx: &mut Tx<'_>, ctx: &Ctx, workshop: Option<&str>, date: Option<&str>) -> Result<Board> {
    ctx.require(READ)?;
    let day = match date.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => kernel::clock::parse_date(d).map_err(|_| Error::field("date", "production.date_invalid"))?,
        None => ctx.today(),
    };
    let workshop = workshop.map(str::trim).unwrap_or_default().to_string();
    let start = time::PrimitiveDateTime::new(day, time::Time::MIDNIGHT).assume_offset(kernel::clock::CHINA_OFFSET);
    let (from, to) =
        (kernel::clock::format_timestamp(start), kernel::clock::format_timestamp(start + time::Duration::days(1)));
    let centers = tx.query(
        "select id, code, name, workshop, capacity, hours_per_day, working_days from production_work_center
         where company_id = $1 and ($2 = '' or workshop = $2) order by workshop, code",
        &[&ctx.company(), &workshop],
    )?;
    // The day's reports per work center; the standard run minutes come from the product's
    // routing (the first by code, as work orders copy it), operation by sequence.
    let reported = tx.query(
        "select o.work_center_id, coalesce(sum(r.good), 0), coalesce(sum(r.scrap), 0), coalesce(sum(r.minutes), 0),
             coalesce(sum((r.good + r.scrap) * coalesce((select po.run_minutes from production_operation po
                 join production_routing rt on rt.id = po.routing_id
                 where rt.company_id = w.company_id and rt.product_id = w.product_id and po.seq = o.seq
                 order by rt.code limit 1), 0)), 0),
             coalesce(max(u.digits), 0)
         from production_job_report r
         join production_work_order_operation o on o.id = r.operation_id
         join production_work_order w on w.id = r.work_order_id
         join product_product p on p.id = w.product_id
         join product_uom u on u.id = p.uom_id
         where r.company_id = $1 and r.created_at >= $2 and r.created_at < $3
         group by o.work_center_id",
        &[&ctx.company(), &from, &to],
    )?;
    let weekday = usize::from(day.weekday().number_days_from_monday());
    let mut rows = Vec::new();
    let mut total = Figures { digits: 0, good: 0, scrap: 0, run: 0, planned: 0, standard_e8: 0 };
    for c in &centers {
        let id: String = c.get(0)?;
        let (capacity, hours, days): (i64, i64, String) = (c.get(4)?, c.get(5)?, c.get(6)?);
        let working = days.as_bytes().get(weekday) == Some(&b'1');
        let planned = if working { i128::from(hours) * 60 * i128::from(capacity) * 10_000 } else { 0 };
        let mut f = Figures { digits: 0, good: 0, scrap: 0, run: 0, planned, standard_e8: 0 };
        for r in reported.iter() {
            if r.get::<String>(0)? == id {
                f.good = r.get(1)?;
                f.scrap = r.get(2)?;
                f.run = i128::from(r.get::<i64>(3)?);
                f.standard_e8 = i128::from(r.get::<i64>(4)?);
                f.digits = u8::try_from(r.get::<i64>(5)?).unwrap_or(4);
            }
        }
        total.digits = total.digits.max(f.digits);
        total.good += f.good;
        total.scrap += f.scrap;
        total.run += f.run;
        total.planned += f.planned;
        total.standard_e8 += f.standard_e8;
        rows.push(row(c.get(1)?, c.get(2)?, c.get(3)?, &f));
    }
    Ok(Board {
        date: kernel::clock::format_date(day),
        total: row(String::new(), String::new(), workshop.clone(), &total),
        workshop,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::{Figures, percent, row};

    #[test]
    fn oee_is_the_product_of_its_factors() {
        // 8 hours planned, 240 minutes run, 200 standard minutes, 95 good of 100.
        let f = Figures {
            digits: 0,
            good: 95_0000,
            scrap: 5_0000,
            run: 240_0000,
            planned: 480_0000,
            standard_e8: 200_0000_0000,
        };
        let r = row("WC".into(), "WC".into(), String::new(), &f);
        assert_eq!(r.availability.as_deref(), Some("50.0"));
        assert_eq!(r.performance.as_deref(), Some("83.3"));
        assert_eq!(r.quality.as_deref(), Some("95.0"));
        // 0.5 × 0.833333 × 0.95 = 0.395833 → 39.6 %.
        assert_eq!(r.oee.as_deref(), Some("39.6"));
        assert_eq!(percent(416_667), "41.7");
        assert_eq!(percent(-5_000), "-0.5");
        let idle = row(
            "WC".into(),
            "WC".into(),
            String::new(),
            &Figures { digits: 0, good: 0, scrap: 0, run: 0, planned: 0, standard_e8: 0 },
        );
        assert_eq!((idle.oee, idle.yield_percent), (None, None));
    }
}

//! The 进销存 reports: stock on hand at any past date (by product, location and lot), the
//! stock ledger of a product, the movement summary (opening, in, out, closing for a period),
//! inventory turnover, and lot aging and expiry. They read the daily totals kept with every
//! move (`inventory_stock_day`, `inventory_value_day`), never the whole move history.

use kernel::db::Tx;
use kernel::{Ctx, Currency, Error, Money, Quantity, Result};
use serde::Serialize;

use crate::permissions::{STOCK_READ, VALUATION_READ};

fn qty(v: i64) -> String {
    Quantity::from_scaled(v).to_string()
}

fn yuan(v: i64) -> String {
    Money::from_minor(v, Currency::CNY).to_string()
}

fn date(text: &str, field: &str) -> Result<String> {
    kernel::clock::parse_date(text.trim())
        .map(kernel::clock::format_date)
        .map_err(|_| Error::field(field.to_string(), "inventory.date_invalid"))
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StockRow {
    pub product_id: String,
    pub product_code: String,
    pub product_name: String,
    pub location: String,
    pub lot: Option<String>,
    pub quantity: String,
}

/// Stock on hand at the end of `at` (a past date or today), by product, location and lot;
/// narrowed to a product (id or code) and to a location's subtree when given.
pub fn on_hand_at(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    product: Option<&str>,
    location: Option<&str>,
    at: &str,
) -> Result<Vec<StockRow>> {
    ctx.require(STOCK_READ)?;
    let at = date(at, "date")?;
    let product = match product.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => crate::stock::product_info(tx, ctx, p)?.id,
        None => String::new(),
    };
    let path = location.map(|l| l.trim().trim_matches('/').to_uppercase()).unwrap_or_default();
    // One product reads its own rows by the key's prefix; without one, the whole company.
    let product_filter = if product.is_empty() { "$3 = ''" } else { "d.product_id = $3" };
    // Unused parameters are still named (PostgreSQL wants a type for each); they are never empty.
    let location_filter = if path.is_empty() {
        "$4 = '' and $5 <> '' and $6 <> ''"
    } else {
        "(l.path = $4 or (l.path >= $5 and l.path < $6))"
    };
    tx.query(
        &format!(
            "select d.product_id, p.code, p.name, l.path, lot.code, sum(d.qty_in - d.qty_out)
             from inventory_stock_day d join product_product p on p.id = d.product_id
             join inventory_location l on l.id = d.location_id left join inventory_lot lot on lot.id = d.lot_id
             where d.company_id = $1 and {product_filter} and d.day <= $2 and {location_filter}
             group by d.product_id, p.code, p.name, l.path, lot.code
             having sum(d.qty_in - d.qty_out) <> 0
             order by p.code, l.path, lot.code"
        ),
        &[&ctx.company(), &at, &product, &path, &format!("{path}/"), &format!("{path}0")],
    )?
    .iter()
    .map(|r| {
        Ok(StockRow {
            product_id: r.get(0)?,
            product_code: r.get(1)?,
            product_name: r.get(2)?,
            location: r.get(3)?,
            lot: r.get(4)?,
            quantity: qty(r.get(5)?),
        })
    })
    .collect()
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LedgerEntry {
    pub date: String,
    pub picking: Option<String>,
    pub from: String,
    pub to: String,
    pub lot: Option<String>,
    pub quantity_in: String,
    pub quantity_out: String,
    pub value: String,
    pub balance_quantity: String,
    pub balance_value: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StockLedger {
    pub product_code: String,
    pub opening_quantity: String,
    pub opening_value: String,
    pub entries: Vec<LedgerEntry>,
    pub closing_quantity: String,
    pub closing_value: String,
}

/// Every move of a product in and out of valued stock between two dates, with the running
/// quantity and value.
pub fn stock_ledger(tx: &mut Tx<'_>, ctx: &Ctx, product: &str, from: &str, to: &str) -> Result<StockLedger> {
    ctx.require(VALUATION_READ)?;
    let product = crate::stock::product_info(tx, ctx, product)?;
    let (from, to) = (date(from, "from")?, date(to, "to")?);
    let opening = tx.query_one(
        "select coalesce(sum(qty_in - qty_out), 0), coalesce(sum(value_in - value_out), 0) from inventory_value_day
         where company_id = $1 and product_id = $2 and day < $3",
        &[&ctx.company(), &product.id, &from],
    )?;
    let (mut quantity, mut value): (i64, i64) = (opening.get(0)?, opening.get(1)?);
    let (opening_quantity, opening_value) = (qty(quantity), yuan(value));
    let rows = tx.query(
        "select v.date, p.number, f.path, t.path, lot.code, v.quantity, v.value
         from inventory_valuation_layer v join inventory_move_line l on l.id = v.line_id
         join inventory_move m on m.id = l.move_id join inventory_picking p on p.id = m.picking_id
         join inventory_location f on f.id = l.from_location_id join inventory_location t on t.id = l.to_location_id
         left join inventory_lot lot on lot.id = l.lot_id
         where v.company_id = $1 and v.product_id = $2 and v.date >= $3 and v.date <= $4 order by v.date, v.id",
        &[&ctx.company(), &product.id, &from, &to],
    )?;
    let mut entries = Vec::with_capacity(rows.len());
    for r in rows {
        let (q, v): (i64, i64) = (r.get(5)?, r.get(6)?);
        quantity += q;
        value += v;
        entries.push(LedgerEntry {
            date: r.get(0)?,
            picking: r.get(1)?,
            from: r.get(2)?,
            to: r.get(3)?,
            lot: r.get(4)?,
            quantity_in: if q > 0 { qty(q) } else { String::new() },
            quantity_out: if q < 0 { qty(-q) } else { String::new() },
            value: yuan(v),
            balance_quantity: qty(quantity),
            balance_value: yuan(value),
        });
    }
    Ok(StockLedger {
        product_code: product.code,
        opening_quantity,
        opening_value,
        entries,
        closing_quantity: qty(quantity),
        closing_value: yuan(value),
    })
}

/// One product's line of the 进销存汇总表.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SummaryRow {
    pub product_id: String,
    pub product_code: String,
    pub product_name: String,
    pub opening_quantity: String,
    pub opening_value: String,
    pub in_quantity: String,
    pub in_value: String,
    pub out_quantity: String,
    pub out_value: String,
    pub closing_quantity: String,
    pub closing_value: String,
    /// Cost of what went out ÷ average stock value (opening and closing), two decimals.
    pub turnover: String,
}

/// Opening, in, out and closing per product for a period. Opening = today's totals minus
/// everything from `from` on, so only the period (and anything after it) is read.
pub fn movement_summary(tx: &mut Tx<'_>, ctx: &Ctx, from: &str, to: &str) -> Result<Vec<SummaryRow>> {
    ctx.require(VALUATION_READ)?;
    let (from, to) = (date(from, "from")?, date(to, "to")?);
    if to < from {
        return Err(Error::field("to", "inventory.period_invalid"));
    }
    let rows = tx.query(
        "select i.product_id, p.code, p.name, i.quantity, i.value,
                coalesce(a.qty_in, 0), coalesce(a.qty_out, 0), coalesce(a.value_in, 0), coalesce(a.value_out, 0),
                coalesce(a.later_qty, 0), coalesce(a.later_value, 0)
         from inventory_product i join product_product p on p.id = i.product_id
         left join (
             select product_id,
                    sum(case when day <= $3 then qty_in else 0 end) as qty_in,
                    sum(case when day <= $3 then qty_out else 0 end) as qty_out,
                    sum(case when day <= $3 then value_in else 0 end) as value_in,
                    sum(case when day <= $3 then value_out else 0 end) as value_out,
                    sum(case when day > $3 then qty_in - qty_out else 0 end) as later_qty,
                    sum(case when day > $3 then value_in - value_out else 0 end) as later_value
             from inventory_value_day where company_id = $1 and day >= $2 group by product_id
         ) a on a.product_id = i.product_id
         where i.company_id = $1
         order by p.code",
        &[&ctx.company(), &from, &to],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (now_q, now_v): (i64, i64) = (r.get(3)?, r.get(4)?);
        let (in_q, out_q, in_v, out_v): (i64, i64, i64, i64) = (r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?);
        let (later_q, later_v): (i64, i64) = (r.get(9)?, r.get(10)?);
        let (close_q, close_v) = (now_q - later_q, now_v - later_v);
        let (open_q, open_v) = (close_q - in_q + out_q, close_v - in_v + out_v);
        if open_q == 0 && in_q == 0 && out_q == 0 && open_v == 0 {
            continue;
        }
        let average = open_v + close_v;
        // turnover = out / ((open + close) / 2), in hundredths, half-up.
        let turnover = if average > 0 {
            let hundredths = kernel::money::div_round_half_up(i128::from(out_v) * 200, i128::from(average));
            format!("{}.{:02}", hundredths / 100, hundredths % 100)
        } else {
            String::new()
        };
        out.push(SummaryRow {
            product_id: r.get(0)?,
            product_code: r.get(1)?,
            product_name: r.get(2)?,
            opening_quantity: qty(open_q),
            opening_value: yuan(open_v),
            in_quantity: qty(in_q),
            in_value: yuan(in_v),
            out_quantity: qty(out_q),
            out_value: yuan(out_v),
            closing_quantity: qty(close_q),
            closing_value: yuan(close_v),
            turnover,
        });
    }
    Ok(out)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LotAge {
    pub product_code: String,
    pub lot: String,
    pub location: String,
    pub quantity: String,
    pub received: Option<String>,
    pub age_days: Option<i64>,
    pub expiry_date: Option<String>,
    /// Negative when already expired.
    pub days_to_expiry: Option<i64>,
}

/// Lots in stock with their age (since first received) and time to expiry, soonest expiry first.
pub fn lot_aging(tx: &mut Tx<'_>, ctx: &Ctx, on: &str) -> Result<Vec<LotAge>> {
    ctx.require(STOCK_READ)?;
    let on = kernel::clock::parse_date(&date(on, "date")?)?;
    let rows = tx.query(
        "select p.code, lot.code, l.path, q.quantity, lot.expiry_date,
                (select min(d.day) from inventory_stock_day d where d.company_id = q.company_id and d.lot_id = q.lot_id and d.qty_in > 0)
         from inventory_quant q join inventory_lot lot on lot.id = q.lot_id join product_product p on p.id = q.product_id
         join inventory_location l on l.id = q.location_id
         where q.company_id = $1 and q.quantity <> 0 and l.kind = 'internal'
         order by case when lot.expiry_date is null then 1 else 0 end, lot.expiry_date, p.code, lot.code",
        &[&ctx.company()],
    )?;
    let days = |text: Option<String>| -> Option<(String, i64)> {
        let text = text?;
        let day = kernel::clock::parse_date(&text).ok()?;
        Some((text, (on - day).whole_days()))
    };
    rows.iter()
        .map(|r| {
            let received = days(r.get(5)?);
            let expiry = days(r.get(4)?);
            Ok(LotAge {
                product_code: r.get(0)?,
                lot: r.get(1)?,
                location: r.get(2)?,
                quantity: qty(r.get(3)?),
                age_days: received.as_ref().map(|(_, d)| *d),
                received: received.map(|(t, _)| t),
                days_to_expiry: expiry.as_ref().map(|(_, d)| -*d),
                expiry_date: expiry.map(|(t, _)| t),
            })
        })
        .collect()
}

/// Where a lot went: every customer delivery of it, with the partner and the document.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TraceRow {
    pub date: Option<String>,
    pub picking: String,
    pub kind: String,
    pub partner_id: Option<String>,
    pub from: String,
    pub to: String,
    pub quantity: String,
}

/// Every done move of a lot or serial (receipt first), so a recall finds each customer and a
/// returned serial finds its receipt.
pub fn trace_lot(tx: &mut Tx<'_>, ctx: &Ctx, product: &str, lot: &str) -> Result<Vec<TraceRow>> {
    ctx.require(STOCK_READ)?;
    let product = crate::stock::product_info(tx, ctx, product)?;
    let lot = crate::lot::lot_by_code(tx, ctx, &product.id, lot)?;
    tx.query(
        "select l.date, p.number, p.kind, p.partner_id, f.path, t.path, l.quantity
         from inventory_move_line l join inventory_move m on m.id = l.move_id join inventory_picking p on p.id = m.picking_id
         join inventory_location f on f.id = l.from_location_id join inventory_location t on t.id = l.to_location_id
         where l.company_id = $1 and l.lot_id = $2 and l.state = 'done' order by l.date, l.id",
        &[&ctx.company(), &lot.id],
    )?
    .iter()
    .map(|r| {
        Ok(TraceRow {
            date: r.get(0)?,
            picking: r.get(1)?,
            kind: r.get(2)?,
            partner_id: r.get(3)?,
            from: r.get(4)?,
            to: r.get(5)?,
            quantity: qty(r.get(6)?),
        })
    })
    .collect()
}

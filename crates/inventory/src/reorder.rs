//! Reorder rules (min/max with safety stock and an order multiple) and the replenishment
//! suggestions they produce for purchasing and production to consume.

use kernel::db::Tx;
use kernel::{Ctx, Error, Quantity, Result};
use serde::{Deserialize, Serialize};

use crate::location::location_by_path;
use crate::permissions::{SETUP, STOCK_READ};
use crate::stock::product_info;

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"product": "TEA-001", "location": "WH/STOCK", "min_qty": "20", "max_qty": "100", "safety_qty": "5", "multiple": "12"}))]
pub struct ReorderRuleInput {
    pub product: String,
    pub location: String,
    pub min_qty: String,
    pub max_qty: String,
    #[serde(default)]
    pub safety_qty: Option<String>,
    #[serde(default)]
    pub multiple: Option<String>,
}

/// What to order: enough to bring the forecast (on hand − reserved + incoming) back to the
/// maximum, in whole multiples, when it falls below minimum + safety stock.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    pub product_id: String,
    pub product_code: String,
    pub location: String,
    pub on_hand: String,
    pub reserved: String,
    pub incoming: String,
    pub forecast: String,
    pub min_qty: String,
    pub max_qty: String,
    pub order_qty: String,
}

fn quantity(text: Option<&str>, field: &str) -> Result<i64> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(0),
        Some(text) => text
            .parse::<Quantity>()
            .ok()
            .filter(|q| !q.is_negative())
            .map(|q| q.scaled())
            .ok_or_else(|| Error::field(field.to_string(), "inventory.quantity_invalid")),
    }
}

/// Creates or replaces the rule of a product at a location.
pub fn set_rule(tx: &mut Tx<'_>, ctx: &Ctx, input: &ReorderRuleInput) -> Result<()> {
    ctx.require(SETUP)?;
    let product = product_info(tx, ctx, &input.product)?;
    let location = location_by_path(tx, ctx, &input.location)
        .map_err(|_| Error::field("location", "inventory.location_unknown").with_param("path", &input.location))?;
    let (min, max) = (quantity(Some(&input.min_qty), "min_qty")?, quantity(Some(&input.max_qty), "max_qty")?);
    if max < min {
        return Err(Error::field("max_qty", "inventory.reorder_max_below_min"));
    }
    let safety = quantity(input.safety_qty.as_deref(), "safety_qty")?;
    let multiple = quantity(input.multiple.as_deref(), "multiple")?;
    tx.execute(
        "insert into inventory_reorder_rule (id, company_id, product_id, location_id, min_qty, max_qty, safety_qty, multiple, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (company_id, product_id, location_id) do update set min_qty = excluded.min_qty, max_qty = excluded.max_qty,
             safety_qty = excluded.safety_qty, multiple = excluded.multiple",
        &[&kernel::id::Uuid::now_v7(), &ctx.company(), &product.id, &location.id, &min, &max, &safety, &multiple, &ctx.now_text()],
    )?;
    kernel::audit::record(
        tx,
        ctx,
        "inventory.reorder.set",
        "inventory.reorder_rule",
        &format!("{}@{}", product.code, location.path),
        serde_json::json!({"min": min, "max": max}),
    )
}

/// A rule as set.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReorderRule {
    pub product_code: String,
    pub location: String,
    pub min_qty: String,
    pub max_qty: String,
    pub safety_qty: String,
    pub multiple: String,
}

pub fn list_rules(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<ReorderRule>> {
    ctx.require(STOCK_READ)?;
    let q = |v: i64| Quantity::from_scaled(v).to_string();
    tx.query(
        "select p.code, l.path, r.min_qty, r.max_qty, r.safety_qty, r.multiple from inventory_reorder_rule r
         join product_product p on p.id = r.product_id join inventory_location l on l.id = r.location_id
         where r.company_id = $1 order by p.code, l.path",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| {
        Ok(ReorderRule {
            product_code: r.get(0)?,
            location: r.get(1)?,
            min_qty: q(r.get(2)?),
            max_qty: q(r.get(3)?),
            safety_qty: q(r.get(4)?),
            multiple: q(r.get(5)?),
        })
    })
    .collect()
}

/// The order quantity for a forecast under a rule (pure: the rule of the whole feature).
pub fn order_quantity(forecast: i64, min: i64, max: i64, safety: i64, multiple: i64) -> i64 {
    if forecast >= min + safety {
        return 0;
    }
    let need = max + safety - forecast;
    if multiple > 0 {
        need.div_euclid(multiple) * multiple + if need % multiple == 0 { 0 } else { multiple }
    } else {
        need
    }
}

/// Every rule whose forecast is below its minimum, with what to order. Incoming counts the
/// open receipts and transfers into the rule's location (and below it).
pub fn suggestions(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Suggestion>> {
    ctx.require(STOCK_READ)?;
    let rows = tx.query(
        "select r.product_id, p.code, l.path, r.min_qty, r.max_qty, r.safety_qty, r.multiple,
                coalesce((select sum(q.quantity) from inventory_quant q join inventory_location ql on ql.id = q.location_id
                          where q.company_id = r.company_id and q.product_id = r.product_id and (ql.id = l.id or (ql.path >= (l.path || '/') and ql.path < (l.path || '0')))), 0),
                coalesce((select sum(q.reserved) from inventory_quant q join inventory_location ql on ql.id = q.location_id
                          where q.company_id = r.company_id and q.product_id = r.product_id and (ql.id = l.id or (ql.path >= (l.path || '/') and ql.path < (l.path || '0')))), 0),
                coalesce((select sum(m.quantity) from inventory_move m join inventory_location ml on ml.id = m.to_location_id
                          join inventory_location mf on mf.id = m.from_location_id
                          where m.company_id = r.company_id and m.product_id = r.product_id and m.state in ('draft', 'waiting', 'ready')
                            and (ml.id = l.id or (ml.path >= (l.path || '/') and ml.path < (l.path || '0'))) and not (mf.id = l.id or (mf.path >= (l.path || '/') and mf.path < (l.path || '0')))), 0)
         from inventory_reorder_rule r join product_product p on p.id = r.product_id join inventory_location l on l.id = r.location_id
         where r.company_id = $1 order by p.code, l.path",
        &[&ctx.company()],
    )?;
    let q = |v: i64| Quantity::from_scaled(v).to_string();
    let mut out = Vec::new();
    for r in rows {
        let (min, max, safety, multiple): (i64, i64, i64, i64) = (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
        let (on_hand, reserved, incoming): (i64, i64, i64) = (r.get(7)?, r.get(8)?, r.get(9)?);
        let forecast = on_hand - reserved + incoming;
        let order = order_quantity(forecast, min, max, safety, multiple);
        if order > 0 {
            out.push(Suggestion {
                product_id: r.get(0)?,
                product_code: r.get(1)?,
                location: r.get(2)?,
                on_hand: q(on_hand),
                reserved: q(reserved),
                incoming: q(incoming),
                forecast: q(forecast),
                min_qty: q(min),
                max_qty: q(max),
                order_qty: q(order),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::order_quantity;

    #[test]
    fn orders_up_to_max_in_multiples() {
        // Forecast 8 under min 20 + safety 5: order up to 100 + 5 → 97, in twelves → 108.
        assert_eq!(order_quantity(8, 20, 100, 5, 12), 108);
        assert_eq!(order_quantity(25, 20, 100, 5, 12), 0);
        assert_eq!(order_quantity(-10, 20, 100, 0, 0), 110);
        assert_eq!(order_quantity(4, 20, 100, 0, 4), 96);
    }
}

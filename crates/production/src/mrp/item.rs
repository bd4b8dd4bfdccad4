//! An item's planning data (物料计划参数): made or bought, lot sizing, lead time and
//! make-to-order. An item without a row is made when it has a BOM, else bought, lot for lot,
//! with the supplier's or the routing's lead time.

use kernel::db::Tx;
use kernel::{Ctx, Error, Quantity, Result, audit};
use serde::{Deserialize, Serialize};

use crate::bom::{product_id, qty_text};
use crate::permissions::{PLAN, READ};

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"product": "WHEEL", "procurement": "buy", "lot_policy": "multiple", "multiple": "50",
    "lead_days": 7, "make_to_order": false, "backflush": false}))]
pub struct ItemInput {
    pub product: String,
    /// make, buy, or empty (make when the product has a BOM).
    #[serde(default)]
    pub procurement: String,
    /// lot_for_lot (default), fixed, minimum or multiple.
    #[serde(default)]
    pub lot_policy: String,
    pub lot_qty: Option<String>,
    pub min_qty: Option<String>,
    pub multiple: Option<String>,
    /// Days from release to due; empty: the supplier's (buy) or the routing's (make).
    pub lead_days: Option<i64>,
    /// 按单生产: a confirmed sales order makes its own work order.
    #[serde(default)]
    pub make_to_order: bool,
    /// Work orders issue the materials at receipt (倒冲) instead of from a pick list.
    #[serde(default)]
    pub backflush: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ItemSettings {
    pub product_id: String,
    pub procurement: String,
    pub lot_policy: String,
    pub lot_qty: String,
    pub min_qty: String,
    pub multiple: String,
    pub lead_days: Option<i64>,
    pub make_to_order: bool,
    pub backflush: bool,
}

fn quantity(text: &Option<String>, field: &str) -> Result<i64> {
    match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(0),
        Some(t) => t
            .parse::<Quantity>()
            .ok()
            .map(|q| q.scaled())
            .filter(|q| *q >= 0)
            .ok_or_else(|| Error::field(field.to_string(), "production.quantity_invalid")),
    }
}

pub fn set_item(tx: &mut Tx<'_>, ctx: &Ctx, input: &ItemInput) -> Result<ItemSettings> {
    ctx.require(PLAN)?;
    let product = product_id(tx, ctx, &input.product, "product")?;
    let procurement = input.procurement.trim();
    if !matches!(procurement, "" | "make" | "buy") {
        return Err(Error::field("procurement", "production.procurement_invalid"));
    }
    let policy = match input.lot_policy.trim() {
        "" => "lot_for_lot",
        p @ ("lot_for_lot" | "fixed" | "minimum" | "multiple") => p,
        _ => return Err(Error::field("lot_policy", "production.lot_policy_invalid")),
    };
    let (lot, min, multiple) = (
        quantity(&input.lot_qty, "lot_qty")?,
        quantity(&input.min_qty, "min_qty")?,
        quantity(&input.multiple, "multiple")?,
    );
    let missing = match policy {
        "fixed" if lot == 0 => Some("lot_qty"),
        "minimum" if min == 0 => Some("min_qty"),
        "multiple" if multiple == 0 => Some("multiple"),
        _ => None,
    };
    if let Some(field) = missing {
        return Err(Error::field(field, "production.required"));
    }
    if input.lead_days.is_some_and(|d| !(0..=3650).contains(&d)) {
        return Err(Error::field("lead_days", "production.lead_days_invalid"));
    }
    tx.execute(
        "insert into production_item (company_id, product_id, procurement, lot_policy, lot_qty, min_qty, multiple, lead_days,
             make_to_order, updated_at, backflush)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         on conflict (company_id, product_id) do update set procurement = excluded.procurement,
             lot_policy = excluded.lot_policy, lot_qty = excluded.lot_qty, min_qty = excluded.min_qty,
             multiple = excluded.multiple, lead_days = excluded.lead_days, make_to_order = excluded.make_to_order,
             updated_at = excluded.updated_at, backflush = excluded.backflush",
        &[
            &ctx.company(),
            &product,
            &procurement,
            &policy,
            &lot,
            &min,
            &multiple,
            &input.lead_days,
            &input.make_to_order,
            &ctx.now_text(),
            &input.backflush,
        ],
    )?;
    audit::record(tx, ctx, "production.item.set", "product.product", &product, serde_json::json!({"policy": policy}))?;
    get_item(tx, ctx, &product)
}

/// The planning data of a product (the defaults when none was set).
pub fn get_item(tx: &mut Tx<'_>, ctx: &Ctx, product: &str) -> Result<ItemSettings> {
    ctx.require(READ)?;
    let product = product_id(tx, ctx, product, "product")?;
    let row = tx.query_opt(
        "select procurement, lot_policy, lot_qty, min_qty, multiple, lead_days, make_to_order, backflush from production_item
         where company_id = $1 and product_id = $2",
        &[&ctx.company(), &product],
    )?;
    Ok(match row {
        Some(r) => ItemSettings {
            product_id: product,
            procurement: r.get(0)?,
            lot_policy: r.get(1)?,
            lot_qty: qty_text(r.get(2)?),
            min_qty: qty_text(r.get(3)?),
            multiple: qty_text(r.get(4)?),
            lead_days: r.get(5)?,
            make_to_order: r.get(6)?,
            backflush: r.get(7)?,
        },
        None => ItemSettings {
            product_id: product,
            procurement: String::new(),
            lot_policy: "lot_for_lot".into(),
            lot_qty: "0".into(),
            min_qty: "0".into(),
            multiple: "0".into(),
            lead_days: None,
            make_to_order: false,
            backflush: false,
        },
    })
}

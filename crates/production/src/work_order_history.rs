//! Work orders of the past, brought over from another system (AdventureWorks' WorkOrder table):
//! closed orders with what was ordered, stocked and scrapped and why, written in bulk. And the
//! totals of work orders per year (and product), which the planner reads to see output and
//! scrap over time, and which the import is checked against.

use kernel::db::{Tx, Value};
use kernel::{Ctx, Error, Result, audit};
use serde::Serialize;

use crate::bom::qty_text;
use crate::bulk::insert_rows;
use crate::permissions::{READ, WORK};

/// One historic work order; quantities scaled 10^4, dates YYYY-MM-DD.
#[derive(Clone, Debug)]
pub struct HistoricWorkOrder {
    pub number: String,
    pub product_id: String,
    pub quantity: i64,
    pub stocked: i64,
    pub scrapped: i64,
    pub scrap_reason: String,
    pub start_date: String,
    pub end_date: String,
    pub due_date: String,
}

/// Writes closed work orders, each on the product's BOM valid on its start date (or its
/// current one). Returns how many were written.
pub fn import_history(tx: &mut Tx<'_>, ctx: &Ctx, orders: &[HistoricWorkOrder]) -> Result<usize> {
    ctx.require(WORK)?;
    let mut boms: std::collections::HashMap<String, Vec<(String, String)>> = std::collections::HashMap::new();
    for r in tx.query(
        "select product_id, id, valid_from from production_bom where company_id = $1 order by valid_from desc",
        &[&ctx.company()],
    )? {
        boms.entry(r.get(0)?).or_default().push((r.get(1)?, r.get(2)?));
    }
    let company = ctx.company().to_string();
    let mut rows = Vec::with_capacity(orders.len());
    for (i, o) in orders.iter().enumerate() {
        let versions = boms.get(&o.product_id).ok_or_else(|| {
            Error::field(format!("orders[{i}].product"), "production.no_bom").with_param("product", &o.product_id)
        })?;
        let bom = versions.iter().find(|(_, from)| *from <= o.start_date).unwrap_or(&versions[versions.len() - 1]);
        rows.push(vec![
            Value::Text(kernel::id::Uuid::now_v7().to_string()),
            Value::Text(company.clone()),
            Value::Text(o.number.clone()),
            Value::Text(o.product_id.clone()),
            Value::Text(bom.0.clone()),
            Value::Int(o.quantity),
            Value::Int(o.stocked),
            Value::Text(o.due_date.clone()),
            Value::Text(o.start_date.clone()),
            Value::Text(ctx.actor().label()),
            Value::Text(o.end_date.clone()),
            Value::Int(o.scrapped),
            Value::Text(o.scrap_reason.clone()),
        ]);
    }
    let count = rows.len();
    insert_rows(
        tx,
        "production_work_order (id, company_id, number, product_id, bom_id, quantity, received, due_date, created_at,
             created_by, updated_at, scrapped, scrap_reason, state)",
        ", 'closed'",
        rows,
    )?;
    audit::record(
        tx,
        ctx,
        "production.work_order.import",
        "production.work_order",
        &"history",
        serde_json::json!({"count": count}),
    )?;
    Ok(count)
}

/// Work orders of a year: how many, and the quantities ordered, received and scrapped.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WorkOrderTotals {
    pub year: String,
    pub orders: i64,
    pub quantity: String,
    pub received: String,
    pub scrapped: String,
}

/// Totals per year of the due date (of the creation when none), for one product or all.
pub fn totals(tx: &mut Tx<'_>, ctx: &Ctx, product: Option<&str>) -> Result<Vec<WorkOrderTotals>> {
    ctx.require(READ)?;
    let product = match product.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => crate::bom::product_id(tx, ctx, p, "product")?,
        None => String::new(),
    };
    let filter = if product.is_empty() { "and $2 = ''" } else { "and w.product_id = $2" };
    tx.query(
        &format!(
            "select substr(coalesce(w.due_date, w.created_at), 1, 4), count(*), sum(w.quantity), sum(w.received),
                    sum(w.scrapped + coalesce((select sum(o.scrap) from production_work_order_operation o
                                               where o.work_order_id = w.id), 0))
             from production_work_order w where w.company_id = $1 and w.state <> 'cancelled' {filter}
             group by substr(coalesce(w.due_date, w.created_at), 1, 4) order by 1"
        ),
        &[&ctx.company(), &product],
    )?
    .iter()
    .map(|r| {
        Ok(WorkOrderTotals {
            year: r.get(0)?,
            orders: r.get(1)?,
            quantity: qty_text(r.get(2)?),
            received: qty_text(r.get(3)?),
            scrapped: qty_text(r.get(4)?),
        })
    })
    .collect()
}

//! Turning plans into documents. The planner confirms planned orders in bulk: a make order
//! becomes a confirmed work order (for the sales order it is pegged to, when it is pegged to
//! one only); buy orders are published as `PurchasesPlanned`, which the purchasing glue in
//! `wiring.rs` turns into one purchase requisition and reports back (`requisition_made`).
//! Until that requisition is ordered, a confirmed planned purchase counts as supply in later
//! runs. Make-to-order (按单生产) items get a work order when their sales order is confirmed.

use kernel::db::Tx;
use kernel::{Ctx, Error, Result, audit};
use serde::Serialize;

use crate::bom::qty_text;
use crate::events::{PlannedPurchase, PurchasesPlanned};
use crate::permissions::{PLAN, READ, WORK};
use crate::work_order::{WorkOrderId, WorkOrderInput, create_work_order};

/// What a bulk confirmation made.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Confirmed {
    /// Numbers of the work orders made.
    pub work_orders: Vec<String>,
    /// Planned purchases handed to purchasing.
    pub purchases: usize,
}

/// Confirms planned orders (all planned ones when `ids` is empty).
pub fn confirm_planned(tx: &mut Tx<'_>, ctx: &Ctx, ids: &[String]) -> Result<Confirmed> {
    ctx.require(PLAN)?;
    let current = super::run::current_run(tx, ctx)?;
    let rows = tx.query(
        "select o.id, o.product_id, o.kind, o.quantity, o.due_date,
                (select min(g.demand_id) from production_pegging g where g.planned_order_id = o.id and g.demand_kind = 'sales.order'),
                (select count(distinct g.demand_kind || g.demand_id) from production_pegging g where g.planned_order_id = o.id),
                o.parents
         from production_planned_order o where o.company_id = $1 and o.state = 'planned' and o.run_id = $2
         order by o.release_date, o.id",
        &[&ctx.company(), &current],
    )?;
    let wanted: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
    let mut done = Confirmed::default();
    let mut purchases = Vec::new();
    let mut found = 0;
    let work = ctx.with_granted(&[WORK, READ, product::permissions::PRODUCT_READ]);
    for r in rows {
        let id: String = r.get(0)?;
        if !wanted.is_empty() && !wanted.contains(id.as_str()) {
            continue;
        }
        found += 1;
        let (product, kind, quantity, due): (String, String, i64, String) =
            (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        let (sales_order, demands, parents): (Option<String>, i64, String) = (r.get(5)?, r.get(6)?, r.get(7)?);
        if kind == "make" {
            let order = create_work_order(
                tx,
                &work,
                &WorkOrderInput {
                    product,
                    quantity: qty_text(quantity),
                    due_date: Some(due),
                    sales_order_id: sales_order.filter(|_| demands == 1 && parents.is_empty()),
                    confirm: true,
                    ..WorkOrderInput::default()
                },
            )?;
            tx.execute(
                "update production_planned_order set state = 'confirmed', work_order_id = $1 where id = $2 and state = 'planned'",
                &[&order.id, &id],
            )?;
            done.work_orders.push(order.number);
        } else {
            tx.execute(
                "update production_planned_order set state = 'confirmed' where id = $1 and state = 'planned'",
                &[&id],
            )?;
            purchases.push(PlannedPurchase { planned_order_id: id, product_id: product, quantity, needed_by: due });
        }
    }
    if found < wanted.len() {
        return Err(Error::not_found("production.planned_order_not_found"));
    }
    done.purchases = purchases.len();
    if !purchases.is_empty() {
        tx.publish(ctx, &PurchasesPlanned { lines: purchases })?;
    }
    audit::record(
        tx,
        ctx,
        "production.mrp.confirm",
        "production.mrp_run",
        &"confirm",
        serde_json::json!({"work_orders": done.work_orders.len(), "purchases": done.purchases}),
    )?;
    Ok(done)
}

/// The purchasing glue made requisition `number` for these confirmed planned purchases.
pub fn requisition_made(tx: &mut Tx<'_>, ctx: &Ctx, planned: &[String], id: &str, number: &str) -> Result<()> {
    for planned_order in planned {
        tx.execute(
            "update production_planned_order set requisition_id = $1, requisition_number = $2
             where company_id = $3 and id = $4",
            &[&id, &number, &ctx.company(), planned_order],
        )?;
    }
    Ok(())
}

/// A requisition became purchase orders: its planned purchases are no longer supply of their
/// own (the orders' receipts are, once confirmed).
pub fn requisition_ordered(tx: &mut Tx<'_>, ctx: &Ctx, requisition_id: &str) -> Result<()> {
    tx.execute(
        "update production_planned_order set state = 'ordered' where company_id = $1 and requisition_id = $2 and state = 'confirmed'",
        &[&ctx.company(), &requisition_id],
    )?;
    Ok(())
}

/// The products set to be made to order (按单生产).
pub fn made_to_order(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<String>> {
    tx.query("select product_id from production_item where company_id = $1 and make_to_order = 1", &[&ctx.company()])?
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Make-to-order: for each (product, quantity) of a confirmed sales order whose product is set
/// to be made to order, a confirmed work order for that order, due on `due`.
pub fn make_to_order(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    sales_order_id: &str,
    lines: &[(String, i64)],
    due: Option<&str>,
) -> Result<Vec<WorkOrderId>> {
    let made_to_order = made_to_order(tx, ctx)?;
    let work = ctx.with_granted(&[WORK, READ, product::permissions::PRODUCT_READ]);
    let mut made = Vec::new();
    for (product, quantity) in lines.iter().filter(|(p, q)| *q > 0 && made_to_order.contains(p)) {
        let order = create_work_order(
            tx,
            &work,
            &WorkOrderInput {
                product: product.clone(),
                quantity: qty_text(*quantity),
                due_date: due.map(str::to_string),
                sales_order_id: Some(sales_order_id.to_string()),
                confirm: true,
                ..WorkOrderInput::default()
            },
        )?;
        made.push(WorkOrderId::parse(&order.id)?);
    }
    Ok(made)
}

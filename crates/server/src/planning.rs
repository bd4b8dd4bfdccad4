//! Glue between production planning and the modules beside it (listed in `wiring.rs`):
//! confirmed planned purchases become a purchase requisition; a requisition turned into
//! purchase orders stops counting as planned supply; a confirmed sales order of make-to-order
//! products gets its work orders, due when its delivery is scheduled.

use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::{Ctx, Quantity, Result};

/// `production::PurchasesPlanned` → one requisition (请购单) of all the lines.
pub fn purchases_planned(tx: &mut Tx<'_>, ctx: &Ctx, event: &production::events::PurchasesPlanned) -> Result<()> {
    let buyer = ctx.with_granted(&[purchasing::permissions::REQUISITION_WRITE, product::permissions::PRODUCT_READ]);
    let requisition = purchasing::requisition::create_requisition(
        tx,
        &buyer,
        &purchasing::RequisitionInput {
            note: "MRP 计划订单".into(),
            lines: event
                .lines
                .iter()
                .map(|l| purchasing::requisition::RequisitionLineInput {
                    product: l.product_id.clone(),
                    quantity: Quantity::from_scaled(l.quantity).to_string(),
                    needed_by: Some(l.needed_by.clone()),
                    supplier: None,
                })
                .collect(),
        },
    )?;
    let planned: Vec<String> = event.lines.iter().map(|l| l.planned_order_id.clone()).collect();
    production::mrp::requisition_made(tx, ctx, &planned, &requisition.id.to_string(), &requisition.number)
}

/// `purchasing::RequisitionOrdered` → its planned purchases are ordered.
pub fn requisition_ordered(tx: &mut Tx<'_>, ctx: &Ctx, event: &purchasing::RequisitionOrdered) -> Result<()> {
    production::mrp::requisition_ordered(tx, ctx, &event.requisition_id)
}

/// `sales::OrderConfirmed` → work orders for its make-to-order lines.
pub fn order_confirmed(tx: &mut Tx<'_>, ctx: &Ctx, event: &sales::OrderConfirmed) -> Result<()> {
    if production::mrp::made_to_order(tx, ctx)?.is_empty() {
        return Ok(());
    }
    let reader = ctx.with_granted(&[sales::permissions::ORDER_READ, inventory::permissions::STOCK_READ]);
    let order = sales::get_order(tx, &reader, sales::OrderId::parse(&event.order_id)?)?;
    let lines: Vec<(String, i64)> = order
        .lines
        .iter()
        .map(|l| (l.product_id.clone(), l.quantity.parse::<Quantity>().map(|q| q.scaled()).unwrap_or(0)))
        .collect();
    let due = inventory::pickings_of_origin(tx, &reader, &DocRef::new("sales.order", &event.order_id))?
        .into_iter()
        .map(|p| p.scheduled_date.chars().take(10).collect::<String>())
        .min();
    production::mrp::make_to_order(tx, ctx, &event.order_id, &lines, due.as_deref())?;
    Ok(())
}

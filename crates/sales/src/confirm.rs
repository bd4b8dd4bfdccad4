//! Confirming a sales order and cancelling it. Confirmation asks the approval engine first: when
//! the company's flow for sales orders applies (over the credit limit, a discount beyond the
//! limit, a large amount…), the order waits for the approval, which confirms it. Without a flow,
//! over the customer's credit limit only a holder of `sales.credit.override` confirms (recorded
//! on the order). Confirming reserves stock by creating and confirming the delivery in the same
//! transaction; lines of services and consumables count as delivered at once. Cancellation
//! releases the reservations by cancelling the open deliveries, and is refused once goods have
//! left or an invoice was posted.

use inventory::{MoveInput, PickingInput, PickingKind, PickingState};
use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::{Ctx, Error, Result, audit};

use crate::order::{
    Header, OrderAction, OrderId, OrderState, SalesOrder, get_order, load, load_unchecked, order_lines, set_state,
};
use crate::permissions::{CREDIT_OVERRIDE, ORDER_CONFIRM, ORDER_READ};

/// The kind approval flows name sales orders by.
pub const APPROVAL_KIND: &str = "sales.order";

/// The customer's credit limit and what they would owe with this order (minor units), when the
/// customer has a limit.
fn credit(tx: &mut Tx<'_>, ctx: &Ctx, header: &Header) -> Result<Option<(i64, i64)>> {
    let limit: i64 = tx.scalar("select credit_limit_minor from party_party where id = $1", &[&header.customer_id])?;
    if limit <= 0 {
        return Ok(None);
    }
    Ok(Some((limit, exposure(tx, ctx, header)?)))
}

/// What the approval flow of sales orders may look at: the total in CNY (`amount`), whether it
/// goes over the customer's credit limit (`over_credit`: yes or no), the largest line discount in
/// percent (`discount`), the currency, the customer's code and the salesperson's login.
fn approval_subject(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    header: &Header,
    credit: Option<(i64, i64)>,
) -> Result<office::approval::Subject> {
    let r = tx.query_one(
        "select c.code, c.name, coalesce(u.username, ''),
             coalesce((select max(l.discount_bp) from sales_order_line l where l.order_id = o.id), 0)
         from sales_order o join party_party c on c.id = o.customer_id left join kernel_user u on u.id = o.salesperson_id
         where o.id = $1",
        &[&header.id],
    )?;
    let (customer, customer_name, salesperson, discount_bp): (String, String, String, i64) =
        (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
    let over = credit.is_some_and(|(limit, exposure)| exposure > limit);
    let facts = [
        ("amount", product::in_cny_text(tx, ctx, header.total, &header.currency, header.order_date)?),
        ("currency", header.currency.clone()),
        ("customer", customer),
        ("salesperson", salesperson),
        ("discount", crate::order::percent(discount_bp)),
        ("over_credit", if over { "yes" } else { "no" }.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    Ok(office::approval::Subject {
        kind: APPROVAL_KIND.into(),
        id: header.id.to_string(),
        title: format!(
            "{} {} {} {}",
            header.number,
            customer_name,
            crate::order::money(header.total, &header.currency),
            header.currency
        ),
        facts,
    })
}

/// The approval of a sales order has ended: approved, the order is confirmed by the approver on
/// the salesperson's behalf (over the credit limit, the approver is recorded as having allowed
/// it); otherwise it stays a quotation to change or cancel.
pub fn approval_decided(tx: &mut Tx<'_>, ctx: &Ctx, event: &office::approval::ApprovalDecided) -> Result<()> {
    if event.kind != APPROVAL_KIND || event.outcome != office::approval::Outcome::Approved {
        return Ok(());
    }
    let id = OrderId::parse(&event.doc_id)?;
    let acting = ctx.with_granted(&[ORDER_READ, ORDER_CONFIRM]);
    // The approver may see only their own orders in the lists; deciding on this one is theirs.
    let header = load_unchecked(tx, &acting, id)?;
    header.check(OrderAction::Confirm, &acting)?;
    let over = credit(tx, &acting, &header)?.filter(|(limit, exposure)| exposure > limit);
    if let Some((limit, exposure)) = over {
        tx.execute("update sales_order set credit_approved_by = $1 where id = $2", &[&acting.actor().label(), &id])?;
        audit::record(
            tx,
            &acting,
            "sales.order.credit_approved",
            "sales.order",
            &id,
            serde_json::json!({"limit": limit, "exposure": exposure, "approval": event.request_id}),
        )?;
    }
    confirm_now(tx, &acting, &header)
}

/// What the customer would owe with this order: the receivable balance plus what confirmed
/// orders have not invoiced yet plus this order (minor units).
fn exposure(tx: &mut Tx<'_>, ctx: &Ctx, header: &Header) -> Result<i64> {
    Ok(owed(tx, ctx, &header.customer_id, Some(&header.id.to_string()))? + header.total)
}

/// The receivable balance plus what confirmed orders (other than `except`) have not invoiced.
fn owed(tx: &mut Tx<'_>, ctx: &Ctx, customer: &str, except: Option<&str>) -> Result<i64> {
    let receivable = ledger::open_items::partner_balance(tx, ctx, "receivable", customer)?;
    let open_orders: i64 = tx.scalar(
        "select coalesce(sum(l.total * (l.quantity - l.invoiced) / l.quantity), 0)
         from sales_order o join sales_order_line l on l.order_id = o.id
         where o.company_id = $1 and o.customer_id = $2 and o.state = 'confirmed' and o.id <> $3",
        &[&ctx.company(), &customer, &except.unwrap_or("")],
    )?;
    Ok(receivable + open_orders)
}

/// What a customer may still order before the credit limit (minor units of the company's
/// currency), or None without a limit: the pickers show it beside the customer.
pub fn remaining_credit(tx: &mut Tx<'_>, ctx: &Ctx, customer: &str) -> Result<Option<i64>> {
    ctx.require(crate::permissions::ORDER_READ)?;
    let limit: Option<i64> = tx
        .query_opt(
            "select credit_limit_minor from party_party where company_id = $1 and id = $2",
            &[&ctx.company(), &customer],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    match limit.filter(|l| *l > 0) {
        Some(limit) => Ok(Some(limit - owed(tx, ctx, customer, None)?)),
        None => Ok(None),
    }
}

/// Confirms a quotation into a sales order. `override_credit` lets a holder of
/// `sales.credit.override` confirm over the customer's credit limit.
///
/// Reads nothing back (see `confirm_order` for the answer).
pub fn confirm_entered(tx: &mut Tx<'_>, ctx: &Ctx, id: OrderId, override_credit: bool) -> Result<()> {
    let header = load(tx, ctx, id)?;
    header.check(OrderAction::Confirm, ctx)?;
    // A quotation holds until its validity date; after it, prices must be looked at again.
    let valid_until: Option<String> = tx.scalar("select valid_until from sales_order where id = $1", &[&id])?;
    if let Some(date) = valid_until.filter(|d| *d < kernel::clock::format_date(ctx.today())) {
        return Err(Error::conflict("sales.quotation_expired").with_param("date", date));
    }
    let credit = credit(tx, ctx, &header)?;
    let subject = approval_subject(tx, ctx, &header, credit)?;
    if let office::approval::Gate::Submitted { number, .. } = office::approval::gate(tx, ctx, &subject)? {
        audit::record(
            tx,
            ctx,
            "sales.order.submit",
            "sales.order",
            &id,
            serde_json::json!({"number": header.number, "approval": number}),
        )?;
        return Ok(());
    }
    if let Some((limit, exposure)) = credit.filter(|(limit, exposure)| exposure > limit) {
        // With an approval flow for sales orders, going over the limit is the flow's to allow.
        let flow = office::approval::get_flow(tx, ctx, APPROVAL_KIND)?.is_some_and(|f| f.active);
        if flow || !(override_credit && ctx.may(CREDIT_OVERRIDE)) {
            return Err(Error::conflict("sales.credit_limit_exceeded")
                .with_param("limit", crate::order::money(limit, &header.currency))
                .with_param("exposure", crate::order::money(exposure, &header.currency)));
        }
        tx.execute("update sales_order set credit_approved_by = $1 where id = $2", &[&ctx.actor().label(), &id])?;
        audit::record(
            tx,
            ctx,
            "sales.order.credit_override",
            "sales.order",
            &id,
            serde_json::json!({"limit": limit, "exposure": exposure}),
        )?;
    }
    confirm_now(tx, ctx, &header)
}

/// Reserves the goods, delivers services at once and marks the order confirmed.
fn confirm_now(tx: &mut Tx<'_>, ctx: &Ctx, header: &Header) -> Result<()> {
    let id = header.id;
    let lines = order_lines(tx, id)?;
    let goods: Vec<MoveInput> = lines
        .iter()
        .filter(|l| l.stockable)
        .map(|l| MoveInput {
            product: l.product_id.clone(),
            quantity: l.quantity.to_string(),
            origin: Some(DocRef::new("sales.order_line", &l.id)),
            ..MoveInput::default()
        })
        .collect();
    // Services and consumables are delivered with the confirmation.
    tx.execute(
        "update sales_order_line set delivered = quantity where order_id = $1 and stockable = $2",
        &[&id, &false],
    )?;
    if !goods.is_empty() {
        let stock = ctx.with_granted(&[inventory::permissions::STOCK_MOVE]);
        inventory::open_picking(
            tx,
            &stock,
            &PickingInput {
                kind: Some(PickingKind::Delivery),
                partner_id: Some(header.customer_id.clone()),
                origin_kind: Some("sales.order".into()),
                origin_id: Some(id.to_string()),
                lines: goods,
                confirm: true,
                ..PickingInput::default()
            },
        )?;
    }
    set_state(tx, ctx, header, OrderState::Confirmed)?;
    tx.publish(
        ctx,
        &crate::events::OrderConfirmed {
            order_id: id.to_string(),
            number: header.number.clone(),
            customer_id: header.customer_id.clone(),
            salesperson_id: header.salesperson_id.clone(),
            total: header.total,
            currency: header.currency.clone(),
        },
    )?;
    audit::record(tx, ctx, "sales.order.confirm", "sales.order", &id, serde_json::json!({"number": header.number}))?;
    Ok(())
}

/// `confirm_entered`, answered with the order as it now stands.
pub fn confirm_order(tx: &mut Tx<'_>, ctx: &Ctx, id: OrderId, override_credit: bool) -> Result<SalesOrder> {
    confirm_entered(tx, ctx, id, override_credit)?;
    get_order(tx, ctx, id)
}

/// Cancels a quotation or an order from which nothing has been delivered or invoiced; its open
/// deliveries are cancelled, which releases their reservations.
pub fn cancel_order(tx: &mut Tx<'_>, ctx: &Ctx, id: OrderId) -> Result<SalesOrder> {
    let header = load(tx, ctx, id)?;
    header.check(OrderAction::Cancel, ctx)?;
    // Withdraw the approval first: the approvers are deciding on this order.
    office::approval::require_not_pending(tx, ctx, APPROVAL_KIND, &id.to_string())?;
    if header.state == OrderState::Confirmed {
        let lines = order_lines(tx, id)?;
        if lines.iter().any(|l| l.stockable && l.delivered.scaled() > 0) {
            return Err(Error::conflict("sales.order_delivered"));
        }
        if lines.iter().any(|l| l.invoiced.scaled() != 0) {
            return Err(Error::conflict("sales.order_invoiced"));
        }
        let stock = ctx.with_granted(&[inventory::permissions::STOCK_MOVE, inventory::permissions::STOCK_READ]);
        for picking in inventory::pickings_of_origin(tx, &stock, &DocRef::new("sales.order", id))? {
            if !matches!(picking.state, PickingState::Done | PickingState::Cancelled) {
                inventory::cancel(tx, &stock, picking.id)?;
            }
        }
        tx.execute("update sales_order_line set delivered = 0 where order_id = $1", &[&id])?;
    }
    set_state(tx, ctx, &header, OrderState::Cancelled)?;
    audit::record(tx, ctx, "sales.order.cancel", "sales.order", &id, serde_json::json!({}))?;
    get_order(tx, ctx, id)
}

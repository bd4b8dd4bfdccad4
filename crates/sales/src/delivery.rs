//! What happens to an order in the warehouse: deliveries done make quantities delivered (and so
//! invoiceable), returns (RMA) bring goods back from the customer into stock and make them
//! due for a credit note.

use std::collections::BTreeSet;

use inventory::{LocationKind, MoveInput, Picking, PickingInput, PickingKind, StockDocumentDone};
use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::{Ctx, Error, Quantity, Result, audit};
use serde::Deserialize;

use crate::order::{OrderAction, OrderId, load, order_lines, settle_state};

/// Reaction to a done stock document: quantities delivered to or returned from the customer
/// for each order line it served.
pub fn stock_document_done(tx: &mut Tx<'_>, ctx: &Ctx, event: &StockDocumentDone) -> Result<()> {
    let mut orders = BTreeSet::new();
    for moved in event.moved.iter().filter(|m| m.origin.kind == "sales.order_line") {
        let column = match (moved.from_kind, moved.to_kind) {
            (_, LocationKind::Customer) => "delivered",
            (LocationKind::Customer, _) => "returned",
            _ => continue,
        };
        let order: Option<String> = tx
            .query_opt(
                &format!("update sales_order_line set {column} = {column} + $1 where id = $2 returning order_id"),
                &[&moved.quantity, &moved.origin.id],
            )?
            .map(|r| r.get(0))
            .transpose()?;
        orders.extend(order);
    }
    for order in orders {
        settle_state(tx, ctx, OrderId::parse(&order)?)?;
    }
    Ok(())
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnLineInput {
    /// The order line the goods were sold on.
    pub line_id: String,
    pub quantity: String,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "破损", "lines": [{"line_id": "0193…", "quantity": "1"}]}))]
pub struct ReturnInput {
    #[serde(default)]
    pub reason: String,
    pub lines: Vec<ReturnLineInput>,
    /// The stock location the goods go back to; the first warehouse's stock by default.
    pub to: Option<String>,
}

/// Creates the return receipt (customer → stock) for goods delivered on an order. When it is
/// done, the quantities count as returned and a credit note can be drawn from the order.
pub fn create_return(tx: &mut Tx<'_>, ctx: &Ctx, id: OrderId, input: &ReturnInput) -> Result<Picking> {
    let header = load(tx, ctx, id)?;
    header.check(OrderAction::Return, ctx)?;
    let lines = order_lines(tx, id)?;
    if input.lines.is_empty() {
        return Err(Error::field("lines", "sales.return_empty"));
    }
    let mut moves = Vec::new();
    for (i, wanted) in input.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let line = lines
            .iter()
            .find(|l| l.id == wanted.line_id.trim() && l.stockable)
            .ok_or_else(|| Error::field(field("line_id"), "sales.line_unknown"))?;
        let quantity: Quantity = wanted
            .quantity
            .trim()
            .parse()
            .ok()
            .filter(|q: &Quantity| q.scaled() > 0)
            .ok_or_else(|| Error::field(field("quantity"), "sales.quantity_invalid"))?;
        if quantity.scaled() > line.delivered.scaled() - line.returned.scaled() {
            return Err(Error::field(field("quantity"), "sales.return_too_much")
                .with_param("max", Quantity::from_scaled(line.delivered.scaled() - line.returned.scaled())));
        }
        moves.push(MoveInput {
            product: line.product_id.clone(),
            quantity: quantity.to_string(),
            origin: Some(DocRef::new("sales.order_line", &line.id)),
            ..MoveInput::default()
        });
    }
    let stock = ctx.with_granted(&[inventory::permissions::STOCK_MOVE, inventory::permissions::STOCK_READ]);
    let picking = inventory::create_picking(
        tx,
        &stock,
        &PickingInput {
            kind: Some(PickingKind::Receipt),
            from: Some("CUSTOMER".into()),
            to: input.to.clone(),
            partner_id: Some(header.customer_id.clone()),
            origin_kind: Some("sales.order".into()),
            origin_id: Some(id.to_string()),
            note: format!("退货 {} {}", header.number, input.reason.trim()),
            lines: moves,
            confirm: true,
            ..PickingInput::default()
        },
    )?;
    audit::record(
        tx,
        ctx,
        "sales.order.return",
        "sales.order",
        &id,
        serde_json::json!({"picking": picking.number, "reason": input.reason}),
    )?;
    Ok(picking)
}

//! What happens to a purchase order in the warehouse: receipts done make quantities received
//! (and so billable), returns send goods back to the supplier and make them due for a debit note.

use std::collections::BTreeSet;

use inventory::{LocationKind, MoveInput, Picking, PickingInput, PickingKind, StockDocumentDone};
use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::{Ctx, Error, Quantity, Result, audit};
use serde::Deserialize;

use crate::order::{PurchaseAction, PurchaseOrderId, load, order_lines, settle_state};

/// Reaction to a done stock document: quantities received from or returned to the supplier for
/// each order line it served.
pub fn stock_document_done(tx: &mut Tx<'_>, ctx: &Ctx, event: &StockDocumentDone) -> Result<()> {
    let mut orders = BTreeSet::new();
    for moved in event.moved.iter().filter(|m| m.origin.kind == "purchasing.order_line") {
        let column = match (moved.from_kind, moved.to_kind) {
            (LocationKind::Supplier, _) => "received",
            (_, LocationKind::Supplier) => "returned",
            _ => continue,
        };
        let order: Option<String> = tx
            .query_opt(
                &format!("update purchasing_order_line set {column} = {column} + $1 where id = $2 returning order_id"),
                &[&moved.quantity, &moved.origin.id],
            )?
            .map(|r| r.get(0))
            .transpose()?;
        orders.extend(order);
    }
    for order in orders {
        settle_state(tx, ctx, PurchaseOrderId::parse(&order)?)?;
    }
    Ok(())
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierReturnLine {
    pub line_id: String,
    pub quantity: String,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "质量不合格", "lines": [{"line_id": "0193…", "quantity": "5"}]}))]
pub struct SupplierReturnInput {
    #[serde(default)]
    pub reason: String,
    pub lines: Vec<SupplierReturnLine>,
    /// The location the goods leave from; the first warehouse's stock by default.
    pub from: Option<String>,
}

/// Creates the return to the supplier (stock → supplier), reserved at once.
pub fn return_to_supplier(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    id: PurchaseOrderId,
    input: &SupplierReturnInput,
) -> Result<Picking> {
    let header = load(tx, ctx, id)?;
    header.check(PurchaseAction::Return, ctx)?;
    if input.lines.is_empty() {
        return Err(Error::field("lines", "purchasing.return_empty"));
    }
    let lines = order_lines(tx, id)?;
    let mut moves = Vec::new();
    for (i, wanted) in input.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let line = lines
            .iter()
            .find(|l| l.id == wanted.line_id.trim() && l.stockable)
            .ok_or_else(|| Error::field(field("line_id"), "purchasing.line_unknown"))?;
        let quantity: Quantity = wanted
            .quantity
            .trim()
            .parse()
            .ok()
            .filter(|q: &Quantity| q.scaled() > 0)
            .ok_or_else(|| Error::field(field("quantity"), "purchasing.quantity_invalid"))?;
        let max = line.received.scaled() - line.returned.scaled();
        if quantity.scaled() > max {
            return Err(Error::field(field("quantity"), "purchasing.return_too_much")
                .with_param("max", Quantity::from_scaled(max).to_string()));
        }
        moves.push(MoveInput {
            product: line.product_id.clone(),
            quantity: quantity.to_string(),
            origin: Some(DocRef::new("purchasing.order_line", &line.id)),
            ..MoveInput::default()
        });
    }
    let stock = ctx.with_granted(&[inventory::permissions::STOCK_MOVE, inventory::permissions::STOCK_READ]);
    let picking = inventory::create_picking(
        tx,
        &stock,
        &PickingInput {
            kind: Some(PickingKind::Delivery),
            from: input.from.clone(),
            to: Some("SUPPLIER".into()),
            partner_id: Some(header.supplier_id.clone()),
            origin_kind: Some("purchasing.order".into()),
            origin_id: Some(id.to_string()),
            note: format!("退货给供应商 {} {}", header.number, input.reason.trim()),
            lines: moves,
            confirm: true,
            ..PickingInput::default()
        },
    )?;
    audit::record(
        tx,
        ctx,
        "purchasing.order.return",
        "purchasing.order",
        &id,
        serde_json::json!({"picking": picking.number, "reason": input.reason}),
    )?;
    Ok(picking)
}

//! Purchase requisitions (请购单): what someone needs, by hand or from the warehouse's reorder
//! suggestions, each line with the supplier proposed (the cheapest supplier price for the
//! quantity). Approved requisitions become purchase orders, one per supplier, or go out for
//! quotation first.

use std::collections::BTreeMap;

use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::sequence::{DocType, next_number};
use kernel::{Ctx, Error, Quantity, Result, audit};
use serde::{Deserialize, Serialize};

use crate::order::{PurchaseLineInput, PurchaseOrder, PurchaseOrderInput, create_order, parse_day};
use crate::permissions::{ORDER_READ, ORDER_WRITE, REQUISITION_APPROVE, REQUISITION_WRITE};

kernel::define_id!(
    /// A purchase requisition.
    RequisitionId
);

const NUMBERS: DocType = DocType { code: "purchasing.requisition", prefix: "PR" };

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequisitionLineInput {
    pub product: String,
    pub quantity: String,
    pub needed_by: Option<String>,
    /// Supplier id or code; the cheapest supplier price by default.
    pub supplier: Option<String>,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "车间耗材", "lines": [{"product": "TEA-001", "quantity": "100", "needed_by": "2026-12-10"}]}))]
pub struct RequisitionInput {
    #[serde(default)]
    pub note: String,
    pub lines: Vec<RequisitionLineInput>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RequisitionLine {
    pub id: String,
    pub product_id: String,
    pub product_code: String,
    pub quantity: String,
    pub needed_by: Option<String>,
    pub supplier_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Requisition {
    #[schema(value_type = String)]
    pub id: RequisitionId,
    pub number: String,
    /// draft, approved, ordered, cancelled.
    pub state: String,
    pub source: String,
    pub note: String,
    pub lines: Vec<RequisitionLine>,
}

/// The supplier with the lowest price for this quantity, if any supplier sells the product.
fn cheapest_supplier(tx: &mut Tx<'_>, ctx: &Ctx, product: &str, quantity: Quantity) -> Result<Option<String>> {
    let prices = product::supplier_prices(tx, ctx, product::ProductId::parse(product)?)?;
    Ok(prices.into_iter().filter(|p| p.min_qty <= quantity).min_by_key(|p| p.price).map(|p| p.supplier_id))
}

pub fn create_requisition(tx: &mut Tx<'_>, ctx: &Ctx, input: &RequisitionInput) -> Result<Requisition> {
    insert(tx, ctx, input, "manual")
}

fn insert(tx: &mut Tx<'_>, ctx: &Ctx, input: &RequisitionInput, source: &str) -> Result<Requisition> {
    ctx.require(REQUISITION_WRITE)?;
    if input.lines.is_empty() {
        return Err(Error::field("lines", "purchasing.order_empty"));
    }
    let id = RequisitionId::new();
    let number = next_number(tx, ctx, NUMBERS, ctx.today(), &DocRef::new("purchasing.requisition", id))?;
    let now = ctx.now_text();
    tx.execute(
        "insert into purchasing_requisition (id, company_id, number, state, requested_by, source, note, created_at, updated_at)
         values ($1, $2, $3, 'draft', $4, $5, $6, $7, $7)",
        &[&id, &ctx.company(), &number, &ctx.actor().label(), &source, &input.note.trim(), &now],
    )?;
    for (i, line) in input.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let product = product::trade_info(tx, ctx, &line.product)?
            .ok_or_else(|| Error::field(field("product"), "purchasing.product_unknown"))?;
        let quantity: Quantity = line
            .quantity
            .trim()
            .parse()
            .ok()
            .filter(|q: &Quantity| q.scaled() > 0)
            .ok_or_else(|| Error::field(field("quantity"), "purchasing.quantity_invalid"))?;
        let needed_by = parse_day(line.needed_by.as_deref(), &field("needed_by"))?.map(kernel::clock::format_date);
        let supplier = match line.supplier.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(key) => {
                Some(party::require_terms(tx, ctx, key, &field("supplier"), "purchasing.supplier_unknown")?.id)
            }
            None => cheapest_supplier(tx, ctx, &product.id, quantity)?,
        };
        tx.execute(
            "insert into purchasing_requisition_line (id, company_id, requisition_id, seq, product_id, quantity, needed_by, supplier_id)
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[&kernel::id::Uuid::now_v7(), &ctx.company(), &id, &(i as i64 + 1), &product.id, &quantity, &needed_by, &supplier],
        )?;
    }
    audit::record(
        tx,
        ctx,
        "purchasing.requisition.create",
        "purchasing.requisition",
        &id,
        serde_json::json!({"number": number}),
    )?;
    get_requisition(tx, ctx, id)
}

/// A requisition for everything the reorder rules say to order now.
pub fn requisition_from_replenishment(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Requisition> {
    let stock = ctx.with_granted(&[inventory::permissions::STOCK_READ]);
    let lines: Vec<RequisitionLineInput> = inventory::reorder::suggestions(tx, &stock)?
        .into_iter()
        .filter(|s| s.order_qty.parse::<Quantity>().map(|q| q.scaled() > 0).unwrap_or(false))
        .map(|s| RequisitionLineInput { product: s.product_id, quantity: s.order_qty, needed_by: None, supplier: None })
        .collect();
    if lines.is_empty() {
        return Err(Error::conflict("purchasing.nothing_to_reorder"));
    }
    insert(tx, ctx, &RequisitionInput { note: "补货建议".into(), lines }, "replenishment")
}

fn state_of(tx: &mut Tx<'_>, ctx: &Ctx, id: RequisitionId) -> Result<String> {
    tx.query_opt("select state from purchasing_requisition where company_id = $1 and id = $2", &[&ctx.company(), &id])?
        .ok_or_else(|| Error::not_found("purchasing.requisition_not_found"))?
        .get(0)
}

fn move_to(tx: &mut Tx<'_>, ctx: &Ctx, id: RequisitionId, from: &str, to: &str) -> Result<()> {
    let state = state_of(tx, ctx, id)?;
    if state != from {
        return Err(Error::conflict("purchasing.requisition_state").with_param("state", state));
    }
    tx.execute(
        "update purchasing_requisition set state = $1, updated_at = $2, version = version + 1 where id = $3",
        &[&to, &ctx.now_text(), &id],
    )?;
    audit::record(
        tx,
        ctx,
        &format!("purchasing.requisition.{to}"),
        "purchasing.requisition",
        &id,
        serde_json::json!({}),
    )
}

pub fn approve_requisition(tx: &mut Tx<'_>, ctx: &Ctx, id: RequisitionId) -> Result<Requisition> {
    ctx.require(REQUISITION_APPROVE)?;
    move_to(tx, ctx, id, "draft", "approved")?;
    get_requisition(tx, ctx, id)
}

/// Turns an approved requisition into purchase orders, one per supplier, at the suppliers'
/// prices (drafts, for the buyer to confirm).
pub fn order_requisition(tx: &mut Tx<'_>, ctx: &Ctx, id: RequisitionId) -> Result<Vec<PurchaseOrder>> {
    ctx.require(ORDER_WRITE)?;
    let requisition = get_requisition(tx, ctx, id)?;
    move_to(tx, ctx, id, "approved", "ordered")?;
    tx.publish(ctx, &crate::events::RequisitionOrdered { requisition_id: id.to_string() })?;
    let mut by_supplier: BTreeMap<String, Vec<PurchaseLineInput>> = BTreeMap::new();
    for (i, line) in requisition.lines.iter().enumerate() {
        let supplier = line
            .supplier_id
            .clone()
            .ok_or_else(|| Error::field(format!("lines[{i}].supplier"), "purchasing.supplier_missing"))?;
        by_supplier.entry(supplier).or_default().push(PurchaseLineInput {
            product: line.product_id.clone(),
            quantity: line.quantity.clone(),
            ..PurchaseLineInput::default()
        });
    }
    by_supplier
        .into_iter()
        .map(|(supplier, lines)| {
            create_order(
                tx,
                ctx,
                &PurchaseOrderInput {
                    supplier,
                    lines,
                    source: requisition.number.clone(),
                    ..PurchaseOrderInput::default()
                },
            )
        })
        .collect()
}

pub fn get_requisition(tx: &mut Tx<'_>, ctx: &Ctx, id: RequisitionId) -> Result<Requisition> {
    if !ctx.may(REQUISITION_WRITE) {
        ctx.require(ORDER_READ)?;
    }
    let r = tx
        .query_opt(
            "select number, state, source, note from purchasing_requisition where company_id = $1 and id = $2",
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("purchasing.requisition_not_found"))?;
    let lines = tx
        .query(
            "select l.id, l.product_id, p.code, l.quantity, l.needed_by, l.supplier_id
             from purchasing_requisition_line l join product_product p on p.id = l.product_id
             where l.requisition_id = $1 order by l.seq",
            &[&id],
        )?
        .iter()
        .map(|l| {
            Ok(RequisitionLine {
                id: l.get(0)?,
                product_id: l.get(1)?,
                product_code: l.get(2)?,
                quantity: l.get::<Quantity>(3)?.to_string(),
                needed_by: l.get(4)?,
                supplier_id: l.get(5)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Requisition { id, number: r.get(0)?, state: r.get(1)?, source: r.get(2)?, note: r.get(3)?, lines })
}

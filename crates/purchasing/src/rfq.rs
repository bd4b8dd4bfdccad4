//! Requests for quotation (询价) to several suppliers at once, the quotes they send back, the
//! comparison table (比价) with the best price per line, and the award that turns the chosen
//! quotes into purchase orders, one per supplier, at the quoted prices.

use std::collections::BTreeMap;

use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::sequence::{DocType, next_number};
use kernel::{Ctx, Currency, Error, Quantity, Result, UnitPrice, audit};
use serde::{Deserialize, Serialize};

use crate::order::{PurchaseLineInput, PurchaseOrder, PurchaseOrderInput, create_order, parse_day};
use crate::permissions::{ORDER_WRITE, RFQ_WRITE};

kernel::define_id!(
    /// A request for quotation.
    RfqId
);

const NUMBERS: DocType = DocType { code: "purchasing.rfq", prefix: "RFQ" };

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RfqLineInput {
    pub product: String,
    pub quantity: String,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"suppliers": ["S0001", "S0002"], "deadline": "2026-12-05",
    "lines": [{"product": "TEA-001", "quantity": "100"}]}))]
pub struct RfqInput {
    /// Supplier ids or codes asked to quote.
    pub suppliers: Vec<String>,
    pub lines: Vec<RfqLineInput>,
    pub deadline: Option<String>,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteLineInput {
    pub line_id: String,
    /// Net of VAT.
    pub unit_price: String,
    #[serde(default)]
    pub lead_time_days: i64,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"supplier": "S0001", "lines": [{"line_id": "0193…", "unit_price": "48.5", "lead_time_days": 5}]}))]
pub struct QuoteInput {
    pub supplier: String,
    pub lines: Vec<QuoteLineInput>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct QuoteCell {
    pub supplier_id: String,
    pub supplier_name: String,
    pub unit_price: String,
    pub lead_time_days: i64,
    pub amount: String,
    /// The lowest price quoted for the line.
    pub best: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ComparisonLine {
    pub line_id: String,
    pub product_id: String,
    pub product_code: String,
    pub quantity: String,
    pub quotes: Vec<QuoteCell>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SupplierTotal {
    pub supplier_id: String,
    pub supplier_name: String,
    /// Lines quoted out of all.
    pub lines_quoted: usize,
    pub amount: String,
}

/// The comparison table of a request for quotation.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Rfq {
    #[schema(value_type = String)]
    pub id: RfqId,
    pub number: String,
    /// open, awarded, cancelled.
    pub state: String,
    pub deadline: Option<String>,
    pub suppliers: Vec<SupplierTotal>,
    pub lines: Vec<ComparisonLine>,
}

pub fn create_rfq(tx: &mut Tx<'_>, ctx: &Ctx, input: &RfqInput) -> Result<Rfq> {
    ctx.require(RFQ_WRITE)?;
    if input.suppliers.is_empty() {
        return Err(Error::field("suppliers", "purchasing.supplier_missing"));
    }
    if input.lines.is_empty() {
        return Err(Error::field("lines", "purchasing.order_empty"));
    }
    let id = RfqId::new();
    let number = next_number(tx, ctx, NUMBERS, ctx.today(), &DocRef::new("purchasing.rfq", id))?;
    let deadline = parse_day(input.deadline.as_deref(), "deadline")?.map(kernel::clock::format_date);
    tx.execute(
        "insert into purchasing_rfq (id, company_id, number, state, deadline, note, created_at) values ($1, $2, $3, 'open', $4, $5, $6)",
        &[&id, &ctx.company(), &number, &deadline, &input.note.trim(), &ctx.now_text()],
    )?;
    for (i, key) in input.suppliers.iter().enumerate() {
        let supplier = party::require_terms(tx, ctx, key, &format!("suppliers[{i}]"), "purchasing.supplier_unknown")?;
        tx.execute(
            "insert into purchasing_rfq_supplier (rfq_id, supplier_id) values ($1, $2) on conflict do nothing",
            &[&id, &supplier.id],
        )?;
    }
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
        tx.execute(
            "insert into purchasing_rfq_line (id, company_id, rfq_id, seq, product_id, quantity) values ($1, $2, $3, $4, $5, $6)",
            &[&kernel::id::Uuid::now_v7(), &ctx.company(), &id, &(i as i64 + 1), &product.id, &quantity],
        )?;
    }
    audit::record(tx, ctx, "purchasing.rfq.create", "purchasing.rfq", &id, serde_json::json!({"number": number}))?;
    get_rfq(tx, ctx, id)
}

fn require_open(tx: &mut Tx<'_>, ctx: &Ctx, id: RfqId) -> Result<()> {
    let state: String = tx
        .query_opt("select state from purchasing_rfq where company_id = $1 and id = $2", &[&ctx.company(), &id])?
        .ok_or_else(|| Error::not_found("purchasing.rfq_not_found"))?
        .get(0)?;
    if state != "open" {
        return Err(Error::conflict("purchasing.rfq_state").with_param("state", state));
    }
    Ok(())
}

/// Records (or replaces) what a supplier quoted.
pub fn record_quote(tx: &mut Tx<'_>, ctx: &Ctx, id: RfqId, input: &QuoteInput) -> Result<Rfq> {
    ctx.require(RFQ_WRITE)?;
    require_open(tx, ctx, id)?;
    let supplier = party::require_terms(tx, ctx, &input.supplier, "supplier", "purchasing.supplier_unknown")?;
    let asked: i64 = tx.scalar(
        "select count(*) from purchasing_rfq_supplier where rfq_id = $1 and supplier_id = $2",
        &[&id, &supplier.id],
    )?;
    if asked == 0 {
        return Err(Error::field("supplier", "purchasing.supplier_not_asked"));
    }
    for (i, line) in input.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let belongs: i64 = tx.scalar(
            "select count(*) from purchasing_rfq_line where id = $1 and rfq_id = $2",
            &[&line.line_id.trim(), &id],
        )?;
        if belongs == 0 {
            return Err(Error::field(field("line_id"), "purchasing.line_unknown"));
        }
        let price: UnitPrice = line
            .unit_price
            .trim()
            .parse()
            .ok()
            .filter(|p: &UnitPrice| p.scaled() >= 0)
            .ok_or_else(|| Error::field(field("unit_price"), "purchasing.price_invalid"))?;
        tx.execute(
            "insert into purchasing_rfq_quote (rfq_line_id, supplier_id, company_id, unit_price, lead_time_days)
             values ($1, $2, $3, $4, $5)
             on conflict (rfq_line_id, supplier_id) do update set unit_price = excluded.unit_price,
                 lead_time_days = excluded.lead_time_days",
            &[&line.line_id.trim(), &supplier.id, &ctx.company(), &price.scaled(), &line.lead_time_days.max(0)],
        )?;
    }
    audit::record(
        tx,
        ctx,
        "purchasing.rfq.quote",
        "purchasing.rfq",
        &id,
        serde_json::json!({"supplier": supplier.code}),
    )?;
    get_rfq(tx, ctx, id)
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardChoice {
    pub line_id: String,
    pub supplier: String,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"choices": [{"line_id": "0193…", "supplier": "S0002"}], "confirm": false}))]
pub struct AwardInput {
    /// The supplier per line; by default the best price of each line.
    pub choices: Option<Vec<AwardChoice>>,
    #[serde(default)]
    pub confirm: bool,
}

/// Awards the request: purchase orders at the quoted prices, one per chosen supplier.
pub fn award(tx: &mut Tx<'_>, ctx: &Ctx, id: RfqId, input: &AwardInput) -> Result<Vec<PurchaseOrder>> {
    ctx.require(ORDER_WRITE)?;
    require_open(tx, ctx, id)?;
    let table = get_rfq(tx, ctx, id)?;
    let mut by_supplier: BTreeMap<String, Vec<PurchaseLineInput>> = BTreeMap::new();
    for (i, line) in table.lines.iter().enumerate() {
        let chosen = match &input.choices {
            Some(choices) => {
                let Some(choice) = choices.iter().find(|c| c.line_id == line.line_id) else { continue };
                let supplier =
                    party::require_terms(tx, ctx, &choice.supplier, "supplier", "purchasing.supplier_unknown")?;
                line.quotes.iter().find(|q| q.supplier_id == supplier.id)
            }
            None => line.quotes.iter().find(|q| q.best),
        };
        let quote = chosen.ok_or_else(|| Error::field(format!("lines[{i}]"), "purchasing.quote_missing"))?;
        by_supplier.entry(quote.supplier_id.clone()).or_default().push(PurchaseLineInput {
            product: line.product_id.clone(),
            quantity: line.quantity.clone(),
            unit_price: Some(quote.unit_price.clone()),
            ..PurchaseLineInput::default()
        });
    }
    if by_supplier.is_empty() {
        return Err(Error::conflict("purchasing.quote_missing"));
    }
    tx.execute("update purchasing_rfq set state = 'awarded' where id = $1", &[&id])?;
    audit::record(
        tx,
        ctx,
        "purchasing.rfq.award",
        "purchasing.rfq",
        &id,
        serde_json::json!({"orders": by_supplier.len()}),
    )?;
    by_supplier
        .into_iter()
        .map(|(supplier, lines)| {
            create_order(
                tx,
                ctx,
                &PurchaseOrderInput {
                    supplier,
                    lines,
                    confirm: input.confirm,
                    source: table.number.clone(),
                    ..PurchaseOrderInput::default()
                },
            )
        })
        .collect()
}

/// The request with its comparison table: every supplier's quote per line, the best marked,
/// and each supplier's total over the lines it quoted.
pub fn get_rfq(tx: &mut Tx<'_>, ctx: &Ctx, id: RfqId) -> Result<Rfq> {
    ctx.require(RFQ_WRITE)?;
    let r = tx
        .query_opt(
            "select number, state, deadline from purchasing_rfq where company_id = $1 and id = $2",
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("purchasing.rfq_not_found"))?;
    let suppliers: Vec<(String, String)> = tx
        .query(
            "select s.supplier_id, p.name from purchasing_rfq_supplier s join party_party p on p.id = s.supplier_id
             where s.rfq_id = $1 order by p.code",
            &[&id],
        )?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect::<Result<_>>()?;
    let quotes = tx.query(
        "select q.rfq_line_id, q.supplier_id, q.unit_price, q.lead_time_days
         from purchasing_rfq_quote q join purchasing_rfq_line l on l.id = q.rfq_line_id where l.rfq_id = $1",
        &[&id],
    )?;
    let mut quoted: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for q in &quotes {
        quoted.insert((q.get(0)?, q.get(1)?), (q.get(2)?, q.get(3)?));
    }
    let mut totals: BTreeMap<String, (usize, i64)> = BTreeMap::new();
    let lines = tx
        .query(
            "select l.id, l.product_id, p.code, l.quantity from purchasing_rfq_line l join product_product p on p.id = l.product_id
             where l.rfq_id = $1 order by l.seq",
            &[&id],
        )?
        .iter()
        .map(|l| {
            let line_id: String = l.get(0)?;
            let quantity: Quantity = l.get(3)?;
            let mut cells = Vec::new();
            for (supplier_id, supplier_name) in &suppliers {
                let Some((price, lead)) = quoted.get(&(line_id.clone(), supplier_id.clone())) else { continue };
                let price = UnitPrice::from_scaled(*price);
                let amount = price.times(quantity, Currency::CNY)?.minor();
                let total = totals.entry(supplier_id.clone()).or_default();
                total.0 += 1;
                total.1 += amount;
                cells.push(QuoteCell {
                    supplier_id: supplier_id.clone(),
                    supplier_name: supplier_name.clone(),
                    unit_price: price.to_string(),
                    lead_time_days: *lead,
                    amount: crate::order::money(amount, "CNY"),
                    best: false,
                });
            }
            // The best: lowest price, then shortest lead time.
            if let Some(best) = cells
                .iter()
                .enumerate()
                .min_by_key(|(_, c)| (c.unit_price.parse::<UnitPrice>().map(|p| p.scaled()).unwrap_or(i64::MAX), c.lead_time_days))
                .map(|(i, _)| i)
            {
                cells[best].best = true;
            }
            Ok(ComparisonLine {
                line_id,
                product_id: l.get(1)?,
                product_code: l.get(2)?,
                quantity: quantity.to_string(),
                quotes: cells,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Rfq {
        id,
        number: r.get(0)?,
        state: r.get(1)?,
        deadline: r.get(2)?,
        suppliers: suppliers
            .into_iter()
            .map(|(supplier_id, supplier_name)| {
                let (lines_quoted, amount) = totals.get(&supplier_id).copied().unwrap_or((0, 0));
                SupplierTotal { supplier_id, supplier_name, lines_quoted, amount: crate::order::money(amount, "CNY") }
            })
            .collect(),
        lines,
    })
}

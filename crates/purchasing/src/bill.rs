//! Vendor bills and debit notes with the three-way match: the quantities and prices on the
//! supplier's invoice against the order's price and the quantities received, within the
//! company's tolerances. A bill outside them is still booked (the debt exists) but its payment
//! is blocked until someone with `purchasing.bill.release` releases it. Posting publishes
//! `BillPosted`: the ledger clears the 暂估 accrual of the receipt, books input VAT and the
//! payable.

use std::collections::BTreeMap;

use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::listing::{Filter, ListPage, ListQuery, ListSpec, col};
use kernel::money::div_round_half_up;
use kernel::sequence::{DocType, next_number};
use kernel::{Ctx, Currency, Error, Quantity, Result, UnitPrice, audit};
use product::amounts::{Amounts, line_amounts};
use serde::{Deserialize, Serialize};

use crate::events::{BillPosted, InputTax};
use crate::order::{PurchaseAction, PurchaseOrderId, load, money, net_unit_cost, order_lines, parse_day, settle_state};
use crate::permissions::{BILL_READ, BILL_RELEASE, BILL_WRITE, SETUP};

kernel::define_id!(
    /// A vendor bill or debit note.
    BillId
);

const BILL_NUMBERS: DocType = DocType { code: "purchasing.bill", prefix: "BILL" };
const DEBIT_NUMBERS: DocType = DocType { code: "purchasing.debit_note", prefix: "DN" };

/// The three-way match tolerances (basis points of the order price and of the quantity received).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"price_tolerance_bp": 100, "quantity_tolerance_bp": 0}))]
pub struct Tolerances {
    pub price_tolerance_bp: i64,
    pub quantity_tolerance_bp: i64,
}

pub fn tolerances(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Tolerances> {
    Ok(tx
        .query_opt(
            "select price_tolerance_bp, quantity_tolerance_bp from purchasing_setting where company_id = $1",
            &[&ctx.company()],
        )?
        .map(|r| Ok::<_, Error>(Tolerances { price_tolerance_bp: r.get(0)?, quantity_tolerance_bp: r.get(1)? }))
        .transpose()?
        .unwrap_or(Tolerances { price_tolerance_bp: 100, quantity_tolerance_bp: 0 }))
}

pub fn set_tolerances(tx: &mut Tx<'_>, ctx: &Ctx, input: &Tolerances) -> Result<Tolerances> {
    ctx.require(SETUP)?;
    for (field, value) in
        [("price_tolerance_bp", input.price_tolerance_bp), ("quantity_tolerance_bp", input.quantity_tolerance_bp)]
    {
        if !(0..=10_000).contains(&value) {
            return Err(Error::field(field, "purchasing.tolerance_invalid"));
        }
    }
    tx.execute(
        "insert into purchasing_setting (company_id, price_tolerance_bp, quantity_tolerance_bp) values ($1, $2, $3)
         on conflict (company_id) do update set price_tolerance_bp = excluded.price_tolerance_bp,
             quantity_tolerance_bp = excluded.quantity_tolerance_bp",
        &[&ctx.company(), &input.price_tolerance_bp, &input.quantity_tolerance_bp],
    )?;
    audit::record(
        tx,
        ctx,
        "purchasing.setting.tolerances",
        "purchasing.setting",
        &ctx.company(),
        serde_json::json!({
        "price_bp": input.price_tolerance_bp, "quantity_bp": input.quantity_tolerance_bp}),
    )?;
    Ok(*input)
}

/// A line of the supplier's invoice as typed in from it.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillLineInput {
    pub line_id: String,
    pub quantity: String,
    /// The supplier's unit price; the order's by default.
    pub unit_price: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"supplier_reference": "24112000000098765432", "date": "2026-11-27",
    "lines": [{"line_id": "0193…", "quantity": "100", "unit_price": "50.20"}], "post": true}))]
pub struct BillRequest {
    /// The supplier's invoice number (数电票号码).
    #[serde(default)]
    pub supplier_reference: String,
    pub date: Option<String>,
    /// The supplier's lines; by default what was received and not yet billed, at the order price.
    pub lines: Option<Vec<BillLineInput>>,
    #[serde(default)]
    pub post: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BillLine {
    pub seq: i64,
    pub order_line_id: Option<String>,
    pub product_id: String,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub tax_code: String,
    pub untaxed: String,
    pub tax: String,
    pub total: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Bill {
    #[schema(value_type = String)]
    pub id: BillId,
    pub number: Option<String>,
    /// bill or debit_note.
    pub kind: String,
    /// draft, posted, paid, cancelled.
    pub state: String,
    /// matched, blocked or released.
    pub match_state: String,
    pub match_notes: Vec<String>,
    pub order_id: Option<String>,
    pub supplier_id: String,
    pub supplier_reference: String,
    pub bill_date: String,
    pub due_date: String,
    pub currency: String,
    pub untaxed: String,
    pub tax: String,
    pub total: String,
    pub paid: String,
    pub version: i64,
    pub lines: Vec<BillLine>,
}

/// A vendor bill by its number, the supplier's reference or the supplier's name.
pub static BILL_SEARCH: kernel::search::SearchIndex = kernel::search::SearchIndex {
    kind: "purchasing.bill",
    source: "select b.id, b.company_id, b.number, b.supplier_reference, s.name from purchasing_bill b join party_party s on s.id = b.supplier_id",
    id: "b.id",
};

pub const BILL_LIST: ListSpec = ListSpec {
    from: "purchasing_bill b join party_party s on s.id = b.supplier_id",
    id: "b.id",
    company: "b.company_id",
    columns: &[
        col("number", "coalesce(b.number, '')", true, Filter::Prefix),
        col("kind", "b.kind", true, Filter::Equals),
        col("state", "b.state", true, Filter::Equals),
        col("match_state", "b.match_state", true, Filter::Equals),
        col("supplier", "s.name", true, Filter::Prefix),
        col("supplier_id", "b.supplier_id", false, Filter::Equals),
        col("order_id", "coalesce(b.order_id, '')", false, Filter::Equals),
        col("bill_date", "b.bill_date", true, Filter::Range),
        col("due_date", "b.due_date", true, Filter::Range),
        col("total", "b.total", true, Filter::None),
        // Due soon: due before the given day.
        col("due_before", "b.due_date", false, Filter::Before),
        // Still to be settled (neither paid nor cancelled).
        col("open", "case when b.state in ('draft', 'posted') then 'yes' else 'no' end", false, Filter::Equals),
    ],
    search: &["coalesce(b.number, '')", "b.supplier_reference", "s.name"],
    index: Some(&BILL_SEARCH),
    default_sort: "bill_date",
    default_desc: true,
};

pub fn list_bills(tx: &mut Tx<'_>, ctx: &Ctx, query: &ListQuery) -> Result<ListPage> {
    ctx.require(BILL_READ)?;
    BILL_LIST.fetch(tx, ctx, query, None)
}

/// Why a bill line does not match its order and receipt, if it does not.
fn mismatch(
    seq: i64,
    quantity: Quantity,
    price: UnitPrice,
    ordered_price: UnitPrice,
    billable: i64,
    tolerances: Tolerances,
) -> Vec<String> {
    let mut notes = Vec::new();
    let max_quantity =
        div_round_half_up(i128::from(billable) * i128::from(10_000 + tolerances.quantity_tolerance_bp), 10_000);
    if i128::from(quantity.scaled()) > max_quantity {
        notes.push(format!("第{seq}行：开票数量 {quantity} 超过已收货未开票数量 {}", Quantity::from_scaled(billable)));
    }
    let allowed =
        div_round_half_up(i128::from(ordered_price.scaled()) * i128::from(tolerances.price_tolerance_bp), 10_000);
    if (i128::from(price.scaled()) - i128::from(ordered_price.scaled())).abs() > allowed {
        notes.push(format!(
            "第{seq}行：单价 {price} 与订单单价 {ordered_price} 相差超过 {}%",
            crate::order::percent(tolerances.price_tolerance_bp)
        ));
    }
    notes
}

/// Draws a bill (or, when more went back than was billed, a debit note) from an order and
/// matches it three ways.
///
/// Returns the bill's id, without reading the bill back.
pub fn draw_bill(tx: &mut Tx<'_>, ctx: &Ctx, order: PurchaseOrderId, request: &BillRequest) -> Result<BillId> {
    let header = load(tx, ctx, order)?;
    header.check(PurchaseAction::Bill, ctx)?;
    let date = parse_day(request.date.as_deref(), "date")?.unwrap_or_else(|| ctx.today());
    let drafts: i64 =
        tx.scalar("select count(*) from purchasing_bill where order_id = $1 and state = 'draft'", &[&order])?;
    if drafts > 0 {
        return Err(Error::conflict("purchasing.draft_bill_exists"));
    }
    let currency = Currency::from_code(&header.currency)?;
    let lines = order_lines(tx, order)?;
    let tolerances = tolerances(tx, ctx)?;
    // (line, signed quantity, price)
    let mut chosen = Vec::new();
    match &request.lines {
        Some(given) => {
            for (i, g) in given.iter().enumerate() {
                let field = |name: &str| format!("lines[{i}].{name}");
                let line = lines
                    .iter()
                    .find(|l| l.id == g.line_id.trim())
                    .ok_or_else(|| Error::field(field("line_id"), "purchasing.line_unknown"))?;
                let quantity: Quantity = g
                    .quantity
                    .trim()
                    .parse()
                    .ok()
                    .filter(|q: &Quantity| q.scaled() > 0)
                    .ok_or_else(|| Error::field(field("quantity"), "purchasing.quantity_invalid"))?;
                let price = match g.unit_price.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
                    Some(text) => text
                        .parse::<UnitPrice>()
                        .ok()
                        .filter(|p| p.scaled() >= 0)
                        .ok_or_else(|| Error::field(field("unit_price"), "purchasing.price_invalid"))?,
                    None => line.unit_price,
                };
                chosen.push((line, quantity.scaled(), price));
            }
        }
        None => {
            let due: Vec<_> = lines
                .iter()
                .map(|l| (l, l.received.scaled() - l.returned.scaled() - l.billed.scaled(), l.unit_price))
                .filter(|(_, q, _)| *q != 0)
                .collect();
            let debit_note = !due.iter().any(|(_, q, _)| *q > 0);
            chosen = due.into_iter().filter(|(_, q, _)| (*q < 0) == debit_note).collect();
        }
    }
    if chosen.is_empty() {
        return Err(Error::conflict("purchasing.nothing_to_bill"));
    }
    let debit_note = chosen.iter().all(|(_, q, _)| *q < 0);
    let supplier = party::require_terms(tx, ctx, &header.supplier_id, "supplier", "purchasing.supplier_unknown")?;
    let id = BillId::new();
    let mut totals = Amounts::default();
    let mut notes = Vec::new();
    let mut stored = Vec::new();
    for (seq, (line, signed, price)) in chosen.iter().enumerate() {
        let seq = seq as i64 + 1;
        let quantity = Quantity::from_scaled(signed.abs());
        if !debit_note {
            let billable = line.received.scaled() - line.returned.scaled() - line.billed.scaled();
            notes.extend(mismatch(seq, quantity, *price, line.unit_price, billable, tolerances));
        }
        let amounts = line_amounts(quantity, *price, 0, line.tax_rate_bp, header.price_includes_tax, currency)?;
        let accrued = if line.stockable {
            let cost = net_unit_cost(tx, ctx, &header, line)?;
            cost.times(quantity, Currency::CNY)?.minor()
        } else {
            0
        };
        totals.add(amounts);
        stored.push((seq, *line, quantity, *price, amounts, accrued));
    }
    let now = ctx.now_text();
    tx.execute(
        "insert into purchasing_bill (id, company_id, kind, state, match_state, match_notes, order_id, supplier_id,
             supplier_reference, bill_date, due_date, currency, untaxed, tax, total, created_at, created_by, updated_at)
         values ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $15)",
        &[
            &id,
            &ctx.company(),
            &if debit_note { "debit_note" } else { "bill" },
            &if notes.is_empty() { "matched" } else { "blocked" },
            &notes.join("\n"),
            &order,
            &header.supplier_id,
            &request.supplier_reference.trim(),
            &kernel::clock::format_date(date),
            &kernel::clock::format_date(supplier.due_date(date)),
            &header.currency,
            &totals.untaxed,
            &totals.tax,
            &totals.total,
            &now,
            &ctx.actor().label(),
        ],
    )?;
    for (seq, line, quantity, price, amounts, accrued) in &stored {
        tx.execute(
            "insert into purchasing_bill_line (id, company_id, bill_id, seq, order_line_id, product_id, description, stockable,
                 quantity, unit_price, tax_code, tax_rate_bp, untaxed, tax, total, accrued)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            &[
                &kernel::id::Uuid::now_v7(),
                &ctx.company(),
                &id,
                seq,
                &line.id,
                &line.product_id,
                &line.description,
                &line.stockable,
                quantity,
                &price.scaled(),
                &line.tax_code,
                &line.tax_rate_bp,
                &amounts.untaxed,
                &amounts.tax,
                &amounts.total,
                accrued,
            ],
        )?;
    }
    audit::record(
        tx,
        ctx,
        "purchasing.bill.create",
        "purchasing.bill",
        &id,
        serde_json::json!({"order": header.number}),
    )?;
    if request.post {
        book_bill(tx, ctx, id)?;
    }
    Ok(id)
}

/// `draw_bill`, answered with the bill.
pub fn bill_order(tx: &mut Tx<'_>, ctx: &Ctx, order: PurchaseOrderId, request: &BillRequest) -> Result<Bill> {
    let id = draw_bill(tx, ctx, order, request)?;
    get_bill(tx, ctx, id)
}

struct BillHeader {
    kind: String,
    state: String,
    match_state: String,
    order_id: Option<String>,
    supplier_id: String,
    date: time::Date,
    currency: String,
    total: i64,
    version: i64,
}

fn load_bill(tx: &mut Tx<'_>, ctx: &Ctx, id: BillId) -> Result<BillHeader> {
    ctx.require(BILL_READ)?;
    let r = tx
        .query_opt(
            "select kind, state, match_state, order_id, supplier_id, bill_date, currency, total, version
             from purchasing_bill where company_id = $1 and id = $2",
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("purchasing.bill_not_found"))?;
    Ok(BillHeader {
        kind: r.get(0)?,
        state: r.get(1)?,
        match_state: r.get(2)?,
        order_id: r.get(3)?,
        supplier_id: r.get(4)?,
        date: kernel::clock::parse_date(&r.get::<String>(5)?)?,
        currency: r.get(6)?,
        total: r.get(7)?,
        version: r.get(8)?,
    })
}

fn state_error(state: &str, action: &str) -> Error {
    Error::conflict("purchasing.bill_state").with_param("state", state).with_param("action", action)
}

/// Posts a draft bill: numbered, quantities counted as billed, booked by the ledger.
///
/// Reads nothing back (see `post_bill` for the answer).
pub fn book_bill(tx: &mut Tx<'_>, ctx: &Ctx, id: BillId) -> Result<()> {
    ctx.require(BILL_WRITE)?;
    let header = load_bill(tx, ctx, id)?;
    if header.state != "draft" {
        return Err(state_error(&header.state, "post"));
    }
    let debit_note = header.kind == "debit_note";
    let numbers = if debit_note { DEBIT_NUMBERS } else { BILL_NUMBERS };
    let number = next_number(tx, ctx, numbers, header.date, &DocRef::new("purchasing.bill", id))?;
    let changed = tx.execute(
        "update purchasing_bill set number = $1, state = 'posted', updated_at = $2, version = version + 1
         where id = $3 and version = $4",
        &[&number, &ctx.now_text(), &id, &header.version],
    )?;
    if changed == 0 {
        return Err(Error::conflict("purchasing.bill_changed"));
    }
    let sign: i64 = if debit_note { -1 } else { 1 };
    let rows = tx.query(
        "select l.order_line_id, l.quantity, l.tax_code, l.untaxed, l.tax, l.stockable, l.accrued, t.input_account_role
         from purchasing_bill_line l left join product_tax t on t.company_id = l.company_id and t.code = l.tax_code
         where l.bill_id = $1 order by l.seq",
        &[&id],
    )?;
    let mut by_tax: BTreeMap<String, InputTax> = BTreeMap::new();
    let (mut goods, mut expenses, mut accrued) = (0i64, 0i64, 0i64);
    for r in &rows {
        if let Some(line) = r.get::<Option<String>>(0)? {
            let quantity: i64 = r.get(1)?;
            tx.execute(
                "update purchasing_order_line set billed = billed + $1 where id = $2",
                &[&(sign * quantity), &line],
            )?;
        }
        let code: String = r.get(2)?;
        let untaxed: i64 = r.get(3)?;
        if r.get::<bool>(5)? {
            goods += untaxed;
        } else {
            expenses += untaxed;
        }
        accrued += r.get::<i64>(6)?;
        let role = r.get::<Option<String>>(7)?.unwrap_or_else(|| "vat.input".to_string());
        let entry = by_tax.entry(code.clone()).or_insert(InputTax { tax_code: code, input_account_role: role, tax: 0 });
        entry.tax += r.get::<i64>(4)?;
    }
    let rate_e8 = product::rate_on(tx, ctx, &header.currency, header.date)?;
    tx.publish(
        ctx,
        &BillPosted {
            bill_id: id.to_string(),
            number: number.clone(),
            debit_note,
            date: header.date,
            supplier_id: header.supplier_id.clone(),
            currency: header.currency.clone(),
            rate_e8,
            goods_untaxed: goods,
            expense_untaxed: expenses,
            accrued,
            by_tax: by_tax.into_values().collect(),
        },
    )?;
    if let Some(order) = &header.order_id {
        settle_state(tx, ctx, PurchaseOrderId::parse(order)?)?;
    }
    audit::record(tx, ctx, "purchasing.bill.post", "purchasing.bill", &id, serde_json::json!({"number": number}))?;
    Ok(())
}

/// `book_bill`, answered with the bill.
pub fn post_bill(tx: &mut Tx<'_>, ctx: &Ctx, id: BillId) -> Result<Bill> {
    book_bill(tx, ctx, id)?;
    get_bill(tx, ctx, id)
}

/// Releases a bill blocked by the match for payment (the difference was agreed).
pub fn release_bill(tx: &mut Tx<'_>, ctx: &Ctx, id: BillId) -> Result<Bill> {
    ctx.require(BILL_RELEASE)?;
    let header = load_bill(tx, ctx, id)?;
    if header.match_state != "blocked" {
        return Err(state_error(&header.match_state, "release"));
    }
    tx.execute(
        "update purchasing_bill set match_state = 'released', updated_at = $1, version = version + 1 where id = $2",
        &[&ctx.now_text(), &id],
    )?;
    audit::record(tx, ctx, "purchasing.bill.release", "purchasing.bill", &id, serde_json::json!({}))?;
    get_bill(tx, ctx, id)
}

/// Cancels a draft bill.
pub fn cancel_bill(tx: &mut Tx<'_>, ctx: &Ctx, id: BillId) -> Result<Bill> {
    ctx.require(BILL_WRITE)?;
    let header = load_bill(tx, ctx, id)?;
    if header.state != "draft" {
        return Err(state_error(&header.state, "cancel"));
    }
    tx.execute(
        "update purchasing_bill set state = 'cancelled', updated_at = $1, version = version + 1 where id = $2",
        &[&ctx.now_text(), &id],
    )?;
    audit::record(tx, ctx, "purchasing.bill.cancel", "purchasing.bill", &id, serde_json::json!({}))?;
    get_bill(tx, ctx, id)
}

/// Reaction to `ledger::DocumentSettled`: a blocked bill refuses payment (the whole payment is
/// rolled back); otherwise what is paid, and paid in full.
pub fn document_settled(tx: &mut Tx<'_>, _ctx: &Ctx, event: &ledger::DocumentSettled) -> Result<()> {
    if event.document.kind != "purchasing.bill" || event.amount == 0 {
        return Ok(());
    }
    let Some(r) =
        tx.query_opt("select total, match_state, number from purchasing_bill where id = $1", &[&event.document.id])?
    else {
        return Ok(());
    };
    let (total, match_state, number): (i64, String, Option<String>) = (r.get(0)?, r.get(1)?, r.get(2)?);
    if match_state == "blocked" {
        return Err(Error::conflict("purchasing.bill_blocked").with_param("bill", number.unwrap_or_default()));
    }
    let settled = event.settled_of(total);
    let state = if event.open == 0 { "paid" } else { "posted" };
    tx.execute(
        "update purchasing_bill set paid = $1, state = $2 where id = $3 and state in ('posted', 'paid')",
        &[&settled, &state, &event.document.id],
    )?;
    Ok(())
}

pub fn get_bill(tx: &mut Tx<'_>, ctx: &Ctx, id: BillId) -> Result<Bill> {
    let header = load_bill(tx, ctx, id)?;
    let r = tx.query_one(
        "select number, match_notes, supplier_reference, due_date, untaxed, tax, paid from purchasing_bill where id = $1",
        &[&id],
    )?;
    let cur = header.currency.clone();
    let lines = tx
        .query(
            "select seq, order_line_id, product_id, description, quantity, unit_price, tax_code, untaxed, tax, total
             from purchasing_bill_line where bill_id = $1 order by seq",
            &[&id],
        )?
        .iter()
        .map(|l| {
            Ok(BillLine {
                seq: l.get(0)?,
                order_line_id: l.get(1)?,
                product_id: l.get(2)?,
                description: l.get(3)?,
                quantity: l.get::<Quantity>(4)?.to_string(),
                unit_price: UnitPrice::from_scaled(l.get(5)?).to_string(),
                tax_code: l.get(6)?,
                untaxed: money(l.get(7)?, &cur),
                tax: money(l.get(8)?, &cur),
                total: money(l.get(9)?, &cur),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let notes: String = r.get(1)?;
    Ok(Bill {
        id,
        number: r.get(0)?,
        kind: header.kind,
        state: header.state,
        match_state: header.match_state,
        match_notes: notes.lines().map(str::to_string).filter(|n| !n.is_empty()).collect(),
        order_id: header.order_id,
        supplier_id: header.supplier_id,
        supplier_reference: r.get(2)?,
        bill_date: kernel::clock::format_date(header.date),
        due_date: r.get(3)?,
        untaxed: money(r.get(4)?, &cur),
        tax: money(r.get(5)?, &cur),
        total: money(header.total, &cur),
        paid: money(r.get(6)?, &cur),
        currency: cur,
        version: header.version,
        lines,
    })
}

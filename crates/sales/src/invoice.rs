//! Sales invoices and credit notes (红字发票), drawn from an order's delivered or ordered
//! quantities net of what was returned and already invoiced. Posting numbers the invoice,
//! counts its quantities as invoiced and publishes `InvoicePosted`, from which the ledger books
//! receivable, revenue and output VAT in the same transaction; payments and credit notes that
//! settle it make it paid. Each invoice carries the fields of a 数电票 (fully digitalised
//! e-invoice): the buyer as printed, the kind (专票/普票) and the platform's number.

use std::collections::BTreeMap;

use kernel::db::{Tx, Value};
use kernel::id::DocRef;
use kernel::listing::{Filter, ListPage, ListQuery, ListSpec, col};
use kernel::sequence::{DocType, next_number};
use kernel::{Ctx, Currency, Error, Quantity, Result, UnitPrice, audit};
use serde::{Deserialize, Serialize};

use crate::events::{InvoicePosted, TaxAmounts};
use crate::order::{OrderAction, OrderId, load, money, order_lines, percent, settle_state};
use crate::permissions::{INVOICE_READ, INVOICE_WRITE};
use product::amounts::{Amounts, line_amounts};

kernel::define_id!(
    /// A sales invoice or credit note.
    InvoiceId
);

const INVOICE_NUMBERS: DocType = DocType { code: "sales.invoice", prefix: "INV" };
const CREDIT_NUMBERS: DocType = DocType { code: "sales.credit_note", prefix: "RINV" };

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceBasis {
    /// What was delivered (the default): invoice after shipping.
    #[default]
    Delivered,
    /// What was ordered: invoice in advance.
    Ordered,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"basis": "delivered", "date": "2026-11-27", "post": true}))]
pub struct InvoiceRequest {
    #[serde(default)]
    pub basis: InvoiceBasis,
    /// Today by default.
    pub date: Option<String>,
    /// Post at once.
    #[serde(default)]
    pub post: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct InvoiceLine {
    pub seq: i64,
    pub order_line_id: Option<String>,
    pub product_id: String,
    pub product_code: String,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    pub tax_code: String,
    pub tax_rate: String,
    pub untaxed: String,
    pub tax: String,
    pub total: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Invoice {
    #[schema(value_type = String)]
    pub id: InvoiceId,
    pub number: Option<String>,
    /// invoice or credit_note.
    pub kind: String,
    /// draft, posted, paid, cancelled.
    pub state: String,
    pub order_id: Option<String>,
    pub order_number: Option<String>,
    pub customer_id: String,
    pub customer_name: String,
    pub invoice_date: String,
    pub due_date: String,
    pub currency: String,
    pub untaxed: String,
    pub tax: String,
    pub total: String,
    pub paid: String,
    pub buyer_name: String,
    pub buyer_tax_id: String,
    pub buyer_address_phone: String,
    pub buyer_bank_account: String,
    /// special (专票) or ordinary (普票).
    pub einvoice_kind: String,
    pub einvoice_number: Option<String>,
    pub einvoice_issued_at: Option<String>,
    pub version: i64,
    pub lines: Vec<InvoiceLine>,
    /// post, cancel, einvoice: what the caller may do now.
    pub actions: Vec<String>,
}

/// An invoice by its number or its customer's name.
pub static INVOICE_SEARCH: kernel::search::SearchIndex = kernel::search::SearchIndex {
    kind: "sales.invoice",
    source: "select i.id, i.company_id, i.number, c.name from sales_invoice i join party_party c on c.id = i.customer_id",
    id: "i.id",
};

pub const INVOICE_LIST: ListSpec = ListSpec {
    from: "sales_invoice i join party_party c on c.id = i.customer_id",
    id: "i.id",
    company: "i.company_id",
    columns: &[
        col("number", "coalesce(i.number, '')", true, Filter::Prefix),
        col("kind", "i.kind", true, Filter::Equals),
        col("state", "i.state", true, Filter::Equals),
        col("customer", "c.name", true, Filter::Prefix),
        col("customer_id", "i.customer_id", false, Filter::Equals),
        col("order_id", "coalesce(i.order_id, '')", false, Filter::Equals),
        col("invoice_date", "i.invoice_date", true, Filter::Range),
        col("due_date", "i.due_date", true, Filter::Range),
        col("total", "i.total", true, Filter::None),
        col("paid", "i.paid", true, Filter::None),
        // Overdue: due before the given day.
        col("due_before", "i.due_date", false, Filter::Before),
    ],
    search: &["coalesce(i.number, '')", "c.name"],
    index: Some(&INVOICE_SEARCH),
    default_sort: "invoice_date",
    default_desc: true,
};

pub fn list_invoices(tx: &mut Tx<'_>, ctx: &Ctx, query: &ListQuery) -> Result<ListPage> {
    ctx.require(INVOICE_READ)?;
    match (ctx.own_records_only(), ctx.actor().user()) {
        (true, Some(user)) => {
            INVOICE_LIST.fetch(tx, ctx, query, Some(("i.salesperson_id = {}", vec![Value::Text(user.to_string())])))
        }
        _ => INVOICE_LIST.fetch(tx, ctx, query, None),
    }
}

/// Draws an invoice (or, when more came back than was invoiced, a credit note) from an order.
///
/// Returns the invoice's id, without reading the invoice back.
pub fn draw_invoice(tx: &mut Tx<'_>, ctx: &Ctx, order: OrderId, request: &InvoiceRequest) -> Result<InvoiceId> {
    let header = load(tx, ctx, order)?;
    header.check(OrderAction::Invoice, ctx)?;
    let date = match request.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(text) => kernel::clock::parse_date(text)
            .map_err(|_| Error::field("date", "kernel.date.invalid").with_param("value", text))?,
        None => ctx.today(),
    };
    let currency = Currency::from_code(&header.currency)?;
    let lines = order_lines(tx, order)?;
    // Signed quantity still to invoice per line: + to invoice, − to credit.
    let due: Vec<(usize, i64)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let basis = match request.basis {
                InvoiceBasis::Delivered => l.delivered.scaled(),
                InvoiceBasis::Ordered => l.quantity.scaled().max(l.delivered.scaled()),
            };
            (i, basis - l.returned.scaled() - l.invoiced.scaled())
        })
        .filter(|(_, q)| *q != 0)
        .collect();
    let credit_note = !due.iter().any(|(_, q)| *q > 0);
    let chosen: Vec<(usize, i64)> =
        due.into_iter().filter(|(_, q)| if credit_note { *q < 0 } else { *q > 0 }).map(|(i, q)| (i, q.abs())).collect();
    if chosen.is_empty() {
        return Err(Error::conflict("sales.nothing_to_invoice"));
    }
    let drafts: i64 =
        tx.scalar("select count(*) from sales_invoice where order_id = $1 and state = 'draft'", &[&order])?;
    if drafts > 0 {
        return Err(Error::conflict("sales.draft_invoice_exists"));
    }
    let customer = party::require_terms(tx, ctx, &header.customer_id, "customer", "sales.customer_unknown")?;
    let id = InvoiceId::new();
    let now = ctx.now_text();
    let mut totals = Amounts::default();
    let mut stored = Vec::with_capacity(chosen.len());
    for (seq, (i, quantity)) in chosen.iter().enumerate() {
        let line = &lines[*i];
        let quantity = Quantity::from_scaled(*quantity);
        // The whole line at once keeps the order's own amounts; a part is priced again.
        let amounts = if quantity == line.quantity && line.invoiced.scaled() == 0 {
            line.amounts
        } else {
            line_amounts(
                quantity,
                line.unit_price,
                line.discount_bp,
                line.tax_rate_bp,
                header.price_includes_tax,
                currency,
            )?
        };
        totals.add(amounts);
        stored.push((seq as i64 + 1, line, quantity, amounts));
    }
    tx.execute(
        "insert into sales_invoice (id, company_id, kind, state, order_id, customer_id, salesperson_id, invoice_date, due_date,
             currency, untaxed, tax, total, buyer_name, buyer_tax_id, created_at, created_by, updated_at)
         values ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $15)",
        &[
            &id,
            &ctx.company(),
            &if credit_note { "credit_note" } else { "invoice" },
            &order,
            &header.customer_id,
            &header.salesperson_id,
            &kernel::clock::format_date(date),
            &kernel::clock::format_date(customer.due_date(date)),
            &header.currency,
            &totals.untaxed,
            &totals.tax,
            &totals.total,
            &customer.name,
            &customer.uscc.clone().unwrap_or_default(),
            &now,
            &ctx.actor().label(),
        ],
    )?;
    for (seq, line, quantity, amounts) in &stored {
        tx.execute(
            "insert into sales_invoice_line (id, company_id, invoice_id, seq, order_line_id, product_id, description, quantity,
                 unit_price, discount_bp, tax_code, tax_rate_bp, untaxed, tax, total)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            &[
                &kernel::id::Uuid::now_v7(),
                &ctx.company(),
                &id,
                seq,
                &line.id,
                &line.product_id,
                &line.description,
                quantity,
                &line.unit_price.scaled(),
                &line.discount_bp,
                &line.tax_code,
                &line.tax_rate_bp,
                &amounts.untaxed,
                &amounts.tax,
                &amounts.total,
            ],
        )?;
    }
    audit::record(tx, ctx, "sales.invoice.create", "sales.invoice", &id, serde_json::json!({"order": header.number}))?;
    if request.post {
        book_invoice(tx, ctx, id)?;
    }
    Ok(id)
}

/// `draw_invoice`, answered with the invoice.
pub fn invoice_order(tx: &mut Tx<'_>, ctx: &Ctx, order: OrderId, request: &InvoiceRequest) -> Result<Invoice> {
    let id = draw_invoice(tx, ctx, order, request)?;
    get_invoice(tx, ctx, id)
}

struct InvoiceHeader {
    kind: String,
    state: String,
    order_id: Option<String>,
    customer_id: String,
    salesperson_id: Option<String>,
    date: time::Date,
    currency: String,
    total: i64,
    version: i64,
}

fn load_invoice(tx: &mut Tx<'_>, ctx: &Ctx, id: InvoiceId) -> Result<InvoiceHeader> {
    ctx.require(INVOICE_READ)?;
    let r = tx
        .query_opt(
            "select kind, state, order_id, customer_id, salesperson_id, invoice_date, currency, total, version
             from sales_invoice where company_id = $1 and id = $2",
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("sales.invoice_not_found"))?;
    let header = InvoiceHeader {
        kind: r.get(0)?,
        state: r.get(1)?,
        order_id: r.get(2)?,
        customer_id: r.get(3)?,
        salesperson_id: r.get(4)?,
        date: kernel::clock::parse_date(&r.get::<String>(5)?)?,
        currency: r.get(6)?,
        total: r.get(7)?,
        version: r.get(8)?,
    };
    if ctx.own_records_only() && header.salesperson_id != ctx.actor().user().map(|u| u.to_string()) {
        return Err(Error::not_found("sales.invoice_not_found"));
    }
    Ok(header)
}

fn state_error(state: &str, action: &str) -> Error {
    Error::conflict("sales.invoice_state").with_param("state", state).with_param("action", action)
}

/// Posts a draft: numbers it, counts its quantities as invoiced on the order and tells the
/// ledger (`InvoicePosted`).
///
/// Reads nothing back (see `post_invoice` for the answer).
pub fn book_invoice(tx: &mut Tx<'_>, ctx: &Ctx, id: InvoiceId) -> Result<()> {
    ctx.require(INVOICE_WRITE)?;
    let header = load_invoice(tx, ctx, id)?;
    if header.state != "draft" {
        return Err(state_error(&header.state, "post"));
    }
    let credit_note = header.kind == "credit_note";
    let numbers = if credit_note { CREDIT_NUMBERS } else { INVOICE_NUMBERS };
    let number = next_number(tx, ctx, numbers, header.date, &DocRef::new("sales.invoice", id))?;
    let changed = tx.execute(
        "update sales_invoice set number = $1, state = 'posted', updated_at = $2, version = version + 1
         where id = $3 and version = $4",
        &[&number, &ctx.now_text(), &id, &header.version],
    )?;
    if changed == 0 {
        return Err(Error::conflict("sales.invoice_changed"));
    }
    let sign: i64 = if credit_note { -1 } else { 1 };
    let rows = tx.query(
        "select l.order_line_id, l.quantity, l.tax_code, l.untaxed, l.tax, t.output_account_role
         from sales_invoice_line l left join product_tax t on t.company_id = l.company_id and t.code = l.tax_code
         where l.invoice_id = $1 order by l.seq",
        &[&id],
    )?;
    let mut by_tax: BTreeMap<String, TaxAmounts> = BTreeMap::new();
    for r in &rows {
        let quantity: i64 = r.get(1)?;
        if let Some(line) = r.get::<Option<String>>(0)? {
            tx.execute(
                "update sales_order_line set invoiced = invoiced + $1 where id = $2",
                &[&(sign * quantity), &line],
            )?;
        }
        let code: String = r.get(2)?;
        let role = r.get::<Option<String>>(5)?.unwrap_or_else(|| "vat.output".to_string());
        let entry = by_tax.entry(code.clone()).or_insert(TaxAmounts {
            tax_code: code,
            output_account_role: role,
            untaxed: 0,
            tax: 0,
        });
        entry.untaxed += r.get::<i64>(3)?;
        entry.tax += r.get::<i64>(4)?;
    }
    let rate_e8 = product::rate_on(tx, ctx, &header.currency, header.date)?;
    tx.publish(
        ctx,
        &InvoicePosted {
            invoice_id: id.to_string(),
            number: number.clone(),
            credit_note,
            date: header.date,
            customer_id: header.customer_id.clone(),
            currency: header.currency.clone(),
            rate_e8,
            total: header.total,
            by_tax: by_tax.into_values().collect(),
        },
    )?;
    if let Some(order) = &header.order_id {
        settle_state(tx, ctx, OrderId::parse(order)?)?;
    }
    audit::record(tx, ctx, "sales.invoice.post", "sales.invoice", &id, serde_json::json!({"number": number}))?;
    Ok(())
}

/// `book_invoice`, answered with the invoice.
pub fn post_invoice(tx: &mut Tx<'_>, ctx: &Ctx, id: InvoiceId) -> Result<Invoice> {
    book_invoice(tx, ctx, id)?;
    get_invoice(tx, ctx, id)
}

/// Cancels a draft (a posted invoice is corrected by a credit note instead).
pub fn cancel_invoice(tx: &mut Tx<'_>, ctx: &Ctx, id: InvoiceId) -> Result<Invoice> {
    ctx.require(INVOICE_WRITE)?;
    let header = load_invoice(tx, ctx, id)?;
    if header.state != "draft" {
        return Err(state_error(&header.state, "cancel"));
    }
    tx.execute(
        "update sales_invoice set state = 'cancelled', updated_at = $1, version = version + 1 where id = $2",
        &[&ctx.now_text(), &id],
    )?;
    audit::record(tx, ctx, "sales.invoice.cancel", "sales.invoice", &id, serde_json::json!({}))?;
    get_invoice(tx, ctx, id)
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"einvoice_kind": "special", "einvoice_number": "24442000000012345678", "buyer_name": "杭州茶业有限公司",
    "buyer_tax_id": "91330100MA2XXXXXX1", "buyer_address_phone": "杭州市西湖区… 0571-88888888", "buyer_bank_account": "工商银行 1202…"}))]
pub struct EInvoiceInput {
    pub einvoice_kind: Option<String>,
    /// The 20-digit number the tax platform gave the 数电票.
    pub einvoice_number: Option<String>,
    pub buyer_name: Option<String>,
    pub buyer_tax_id: Option<String>,
    pub buyer_address_phone: Option<String>,
    pub buyer_bank_account: Option<String>,
}

/// Records the e-invoice fields: the buyer as printed while a draft, the platform's number once
/// the invoice is posted and issued there.
pub fn set_einvoice(tx: &mut Tx<'_>, ctx: &Ctx, id: InvoiceId, input: &EInvoiceInput) -> Result<Invoice> {
    ctx.require(INVOICE_WRITE)?;
    let header = load_invoice(tx, ctx, id)?;
    if header.state == "cancelled" {
        return Err(state_error(&header.state, "einvoice"));
    }
    if let Some(kind) = input.einvoice_kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        if !matches!(kind, "special" | "ordinary") {
            return Err(Error::field("einvoice_kind", "sales.einvoice_kind_invalid"));
        }
        tx.execute("update sales_invoice set einvoice_kind = $1 where id = $2", &[&kind, &id])?;
    }
    if let Some(number) = input.einvoice_number.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        if header.state == "draft" {
            return Err(state_error(&header.state, "einvoice"));
        }
        if number.len() != 20 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::field("einvoice_number", "sales.einvoice_number_invalid"));
        }
        tx.execute(
            "update sales_invoice set einvoice_number = $1, einvoice_issued_at = $2 where id = $3",
            &[&number, &ctx.now_text(), &id],
        )?;
    }
    let buyer = [
        ("buyer_name", &input.buyer_name),
        ("buyer_tax_id", &input.buyer_tax_id),
        ("buyer_address_phone", &input.buyer_address_phone),
        ("buyer_bank_account", &input.buyer_bank_account),
    ];
    for (column, value) in buyer {
        if let Some(value) = value {
            if header.state != "draft" {
                return Err(state_error(&header.state, "einvoice"));
            }
            tx.execute(&format!("update sales_invoice set {column} = $1 where id = $2"), &[&value.trim(), &id])?;
        }
    }
    tx.execute(
        "update sales_invoice set updated_at = $1, version = version + 1 where id = $2",
        &[&ctx.now_text(), &id],
    )?;
    audit::record(tx, ctx, "sales.invoice.einvoice", "sales.invoice", &id, serde_json::json!({}))?;
    get_invoice(tx, ctx, id)
}

/// Reaction to `ledger::DocumentSettled`: what is paid of an invoice, and paid in full.
pub fn document_settled(tx: &mut Tx<'_>, _ctx: &Ctx, event: &ledger::DocumentSettled) -> Result<()> {
    if event.document.kind != "sales.invoice" || event.amount == 0 {
        return Ok(());
    }
    let Some(r) = tx.query_opt("select total from sales_invoice where id = $1", &[&event.document.id])? else {
        return Ok(());
    };
    let total: i64 = r.get(0)?;
    let settled = event.settled_of(total);
    let state = if event.open == 0 { "paid" } else { "posted" };
    tx.execute(
        "update sales_invoice set paid = $1, state = $2 where id = $3 and state in ('posted', 'paid')",
        &[&settled, &state, &event.document.id],
    )?;
    Ok(())
}

pub fn get_invoice(tx: &mut Tx<'_>, ctx: &Ctx, id: InvoiceId) -> Result<Invoice> {
    let header = load_invoice(tx, ctx, id)?;
    let r = tx.query_one(
        "select i.number, o.number, c.name, i.due_date, i.untaxed, i.tax, i.paid, i.buyer_name, i.buyer_tax_id,
                i.buyer_address_phone, i.buyer_bank_account, i.einvoice_kind, i.einvoice_number, i.einvoice_issued_at
         from sales_invoice i join party_party c on c.id = i.customer_id left join sales_order o on o.id = i.order_id
         where i.id = $1",
        &[&id],
    )?;
    let cur = header.currency.clone();
    let lines = tx
        .query(
            "select l.seq, l.order_line_id, l.product_id, p.code, l.description, l.quantity, l.unit_price, l.discount_bp,
                    l.tax_code, l.tax_rate_bp, l.untaxed, l.tax, l.total
             from sales_invoice_line l join product_product p on p.id = l.product_id
             where l.invoice_id = $1 order by l.seq",
            &[&id],
        )?
        .iter()
        .map(|l| {
            Ok(InvoiceLine {
                seq: l.get(0)?,
                order_line_id: l.get(1)?,
                product_id: l.get(2)?,
                product_code: l.get(3)?,
                description: l.get(4)?,
                quantity: l.get::<Quantity>(5)?.to_string(),
                unit_price: UnitPrice::from_scaled(l.get(6)?).to_string(),
                discount: percent(l.get(7)?),
                tax_code: l.get(8)?,
                tax_rate: percent(l.get(9)?),
                untaxed: money(l.get(10)?, &cur),
                tax: money(l.get(11)?, &cur),
                total: money(l.get(12)?, &cur),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let may = ctx.may(INVOICE_WRITE);
    let actions = match header.state.as_str() {
        "draft" if may => vec!["post".to_string(), "cancel".to_string(), "einvoice".to_string()],
        "posted" | "paid" if may => vec!["einvoice".to_string()],
        _ => vec![],
    };
    Ok(Invoice {
        id,
        number: r.get(0)?,
        kind: header.kind,
        state: header.state,
        order_id: header.order_id,
        order_number: r.get(1)?,
        customer_id: header.customer_id,
        customer_name: r.get(2)?,
        invoice_date: kernel::clock::format_date(header.date),
        due_date: r.get(3)?,
        untaxed: money(r.get(4)?, &cur),
        tax: money(r.get(5)?, &cur),
        total: money(header.total, &cur),
        paid: money(r.get(6)?, &cur),
        buyer_name: r.get(7)?,
        buyer_tax_id: r.get(8)?,
        buyer_address_phone: r.get(9)?,
        buyer_bank_account: r.get(10)?,
        einvoice_kind: r.get(11)?,
        einvoice_number: r.get(12)?,
        einvoice_issued_at: r.get(13)?,
        currency: cur,
        version: header.version,
        lines,
        actions,
    })
}

//! Purchase orders: draft → confirmed (the receipt is created, waiting for the goods) → done
//! (received and billed in full), or cancelled while nothing has been received. Prices and lead
//! times come from the supplier's price list unless given; the expected date is the order date
//! plus the longest lead time.

use std::collections::HashMap;

use inventory::{MoveInput, PickingInput, PickingKind, PickingState};
use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::listing::{Filter, ListPage, ListQuery, ListSpec, col};
use kernel::sequence::{DocType, next_number};
use kernel::{Ctx, Currency, Error, Quantity, Result, UnitPrice, audit};
use party::TradingTerms;
use product::TradeInfo;
use product::amounts::{Amounts, line_amounts};
use serde::{Deserialize, Serialize};

use crate::permissions::{BILL_WRITE, ORDER_CANCEL, ORDER_CONFIRM, ORDER_READ, ORDER_WRITE, RETURN};

kernel::define_id!(
    /// A purchase order.
    PurchaseOrderId
);

const ORDER_NUMBERS: DocType = DocType { code: "purchasing.order", prefix: "PO" };

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseState {
    Draft,
    /// Sent to the supplier; the receipt waits for the goods.
    Confirmed,
    /// Received and billed in full.
    Done,
    Cancelled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseAction {
    Confirm,
    Bill,
    Return,
    Cancel,
}

impl PurchaseState {
    pub fn code(self) -> &'static str {
        match self {
            PurchaseState::Draft => "draft",
            PurchaseState::Confirmed => "confirmed",
            PurchaseState::Done => "done",
            PurchaseState::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Option<PurchaseState> {
        [PurchaseState::Draft, PurchaseState::Confirmed, PurchaseState::Done, PurchaseState::Cancelled]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// The one table of what may happen in each state.
    pub fn allows(self, action: PurchaseAction) -> bool {
        use PurchaseAction::*;
        match self {
            PurchaseState::Draft => matches!(action, Confirm | Cancel),
            PurchaseState::Confirmed => matches!(action, Bill | Return | Cancel),
            PurchaseState::Done => matches!(action, Bill | Return),
            PurchaseState::Cancelled => false,
        }
    }
}

impl PurchaseAction {
    pub const ALL: [PurchaseAction; 4] =
        [PurchaseAction::Confirm, PurchaseAction::Bill, PurchaseAction::Return, PurchaseAction::Cancel];

    pub fn permission(self) -> kernel::Permission {
        match self {
            PurchaseAction::Confirm => ORDER_CONFIRM,
            PurchaseAction::Bill => BILL_WRITE,
            PurchaseAction::Return => RETURN,
            PurchaseAction::Cancel => ORDER_CANCEL,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            PurchaseAction::Confirm => "confirm",
            PurchaseAction::Bill => "bill",
            PurchaseAction::Return => "return",
            PurchaseAction::Cancel => "cancel",
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurchaseLineInput {
    /// Product id or code.
    pub product: String,
    pub quantity: String,
    /// Without it: the supplier's price for the quantity.
    pub unit_price: Option<String>,
    /// VAT code; the product's by default.
    pub tax: Option<String>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"supplier": "S0001", "lines": [{"product": "TEA-001", "quantity": "100", "unit_price": "50"}], "confirm": true}))]
pub struct PurchaseOrderInput {
    /// Supplier id or code.
    pub supplier: String,
    pub order_date: Option<String>,
    /// By default the order date plus the longest supplier lead time.
    pub expected_date: Option<String>,
    pub price_includes_tax: Option<bool>,
    pub currency: Option<String>,
    #[serde(default)]
    pub note: String,
    pub lines: Vec<PurchaseLineInput>,
    #[serde(default)]
    pub confirm: bool,
    /// Where it came from (a requisition or RFQ number).
    #[serde(default)]
    pub source: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PurchaseLine {
    pub id: String,
    pub seq: i64,
    pub product_id: String,
    pub product_code: String,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub tax_code: String,
    pub untaxed: String,
    pub tax: String,
    pub total: String,
    pub received: String,
    pub returned: String,
    pub billed: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PurchaseOrder {
    #[schema(value_type = String)]
    pub id: PurchaseOrderId,
    pub number: String,
    pub state: PurchaseState,
    pub supplier_id: String,
    pub supplier_name: String,
    pub order_date: String,
    pub expected_date: String,
    pub currency: String,
    pub price_includes_tax: bool,
    pub untaxed: String,
    pub tax: String,
    pub total: String,
    pub source: String,
    pub note: String,
    pub version: i64,
    pub lines: Vec<PurchaseLine>,
    pub actions: Vec<PurchaseAction>,
    /// The latest approval request of the order, if its confirmation asked for one.
    pub approval: Option<ApprovalState>,
}

/// Where the order's approval stands.
pub use office::approval::ApprovalState;

/// The kind approval flows name purchase orders by.
pub const APPROVAL_KIND: &str = "purchasing.order";

/// A purchase order by its number or its supplier's name.
pub static PURCHASE_SEARCH: kernel::search::SearchIndex = kernel::search::SearchIndex {
    kind: "purchasing.order",
    source: "select o.id, o.company_id, o.number, s.name from purchasing_order o join party_party s on s.id = o.supplier_id",
    id: "o.id",
};

pub const PURCHASE_LIST: ListSpec = ListSpec {
    from: "purchasing_order o join party_party s on s.id = o.supplier_id",
    id: "o.id",
    company: "o.company_id",
    columns: &[
        col("number", "o.number", true, Filter::Prefix),
        col("state", "o.state", true, Filter::Equals),
        col("supplier", "s.name", true, Filter::Prefix),
        col("supplier_id", "o.supplier_id", false, Filter::Equals),
        col("order_date", "o.order_date", true, Filter::Range),
        col("expected_date", "o.expected_date", true, Filter::Range),
        col("total", "o.total", true, Filter::None),
    ],
    search: &["o.number", "s.name"],
    index: Some(&PURCHASE_SEARCH),
    default_sort: "order_date",
    default_desc: true,
};

pub fn list_orders(tx: &mut Tx<'_>, ctx: &Ctx, query: &ListQuery) -> Result<ListPage> {
    ctx.require(ORDER_READ)?;
    PURCHASE_LIST.fetch(tx, ctx, query, None)
}

pub(crate) fn money(minor: i64, currency: &str) -> String {
    kernel::Money::from_minor(minor, Currency::from_code(currency).unwrap_or(Currency::CNY)).to_string()
}

pub(crate) fn parse_day(text: Option<&str>, field: &str) -> Result<Option<time::Date>> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            kernel::clock::parse_date(t).map_err(|_| Error::field(field, "kernel.date.invalid").with_param("value", t))
        })
        .transpose()
}

struct Priced {
    product: TradeInfo,
    description: String,
    quantity: Quantity,
    price: UnitPrice,
    tax_code: String,
    rate_bp: i64,
    amounts: Amounts,
    lead_days: i64,
}

fn price_lines(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    supplier: &TradingTerms,
    input: &PurchaseOrderInput,
    currency: Currency,
    includes_tax: bool,
) -> Result<Vec<Priced>> {
    if input.lines.is_empty() {
        return Err(Error::field("lines", "purchasing.order_empty"));
    }
    let mut products: HashMap<String, Option<TradeInfo>> = HashMap::new();
    let mut problems = Error::invalid("validation.failed");
    let mut priced = Vec::with_capacity(input.lines.len());
    for (i, line) in input.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let key = line.product.trim().to_string();
        let product = match products.get(&key) {
            Some(p) => p.clone(),
            None => {
                let found = product::trade_info(tx, ctx, &key)?;
                products.insert(key, found.clone());
                found
            }
        };
        let Some(product) = product else {
            problems = problems.with_field(field("product"), "purchasing.product_unknown");
            continue;
        };
        let quantity = match line.quantity.trim().parse::<Quantity>() {
            Ok(q) if q.scaled() > 0 => q,
            _ => {
                problems = problems.with_field(field("quantity"), "purchasing.quantity_invalid");
                continue;
            }
        };
        let tax = match line.tax.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(code) => match product::tax_rate(tx, ctx, code)? {
                Some(t) => Some(t),
                None => {
                    problems = problems.with_field(field("tax"), "purchasing.tax_unknown");
                    continue;
                }
            },
            None => product.tax.clone(),
        };
        let (tax_code, rate_bp) = tax.map(|t| (t.code, t.rate_bp)).unwrap_or_else(|| ("EXEMPT".to_string(), 0));
        let pid = product::ProductId::parse(&product.id)?;
        let offer = product::price_for(tx, ctx, pid, &supplier.id, quantity)?;
        let lead_days = offer.as_ref().map(|o| o.lead_time_days).unwrap_or(0);
        let price = match line.unit_price.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(text) => match text.parse::<UnitPrice>() {
                Ok(p) if p.scaled() >= 0 => p,
                _ => {
                    problems = problems.with_field(field("unit_price"), "purchasing.price_invalid");
                    continue;
                }
            },
            // Supplier price lists are net of VAT.
            None => match offer {
                Some(o) if includes_tax => o.price.mul_ratio(10_000 + rate_bp, 10_000)?,
                Some(o) => o.price,
                None => {
                    problems = problems.with_field(field("unit_price"), "purchasing.price_missing");
                    continue;
                }
            },
        };
        let amounts = line_amounts(quantity, price, 0, rate_bp, includes_tax, currency)?;
        priced.push(Priced {
            description: line
                .description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .unwrap_or(&product.name)
                .to_string(),
            product,
            quantity,
            price,
            tax_code,
            rate_bp,
            amounts,
            lead_days,
        });
    }
    if !problems.fields().is_empty() {
        return Err(problems);
    }
    Ok(priced)
}

/// Writes a purchase order (draft); with `confirm`, confirms it in the same transaction.
///
/// Returns the order's id, without reading the order back.
pub fn enter_order(tx: &mut Tx<'_>, ctx: &Ctx, input: &PurchaseOrderInput) -> Result<PurchaseOrderId> {
    ctx.require(ORDER_WRITE)?;
    let supplier = party::require_terms(tx, ctx, &input.supplier, "supplier", "purchasing.supplier_unknown")?;
    if !supplier.is_supplier() {
        return Err(Error::field("supplier", "purchasing.supplier_unknown"));
    }
    let date = parse_day(input.order_date.as_deref(), "order_date")?.unwrap_or_else(|| ctx.today());
    let code = input.currency.as_deref().map(str::trim).filter(|c| !c.is_empty()).unwrap_or(&supplier.currency);
    let currency = Currency::from_code(code).map_err(|_| Error::field("currency", "purchasing.currency_unknown"))?;
    let includes_tax = input.price_includes_tax.unwrap_or(false);
    let lines = price_lines(tx, ctx, &supplier, input, currency, includes_tax)?;
    let lead = lines.iter().map(|l| l.lead_days).max().unwrap_or(0);
    let expected =
        parse_day(input.expected_date.as_deref(), "expected_date")?.unwrap_or(date + time::Duration::days(lead));
    let id = PurchaseOrderId::new();
    let number = next_number(tx, ctx, ORDER_NUMBERS, date, &DocRef::new("purchasing.order", id))?;
    let now = ctx.now_text();
    let mut totals = Amounts::default();
    for l in &lines {
        totals.add(l.amounts);
    }
    tx.execute(
        "insert into purchasing_order (id, company_id, number, state, supplier_id, buyer_id, order_date, expected_date, currency,
             price_includes_tax, untaxed, tax, total, source, note, created_at, created_by, updated_at)
         values ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $15)",
        &[
            &id,
            &ctx.company(),
            &number,
            &supplier.id,
            &ctx.actor().user().map(|u| u.to_string()),
            &kernel::clock::format_date(date),
            &kernel::clock::format_date(expected),
            &currency.code(),
            &includes_tax,
            &totals.untaxed,
            &totals.tax,
            &totals.total,
            &input.source.trim(),
            &input.note.trim(),
            &now,
            &ctx.actor().label(),
        ],
    )?;
    for (seq, l) in lines.iter().enumerate() {
        tx.execute(
            "insert into purchasing_order_line (id, company_id, order_id, seq, product_id, description, stockable, quantity,
                 unit_price, tax_code, tax_rate_bp, untaxed, tax, total)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            &[
                &kernel::id::Uuid::now_v7(),
                &ctx.company(),
                &id,
                &(seq as i64 + 1),
                &l.product.id,
                &l.description,
                &l.product.stockable(),
                &l.quantity,
                &l.price.scaled(),
                &l.tax_code,
                &l.rate_bp,
                &l.amounts.untaxed,
                &l.amounts.tax,
                &l.amounts.total,
            ],
        )?;
    }
    audit::record(tx, ctx, "purchasing.order.create", "purchasing.order", &id, serde_json::json!({"number": number}))?;
    if input.confirm {
        confirm_entered(tx, ctx, id)?;
    }
    Ok(id)
}

/// `enter_order`, answered with the order as it now stands.
pub fn create_order(tx: &mut Tx<'_>, ctx: &Ctx, input: &PurchaseOrderInput) -> Result<PurchaseOrder> {
    let id = enter_order(tx, ctx, input)?;
    get_order(tx, ctx, id)
}

pub(crate) struct Header {
    pub id: PurchaseOrderId,
    pub number: String,
    pub state: PurchaseState,
    pub supplier_id: String,
    pub order_date: time::Date,
    pub currency: String,
    pub price_includes_tax: bool,
    pub version: i64,
}

impl Header {
    pub(crate) fn check(&self, action: PurchaseAction, ctx: &Ctx) -> Result<()> {
        ctx.require(action.permission())?;
        if !self.state.allows(action) {
            return Err(Error::conflict("purchasing.order_state")
                .with_param("state", self.state.code())
                .with_param("action", action.code()));
        }
        Ok(())
    }
}

pub(crate) fn load(tx: &mut Tx<'_>, ctx: &Ctx, id: PurchaseOrderId) -> Result<Header> {
    ctx.require(ORDER_READ)?;
    load_unchecked(tx, ctx, id)
}

pub(crate) fn load_unchecked(tx: &mut Tx<'_>, ctx: &Ctx, id: PurchaseOrderId) -> Result<Header> {
    let r = tx
        .query_opt(
            "select number, state, supplier_id, order_date, currency, price_includes_tax, version
             from purchasing_order where company_id = $1 and id = $2",
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("purchasing.order_not_found"))?;
    Ok(Header {
        id,
        number: r.get(0)?,
        state: PurchaseState::parse(&r.get::<String>(1)?).ok_or_else(|| Error::internal("unknown purchase state"))?,
        supplier_id: r.get(2)?,
        order_date: kernel::clock::parse_date(&r.get::<String>(3)?)?,
        currency: r.get(4)?,
        price_includes_tax: r.get(5)?,
        version: r.get(6)?,
    })
}

pub(crate) fn set_state(tx: &mut Tx<'_>, ctx: &Ctx, header: &Header, state: PurchaseState) -> Result<()> {
    let changed = tx.execute(
        "update purchasing_order set state = $1, updated_at = $2, version = version + 1 where id = $3 and version = $4",
        &[&state.code(), &ctx.now_text(), &header.id, &header.version],
    )?;
    if changed == 0 {
        return Err(Error::conflict("purchasing.order_changed"));
    }
    Ok(())
}

/// An order line as receipts, bills and returns need it.
#[derive(Clone, Debug)]
pub(crate) struct StoredLine {
    pub id: String,
    pub product_id: String,
    pub product_code: String,
    pub description: String,
    pub stockable: bool,
    pub quantity: Quantity,
    pub unit_price: UnitPrice,
    pub tax_code: String,
    pub tax_rate_bp: i64,
    pub amounts: Amounts,
    pub received: Quantity,
    pub returned: Quantity,
    pub billed: Quantity,
}

pub(crate) fn order_lines(tx: &mut Tx<'_>, id: PurchaseOrderId) -> Result<Vec<StoredLine>> {
    tx.query(
        "select l.id, l.product_id, p.code, l.description, l.stockable, l.quantity, l.unit_price, l.tax_code, l.tax_rate_bp,
                l.untaxed, l.tax, l.total, l.received, l.returned, l.billed
         from purchasing_order_line l join product_product p on p.id = l.product_id
         where l.order_id = $1 order by l.seq",
        &[&id],
    )?
    .iter()
    .map(|r| {
        Ok(StoredLine {
            id: r.get(0)?,
            product_id: r.get(1)?,
            product_code: r.get(2)?,
            description: r.get(3)?,
            stockable: r.get(4)?,
            quantity: r.get(5)?,
            unit_price: UnitPrice::from_scaled(r.get(6)?),
            tax_code: r.get(7)?,
            tax_rate_bp: r.get(8)?,
            amounts: Amounts { untaxed: r.get(9)?, tax: r.get(10)?, total: r.get(11)? },
            received: r.get(12)?,
            returned: r.get(13)?,
            billed: r.get(14)?,
        })
    })
    .collect()
}

/// The CNY unit cost, net of VAT, that goods of a line enter stock at (暂估 at the order price).
pub(crate) fn net_unit_cost(tx: &mut Tx<'_>, ctx: &Ctx, header: &Header, line: &StoredLine) -> Result<UnitPrice> {
    let net = if header.price_includes_tax {
        line.unit_price.mul_ratio(10_000, 10_000 + line.tax_rate_bp)?
    } else {
        line.unit_price
    };
    // Unit prices are in major units: convert at the order date's rate, keeping 6 decimals.
    let rate = product::rate_on(tx, ctx, &header.currency, header.order_date)?;
    net.mul_ratio(rate, 100_000_000)
}

/// What the approval flow of purchase orders may look at: the total in CNY (`amount`, so one
/// company limit covers every currency), the currency, the supplier's code and the buyer's login.
fn approval_subject(tx: &mut Tx<'_>, ctx: &Ctx, header: &Header) -> Result<office::approval::Subject> {
    let r = tx.query_one(
        "select o.total, s.code, s.name, coalesce(u.username, '') from purchasing_order o join party_party s on s.id = o.supplier_id
         left join kernel_user u on u.id = o.buyer_id where o.id = $1",
        &[&header.id],
    )?;
    let (total, supplier, supplier_name, buyer): (i64, String, String, String) =
        (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
    let amount = product::in_cny_text(tx, ctx, total, &header.currency, header.order_date)?;
    let facts = [("amount", amount), ("currency", header.currency.clone()), ("supplier", supplier), ("buyer", buyer)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    Ok(office::approval::Subject {
        kind: APPROVAL_KIND.into(),
        id: header.id.to_string(),
        title: format!("{} {} {} {}", header.number, supplier_name, money(total, &header.currency), header.currency),
        facts,
    })
}

/// Confirms the order: the receipt is created (waiting for the goods) with the order price as
/// the provisional cost; services and consumables count as received at once. When the
/// company's approval flow for purchase orders applies (over a limit, say), the order stays a
/// draft and an approval request is submitted instead; the approval confirms it.
///
/// Reads nothing back (see `confirm_order` for the answer).
pub fn confirm_entered(tx: &mut Tx<'_>, ctx: &Ctx, id: PurchaseOrderId) -> Result<()> {
    let header = load(tx, ctx, id)?;
    header.check(PurchaseAction::Confirm, ctx)?;
    let subject = approval_subject(tx, ctx, &header)?;
    if let office::approval::Gate::Submitted { number, .. } = office::approval::gate(tx, ctx, &subject)? {
        audit::record(
            tx,
            ctx,
            "purchasing.order.submit",
            "purchasing.order",
            &id,
            serde_json::json!({"number": header.number, "approval": number}),
        )?;
        return Ok(());
    }
    confirm_now(tx, ctx, &header)
}

/// The approval of a purchase order has ended: approved, the order is confirmed (by the
/// approver, on the buyer's behalf); otherwise it stays a draft to change or cancel.
pub fn approval_decided(tx: &mut Tx<'_>, ctx: &Ctx, event: &office::approval::ApprovalDecided) -> Result<()> {
    if event.kind != APPROVAL_KIND || event.outcome != office::approval::Outcome::Approved {
        return Ok(());
    }
    let id = PurchaseOrderId::parse(&event.doc_id)?;
    let acting = ctx.with_granted(&[ORDER_READ, ORDER_CONFIRM]);
    let header = load(tx, &acting, id)?;
    header.check(PurchaseAction::Confirm, &acting)?;
    confirm_now(tx, &acting, &header)
}

fn confirm_now(tx: &mut Tx<'_>, ctx: &Ctx, header: &Header) -> Result<()> {
    let id = header.id;
    let lines = order_lines(tx, id)?;
    let mut goods = Vec::new();
    for l in lines.iter().filter(|l| l.stockable) {
        goods.push(MoveInput {
            product: l.product_id.clone(),
            quantity: l.quantity.to_string(),
            unit_cost: Some(net_unit_cost(tx, ctx, header, l)?.to_string()),
            origin: Some(DocRef::new("purchasing.order_line", &l.id)),
            ..MoveInput::default()
        });
    }
    tx.execute(
        "update purchasing_order_line set received = quantity where order_id = $1 and stockable = $2",
        &[&id, &false],
    )?;
    if !goods.is_empty() {
        let stock = ctx.with_granted(&[inventory::permissions::STOCK_MOVE]);
        inventory::open_picking(
            tx,
            &stock,
            &PickingInput {
                kind: Some(PickingKind::Receipt),
                partner_id: Some(header.supplier_id.clone()),
                origin_kind: Some("purchasing.order".into()),
                origin_id: Some(id.to_string()),
                lines: goods,
                confirm: true,
                ..PickingInput::default()
            },
        )?;
    }
    set_state(tx, ctx, header, PurchaseState::Confirmed)?;
    audit::record(
        tx,
        ctx,
        "purchasing.order.confirm",
        "purchasing.order",
        &id,
        serde_json::json!({"number": header.number}),
    )?;
    Ok(())
}

/// `confirm_entered`, answered with the order as it now stands.
pub fn confirm_order(tx: &mut Tx<'_>, ctx: &Ctx, id: PurchaseOrderId) -> Result<PurchaseOrder> {
    confirm_entered(tx, ctx, id)?;
    get_order(tx, ctx, id)
}

/// Cancels a draft, or a confirmed order of which nothing was received or billed.
pub fn cancel_order(tx: &mut Tx<'_>, ctx: &Ctx, id: PurchaseOrderId) -> Result<PurchaseOrder> {
    let header = load(tx, ctx, id)?;
    header.check(PurchaseAction::Cancel, ctx)?;
    // Withdraw the approval first: the approvers are deciding on this order.
    office::approval::require_not_pending(tx, ctx, APPROVAL_KIND, &id.to_string())?;
    if header.state == PurchaseState::Confirmed {
        let lines = order_lines(tx, id)?;
        if lines.iter().any(|l| l.stockable && l.received.scaled() > 0) {
            return Err(Error::conflict("purchasing.order_received"));
        }
        if lines.iter().any(|l| l.billed.scaled() != 0) {
            return Err(Error::conflict("purchasing.order_billed"));
        }
        let stock = ctx.with_granted(&[inventory::permissions::STOCK_MOVE, inventory::permissions::STOCK_READ]);
        for picking in inventory::pickings_of_origin(tx, &stock, &DocRef::new("purchasing.order", id))? {
            if !matches!(picking.state, PickingState::Done | PickingState::Cancelled) {
                inventory::cancel(tx, &stock, picking.id)?;
            }
        }
        tx.execute("update purchasing_order_line set received = 0 where order_id = $1", &[&id])?;
    }
    set_state(tx, ctx, &header, PurchaseState::Cancelled)?;
    audit::record(tx, ctx, "purchasing.order.cancel", "purchasing.order", &id, serde_json::json!({}))?;
    get_order(tx, ctx, id)
}

/// Done when everything is received (as ordered) and billed as received.
pub(crate) fn settle_state(tx: &mut Tx<'_>, ctx: &Ctx, id: PurchaseOrderId) -> Result<()> {
    let header = load_unchecked(tx, ctx, id)?;
    if !matches!(header.state, PurchaseState::Confirmed | PurchaseState::Done) {
        return Ok(());
    }
    let complete = order_lines(tx, id)?.iter().all(|l| {
        l.received.scaled() >= l.quantity.scaled() && l.billed.scaled() == l.received.scaled() - l.returned.scaled()
    });
    let wanted = if complete { PurchaseState::Done } else { PurchaseState::Confirmed };
    if wanted != header.state {
        set_state(tx, ctx, &header, wanted)?;
    }
    Ok(())
}

/// The order's receipts and returns, newest first.
pub fn order_pickings(tx: &mut Tx<'_>, ctx: &Ctx, id: PurchaseOrderId) -> Result<Vec<inventory::Picking>> {
    load(tx, ctx, id)?;
    let stock = ctx.with_granted(&[inventory::permissions::STOCK_READ]);
    inventory::pickings_of_origin(tx, &stock, &DocRef::new("purchasing.order", id))
}

pub fn get_order(tx: &mut Tx<'_>, ctx: &Ctx, id: PurchaseOrderId) -> Result<PurchaseOrder> {
    let header = load(tx, ctx, id)?;
    let r = tx.query_one(
        "select o.expected_date, o.untaxed, o.tax, o.total, o.source, o.note, s.name
         from purchasing_order o join party_party s on s.id = o.supplier_id where o.id = $1",
        &[&id],
    )?;
    let cur = header.currency.clone();
    let lines = order_lines(tx, id)?;
    let to_bill = lines.iter().any(|l| l.billed.scaled() != l.received.scaled() - l.returned.scaled());
    let approval = office::approval::latest_of(tx, ctx, APPROVAL_KIND, &id.to_string())?;
    let pending = approval.as_ref().is_some_and(|a| a.state == "pending");
    let actions = PurchaseAction::ALL
        .into_iter()
        .filter(|a| header.state.allows(*a) && ctx.may(a.permission()))
        .filter(|a| *a != PurchaseAction::Bill || to_bill || header.state == PurchaseState::Confirmed)
        .filter(|a| !pending || !matches!(a, PurchaseAction::Confirm | PurchaseAction::Cancel))
        .collect();
    Ok(PurchaseOrder {
        id,
        number: header.number,
        state: header.state,
        supplier_id: header.supplier_id,
        supplier_name: r.get(6)?,
        order_date: kernel::clock::format_date(header.order_date),
        expected_date: r.get(0)?,
        price_includes_tax: header.price_includes_tax,
        untaxed: money(r.get(1)?, &cur),
        tax: money(r.get(2)?, &cur),
        total: money(r.get(3)?, &cur),
        source: r.get(4)?,
        note: r.get(5)?,
        version: header.version,
        lines: lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| PurchaseLine {
                id: l.id,
                seq: i as i64 + 1,
                product_id: l.product_id,
                product_code: l.product_code,
                description: l.description,
                quantity: l.quantity.to_string(),
                unit_price: l.unit_price.to_string(),
                tax_code: l.tax_code,
                untaxed: money(l.amounts.untaxed, &cur),
                tax: money(l.amounts.tax, &cur),
                total: money(l.amounts.total, &cur),
                received: l.received.to_string(),
                returned: l.returned.to_string(),
                billed: l.billed.to_string(),
            })
            .collect(),
        currency: cur,
        actions,
        approval,
    })
}

pub(crate) fn percent(bp: i64) -> String {
    let text = format!("{}.{:02}", bp / 100, bp % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

//! Quotations and sales orders: one document whose state machine runs draft → sent (a
//! quotation with its validity) → confirmed (stock reserved, delivery created) → done
//! (everything delivered and invoiced), or cancelled while nothing has left the warehouse.
//! Every state change goes through `OrderState::allows`.

use std::collections::HashMap;

use kernel::db::{Tx, Value};
use kernel::id::DocRef;
use kernel::listing::{Filter, ListPage, ListQuery, ListSpec, col};
use kernel::sequence::{DocType, next_number};
use kernel::{Ctx, Currency, Error, Quantity, Result, UnitPrice, audit};
use party::TradingTerms;
use product::TradeInfo;
use serde::{Deserialize, Serialize};

use crate::permissions::{INVOICE_WRITE, ORDER_CANCEL, ORDER_CONFIRM, ORDER_READ, ORDER_WRITE, RETURN};
use product::amounts::{Amounts, discount_bp, line_amounts};

kernel::define_id!(
    /// A quotation or sales order.
    OrderId
);

const ORDER_NUMBERS: DocType = DocType { code: "sales.order", prefix: "SO" };

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// A quotation being written.
    Draft,
    /// A quotation sent to the customer.
    Sent,
    /// A sales order: stock reserved, delivery created.
    Confirmed,
    /// Delivered and invoiced in full.
    Done,
    Cancelled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderAction {
    Edit,
    Send,
    Confirm,
    Invoice,
    Return,
    Cancel,
}

impl OrderState {
    pub fn code(self) -> &'static str {
        match self {
            OrderState::Draft => "draft",
            OrderState::Sent => "sent",
            OrderState::Confirmed => "confirmed",
            OrderState::Done => "done",
            OrderState::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Option<OrderState> {
        [OrderState::Draft, OrderState::Sent, OrderState::Confirmed, OrderState::Done, OrderState::Cancelled]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// The one table of what may happen in each state.
    pub fn allows(self, action: OrderAction) -> bool {
        use OrderAction::*;
        match self {
            OrderState::Draft => matches!(action, Edit | Send | Confirm | Cancel),
            OrderState::Sent => matches!(action, Edit | Send | Confirm | Cancel),
            OrderState::Confirmed => matches!(action, Invoice | Return | Cancel),
            OrderState::Done => matches!(action, Invoice | Return),
            OrderState::Cancelled => false,
        }
    }
}

impl OrderAction {
    pub const ALL: [OrderAction; 6] = [
        OrderAction::Edit,
        OrderAction::Send,
        OrderAction::Confirm,
        OrderAction::Invoice,
        OrderAction::Return,
        OrderAction::Cancel,
    ];

    pub fn permission(self) -> kernel::Permission {
        match self {
            OrderAction::Edit | OrderAction::Send => ORDER_WRITE,
            OrderAction::Confirm => ORDER_CONFIRM,
            OrderAction::Invoice => INVOICE_WRITE,
            OrderAction::Return => RETURN,
            OrderAction::Cancel => ORDER_CANCEL,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            OrderAction::Edit => "edit",
            OrderAction::Send => "send",
            OrderAction::Confirm => "confirm",
            OrderAction::Invoice => "invoice",
            OrderAction::Return => "return",
            OrderAction::Cancel => "cancel",
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineInput {
    /// Product id or code.
    pub product: String,
    pub quantity: String,
    /// Without it: the customer's price list, else the product's list price.
    pub unit_price: Option<String>,
    /// Percent off, e.g. "5".
    pub discount: Option<String>,
    /// VAT code (VAT13…); the product's by default.
    pub tax: Option<String>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"customer": "C0001", "valid_until": "2026-12-31", "price_includes_tax": false,
    "lines": [{"product": "TEA-001", "quantity": "10", "unit_price": "100", "discount": "5"}]}))]
pub struct OrderInput {
    /// Customer id or code.
    pub customer: String,
    /// Today by default.
    pub order_date: Option<String>,
    /// How long a quotation holds.
    pub valid_until: Option<String>,
    /// The owning salesperson (a user id); the caller by default.
    pub salesperson_id: Option<String>,
    /// Whether unit prices include VAT (含税价); from the price list, else false.
    pub price_includes_tax: Option<bool>,
    /// The customer's currency by default.
    pub currency: Option<String>,
    #[serde(default)]
    pub note: String,
    pub lines: Vec<OrderLineInput>,
    /// Confirm at once (the order must be writable and pass the credit check).
    #[serde(default)]
    pub confirm: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OrderLine {
    pub id: String,
    pub seq: i64,
    pub product_id: String,
    pub product_code: String,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    /// Percent.
    pub discount: String,
    pub tax_code: String,
    /// Percent.
    pub tax_rate: String,
    pub untaxed: String,
    pub tax: String,
    pub total: String,
    pub delivered: String,
    pub returned: String,
    pub invoiced: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SalesOrder {
    #[schema(value_type = String)]
    pub id: OrderId,
    pub number: String,
    pub state: OrderState,
    pub customer_id: String,
    pub customer_code: String,
    pub customer_name: String,
    pub salesperson_id: Option<String>,
    pub order_date: String,
    pub valid_until: Option<String>,
    pub currency: String,
    pub price_includes_tax: bool,
    pub untaxed: String,
    pub tax: String,
    pub total: String,
    pub credit_approved_by: Option<String>,
    pub note: String,
    pub version: i64,
    pub lines: Vec<OrderLine>,
    /// nothing, partial, delivered.
    pub delivery_status: String,
    /// nothing, to_invoice, invoiced.
    pub invoice_status: String,
    /// What the caller may do now (state and permissions).
    pub actions: Vec<OrderAction>,
    /// The latest approval request of the order, if its confirmation asked for one.
    pub approval: Option<ApprovalState>,
}

/// Where the order's approval stands.
pub use office::approval::ApprovalState;

/// A sales order by its number or its customer's name.
pub static ORDER_SEARCH: kernel::search::SearchIndex = kernel::search::SearchIndex {
    kind: "sales.order",
    source: "select o.id, o.company_id, o.number, c.name from sales_order o join party_party c on c.id = o.customer_id",
    id: "o.id",
};

pub const ORDER_LIST: ListSpec = ListSpec {
    from: "sales_order o join party_party c on c.id = o.customer_id",
    id: "o.id",
    company: "o.company_id",
    columns: &[
        col("number", "o.number", true, Filter::Prefix),
        col("state", "o.state", true, Filter::Equals),
        col("customer", "c.name", true, Filter::Prefix),
        col("customer_id", "o.customer_id", false, Filter::Equals),
        col("order_date", "o.order_date", true, Filter::Range),
        col("valid_until", "coalesce(o.valid_until, '')", false, Filter::Range),
        col("currency", "o.currency", false, Filter::Equals),
        col("total", "o.total", true, Filter::None),
        col("salesperson_id", "coalesce(o.salesperson_id, '')", false, Filter::Equals),
        // Work queues of the home page: goods still to ship, and lines delivered (net of
        // returns) but not yet invoiced — the same rules as the order's delivery and invoice status.
        col(
            "to_deliver",
            "case when exists (select 1 from sales_order_line l where l.order_id = o.id and l.stockable = 1 and l.delivered < l.quantity) then 'yes' else 'no' end",
            false,
            Filter::Equals,
        ),
        col(
            "to_invoice",
            "case when exists (select 1 from sales_order_line l where l.order_id = o.id and l.delivered - l.returned <> l.invoiced) then 'yes' else 'no' end",
            false,
            Filter::Equals,
        ),
    ],
    search: &["o.number", "c.name"],
    index: Some(&ORDER_SEARCH),
    default_sort: "order_date",
    default_desc: true,
};

/// Orders and quotations the caller may see: a salesperson under the default role sees own ones.
pub fn list_orders(tx: &mut Tx<'_>, ctx: &Ctx, query: &ListQuery) -> Result<ListPage> {
    ctx.require(ORDER_READ)?;
    match (ctx.own_records_only(), ctx.actor().user()) {
        (true, Some(user)) => {
            ORDER_LIST.fetch(tx, ctx, query, Some(("o.salesperson_id = {}", vec![Value::Text(user.to_string())])))
        }
        _ => ORDER_LIST.fetch(tx, ctx, query, None),
    }
}

pub(crate) fn money(minor: i64, currency: &str) -> String {
    let currency = Currency::from_code(currency).unwrap_or(Currency::CNY);
    kernel::Money::from_minor(minor, currency).to_string()
}

pub(crate) fn percent(bp: i64) -> String {
    let text = format!("{}.{:02}", bp / 100, bp % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A line priced and taxed, ready to store.
pub(crate) struct PricedLine {
    pub product: TradeInfo,
    pub description: String,
    pub quantity: Quantity,
    pub unit_price: UnitPrice,
    pub discount_bp: i64,
    pub tax_code: String,
    pub tax_rate_bp: i64,
    pub amounts: Amounts,
}

/// Products and taxes already read while pricing one document.
#[derive(Default)]
pub(crate) struct Known {
    products: HashMap<String, TradeInfo>,
    taxes: HashMap<String, product::TaxRate>,
}

impl Known {
    pub(crate) fn product(&mut self, tx: &mut Tx<'_>, ctx: &Ctx, key: &str) -> Result<Option<TradeInfo>> {
        if let Some(p) = self.products.get(key) {
            return Ok(Some(p.clone()));
        }
        let found = product::trade_info(tx, ctx, key)?;
        if let Some(p) = &found {
            self.products.insert(key.to_string(), p.clone());
        }
        Ok(found)
    }

    pub(crate) fn tax(&mut self, tx: &mut Tx<'_>, ctx: &Ctx, code: &str) -> Result<Option<product::TaxRate>> {
        if let Some(t) = self.taxes.get(code) {
            return Ok(Some(t.clone()));
        }
        let found = product::tax_rate(tx, ctx, code)?;
        if let Some(t) = &found {
            self.taxes.insert(code.to_string(), t.clone());
        }
        Ok(found)
    }
}

fn parse_day(text: Option<&str>, field: &str) -> Result<Option<time::Date>> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            kernel::clock::parse_date(t).map_err(|_| Error::field(field, "kernel.date.invalid").with_param("value", t))
        })
        .transpose()
}

/// Prices and taxes the lines of a new or edited order; every bad cell is reported at once.
fn price_lines(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    customer: &TradingTerms,
    input: &OrderInput,
    date: time::Date,
    currency: Currency,
    includes_tax: &mut Option<bool>,
) -> Result<Vec<PricedLine>> {
    if input.lines.is_empty() {
        return Err(Error::field("lines", "sales.order_empty"));
    }
    let mut known = Known::default();
    let mut problems = Error::invalid("validation.failed");
    let mut priced = Vec::with_capacity(input.lines.len());
    for (i, line) in input.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let Some(product) = known.product(tx, ctx, &line.product)? else {
            problems = problems.with_field(field("product"), "sales.product_unknown");
            continue;
        };
        let quantity = match line.quantity.trim().parse::<Quantity>() {
            Ok(q) if q.scaled() > 0 => q,
            _ => {
                problems = problems.with_field(field("quantity"), "sales.quantity_invalid");
                continue;
            }
        };
        let Some(discount) = discount_bp(line.discount.as_deref()) else {
            problems = problems.with_field(field("discount"), "sales.discount_invalid");
            continue;
        };
        let tax = match line.tax.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(code) => match known.tax(tx, ctx, code)? {
                Some(t) => Some(t),
                None => {
                    problems = problems.with_field(field("tax"), "sales.tax_unknown");
                    continue;
                }
            },
            None => product.tax.clone(),
        };
        let (tax_code, rate_bp) = tax.map(|t| (t.code, t.rate_bp)).unwrap_or_else(|| ("EXEMPT".to_string(), 0));
        let price = match line.unit_price.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(text) => match text.parse::<UnitPrice>() {
                Ok(p) if p.scaled() >= 0 => p,
                _ => {
                    problems = problems.with_field(field("unit_price"), "sales.price_invalid");
                    continue;
                }
            },
            None => {
                let pid = product::ProductId::parse(&product.id)?;
                match product::quote(tx, ctx, pid, &customer.group_code, quantity, date)? {
                    Some(quote) => {
                        let wanted = *includes_tax.get_or_insert(quote.price_includes_tax);
                        convert_price(quote.price, quote.price_includes_tax, wanted, rate_bp)?
                    }
                    None => convert_price(product.list_price, false, includes_tax.unwrap_or(false), rate_bp)?,
                }
            }
        };
        let incl = includes_tax.unwrap_or(false);
        let amounts = line_amounts(quantity, price, discount, rate_bp, incl, currency)?;
        priced.push(PricedLine {
            description: line
                .description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .unwrap_or(&product.name)
                .to_string(),
            product,
            quantity,
            unit_price: price,
            discount_bp: discount,
            tax_code,
            tax_rate_bp: rate_bp,
            amounts,
        });
    }
    if !problems.fields().is_empty() {
        return Err(problems);
    }
    Ok(priced)
}

/// A price with or without VAT as the order wants it (6 decimals, half-up).
fn convert_price(price: UnitPrice, includes: bool, wanted: bool, rate_bp: i64) -> Result<UnitPrice> {
    Ok(match (includes, wanted) {
        (true, false) => price.mul_ratio(10_000, 10_000 + rate_bp)?,
        (false, true) => price.mul_ratio(10_000 + rate_bp, 10_000)?,
        _ => price,
    })
}

fn salesperson(tx: &mut Tx<'_>, ctx: &Ctx, given: Option<&str>) -> Result<Option<String>> {
    match given.map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => {
            let exists: i64 = tx.scalar(
                "select count(*) from kernel_membership where company_id = $1 and user_id = $2",
                &[&ctx.company(), &id],
            )?;
            if exists == 0 {
                return Err(Error::field("salesperson_id", "sales.salesperson_unknown"));
            }
            // Who sees only own orders cannot write one for someone else (it would vanish
            // from their view the moment it is saved).
            if ctx.own_records_only() && ctx.actor().user().map(|u| u.to_string()).as_deref() != Some(id) {
                return Err(Error::field("salesperson_id", "sales.salesperson_not_own"));
            }
            Ok(Some(id.to_string()))
        }
        None => Ok(ctx.actor().user().map(|u| u.to_string())),
    }
}

fn insert_lines(tx: &mut Tx<'_>, ctx: &Ctx, id: OrderId, lines: &[PricedLine]) -> Result<Amounts> {
    let mut totals = Amounts::default();
    for (seq, line) in lines.iter().enumerate() {
        totals.add(line.amounts);
        tx.execute(
            "insert into sales_order_line (id, company_id, order_id, seq, product_id, description, stockable, quantity, unit_price,
                 discount_bp, tax_code, tax_rate_bp, untaxed, tax, total)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            &[
                &kernel::id::Uuid::now_v7(),
                &ctx.company(),
                &id,
                &(seq as i64 + 1),
                &line.product.id,
                &line.description,
                &line.product.stockable(),
                &line.quantity,
                &line.unit_price.scaled(),
                &line.discount_bp,
                &line.tax_code,
                &line.tax_rate_bp,
                &line.amounts.untaxed,
                &line.amounts.tax,
                &line.amounts.total,
            ],
        )?;
    }
    Ok(totals)
}

fn customer_of(tx: &mut Tx<'_>, ctx: &Ctx, key: &str) -> Result<TradingTerms> {
    let customer = party::require_terms(tx, ctx, key, "customer", "sales.customer_unknown")?;
    if !customer.is_customer() {
        return Err(Error::field("customer", "sales.customer_unknown"));
    }
    Ok(customer)
}

/// Writes a quotation (draft); with `confirm`, confirms it in the same transaction.
///
/// Returns the order's id, without reading the order back.
pub fn enter_order(tx: &mut Tx<'_>, ctx: &Ctx, input: &OrderInput) -> Result<OrderId> {
    ctx.require(ORDER_WRITE)?;
    let customer = customer_of(tx, ctx, &input.customer)?;
    let date = parse_day(input.order_date.as_deref(), "order_date")?.unwrap_or_else(|| ctx.today());
    let valid_until = parse_day(input.valid_until.as_deref(), "valid_until")?;
    let currency_code =
        input.currency.as_deref().map(str::trim).filter(|c| !c.is_empty()).unwrap_or(&customer.currency);
    let currency =
        Currency::from_code(currency_code).map_err(|_| Error::field("currency", "sales.currency_unknown"))?;
    let mut includes_tax = input.price_includes_tax;
    let lines = price_lines(tx, ctx, &customer, input, date, currency, &mut includes_tax)?;
    let owner = salesperson(tx, ctx, input.salesperson_id.as_deref())?;
    let id = OrderId::new();
    let number = next_number(tx, ctx, ORDER_NUMBERS, date, &DocRef::new("sales.order", id))?;
    let now = ctx.now_text();
    let totals = {
        tx.execute(
            "insert into sales_order (id, company_id, number, state, customer_id, salesperson_id, order_date, valid_until, currency,
                 price_includes_tax, note, created_at, created_by, updated_at)
             values ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $12, $11)",
            &[
                &id,
                &ctx.company(),
                &number,
                &customer.id,
                &owner,
                &kernel::clock::format_date(date),
                &valid_until.map(kernel::clock::format_date),
                &currency.code(),
                &includes_tax.unwrap_or(false),
                &input.note.trim(),
                &now,
                &ctx.actor().label(),
            ],
        )?;
        insert_lines(tx, ctx, id, &lines)?
    };
    set_totals(tx, id, totals)?;
    audit::record(tx, ctx, "sales.order.create", "sales.order", &id, serde_json::json!({"number": number}))?;
    if input.confirm {
        crate::confirm::confirm_entered(tx, ctx, id, false)?;
    }
    Ok(id)
}

/// `enter_order`, answered with the order as it now stands.
pub fn create_order(tx: &mut Tx<'_>, ctx: &Ctx, input: &OrderInput) -> Result<SalesOrder> {
    let id = enter_order(tx, ctx, input)?;
    get_order(tx, ctx, id)
}

fn set_totals(tx: &mut Tx<'_>, id: OrderId, totals: Amounts) -> Result<()> {
    tx.execute(
        "update sales_order set untaxed = $1, tax = $2, total = $3 where id = $4",
        &[&totals.untaxed, &totals.tax, &totals.total, &id],
    )?;
    Ok(())
}

/// Rewrites a quotation; with `version`, only if nobody changed it since (optimistic locking).
pub fn update_order(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    id: OrderId,
    version: Option<i64>,
    input: &OrderInput,
) -> Result<SalesOrder> {
    let current = load(tx, ctx, id)?;
    current.check(OrderAction::Edit, ctx)?;
    office::approval::require_not_pending(tx, ctx, crate::confirm::APPROVAL_KIND, &id.to_string())?;
    let version = version.unwrap_or(current.version);
    if current.version != version {
        return Err(Error::conflict("sales.order_changed"));
    }
    let customer = customer_of(tx, ctx, &input.customer)?;
    let date = parse_day(input.order_date.as_deref(), "order_date")?.unwrap_or(current.order_date);
    let valid_until = parse_day(input.valid_until.as_deref(), "valid_until")?;
    let currency_code =
        input.currency.as_deref().map(str::trim).filter(|c| !c.is_empty()).unwrap_or(&customer.currency);
    let currency =
        Currency::from_code(currency_code).map_err(|_| Error::field("currency", "sales.currency_unknown"))?;
    let mut includes_tax = input.price_includes_tax;
    let lines = price_lines(tx, ctx, &customer, input, date, currency, &mut includes_tax)?;
    tx.execute("delete from sales_order_line where order_id = $1", &[&id])?;
    let totals = insert_lines(tx, ctx, id, &lines)?;
    let changed = tx.execute(
        "update sales_order set customer_id = $1, order_date = $2, valid_until = $3, currency = $4, price_includes_tax = $5,
             note = $6, untaxed = $7, tax = $8, total = $9, updated_at = $10, version = version + 1
         where id = $11 and version = $12",
        &[
            &customer.id,
            &kernel::clock::format_date(date),
            &valid_until.map(kernel::clock::format_date),
            &currency.code(),
            &includes_tax.unwrap_or(false),
            &input.note.trim(),
            &totals.untaxed,
            &totals.tax,
            &totals.total,
            &ctx.now_text(),
            &id,
            &version,
        ],
    )?;
    if changed == 0 {
        return Err(Error::conflict("sales.order_changed"));
    }
    audit::record(tx, ctx, "sales.order.update", "sales.order", &id, serde_json::json!({}))?;
    get_order(tx, ctx, id)
}

/// The header of an order as the state machine and the checks need it.
pub(crate) struct Header {
    pub id: OrderId,
    pub number: String,
    pub state: OrderState,
    pub customer_id: String,
    pub salesperson_id: Option<String>,
    pub order_date: time::Date,
    pub currency: String,
    pub price_includes_tax: bool,
    pub total: i64,
    pub version: i64,
}

impl Header {
    /// Refuses what the state or the caller's permissions do not allow.
    pub(crate) fn check(&self, action: OrderAction, ctx: &Ctx) -> Result<()> {
        ctx.require(action.permission())?;
        if !self.state.allows(action) {
            return Err(Error::conflict("sales.order_state")
                .with_param("state", self.state.code())
                .with_param("action", action.code()));
        }
        Ok(())
    }
}

/// Reads an order's header, as the caller may see it (404 otherwise).
pub(crate) fn load(tx: &mut Tx<'_>, ctx: &Ctx, id: OrderId) -> Result<Header> {
    ctx.require(ORDER_READ)?;
    let header = load_unchecked(tx, ctx, id)?;
    if ctx.own_records_only() && header.salesperson_id != ctx.actor().user().map(|u| u.to_string()) {
        return Err(Error::not_found("sales.order_not_found"));
    }
    Ok(header)
}

/// As `load`, for reactions that run whoever caused them (a warehouse clerk's delivery).
pub(crate) fn load_unchecked(tx: &mut Tx<'_>, ctx: &Ctx, id: OrderId) -> Result<Header> {
    let r = tx
        .query_opt(
            "select number, state, customer_id, salesperson_id, order_date, currency, price_includes_tax, total, version
             from sales_order where company_id = $1 and id = $2",
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("sales.order_not_found"))?;
    let header = Header {
        id,
        number: r.get(0)?,
        state: OrderState::parse(&r.get::<String>(1)?).ok_or_else(|| Error::internal("unknown sales order state"))?,
        customer_id: r.get(2)?,
        salesperson_id: r.get(3)?,
        order_date: kernel::clock::parse_date(&r.get::<String>(4)?)?,
        currency: r.get(5)?,
        price_includes_tax: r.get(6)?,
        total: r.get(7)?,
        version: r.get(8)?,
    };
    Ok(header)
}

/// Moves an order to `state`, guarded by the version it was read at.
pub(crate) fn set_state(tx: &mut Tx<'_>, ctx: &Ctx, header: &Header, state: OrderState) -> Result<()> {
    let changed = tx.execute(
        "update sales_order set state = $1, updated_at = $2, version = version + 1 where id = $3 and version = $4",
        &[&state.code(), &ctx.now_text(), &header.id, &header.version],
    )?;
    if changed == 0 {
        return Err(Error::conflict("sales.order_changed"));
    }
    Ok(())
}

/// Marks a quotation as sent to the customer (the PDF goes with it).
pub fn send_quotation(tx: &mut Tx<'_>, ctx: &Ctx, id: OrderId) -> Result<SalesOrder> {
    let header = load(tx, ctx, id)?;
    header.check(OrderAction::Send, ctx)?;
    if header.state == OrderState::Draft {
        set_state(tx, ctx, &header, OrderState::Sent)?;
    }
    audit::record(tx, ctx, "sales.order.send", "sales.order", &id, serde_json::json!({}))?;
    get_order(tx, ctx, id)
}

pub fn get_order(tx: &mut Tx<'_>, ctx: &Ctx, id: OrderId) -> Result<SalesOrder> {
    let header = load(tx, ctx, id)?;
    let r = tx.query_one(
        "select o.valid_until, o.untaxed, o.tax, o.credit_approved_by, o.note, c.code, c.name
         from sales_order o join party_party c on c.id = o.customer_id where o.id = $1",
        &[&id],
    )?;
    let cur = header.currency.clone();
    let lines = order_lines(tx, id)?;
    let (mut ordered, mut delivered, mut invoiced) = (0i64, 0i64, 0i64);
    let mut to_invoice = false;
    for l in &lines {
        if l.stockable {
            ordered += l.quantity.scaled();
            delivered += l.delivered.scaled();
        }
        invoiced += l.invoiced.scaled();
        if l.delivered.scaled() - l.returned.scaled() != l.invoiced.scaled() {
            to_invoice = true;
        }
    }
    let delivery_status = if delivered == 0 {
        "nothing"
    } else if delivered >= ordered {
        "delivered"
    } else {
        "partial"
    };
    let invoice_status = if to_invoice {
        "to_invoice"
    } else if invoiced > 0 {
        "invoiced"
    } else {
        "nothing"
    };
    let approval = office::approval::latest_of(tx, ctx, crate::confirm::APPROVAL_KIND, &id.to_string())?;
    // While the approvers decide, the quotation is theirs: no edit, confirmation or cancellation.
    let pending = approval.as_ref().is_some_and(|a| a.state == "pending");
    let actions = OrderAction::ALL
        .into_iter()
        .filter(|a| header.state.allows(*a) && ctx.may(a.permission()))
        .filter(|a| !matches!(a, OrderAction::Invoice) || to_invoice || header.state == OrderState::Confirmed)
        .filter(|a| !pending || !matches!(a, OrderAction::Edit | OrderAction::Confirm | OrderAction::Cancel))
        .collect();
    Ok(SalesOrder {
        id,
        number: header.number,
        state: header.state,
        customer_id: header.customer_id,
        customer_code: r.get(5)?,
        customer_name: r.get(6)?,
        salesperson_id: header.salesperson_id,
        order_date: kernel::clock::format_date(header.order_date),
        valid_until: r.get(0)?,
        price_includes_tax: header.price_includes_tax,
        untaxed: money(r.get(1)?, &cur),
        tax: money(r.get(2)?, &cur),
        total: money(header.total, &cur),
        credit_approved_by: r.get(3)?,
        note: r.get(4)?,
        version: header.version,
        lines: lines
            .into_iter()
            .map(|l| OrderLine {
                id: l.id,
                seq: l.seq,
                product_id: l.product_id,
                product_code: l.product_code,
                description: l.description,
                quantity: l.quantity.to_string(),
                unit_price: l.unit_price.to_string(),
                discount: percent(l.discount_bp),
                tax_code: l.tax_code,
                tax_rate: percent(l.tax_rate_bp),
                untaxed: money(l.amounts.untaxed, &cur),
                tax: money(l.amounts.tax, &cur),
                total: money(l.amounts.total, &cur),
                delivered: l.delivered.to_string(),
                returned: l.returned.to_string(),
                invoiced: l.invoiced.to_string(),
            })
            .collect(),
        currency: cur,
        delivery_status: delivery_status.to_string(),
        invoice_status: invoice_status.to_string(),
        actions,
        approval,
    })
}

/// An order line as the other steps (delivery, invoicing, returns) need it.
#[derive(Clone, Debug)]
pub(crate) struct StoredLine {
    pub id: String,
    pub seq: i64,
    pub product_id: String,
    pub product_code: String,
    pub description: String,
    pub stockable: bool,
    pub quantity: Quantity,
    pub unit_price: UnitPrice,
    pub discount_bp: i64,
    pub tax_code: String,
    pub tax_rate_bp: i64,
    pub amounts: Amounts,
    pub delivered: Quantity,
    pub returned: Quantity,
    pub invoiced: Quantity,
}

pub(crate) fn order_lines(tx: &mut Tx<'_>, id: OrderId) -> Result<Vec<StoredLine>> {
    tx.query(
        "select l.id, l.seq, l.product_id, p.code, l.description, l.stockable, l.quantity, l.unit_price, l.discount_bp, l.tax_code,
                l.tax_rate_bp, l.untaxed, l.tax, l.total, l.delivered, l.returned, l.invoiced
         from sales_order_line l join product_product p on p.id = l.product_id
         where l.order_id = $1 order by l.seq",
        &[&id],
    )?
    .iter()
    .map(|r| {
        Ok(StoredLine {
            id: r.get(0)?,
            seq: r.get(1)?,
            product_id: r.get(2)?,
            product_code: r.get(3)?,
            description: r.get(4)?,
            stockable: r.get(5)?,
            quantity: r.get(6)?,
            unit_price: UnitPrice::from_scaled(r.get(7)?),
            discount_bp: r.get(8)?,
            tax_code: r.get(9)?,
            tax_rate_bp: r.get(10)?,
            amounts: Amounts { untaxed: r.get(11)?, tax: r.get(12)?, total: r.get(13)? },
            delivered: r.get(14)?,
            returned: r.get(15)?,
            invoiced: r.get(16)?,
        })
    })
    .collect()
}

/// Done when every line is delivered (net of returns, as ordered) and invoiced as delivered.
pub(crate) fn settle_state(tx: &mut Tx<'_>, ctx: &Ctx, id: OrderId) -> Result<()> {
    let header = load_unchecked(tx, ctx, id)?;
    if !matches!(header.state, OrderState::Confirmed | OrderState::Done) {
        return Ok(());
    }
    let lines = order_lines(tx, id)?;
    let complete = lines.iter().all(|l| {
        l.delivered.scaled() >= l.quantity.scaled() && l.invoiced.scaled() == l.delivered.scaled() - l.returned.scaled()
    });
    let wanted = if complete { OrderState::Done } else { OrderState::Confirmed };
    if wanted != header.state {
        set_state(tx, ctx, &header, wanted)?;
    }
    Ok(())
}

/// The order's deliveries and returns, newest first.
pub fn order_pickings(tx: &mut Tx<'_>, ctx: &Ctx, id: OrderId) -> Result<Vec<inventory::Picking>> {
    load(tx, ctx, id)?;
    let stock = ctx.with_granted(&[inventory::permissions::STOCK_READ]);
    inventory::pickings_of_origin(tx, &stock, &DocRef::new("sales.order", id))
}

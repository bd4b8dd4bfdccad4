//! 系统初始化 (opening balances, 期初数据): a company moving in from another system enters the
//! balances at the start of its first month here — by account and auxiliary dimension, with the
//! year's turnover so far when it starts mid-year — and its unpaid invoices and bills as open
//! items. Nothing touches the books while the openings are entered; the trial balance (试算平衡)
//! must hold before initialisation can end. Ending posts the opening vouchers in the months
//! before the start (which then close) and tells the modules above (the opening stock is placed
//! in the same transaction, its value checked against the stock accounts). Reopening is allowed
//! until the first month is closed, and takes the opening vouchers out again.
//!
//! How the figures become vouchers, for an account with balance B at the start and year-to-date
//! debits D and credits C (the start month S, mid-year):
//! - 年初余额 (B − (D − C)) in December of the year before, so the balance sheet's start-of-year
//!   column is right; open items are lines of that voucher with their own dates;
//! - the year's turnover (D and C) in the month before S, so the ledgers' year columns are;
//! - for profit-and-loss accounts D and C are what was incurred, and the month-end
//!   carry-forward that brought them to B is a voucher of its own in the month before S, kept
//!   apart like every carry-forward, so the 利润表's year column shows the year's income.
//!
//! Starting in January there is no turnover: the balances go to December of the year before.

use kernel::db::Tx;
use kernel::{Ctx, Currency, Error, Money, Result, audit};
use serde::{Deserialize, Serialize};

use crate::account::by_code;
use crate::permissions::{POST, READ};

/// The source kind of the opening vouchers (their source id is the company): a receipt that
/// names `DocRef { kind: OPENING, id: <company> }` settles the partner's opening items.
pub const OPENING: &str = "ledger.opening";
/// The source kind of the opening carry-forward of profit and loss.
pub const CARRY_FORWARD: &str = "ledger.opening.carry_forward";

pub fn is_opening_source(kind: &str) -> bool {
    kind == OPENING || kind == CARRY_FORWARD
}

pub(crate) fn yuan(fen: i64) -> String {
    Money::from_minor(fen, Currency::CNY).to_string()
}

fn shown(fen: i64) -> String {
    if fen == 0 { String::new() } else { yuan(fen) }
}

fn amount(text: Option<&str>, field: &str) -> Result<i64> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(0),
        Some(text) => Money::parse(&text.replace(',', ""), Currency::CNY)
            .map(|m| m.minor())
            .map_err(|_| Error::field(field.to_string(), "ledger.amount_invalid")),
    }
}

pub(crate) fn first_day(period: &str) -> Result<time::Date> {
    let period = period.trim();
    let date = kernel::clock::parse_date(&format!("{period}-01"));
    match date {
        Ok(date) if period.len() == 7 => Ok(date),
        _ => Err(Error::field("start_period", "ledger.period_invalid")),
    }
}

pub(crate) fn period_of(date: time::Date) -> String {
    format!("{:04}-{:02}", date.year(), u8::from(date.month()))
}

/// The last day before the start month, and the last day of the year before it.
pub(crate) fn opening_days(start: &str) -> Result<(time::Date, time::Date)> {
    let first = first_day(start)?;
    let before = first.previous_day().ok_or_else(|| Error::field("start_period", "ledger.period_invalid"))?;
    let year_end = time::Date::from_calendar_date(first.year() - 1, time::Month::December, 31)
        .map_err(|_| Error::field("start_period", "ledger.period_invalid"))?;
    Ok((before, year_end))
}

/// Something that keeps initialisation from ending, as a message code with its parameters.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub code: &'static str,
    #[serde(skip)]
    pub params: Vec<(&'static str, String)>,
    /// Filled by the caller in the user's language.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(code: &'static str) -> Problem {
        Problem { code, params: Vec::new(), message: String::new() }
    }

    pub(crate) fn with(mut self, name: &'static str, value: impl std::fmt::Display) -> Problem {
        self.params.push((name, value.to_string()));
        self
    }

    pub(crate) fn into_error(self) -> Error {
        self.params.into_iter().fold(Error::conflict(self.code), |e, (name, value)| e.with_param(name, value))
    }
}

/// Where initialisation stands, with the checks that must pass before it ends.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Opening {
    pub start_period: String,
    /// entering or ended.
    pub state: String,
    pub ended_at: Option<String>,
    pub ended_by: Option<String>,
    /// 期初余额 on each side, open items included (试算平衡: they agree).
    pub balance_debit: String,
    pub balance_credit: String,
    pub ytd_debit: String,
    pub ytd_credit: String,
    /// The stock accounts' opening balance, which the opening stock's value must equal.
    pub stock_accounts: String,
    pub receivable: String,
    pub payable: String,
    pub problems: Vec<Problem>,
    pub can_end: bool,
    pub can_reopen: bool,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"account": "1002", "debit": "350000.00", "ytd_debit": "1200000", "ytd_credit": "980000"}))]
pub struct OpeningBalanceInput {
    /// Account code.
    pub account: String,
    /// Customer or supplier (code or id) when the account keeps partners.
    pub partner: Option<String>,
    /// Product (code or id) when the account keeps products.
    pub product: Option<String>,
    pub employee: Option<String>,
    pub department: Option<String>,
    pub project: Option<String>,
    /// The balance at the start, on its side (one of debit and credit).
    pub debit: Option<String>,
    pub credit: Option<String>,
    /// 本年累计借方 / 贷方 before the start month.
    pub ytd_debit: Option<String>,
    pub ytd_credit: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OpeningBalance {
    pub id: String,
    pub account_code: String,
    pub account_name: String,
    pub partner_id: Option<String>,
    pub product_id: Option<String>,
    pub employee_id: Option<String>,
    pub department: Option<String>,
    pub project: Option<String>,
    pub debit: String,
    pub credit: String,
    pub ytd_debit: String,
    pub ytd_credit: String,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"side": "receivable", "partner": "C0001", "number": "INV-2026-0317", "date": "2026-05-20",
    "due_date": "2026-06-19", "amount": "11300.00"}))]
pub struct OpeningItemInput {
    /// receivable (a customer's unpaid invoice) or payable (a supplier's unpaid bill).
    pub side: String,
    /// Customer or supplier code (or id).
    pub partner: String,
    /// The invoice or bill number from the old system.
    pub number: String,
    pub date: String,
    /// The invoice's date when not given.
    pub due_date: Option<String>,
    /// What is still open; negative for an advance or an unused credit.
    pub amount: String,
    #[serde(default)]
    pub summary: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OpeningItem {
    pub id: String,
    pub side: String,
    pub partner_id: String,
    pub number: String,
    pub date: String,
    pub due_date: String,
    pub amount: String,
    pub summary: String,
}

/// The company's initialisation row: (start period, state, version), made on first use with
/// the current month as the start.
pub(crate) fn load(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<(String, String, i64)> {
    if let Some(r) = tx
        .query_opt("select start_period, state, version from ledger_opening where company_id = $1", &[&ctx.company()])?
    {
        return Ok((r.get(0)?, r.get(1)?, r.get(2)?));
    }
    let start = period_of(ctx.today());
    tx.execute(
        "insert into ledger_opening (company_id, start_period, state, updated_at) values ($1, $2, 'entering', $3)
         on conflict (company_id) do nothing",
        &[&ctx.company(), &start, &ctx.now_text()],
    )?;
    Ok((start, "entering".into(), 1))
}

fn require_entering(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<String> {
    let (start, state, _) = load(tx, ctx)?;
    if state != "entering" {
        return Err(Error::conflict("ledger.opening_ended"));
    }
    Ok(start)
}

/// Whether initialisation has ended (the first-steps checklist reads it).
pub fn is_ended(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<bool> {
    Ok(tx
        .query_opt("select 1 from ledger_opening where company_id = $1 and state = 'ended'", &[&ctx.company()])?
        .is_some())
}

/// Nothing posts before the start month once the books are opened (the opening vouchers stand
/// for everything before it).
pub(crate) fn require_after_start(tx: &mut Tx<'_>, ctx: &Ctx, period: &str) -> Result<()> {
    let start: Option<String> = tx
        .query_opt(
            "select start_period from ledger_opening where company_id = $1 and state = 'ended' and start_period > $2",
            &[&ctx.company(), &period],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    match start {
        Some(start) => Err(Error::conflict("ledger.before_start").with_param("period", start)),
        None => Ok(()),
    }
}

/// Sets the first month the books run in (while entering).
pub fn set_start_period(tx: &mut Tx<'_>, ctx: &Ctx, period: &str) -> Result<Opening> {
    ctx.require(POST)?;
    first_day(period)?;
    require_entering(tx, ctx)?;
    tx.execute(
        "update ledger_opening set start_period = $1, updated_at = $2, version = version + 1 where company_id = $3",
        &[&period.trim(), &ctx.now_text(), &ctx.company()],
    )?;
    audit::record(
        tx,
        ctx,
        "ledger.opening.start",
        "ledger.opening",
        &ctx.company(),
        serde_json::json!({"start": period.trim()}),
    )?;
    status(tx, ctx, None)
}

fn dimension(value: &Option<String>) -> String {
    value.as_deref().map(str::trim).unwrap_or_default().to_string()
}

/// Enters (or replaces) the opening of one account and dimension; all amounts zero removes it.
pub fn set_balance(tx: &mut Tx<'_>, ctx: &Ctx, input: &OpeningBalanceInput) -> Result<Option<OpeningBalance>> {
    ctx.require(POST)?;
    require_entering(tx, ctx)?;
    let account = by_code(tx, ctx, &input.account).map_err(|_| Error::field("account", "ledger.account_unknown"))?;
    if !account.postable {
        return Err(Error::field("account", "ledger.account_not_postable"));
    }
    // Receivables and payables open as items (invoice by invoice), so aging works from day one.
    if matches!(account.role.as_deref(), Some("receivable") | Some("payable")) {
        return Err(Error::field("account", "ledger.opening_use_items"));
    }
    let mut problems = Error::invalid("validation.failed");
    let mut parsed = [0i64; 4];
    for (i, (text, field)) in [
        (&input.debit, "debit"),
        (&input.credit, "credit"),
        (&input.ytd_debit, "ytd_debit"),
        (&input.ytd_credit, "ytd_credit"),
    ]
    .into_iter()
    .enumerate()
    {
        match amount(text.as_deref(), field) {
            Ok(v) if v < 0 => problems = problems.with_field(field, "ledger.amount_invalid"),
            Ok(v) => parsed[i] = v,
            Err(_) => problems = problems.with_field(field, "ledger.amount_invalid"),
        }
    }
    let [debit, credit, ytd_debit, ytd_credit] = parsed;
    if debit != 0 && credit != 0 {
        problems = problems.with_field("debit", "ledger.one_side");
    }
    let partner = match input.partner.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(key) => match party::lookup::party_id_by_key(tx, ctx, key)? {
            Some(id) => id,
            None => {
                problems = problems.with_field("partner", "ledger.opening_partner_unknown");
                String::new()
            }
        },
        None => String::new(),
    };
    let product = match input.product.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(key) => match product::lookup::product_id_by_key(tx, ctx, key)? {
            Some(id) => id,
            None => {
                problems = problems.with_field("product", "ledger.opening_product_unknown");
                String::new()
            }
        },
        None => String::new(),
    };
    let (employee, department, project) =
        (dimension(&input.employee), dimension(&input.department), dimension(&input.project));
    for required in &account.dimensions {
        let (given, field) = match required.as_str() {
            "customer" | "supplier" => (!partner.is_empty(), "partner"),
            "product" => (!product.is_empty(), "product"),
            "employee" => (!employee.is_empty(), "employee"),
            "department" => (!department.is_empty(), "department"),
            _ => (!project.is_empty(), "project"),
        };
        if !given && problems.fields().iter().all(|f| f.field != field) {
            problems = problems.with_field(field, "ledger.dimension_required");
        }
    }
    if !problems.fields().is_empty() {
        return Err(problems);
    }
    let key: [&dyn kernel::db::ToValue; 7] =
        [&ctx.company(), &account.id, &partner, &product, &employee, &department, &project];
    let existing: Option<String> = tx
        .query_opt(
            "select id from ledger_opening_balance where company_id = $1 and account_id = $2 and partner_id = $3
               and product_id = $4 and employee_id = $5 and department = $6 and project = $7",
            &key,
        )?
        .map(|r| r.get(0))
        .transpose()?;
    let net = debit - credit;
    if let Some(id) = &existing {
        tx.execute("delete from ledger_opening_balance where id = $1", &[id])?;
    }
    audit::record(
        tx,
        ctx,
        "ledger.opening.balance",
        "ledger.account",
        &account.code,
        serde_json::json!({"balance": net, "ytd_debit": ytd_debit, "ytd_credit": ytd_credit, "partner": partner}),
    )?;
    if net == 0 && ytd_debit == 0 && ytd_credit == 0 {
        return Ok(None);
    }
    let id = kernel::id::Uuid::now_v7().to_string();
    tx.execute(
        "insert into ledger_opening_balance (id, company_id, account_id, partner_id, product_id, employee_id, department, project,
             balance, ytd_debit, ytd_credit, created_at, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        &[
            &id,
            &ctx.company(),
            &account.id,
            &partner,
            &product,
            &employee,
            &department,
            &project,
            &net,
            &ytd_debit,
            &ytd_credit,
            &ctx.now_text(),
            &ctx.actor().label(),
        ],
    )?;
    Ok(list_balances(tx, ctx)?.into_iter().find(|b| b.id == id))
}

pub(crate) fn some(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

pub fn list_balances(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<OpeningBalance>> {
    ctx.require(READ)?;
    tx.query(
        "select b.id, a.code, a.name, b.partner_id, b.product_id, b.employee_id, b.department, b.project, b.balance,
                b.ytd_debit, b.ytd_credit
         from ledger_opening_balance b join ledger_account a on a.id = b.account_id
         where b.company_id = $1 order by a.code, b.partner_id, b.product_id, b.employee_id, b.department, b.project",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| {
        let net: i64 = r.get(8)?;
        Ok(OpeningBalance {
            id: r.get(0)?,
            account_code: r.get(1)?,
            account_name: r.get(2)?,
            partner_id: some(r.get(3)?),
            product_id: some(r.get(4)?),
            employee_id: some(r.get(5)?),
            department: some(r.get(6)?),
            project: some(r.get(7)?),
            debit: shown(net.max(0)),
            credit: shown((-net).max(0)),
            ytd_debit: shown(r.get(9)?),
            ytd_credit: shown(r.get(10)?),
        })
    })
    .collect()
}

pub fn delete_balance(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<()> {
    ctx.require(POST)?;
    require_entering(tx, ctx)?;
    let deleted =
        tx.execute("delete from ledger_opening_balance where company_id = $1 and id = $2", &[&ctx.company(), &id])?;
    if deleted == 0 {
        return Err(Error::not_found("ledger.opening_not_found"));
    }
    audit::record(tx, ctx, "ledger.opening.balance_delete", "ledger.opening_balance", &id, serde_json::json!({}))
}

fn side_role(side: &str) -> Result<&'static str> {
    match side.trim() {
        "receivable" | "应收" => Ok("receivable"),
        "payable" | "应付" => Ok("payable"),
        _ => Err(Error::field("side", "ledger.opening_side_invalid")),
    }
}

/// Enters (or replaces, by side, partner and number) an open invoice or bill.
pub fn set_item(tx: &mut Tx<'_>, ctx: &Ctx, input: &OpeningItemInput) -> Result<OpeningItem> {
    ctx.require(POST)?;
    let start = require_entering(tx, ctx)?;
    let mut problems = Error::invalid("validation.failed");
    let side = match side_role(&input.side) {
        Ok(side) => side,
        Err(_) => {
            problems = problems.with_field("side", "ledger.opening_side_invalid");
            ""
        }
    };
    let partner = party::lookup::party_id_by_key(tx, ctx, &input.partner)?;
    if partner.is_none() {
        problems = problems.with_field("partner", "ledger.opening_partner_unknown");
    }
    let number = input.number.trim();
    if number.is_empty() {
        problems = problems.with_field("number", "ledger.opening_number_required");
    }
    let date = kernel::clock::parse_date(input.date.trim()).ok();
    match date {
        None => problems = problems.with_field("date", "ledger.date_invalid"),
        Some(d) if period_of(d) >= start => {
            problems = problems.with_field("date", "ledger.opening_item_after_start");
        }
        _ => {}
    }
    let due = match input.due_date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(text) => match kernel::clock::parse_date(text) {
            Ok(due) if date.is_none_or(|d| due >= d) => Some(due),
            _ => {
                problems = problems.with_field("due_date", "ledger.opening_due_invalid");
                None
            }
        },
        None => date,
    };
    let open = match amount(Some(&input.amount), "amount") {
        Ok(0) | Err(_) => {
            problems = problems.with_field("amount", "ledger.amount_invalid");
            0
        }
        Ok(v) => v,
    };
    if !problems.fields().is_empty() {
        return Err(problems);
    }
    let (Some(partner), Some(date), Some(due)) = (partner, date, due) else {
        return Err(problems);
    };
    tx.execute(
        "delete from ledger_opening_item where company_id = $1 and side = $2 and partner_id = $3 and number = $4",
        &[&ctx.company(), &side, &partner, &number],
    )?;
    let id = kernel::id::Uuid::now_v7().to_string();
    tx.execute(
        "insert into ledger_opening_item (id, company_id, side, partner_id, number, date, due_date, amount, summary, created_at, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            &id,
            &ctx.company(),
            &side,
            &partner,
            &number,
            &kernel::clock::format_date(date),
            &kernel::clock::format_date(due),
            &open,
            &input.summary.trim(),
            &ctx.now_text(),
            &ctx.actor().label(),
        ],
    )?;
    audit::record(
        tx,
        ctx,
        "ledger.opening.item",
        "ledger.opening_item",
        &id,
        serde_json::json!({"number": number, "amount": open}),
    )?;
    Ok(OpeningItem {
        id,
        side: side.into(),
        partner_id: partner,
        number: number.into(),
        date: kernel::clock::format_date(date),
        due_date: kernel::clock::format_date(due),
        amount: yuan(open),
        summary: input.summary.trim().into(),
    })
}

pub fn list_items(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<OpeningItem>> {
    ctx.require(READ)?;
    tx.query(
        "select id, side, partner_id, number, date, due_date, amount, summary from ledger_opening_item
         where company_id = $1 order by side desc, partner_id, date, number",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| {
        Ok(OpeningItem {
            id: r.get(0)?,
            side: r.get(1)?,
            partner_id: r.get(2)?,
            number: r.get(3)?,
            date: r.get(4)?,
            due_date: r.get(5)?,
            amount: yuan(r.get(6)?),
            summary: r.get(7)?,
        })
    })
    .collect()
}

pub fn delete_item(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<()> {
    ctx.require(POST)?;
    require_entering(tx, ctx)?;
    let deleted =
        tx.execute("delete from ledger_opening_item where company_id = $1 and id = $2", &[&ctx.company(), &id])?;
    if deleted == 0 {
        return Err(Error::not_found("ledger.opening_not_found"));
    }
    audit::record(tx, ctx, "ledger.opening.item_delete", "ledger.opening_item", &id, serde_json::json!({}))
}

mod books;

pub use books::{end_initialisation, reopen_initialisation, status};

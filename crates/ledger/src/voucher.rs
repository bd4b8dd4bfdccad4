//! Vouchers (记账凭证): a word (记/收/付/转), a number per period and word without gaps, lines of
//! debit or credit on postable accounts that balance. Draft → reviewed (by someone other than
//! the preparer) → posted; a posted voucher is never edited, only reversed by a red-ink voucher
//! (红字冲销) with the same lines in negative amounts. Automatic vouchers from other modules are
//! prepared and posted by the system in the business transaction.

use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::listing::{Filter, ListPage, ListQuery, ListSpec, col};
use kernel::{Ctx, Currency, Error, Money, Result, audit};
use serde::{Deserialize, Serialize};

use crate::account::{Account, account_by_id, by_code, by_role};
use crate::permissions::{POST, PREPARE, READ, REVIEW};
use crate::posting_rule::{RuleFacts, Rules};

kernel::define_id!(
    /// A voucher.
    VoucherId
);

pub const WORDS: [&str; 4] = ["记", "收", "付", "转"];

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    /// Account code (or `role:receivable` to name it by role).
    pub account: String,
    #[serde(default)]
    pub summary: String,
    /// Decimal CNY; exactly one of debit and credit.
    pub debit: Option<String>,
    pub credit: Option<String>,
    /// The customer or supplier (辅助核算).
    pub partner_id: Option<String>,
    pub product_id: Option<String>,
    pub employee_id: Option<String>,
    pub department: Option<String>,
    pub project: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"word": "记", "date": "2026-11-27", "summary": "提取备用金", "lines": [
    {"account": "1001", "summary": "提取备用金", "debit": "500"}, {"account": "1002", "summary": "提取备用金", "credit": "500"}]}))]
pub struct VoucherInput {
    pub word: Option<String>,
    pub date: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub attachments: i64,
    pub lines: Vec<LineInput>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VoucherLine {
    pub account_code: String,
    pub account_name: String,
    pub summary: String,
    pub debit: String,
    pub credit: String,
    pub partner_id: Option<String>,
    pub product_id: Option<String>,
    pub employee_id: Option<String>,
    pub department: Option<String>,
    pub project: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Voucher {
    #[schema(value_type = String)]
    pub id: VoucherId,
    /// 记-0001
    pub label: String,
    pub word: String,
    pub period: String,
    pub number: i64,
    pub date: String,
    pub state: String,
    pub summary: String,
    pub attachments: i64,
    pub source: Option<DocRef>,
    pub reverses: Option<String>,
    pub reversed_by: Option<String>,
    pub prepared_by: String,
    pub reviewed_by: Option<String>,
    pub posted_by: Option<String>,
    pub lines: Vec<VoucherLine>,
    pub total_debit: String,
    pub total_credit: String,
}

/// A line ready to store: the account, the amounts in fen and the dimensions named.
pub(crate) struct Line {
    pub(crate) account: Account,
    /// A foreign-currency amount behind the line: (currency, signed minor units, rate × 10^8).
    pub(crate) currency: Option<(String, i64, i64)>,
    pub(crate) summary: String,
    pub(crate) debit: i64,
    pub(crate) credit: i64,
    pub(crate) partner_id: Option<String>,
    pub(crate) product_id: Option<String>,
    pub(crate) employee_id: Option<String>,
    pub(crate) department: Option<String>,
    pub(crate) project: Option<String>,
    /// The line's own date when it is not the voucher's (an opening invoice's date, for aging).
    pub(crate) date: Option<time::Date>,
}

fn yuan(fen: i64) -> String {
    Money::from_minor(fen, Currency::CNY).to_string()
}

fn amount(text: Option<&str>, field: &str) -> Result<i64> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(0),
        Some(text) => Money::parse(text, Currency::CNY)
            .map(|m| m.minor())
            .map_err(|_| Error::field(field.to_string(), "ledger.amount_invalid")),
    }
}

fn period_of(date: time::Date) -> String {
    format!("{:04}-{:02}", date.year(), u8::from(date.month()))
}

fn require_open(tx: &mut Tx<'_>, ctx: &Ctx, period: &str) -> Result<()> {
    let closed = tx
        .query_opt(
            "select 1 from ledger_period where company_id = $1 and period = $2 and state = 'closed'",
            &[&ctx.company(), &period],
        )?
        .is_some();
    if closed { Err(Error::conflict("ledger.period_closed").with_param("period", period)) } else { Ok(()) }
}

/// The next number of a period and word: taken in the voucher's transaction, so a rolled-back
/// voucher gives it back and numbers have no gaps.
fn next_number(tx: &mut Tx<'_>, ctx: &Ctx, period: &str, word: &str) -> Result<i64> {
    let taken = tx.query_opt(
        "update ledger_counter set next_number = next_number + 1 where company_id = $1 and period = $2 and word = $3
         returning next_number - 1",
        &[&ctx.company(), &period, &word],
    )?;
    if let Some(row) = taken {
        return row.get(0);
    }
    tx.execute(
        "insert into ledger_counter (company_id, period, word, next_number) values ($1, $2, $3, 2)",
        &[&ctx.company(), &period, &word],
    )?;
    Ok(1)
}

fn check_lines(tx: &mut Tx<'_>, ctx: &Ctx, input: &[LineInput]) -> Result<Vec<Line>> {
    let mut problems = Error::invalid("validation.failed");
    let mut lines = Vec::new();
    for (i, l) in input.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let account = match l.account.strip_prefix("role:") {
            Some(role) => by_role(tx, ctx, role),
            None => by_code(tx, ctx, &l.account),
        };
        let account = match account {
            // Stock accounts move with the stock documents only, so stock value = the account.
            Ok(a)
                if a.role.as_deref() == Some("inventory") || crate::posting_rule::is_stock_account(tx, ctx, &a.id)? =>
            {
                problems = problems.with_field(field("account"), "ledger.account_automatic");
                continue;
            }
            Ok(a) if a.postable => a,
            Ok(_) => {
                problems = problems.with_field(field("account"), "ledger.account_not_postable");
                continue;
            }
            Err(_) => {
                problems = problems.with_field(field("account"), "ledger.account_unknown");
                continue;
            }
        };
        let (debit, credit) =
            match (amount(l.debit.as_deref(), &field("debit")), amount(l.credit.as_deref(), &field("credit"))) {
                (Ok(d), Ok(c)) => (d, c),
                (Err(e), _) | (_, Err(e)) => {
                    for f in e.fields() {
                        problems = problems.with_field(f.field.clone(), f.code);
                    }
                    continue;
                }
            };
        if (debit == 0) == (credit == 0) || debit < 0 || credit < 0 {
            problems = problems.with_field(field("debit"), "ledger.one_side");
            continue;
        }
        let named = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
        for dimension in &account.dimensions {
            let (given, name) = match dimension.as_str() {
                "customer" | "supplier" => (named(&l.partner_id), "partner_id"),
                "product" => (named(&l.product_id), "product_id"),
                "employee" => (named(&l.employee_id), "employee_id"),
                "department" => (named(&l.department), "department"),
                _ => (named(&l.project), "project"),
            };
            if !given {
                problems = problems.with_field(field(name), "ledger.dimension_required");
            }
        }
        lines.push(Line {
            currency: None,
            account,
            summary: l.summary.trim().to_string(),
            debit,
            credit,
            partner_id: l.partner_id.clone(),
            product_id: l.product_id.clone(),
            employee_id: l.employee_id.clone(),
            department: l.department.clone(),
            project: l.project.clone(),
            date: None,
        });
    }
    if !problems.fields().is_empty() {
        return Err(problems);
    }
    if lines.len() < 2 {
        return Err(Error::field("lines", "ledger.too_few_lines"));
    }
    let (debit, credit): (i64, i64) = (lines.iter().map(|l| l.debit).sum(), lines.iter().map(|l| l.credit).sum());
    if debit != credit {
        return Err(Error::field("lines", "ledger.unbalanced")
            .with_param("debit", yuan(debit))
            .with_param("credit", yuan(credit)));
    }
    Ok(lines)
}

pub(crate) struct Header<'a> {
    pub(crate) word: &'a str,
    pub(crate) date: time::Date,
    pub(crate) summary: &'a str,
    pub(crate) attachments: i64,
    pub(crate) source: Option<&'a DocRef>,
    pub(crate) reverses: Option<VoucherId>,
    pub(crate) state: &'a str,
}

pub(crate) fn insert(tx: &mut Tx<'_>, ctx: &Ctx, header: &Header<'_>, lines: &[Line]) -> Result<VoucherId> {
    let period = period_of(header.date);
    require_open(tx, ctx, &period)?;
    if !header.source.is_some_and(|s| crate::opening::is_opening_source(&s.kind)) {
        crate::opening::require_after_start(tx, ctx, &period)?;
    }
    let id = VoucherId::new();
    let number = next_number(tx, ctx, &period, header.word)?;
    let actor = ctx.actor().label();
    let posted = header.state == "posted";
    tx.execute(
        "insert into ledger_voucher (id, company_id, word, period, number, date, state, summary, attachments, source_kind, source_id,
             reverses, prepared_by, reviewed_by, posted_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        &[
            &id,
            &ctx.company(),
            &header.word,
            &period,
            &number,
            &kernel::clock::format_date(header.date),
            &header.state,
            &header.summary.trim(),
            &header.attachments,
            &header.source.map(|s| s.kind.clone()),
            &header.source.map(|s| s.id.clone()),
            &header.reverses,
            &actor,
            &posted.then(|| actor.clone()),
            &posted.then(|| actor.clone()),
            &ctx.now_text(),
        ],
    )?;
    for (seq, line) in lines.iter().enumerate() {
        let line_id = kernel::id::Uuid::now_v7();
        tx.execute(
            "insert into ledger_line (id, company_id, voucher_id, seq, account_id, period, date, posted, summary, debit, credit,
                 partner_id, product_id, employee_id, department, project)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            &[
                &line_id,
                &ctx.company(),
                &id,
                &(seq as i64),
                &line.account.id,
                &period,
                &kernel::clock::format_date(line.date.unwrap_or(header.date)),
                &posted,
                &line.summary,
                &line.debit,
                &line.credit,
                &line.partner_id,
                &line.product_id,
                &line.employee_id,
                &line.department,
                &line.project,
            ],
        )?;
        if let Some((currency, amount, rate)) = &line.currency {
            tx.execute(
                "insert into ledger_line_currency (line_id, company_id, currency, amount, rate_e8) values ($1, $2, $3, $4, $5)",
                &[&line_id, &ctx.company(), currency, amount, rate],
            )?;
        }
    }
    if posted {
        let closing = header.source.is_some_and(|s| s.kind == CARRY_FORWARD || s.kind == crate::opening::CARRY_FORWARD);
        apply_balances(tx, ctx, &period, lines, closing)?;
    }
    Ok(id)
}

/// Adds posted lines to the balances of their accounts for the period.
/// The source kind of the month-end carry-forward vouchers.
pub const CARRY_FORWARD: &str = "ledger.period";

/// Adds posted lines to the balances of their accounts for the period (`closing`: they are the
/// month-end carry-forward, kept apart for the income statement too).
fn apply_balances(tx: &mut Tx<'_>, ctx: &Ctx, period: &str, lines: &[Line], closing: bool) -> Result<()> {
    for line in lines {
        let (closing_debit, closing_credit) = if closing { (line.debit, line.credit) } else { (0, 0) };
        tx.execute(
            "insert into ledger_balance (company_id, account_id, period, debit, credit, closing_debit, closing_credit)
             values ($1, $2, $3, $4, $5, $6, $7)
             on conflict (company_id, account_id, period) do update
             set debit = ledger_balance.debit + excluded.debit, credit = ledger_balance.credit + excluded.credit,
                 closing_debit = ledger_balance.closing_debit + excluded.closing_debit,
                 closing_credit = ledger_balance.closing_credit + excluded.closing_credit",
            &[&ctx.company(), &line.account.id, &period, &line.debit, &line.credit, &closing_debit, &closing_credit],
        )?;
    }
    Ok(())
}

fn parse_date(text: &str) -> Result<time::Date> {
    kernel::clock::parse_date(text.trim()).map_err(|_| Error::field("date", "ledger.date_invalid"))
}

/// Prepares a voucher (draft).
pub fn create_voucher(tx: &mut Tx<'_>, ctx: &Ctx, input: &VoucherInput) -> Result<Voucher> {
    ctx.require(PREPARE)?;
    let word = input.word.as_deref().map(str::trim).filter(|w| !w.is_empty()).unwrap_or("记");
    if !WORDS.contains(&word) {
        return Err(Error::field("word", "ledger.word_invalid"));
    }
    let date = parse_date(&input.date)?;
    let lines = check_lines(tx, ctx, &input.lines)?;
    let header = Header {
        word,
        date,
        summary: &input.summary,
        attachments: input.attachments.max(0),
        source: None,
        reverses: None,
        state: "draft",
    };
    let id = insert(tx, ctx, &header, &lines)?;
    audit::record(tx, ctx, "ledger.voucher.create", "ledger.voucher", &id, serde_json::json!({"date": input.date}))?;
    get_voucher(tx, ctx, id)
}

struct State {
    state: String,
    prepared_by: String,
    period: String,
    version: i64,
}

fn state_of(tx: &mut Tx<'_>, ctx: &Ctx, id: VoucherId) -> Result<State> {
    let row = tx
        .query_opt(
            "select state, prepared_by, period, version from ledger_voucher where company_id = $1 and id = $2",
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("ledger.voucher_not_found"))?;
    Ok(State { state: row.get(0)?, prepared_by: row.get(1)?, period: row.get(2)?, version: row.get(3)? })
}

fn advance(tx: &mut Tx<'_>, ctx: &Ctx, id: VoucherId, from: &State, to: &str, column: &str) -> Result<()> {
    let changed = tx.execute(
        &format!(
            "update ledger_voucher set state = $1, {column} = $2, version = version + 1
             where company_id = $3 and id = $4 and state = $5 and version = $6"
        ),
        &[&to, &ctx.actor().label(), &ctx.company(), &id, &from.state, &from.version],
    )?;
    if changed == 0 { Err(Error::conflict("ledger.voucher_changed")) } else { Ok(()) }
}

/// Draft → reviewed, by someone other than the preparer.
pub fn review(tx: &mut Tx<'_>, ctx: &Ctx, id: VoucherId) -> Result<Voucher> {
    ctx.require(REVIEW)?;
    let current = state_of(tx, ctx, id)?;
    if current.state != "draft" {
        return Err(Error::conflict("ledger.voucher_state").with_param("state", &current.state));
    }
    if current.prepared_by == ctx.actor().label() {
        return Err(Error::conflict("ledger.review_own"));
    }
    advance(tx, ctx, id, &current, "reviewed", "reviewed_by")?;
    audit::record(tx, ctx, "ledger.voucher.review", "ledger.voucher", &id, serde_json::json!({}))?;
    get_voucher(tx, ctx, id)
}

fn stored_lines(tx: &mut Tx<'_>, ctx: &Ctx, id: VoucherId) -> Result<Vec<Line>> {
    let rows = tx.query(
        "select a.id, a.code, a.name, a.category, a.direction, a.role, a.postable, l.summary, l.debit, l.credit, l.partner_id, l.product_id,
                l.employee_id, l.department, l.project, a.dimensions
         from ledger_line l join ledger_account a on a.id = l.account_id where l.voucher_id = $1 order by l.seq",
        &[&id],
    )?;
    let _ = ctx;
    rows.iter()
        .map(|r| {
            Ok(Line {
                currency: None,
                account: Account {
                    id: r.get(0)?,
                    code: r.get(1)?,
                    name: r.get(2)?,
                    category: r.get(3)?,
                    direction: r.get(4)?,
                    role: r.get(5)?,
                    postable: r.get(6)?,
                    dimensions: r.get::<String>(15)?.split(',').filter(|d| !d.is_empty()).map(str::to_string).collect(),
                },
                summary: r.get(7)?,
                debit: r.get(8)?,
                credit: r.get(9)?,
                partner_id: r.get(10)?,
                product_id: r.get(11)?,
                employee_id: r.get(12)?,
                department: r.get(13)?,
                project: r.get(14)?,
                date: None,
            })
        })
        .collect()
}

/// Reviewed → posted: the balances take its lines.
pub fn post(tx: &mut Tx<'_>, ctx: &Ctx, id: VoucherId) -> Result<Voucher> {
    ctx.require(POST)?;
    let current = state_of(tx, ctx, id)?;
    if current.state != "reviewed" {
        return Err(Error::conflict("ledger.voucher_state").with_param("state", &current.state));
    }
    require_open(tx, ctx, &current.period)?;
    advance(tx, ctx, id, &current, "posted", "posted_by")?;
    tx.execute("update ledger_line set posted = 1 where voucher_id = $1", &[&id])?;
    let lines = stored_lines(tx, ctx, id)?;
    apply_balances(tx, ctx, &current.period, &lines, false)?;
    audit::record(tx, ctx, "ledger.voucher.post", "ledger.voucher", &id, serde_json::json!({}))?;
    get_voucher(tx, ctx, id)
}

/// Reverses a posted voucher with a red-ink voucher dated `date`: the same lines in negative
/// amounts, posted at once, the two linked both ways.
pub fn reverse(tx: &mut Tx<'_>, ctx: &Ctx, id: VoucherId, date: &str) -> Result<Voucher> {
    ctx.require(POST)?;
    let current = state_of(tx, ctx, id)?;
    let original = get_voucher(tx, ctx, id)?;
    if current.state != "posted" || original.reversed_by.is_some() || original.reverses.is_some() {
        return Err(Error::conflict("ledger.not_reversible"));
    }
    // Opening vouchers change only by reopening the initialisation.
    if original.source.as_ref().is_some_and(|s| crate::opening::is_opening_source(&s.kind)) {
        return Err(Error::conflict("ledger.opening_voucher"));
    }
    let lines: Vec<Line> =
        stored_lines(tx, ctx, id)?.into_iter().map(|l| Line { debit: -l.debit, credit: -l.credit, ..l }).collect();
    let header = Header {
        word: &original.word,
        date: parse_date(date)?,
        summary: &format!("冲销 {} {}", original.label, original.summary),
        attachments: 0,
        source: original.source.as_ref(),
        reverses: Some(id),
        state: "posted",
    };
    let red = insert(tx, ctx, &header, &lines)?;
    tx.execute("update ledger_voucher set reversed_by = $1 where id = $2", &[&red, &id])?;
    audit::record(
        tx,
        ctx,
        "ledger.voucher.reverse",
        "ledger.voucher",
        &id,
        serde_json::json!({"red": red.to_string()}),
    )?;
    get_voucher(tx, ctx, red)
}

/// An automatic voucher line: an account by role (or, for closing entries, by id), debit or
/// credit in fen (negative for red ink).
#[derive(Clone, Debug)]
pub struct AutoLine {
    pub role: &'static str,
    /// When set, the account itself (closing entries name every P&L account).
    pub account_id: Option<String>,
    pub summary: String,
    pub debit: i64,
    pub credit: i64,
    pub product_id: Option<String>,
    pub partner_id: Option<String>,
    /// The amount in a foreign currency behind a receivable or payable line: (currency, signed
    /// minor units, CNY per unit × 10^8). Payments in that currency settle it at its own rate
    /// and book the difference to 汇兑损益.
    pub currency: Option<(String, i64, i64)>,
    /// What the line is about for the posting rules (category, warehouse, tax, payment method).
    pub facts: RuleFacts,
}

impl AutoLine {
    pub fn by_role(role: &'static str, summary: String, debit: i64, credit: i64) -> AutoLine {
        AutoLine {
            role,
            account_id: None,
            summary,
            debit,
            credit,
            product_id: None,
            partner_id: None,
            currency: None,
            facts: RuleFacts::default(),
        }
    }

    pub fn to_account(account_id: String, summary: String, debit: i64, credit: i64) -> AutoLine {
        AutoLine {
            role: "",
            account_id: Some(account_id),
            summary,
            debit,
            credit,
            product_id: None,
            partner_id: None,
            currency: None,
            facts: RuleFacts::default(),
        }
    }
}

/// A voucher made by the system from a business event (a stock move, an invoice…), posted at
/// once in the event's transaction and linked to its source document.
pub fn post_automatic(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    date: time::Date,
    summary: &str,
    source: &DocRef,
    lines: &[AutoLine],
) -> Result<VoucherId> {
    post_automatic_as(tx, ctx, "转", date, summary, source, lines)
}

/// As `post_automatic`, under a voucher word of its own (收 for receipts, 付 for payments).
pub fn post_automatic_as(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    word: &'static str,
    date: time::Date,
    summary: &str,
    source: &DocRef,
    lines: &[AutoLine],
) -> Result<VoucherId> {
    let mut stored = Vec::with_capacity(lines.len());
    let rules = Rules::load(tx, ctx)?;
    for l in lines.iter().filter(|l| l.debit != 0 || l.credit != 0) {
        // The account named, else a posting rule's, else the role's.
        let account = match l.account_id.clone().or_else(|| rules.account_for(l.role, &l.facts)) {
            Some(id) => account_by_id(tx, ctx, &id)?,
            None => by_role(tx, ctx, l.role)?,
        };
        // Lines alike but for the amount (revenue of two tax rates on one account) are one line.
        let alike = stored.iter_mut().find(|s: &&mut Line| {
            s.account.id == account.id
                && s.summary == l.summary
                && s.partner_id == l.partner_id
                && s.product_id == l.product_id
                && s.currency.is_none()
                && l.currency.is_none()
                && (s.debit != 0) == (l.debit != 0)
        });
        if let Some(same) = alike {
            same.debit += l.debit;
            same.credit += l.credit;
            continue;
        }
        stored.push(Line {
            account,
            currency: l.currency.clone(),
            summary: l.summary.clone(),
            debit: l.debit,
            credit: l.credit,
            partner_id: l.partner_id.clone(),
            product_id: l.product_id.clone(),
            employee_id: None,
            department: None,
            project: None,
            date: None,
        });
    }
    stored.retain(|l| l.debit != 0 || l.credit != 0);
    let (debit, credit): (i64, i64) = (stored.iter().map(|l| l.debit).sum(), stored.iter().map(|l| l.credit).sum());
    if debit != credit {
        return Err(Error::internal(format!("automatic voucher for {} {} does not balance", source.kind, source.id)));
    }
    let header = Header { word, date, summary, attachments: 0, source: Some(source), reverses: None, state: "posted" };
    insert(tx, ctx, &header, &stored)
}

pub fn get_voucher(tx: &mut Tx<'_>, ctx: &Ctx, id: VoucherId) -> Result<Voucher> {
    ctx.require(READ)?;
    let r = tx
        .query_opt(
            "select id, word, period, number, date, state, summary, attachments, source_kind, source_id, reverses, reversed_by,
                    prepared_by, reviewed_by, posted_by
             from ledger_voucher where company_id = $1 and id = $2",
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("ledger.voucher_not_found"))?;
    let lines = stored_lines(tx, ctx, id)?;
    let (debit, credit): (i64, i64) = (lines.iter().map(|l| l.debit).sum(), lines.iter().map(|l| l.credit).sum());
    let word: String = r.get(1)?;
    let number: i64 = r.get(3)?;
    let source = match (r.get::<Option<String>>(8)?, r.get::<Option<String>>(9)?) {
        (Some(kind), Some(id)) => Some(DocRef { kind, id }),
        _ => None,
    };
    Ok(Voucher {
        id: r.get(0)?,
        label: format!("{word}-{number:04}"),
        word,
        period: r.get(2)?,
        number,
        date: r.get(4)?,
        state: r.get(5)?,
        summary: r.get(6)?,
        attachments: r.get(7)?,
        source,
        reverses: r.get(10)?,
        reversed_by: r.get(11)?,
        prepared_by: r.get(12)?,
        reviewed_by: r.get(13)?,
        posted_by: r.get(14)?,
        lines: lines
            .into_iter()
            .map(|l| VoucherLine {
                account_code: l.account.code,
                account_name: l.account.name,
                summary: l.summary,
                debit: if l.debit != 0 { yuan(l.debit) } else { String::new() },
                credit: if l.credit != 0 { yuan(l.credit) } else { String::new() },
                partner_id: l.partner_id,
                product_id: l.product_id,
                employee_id: l.employee_id,
                department: l.department,
                project: l.project,
            })
            .collect(),
        total_debit: yuan(debit),
        total_credit: yuan(credit),
    })
}

/// The vouchers made from a source document.
pub fn vouchers_of(tx: &mut Tx<'_>, ctx: &Ctx, source: &DocRef) -> Result<Vec<Voucher>> {
    ctx.require(READ)?;
    let ids: Vec<VoucherId> = tx
        .query(
            "select id from ledger_voucher where company_id = $1 and source_kind = $2 and source_id = $3 order by id",
            &[&ctx.company(), &source.kind, &source.id],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_>>()?;
    ids.into_iter().map(|id| get_voucher(tx, ctx, id)).collect()
}

/// Vouchers as a list: newest first, filtered by period, word and state.
pub const VOUCHER_LIST: ListSpec = ListSpec {
    from: "ledger_voucher v",
    id: "v.id",
    company: "v.company_id",
    columns: &[
        col("date", "v.date", true, Filter::Range),
        col("word", "v.word", true, Filter::Equals),
        col("number", "v.number", true, Filter::None),
        col("period", "v.period", true, Filter::Equals),
        col("summary", "v.summary", false, Filter::None),
        col("state", "v.state", true, Filter::Equals),
        col("prepared_by", "v.prepared_by", false, Filter::None),
    ],
    search: &["v.summary"],
    index: None,
    default_sort: "date",
    default_desc: true,
};

pub fn list_vouchers(tx: &mut Tx<'_>, ctx: &Ctx, query: &ListQuery) -> Result<ListPage> {
    ctx.require(READ)?;
    VOUCHER_LIST.fetch(tx, ctx, query, None)
}

//! Bank statements (银行对账单): the bank's CSV or XLSX export read through a column mapping
//! (every bank names its columns differently: 交易日期, 收入金额, 支出金额, 对方户名, 摘要, 流水号…),
//! stored line by line, and reconciled with the open items. A line that pays an open invoice or
//! bill registers the receipt or payment (a 收/付 voucher on the statement's account) and
//! matches it, which marks the document paid; bank charges and other lines are booked to an
//! account by hand. A line the bank numbered (流水号) is never imported twice.

use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::import::Sheet;
use kernel::{Ctx, Currency, Error, Money, Result, audit};
use serde::{Deserialize, Serialize};

use crate::account::{Account, by_code, by_role};
use crate::payment::{Direction, PaymentInput, register_payment};
use crate::permissions::{PAYMENT, READ};
use crate::voucher::{AutoLine, post_automatic_as};

kernel::define_id!(
    /// An imported bank statement.
    StatementId
);

/// Which of the bank's columns holds what (header names as in the file).
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    pub date: String,
    /// One signed amount column (+ money in) …
    pub amount: Option<String>,
    /// … or separate columns for money in (收入/贷方) and out (支出/借方).
    pub inflow: Option<String>,
    pub outflow: Option<String>,
    pub counterparty: Option<String>,
    pub counterparty_account: Option<String>,
    /// 摘要 or 用途: where customers write the invoice number.
    pub reference: Option<String>,
    /// 流水号: the bank's own number of the line.
    pub transaction_id: Option<String>,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"account": "1002", "file_name": "icbc-202611.csv", "format": "csv",
    "content_base64": "5Lqk5piT5pel5pyfLOaUtuWFpemHkeminSzmlK/lh7rph5Hpop0s5a+55pa55oi35ZCNLOaRmOimgSzmtYHmsLTlj7cK",
    "mapping": {"date": "交易日期", "inflow": "收入金额", "outflow": "支出金额", "counterparty": "对方户名",
        "reference": "摘要", "transaction_id": "流水号"}}))]
pub struct StatementInput {
    /// The bank account's code (1002, 100201…).
    pub account: String,
    #[serde(default)]
    pub file_name: String,
    /// csv or xlsx.
    pub format: String,
    pub content_base64: String,
    pub mapping: ColumnMapping,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BankLine {
    pub id: String,
    pub date: String,
    /// Signed: + money in, − money out.
    pub amount: String,
    pub counterparty: String,
    pub counterparty_account: String,
    pub reference: String,
    pub transaction_id: String,
    /// open, matched or booked.
    pub state: String,
    pub partner_id: Option<String>,
    pub voucher_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Statement {
    #[schema(value_type = String)]
    pub id: StatementId,
    pub account_code: String,
    pub file_name: String,
    pub imported_at: String,
    /// Lines already imported before (same 流水号), left out.
    pub skipped: usize,
    pub lines: Vec<BankLine>,
}

fn yuan(fen: i64) -> String {
    Money::from_minor(fen, Currency::CNY).to_string()
}

/// Dates as banks write them: 2026-11-05, 2026/11/05, 2026.11.05, 20261105 (a time after them
/// is ignored).
fn parse_bank_date(text: &str) -> Option<time::Date> {
    let day = text.split_whitespace().next()?;
    let digits: String = day.chars().filter(char::is_ascii_digit).collect();
    let normalized = if day.len() == 8 && digits.len() == 8 {
        format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..])
    } else {
        let parts: Vec<&str> = day.split(['-', '/', '.']).collect();
        if parts.len() != 3 {
            return None;
        }
        format!("{}-{:0>2}-{:0>2}", parts[0], parts[1], parts[2])
    };
    kernel::clock::parse_date(&normalized).ok()
}

/// Amounts as banks write them: 1,130.00, ¥1130, -5.00, (5.00); empty is none.
fn parse_bank_amount(text: &str) -> std::result::Result<Option<i64>, ()> {
    let cleaned: String = text.chars().filter(|c| !matches!(c, ',' | '¥' | '￥' | ' ' | '\u{a0}')).collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    let (negative, body) = match cleaned.strip_prefix('(').and_then(|c| c.strip_suffix(')')) {
        Some(inner) => (true, inner.to_string()),
        None => (false, cleaned),
    };
    let money = Money::parse(&body, Currency::CNY).map_err(|_| ())?;
    Ok(Some(if negative { -money.minor() } else { money.minor() }))
}

fn column(sheet: &Sheet, mapping_field: &str, name: Option<&String>) -> Result<Option<usize>> {
    let Some(name) = name.map(|n| n.trim()).filter(|n| !n.is_empty()) else { return Ok(None) };
    sheet.headers.iter().position(|h| h.trim() == name).map(Some).ok_or_else(|| {
        Error::field(format!("mapping.{mapping_field}"), "ledger.bank_column_missing").with_param("column", name)
    })
}

fn bank_account(tx: &mut Tx<'_>, ctx: &Ctx, code: &str) -> Result<Account> {
    let account = by_code(tx, ctx, code).map_err(|_| Error::field("account", "ledger.account_unknown"))?;
    if !matches!(account.role.as_deref(), Some("bank") | Some("cash")) && !account.code.starts_with("100") {
        return Err(Error::field("account", "ledger.payment_account_invalid"));
    }
    Ok(account)
}

/// Reads and stores a statement: every bad cell is reported with its row and column, and
/// nothing is stored unless all of it is good.
pub fn import_statement(tx: &mut Tx<'_>, ctx: &Ctx, input: &StatementInput) -> Result<Statement> {
    use base64::Engine;
    ctx.require(PAYMENT)?;
    let account = bank_account(tx, ctx, &input.account)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(input.content_base64.trim())
        .map_err(|_| Error::field("content_base64", "ledger.bank_file_invalid"))?;
    let sheet = Sheet::parse(&bytes, input.format.trim())?;
    let m = &input.mapping;
    let date_col = column(&sheet, "date", Some(&m.date))?
        .ok_or_else(|| Error::field("mapping.date", "ledger.bank_column_missing").with_param("column", &m.date))?;
    let amount_col = column(&sheet, "amount", m.amount.as_ref())?;
    let inflow_col = column(&sheet, "inflow", m.inflow.as_ref())?;
    let outflow_col = column(&sheet, "outflow", m.outflow.as_ref())?;
    if amount_col.is_none() && inflow_col.is_none() && outflow_col.is_none() {
        return Err(Error::field("mapping.amount", "ledger.bank_column_missing").with_param("column", "amount"));
    }
    let text_col = |field: &str, name: &Option<String>| column(&sheet, field, name.as_ref());
    let counterparty_col = text_col("counterparty", &m.counterparty)?;
    let counterparty_account_col = text_col("counterparty_account", &m.counterparty_account)?;
    let reference_col = text_col("reference", &m.reference)?;
    let transaction_col = text_col("transaction_id", &m.transaction_id)?;
    let cell = |row: &Vec<String>, col: Option<usize>| {
        col.and_then(|c| row.get(c)).map(|v| v.trim().to_string()).unwrap_or_default()
    };
    let mut problems = Error::invalid("validation.failed");
    let mut parsed = Vec::new();
    for (i, row) in sheet.rows.iter().enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // Row numbers as the user sees them in the file: the header is row 1.
        let at = |col: &str| format!("rows[{}].{col}", i + 2);
        let Some(date) = parse_bank_date(&cell(row, Some(date_col))) else {
            problems = problems.with_field(at(&m.date), "ledger.bank_date_invalid");
            continue;
        };
        let mut amount = 0i64;
        let mut bad = false;
        for (col, sign, name) in [(amount_col, 1, &m.amount), (inflow_col, 1, &m.inflow), (outflow_col, -1, &m.outflow)]
        {
            match parse_bank_amount(&cell(row, col)) {
                Ok(Some(value)) => amount += sign * value,
                Ok(None) => {}
                Err(()) => {
                    problems =
                        problems.with_field(at(name.as_deref().unwrap_or("amount")), "ledger.bank_amount_invalid");
                    bad = true;
                }
            }
        }
        if bad {
            continue;
        }
        if amount == 0 {
            problems = problems.with_field(
                at(m.amount.as_deref().or(m.inflow.as_deref()).unwrap_or("amount")),
                "ledger.bank_amount_invalid",
            );
            continue;
        }
        parsed.push((
            date,
            amount,
            cell(row, counterparty_col),
            cell(row, counterparty_account_col),
            cell(row, reference_col),
            cell(row, transaction_col),
        ));
    }
    if !problems.fields().is_empty() {
        return Err(problems);
    }
    let id = StatementId::new();
    let now = ctx.now_text();
    tx.execute(
        "insert into ledger_bank_statement (id, company_id, account_id, file_name, imported_at, imported_by)
         values ($1, $2, $3, $4, $5, $6)",
        &[&id, &ctx.company(), &account.id, &input.file_name.trim(), &now, &ctx.actor().label()],
    )?;
    let mut skipped = 0;
    for (seq, (date, amount, counterparty, counterparty_account, reference, transaction)) in parsed.iter().enumerate() {
        if !transaction.is_empty() {
            let seen: i64 = tx.scalar(
                "select count(*) from ledger_bank_line where company_id = $1 and account_id = $2 and transaction_id = $3",
                &[&ctx.company(), &account.id, transaction],
            )?;
            if seen > 0 {
                skipped += 1;
                continue;
            }
        }
        tx.execute(
            "insert into ledger_bank_line (id, company_id, statement_id, account_id, seq, date, amount, counterparty,
                 counterparty_account, reference, transaction_id, state)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open')",
            &[
                &kernel::id::Uuid::now_v7(),
                &ctx.company(),
                &id,
                &account.id,
                &(seq as i64 + 1),
                &kernel::clock::format_date(*date),
                amount,
                counterparty,
                counterparty_account,
                reference,
                transaction,
            ],
        )?;
    }
    audit::record(
        tx,
        ctx,
        "ledger.bank.import",
        "ledger.bank_statement",
        &id,
        serde_json::json!({"lines": parsed.len() - skipped, "skipped": skipped}),
    )?;
    let mut statement = get_statement(tx, ctx, id)?;
    statement.skipped = skipped;
    Ok(statement)
}

pub fn get_statement(tx: &mut Tx<'_>, ctx: &Ctx, id: StatementId) -> Result<Statement> {
    ctx.require(READ)?;
    let r = tx
        .query_opt(
            "select a.code, s.file_name, s.imported_at from ledger_bank_statement s join ledger_account a on a.id = s.account_id
             where s.company_id = $1 and s.id = $2",
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("ledger.bank_statement_not_found"))?;
    let lines = tx
        .query(
            "select id, date, amount, counterparty, counterparty_account, reference, transaction_id, state, partner_id, voucher_id
             from ledger_bank_line where statement_id = $1 order by seq",
            &[&id],
        )?
        .iter()
        .map(|l| {
            Ok(BankLine {
                id: l.get(0)?,
                date: l.get(1)?,
                amount: yuan(l.get(2)?),
                counterparty: l.get(3)?,
                counterparty_account: l.get(4)?,
                reference: l.get(5)?,
                transaction_id: l.get(6)?,
                state: l.get(7)?,
                partner_id: l.get(8)?,
                voucher_id: l.get(9)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Statement { id, account_code: r.get(0)?, file_name: r.get(1)?, imported_at: r.get(2)?, skipped: 0, lines })
}

/// A bank line as matching needs it.
struct OpenLine {
    id: String,
    account_code: String,
    date: String,
    amount: i64,
    counterparty: String,
    reference: String,
}

/// An open item of a document on the receivable or payable account.
struct Candidate {
    partner: String,
    document: DocRef,
    /// The document's number as the voucher summary carries it (INV-2026-000001).
    number: String,
    open: i64,
}

fn candidates(tx: &mut Tx<'_>, ctx: &Ctx, role: &str) -> Result<Vec<Candidate>> {
    let account = by_role(tx, ctx, role)?;
    let rows = tx.query(
        "select l.partner_id, v.source_kind, v.source_id, l.summary, l.debit - l.credit,
                coalesce((select sum(m.amount) from ledger_reconcile m where m.debit_line_id = l.id), 0),
                coalesce((select sum(m.amount) from ledger_reconcile m where m.credit_line_id = l.id), 0)
         from ledger_line l join ledger_voucher v on v.id = l.voucher_id
         where l.company_id = $1 and l.account_id = $2 and l.posted = 1 and l.partner_id is not null
           and v.source_kind is not null and v.source_kind not like 'ledger.%'
         order by l.date, l.id",
        &[&ctx.company(), &account.id],
    )?;
    let mut out = Vec::new();
    for r in rows {
        let (signed, as_debit, as_credit): (i64, i64, i64) = (r.get(4)?, r.get(5)?, r.get(6)?);
        let open = if signed > 0 { signed - as_debit } else { signed + as_credit };
        if open == 0 {
            continue;
        }
        let summary: String = r.get(3)?;
        out.push(Candidate {
            partner: r.get(0)?,
            document: DocRef { kind: r.get(1)?, id: r.get(2)? },
            number: summary.split_whitespace().last().unwrap_or_default().to_string(),
            // Receivables are open on the debit side, payables on the credit side.
            open: open.abs(),
        });
    }
    Ok(out)
}

fn open_lines(tx: &mut Tx<'_>, ctx: &Ctx, statement: Option<StatementId>, line: Option<&str>) -> Result<Vec<OpenLine>> {
    tx.query(
        "select b.id, a.code, b.date, b.amount, b.counterparty, b.reference
         from ledger_bank_line b join ledger_account a on a.id = b.account_id
         where b.company_id = $1 and b.state = 'open' and ($2 = '' or b.statement_id = $2) and ($3 = '' or b.id = $3)
         order by b.date, b.seq",
        &[&ctx.company(), &statement.map(|s| s.to_string()).unwrap_or_default(), &line.unwrap_or("")],
    )?
    .iter()
    .map(|r| {
        Ok(OpenLine {
            id: r.get(0)?,
            account_code: r.get(1)?,
            date: r.get(2)?,
            amount: r.get(3)?,
            counterparty: r.get(4)?,
            reference: r.get(5)?,
        })
    })
    .collect()
}

/// Registers the receipt or payment a bank line stands for and marks the line matched.
fn settle(tx: &mut Tx<'_>, ctx: &Ctx, line: &OpenLine, partner: &str, documents: Vec<DocRef>) -> Result<()> {
    let payment = register_payment(
        tx,
        ctx,
        &PaymentInput {
            direction: if line.amount > 0 { Direction::Receipt } else { Direction::Payment },
            partner_id: partner.to_string(),
            amount: yuan(line.amount.abs()),
            date: Some(line.date.clone()),
            account: Some(line.account_code.clone()),
            reference: if line.reference.is_empty() { line.counterparty.clone() } else { line.reference.clone() },
            documents,
            currency: None,
            rate: None,
            method: None,
        },
    )?;
    tx.execute(
        "update ledger_bank_line set state = 'matched', partner_id = $1, voucher_id = $2 where id = $3",
        &[&partner, &payment.voucher_id, &line.id],
    )?;
    Ok(())
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReconcileReport {
    pub matched: usize,
    pub open: usize,
}

/// Matches the open lines (of one statement, or all) with open items: first an open document
/// whose number the line's reference names, with the same amount; then the only open document
/// of the counterparty (found by name) with that amount.
pub fn auto_match(tx: &mut Tx<'_>, ctx: &Ctx, statement: Option<StatementId>) -> Result<ReconcileReport> {
    ctx.require(PAYMENT)?;
    let lines = open_lines(tx, ctx, statement, None)?;
    let mut receivable = candidates(tx, ctx, "receivable")?;
    let mut payable = candidates(tx, ctx, "payable")?;
    let mut matched = 0;
    for line in &lines {
        let pool = if line.amount > 0 { &mut receivable } else { &mut payable };
        let amount = line.amount.abs();
        let by_number =
            pool.iter().position(|c| c.open == amount && !c.number.is_empty() && line.reference.contains(&c.number));
        let chosen = match by_number {
            Some(i) => Some(i),
            None if line.counterparty.is_empty() => None,
            None => match party_named(tx, ctx, &line.counterparty)? {
                Some(partner) => {
                    let same: Vec<usize> = pool
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| c.partner == partner && c.open == amount)
                        .map(|(i, _)| i)
                        .collect();
                    if same.len() == 1 { Some(same[0]) } else { None }
                }
                None => None,
            },
        };
        if let Some(i) = chosen {
            let candidate = pool.remove(i);
            settle(tx, ctx, line, &candidate.partner, vec![candidate.document])?;
            matched += 1;
        }
    }
    let open: i64 =
        tx.scalar("select count(*) from ledger_bank_line where company_id = $1 and state = 'open'", &[&ctx.company()])?;
    audit::record(
        tx,
        ctx,
        "ledger.bank.auto_match",
        "ledger.bank_statement",
        &statement.map(|s| s.to_string()).unwrap_or_default(),
        serde_json::json!({"matched": matched}),
    )?;
    Ok(ReconcileReport { matched, open: open as usize })
}

/// The active party with exactly this name (as banks print the counterparty), if one.
fn party_named(tx: &mut Tx<'_>, ctx: &Ctx, name: &str) -> Result<Option<String>> {
    let rows = tx.query(
        "select id from party_party where company_id = $1 and name = $2 and active = 1 limit 2",
        &[&ctx.company(), &name.trim()],
    )?;
    Ok(if rows.len() == 1 { Some(rows[0].get(0)?) } else { None })
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"partner_id": "0193…", "documents": [{"kind": "sales.invoice", "id": "0193…"}]}))]
pub struct LineMatch {
    /// The customer or supplier who paid or was paid (with the documents it settles) …
    pub partner_id: Option<String>,
    #[serde(default)]
    pub documents: Vec<DocRef>,
    /// … or the account the line is booked to (bank charges 5603, interest…).
    pub account: Option<String>,
}

/// Settles one open line by hand: a receipt or payment of a partner, or booked to an account.
pub fn match_line(tx: &mut Tx<'_>, ctx: &Ctx, line_id: &str, input: &LineMatch) -> Result<BankLine> {
    ctx.require(PAYMENT)?;
    let line = open_lines(tx, ctx, None, Some(line_id))?
        .into_iter()
        .next()
        .ok_or_else(|| Error::not_found("ledger.bank_line_not_found"))?;
    match (
        input.partner_id.as_deref().map(str::trim).filter(|p| !p.is_empty()),
        input.account.as_deref().map(str::trim).filter(|a| !a.is_empty()),
    ) {
        (Some(partner), None) => settle(tx, ctx, &line, partner, input.documents.clone())?,
        (None, Some(code)) => {
            let other = by_code(tx, ctx, code).map_err(|_| Error::field("account", "ledger.account_unknown"))?;
            let bank = by_code(tx, ctx, &line.account_code)?;
            let summary = if line.reference.is_empty() { line.counterparty.clone() } else { line.reference.clone() };
            let amount = line.amount.abs();
            let (bank_side, other_side) =
                if line.amount > 0 { ((amount, 0), (0, amount)) } else { ((0, amount), (amount, 0)) };
            let date = kernel::clock::parse_date(&line.date)?;
            let voucher = post_automatic_as(
                tx,
                ctx,
                if line.amount > 0 { "收" } else { "付" },
                date,
                &summary,
                &DocRef::new("ledger.bank_line", &line.id),
                &[
                    AutoLine::to_account(bank.id, summary.clone(), bank_side.0, bank_side.1),
                    AutoLine::to_account(other.id, summary.clone(), other_side.0, other_side.1),
                ],
            )?;
            tx.execute(
                "update ledger_bank_line set state = 'booked', voucher_id = $1 where id = $2",
                &[&voucher, &line.id],
            )?;
        }
        _ => return Err(Error::field("partner_id", "ledger.bank_match_target")),
    }
    audit::record(tx, ctx, "ledger.bank.match", "ledger.bank_line", &line.id, serde_json::json!({}))?;
    let statement: String = tx.scalar("select statement_id from ledger_bank_line where id = $1", &[&line.id])?;
    get_statement(tx, ctx, StatementId::parse(&statement)?)?
        .lines
        .into_iter()
        .find(|l| l.id == line.id)
        .ok_or_else(|| Error::not_found("ledger.bank_line_not_found"))
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StatementSummary {
    pub id: String,
    pub account_code: String,
    pub file_name: String,
    pub imported_at: String,
    pub lines: i64,
    pub open: i64,
}

/// Imported statements, newest first, with how many of their lines are still open.
pub fn list_statements(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<StatementSummary>> {
    ctx.require(READ)?;
    tx.query(
        "select s.id, a.code, s.file_name, s.imported_at,
                (select count(*) from ledger_bank_line l where l.statement_id = s.id),
                (select count(*) from ledger_bank_line l where l.statement_id = s.id and l.state = 'open')
         from ledger_bank_statement s join ledger_account a on a.id = s.account_id
         where s.company_id = $1 order by s.imported_at desc, s.id desc limit 200",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| {
        Ok(StatementSummary {
            id: r.get(0)?,
            account_code: r.get(1)?,
            file_name: r.get(2)?,
            imported_at: r.get(3)?,
            lines: r.get(4)?,
            open: r.get(5)?,
        })
    })
    .collect()
}

/// The lines still to reconcile, oldest first (the reconciliation worklist).
pub fn open_bank_lines(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<BankLine>> {
    ctx.require(READ)?;
    tx.query(
        "select id, date, amount, counterparty, counterparty_account, reference, transaction_id, state, partner_id, voucher_id
         from ledger_bank_line where company_id = $1 and state = 'open' order by date, seq limit 1000",
        &[&ctx.company()],
    )?
    .iter()
    .map(|l| {
        Ok(BankLine {
            id: l.get(0)?,
            date: l.get(1)?,
            amount: yuan(l.get(2)?),
            counterparty: l.get(3)?,
            counterparty_account: l.get(4)?,
            reference: l.get(5)?,
            transaction_id: l.get(6)?,
            state: l.get(7)?,
            partner_id: l.get(8)?,
            voucher_id: l.get(9)?,
        })
    })
    .collect()
}

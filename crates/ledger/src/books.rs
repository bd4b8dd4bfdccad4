//! The books besides the trial balance: 明细账 (an account's posted lines with the running
//! balance), 序时账 (every posted line of a period in voucher order) and 总账 (an account's
//! opening, debit, credit and balance month by month). Each reads an index or the balances.

use kernel::db::Tx;
use kernel::{Ctx, Currency, Error, Money, Result};
use serde::Serialize;

use crate::account::by_code;
use crate::permissions::READ;

fn yuan(fen: i64) -> String {
    if fen == 0 { String::new() } else { Money::from_minor(fen, Currency::CNY).to_string() }
}

/// A balance with its side: 借 / 贷 / 平.
fn balance(net: i64) -> (String, String) {
    let side = match net.cmp(&0) {
        std::cmp::Ordering::Greater => "借",
        std::cmp::Ordering::Less => "贷",
        std::cmp::Ordering::Equal => "平",
    };
    (side.to_string(), Money::from_minor(net.abs(), Currency::CNY).to_string())
}

fn check_period(period: &str, field: &str) -> Result<String> {
    let period = period.trim();
    if period.len() == 7 && kernel::clock::parse_date(&format!("{period}-01")).is_ok() {
        Ok(period.to_string())
    } else {
        Err(Error::field(field.to_string(), "ledger.period_invalid"))
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BookLine {
    pub date: String,
    /// 记-0001
    pub voucher: String,
    pub voucher_id: String,
    pub account_code: String,
    pub summary: String,
    pub debit: String,
    pub credit: String,
    /// 借 / 贷 / 平 and the amount, after this line (明细账 only).
    pub side: String,
    pub balance: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AccountLedger {
    pub account_code: String,
    pub account_name: String,
    pub opening_side: String,
    pub opening: String,
    pub lines: Vec<BookLine>,
    pub period_debit: String,
    pub period_credit: String,
    pub closing_side: String,
    pub closing: String,
    /// Where this page starts among the range's lines (0 without paging), and whether more
    /// lines follow it.
    pub offset: i64,
    pub more: bool,
}

/// One page of the 明细账 of a postable account: `limit` lines from `offset` in book order, the
/// running balance carried from the lines before; totals and the closing balance from the
/// balances kept per period, so a busy account's page costs what the page holds.
pub fn account_ledger_page(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    code: &str,
    from: &str,
    to: &str,
    offset: i64,
    limit: i64,
) -> Result<AccountLedger> {
    ctx.require(READ)?;
    let (from, to) = (check_period(from, "from")?, check_period(to, "to")?);
    let account = by_code(tx, ctx, code).map_err(|_| Error::field("account", "ledger.account_unknown"))?;
    if !account.postable {
        // A parent reads its sub-accounts merged: the whole range, then the page.
        let mut whole = account_ledger(tx, ctx, code, &from, &to)?;
        let total = whole.lines.len() as i64;
        whole.lines = whole.lines.into_iter().skip(offset.max(0) as usize).take(limit.max(0) as usize).collect();
        whole.offset = offset.max(0);
        whole.more = offset.max(0) + limit.max(0) < total;
        return Ok(whole);
    }
    let (offset, limit) = (offset.max(0), limit.clamp(1, 5000));
    let company = ctx.company();
    let opening: i64 = tx.scalar(
        "select coalesce(sum(debit - credit), 0) from ledger_balance where company_id = $1 and account_id = $2 and period < $3",
        &[&company, &account.id, &from],
    )?;
    let totals = tx.query_one(
        "select coalesce(sum(debit), 0), coalesce(sum(credit), 0) from ledger_balance
         where company_id = $1 and account_id = $2 and period >= $3 and period <= $4",
        &[&company, &account.id, &from, &to],
    )?;
    let (debit, credit): (i64, i64) = (totals.get(0)?, totals.get(1)?);
    // Book order, the index's: period, date, then the vouchers in the order they were made.
    let order = "order by l.period, l.date, l.voucher_id, l.seq";
    let before: i64 = if offset == 0 {
        0
    } else {
        tx.scalar(
            &format!(
                "select coalesce(sum(d - c), 0) from (select l.debit as d, l.credit as c
                 from ledger_line l join ledger_voucher v on v.id = l.voucher_id
                 where l.company_id = $1 and l.account_id = $2 and l.period >= $3 and l.period <= $4 and l.posted = 1
                 {order} limit $5) before_page"
            ),
            &[&company, &account.id, &from, &to, &offset],
        )?
    };
    let rows = tx.query(
        &format!(
            "select l.date, v.word, v.number, v.id, l.summary, l.debit, l.credit
             from ledger_line l join ledger_voucher v on v.id = l.voucher_id
             where l.company_id = $1 and l.account_id = $2 and l.period >= $3 and l.period <= $4 and l.posted = 1
             {order} limit $5 offset $6"
        ),
        &[&company, &account.id, &from, &to, &(limit + 1), &offset],
    )?;
    // One line more than asked tells whether another page follows (a count would read them all).
    let more = rows.len() as i64 > limit;
    let mut running = opening + before;
    let mut lines = Vec::with_capacity(rows.len());
    for r in rows.into_iter().take(limit as usize) {
        let (d, c): (i64, i64) = (r.get(5)?, r.get(6)?);
        running += d - c;
        let (side, amount) = balance(running);
        lines.push(BookLine {
            date: r.get(0)?,
            voucher: format!("{}-{:04}", r.get::<String>(1)?, r.get::<i64>(2)?),
            voucher_id: r.get(3)?,
            account_code: account.code.clone(),
            summary: r.get(4)?,
            debit: yuan(d),
            credit: yuan(c),
            side,
            balance: amount,
        });
    }
    let (opening_side, opening_amount) = balance(opening);
    let (closing_side, closing) = balance(opening + debit - credit);
    Ok(AccountLedger {
        account_code: account.code,
        account_name: account.name,
        opening_side,
        opening: opening_amount,
        lines,
        period_debit: yuan(debit),
        period_credit: yuan(credit),
        closing_side,
        closing,
        offset,
        more,
    })
}

/// 明细账 of an account (with its sub-accounts) for periods `from` to `to`.
pub fn account_ledger(tx: &mut Tx<'_>, ctx: &Ctx, code: &str, from: &str, to: &str) -> Result<AccountLedger> {
    ctx.require(READ)?;
    let (from, to) = (check_period(from, "from")?, check_period(to, "to")?);
    let account = by_code(tx, ctx, code).map_err(|_| Error::field("account", "ledger.account_unknown"))?;
    let ids: Vec<String> = tx
        .query(
            "select id from ledger_account where company_id = $1 and code >= $2 and code < $3",
            &[&ctx.company(), &account.code, &format!("{}\u{10ffff}", account.code)],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_>>()?;
    let mut opening = 0i64;
    let mut rows = Vec::new();
    for id in &ids {
        opening += tx.scalar::<i64>(
            "select coalesce(sum(debit - credit), 0) from ledger_balance where company_id = $1 and account_id = $2 and period < $3",
            &[&ctx.company(), id, &from],
        )?;
        for r in tx.query(
            "select l.date, v.word, v.number, v.id, a.code, l.summary, l.debit, l.credit, v.period, l.seq
             from ledger_line l join ledger_voucher v on v.id = l.voucher_id join ledger_account a on a.id = l.account_id
             where l.company_id = $1 and l.account_id = $2 and l.period >= $3 and l.period <= $4 and l.posted = 1",
            &[&ctx.company(), id, &from, &to],
        )? {
            // Book order, as the paged 明细账: period, date, the vouchers in the order they were made.
            let key: (String, String, String, i64) = (r.get(8)?, r.get(0)?, r.get(3)?, r.get(9)?);
            rows.push((key, r));
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let mut running = opening;
    let (mut debit, mut credit) = (0i64, 0i64);
    let mut lines = Vec::with_capacity(rows.len());
    for (_, r) in rows {
        let (d, c): (i64, i64) = (r.get(6)?, r.get(7)?);
        debit += d;
        credit += c;
        running += d - c;
        let (side, amount) = balance(running);
        lines.push(BookLine {
            date: r.get(0)?,
            voucher: format!("{}-{:04}", r.get::<String>(1)?, r.get::<i64>(2)?),
            voucher_id: r.get(3)?,
            account_code: r.get(4)?,
            summary: r.get(5)?,
            debit: yuan(d),
            credit: yuan(c),
            side,
            balance: amount,
        });
    }
    let (opening_side, opening_amount) = balance(opening);
    let (closing_side, closing) = balance(running);
    Ok(AccountLedger {
        account_code: account.code,
        account_name: account.name,
        opening_side,
        opening: opening_amount,
        lines,
        period_debit: yuan(debit),
        period_credit: yuan(credit),
        closing_side,
        closing,
        offset: 0,
        more: false,
    })
}

/// 序时账: every posted line of a period, voucher by voucher.
pub fn journal(tx: &mut Tx<'_>, ctx: &Ctx, period: &str) -> Result<Vec<BookLine>> {
    journal_page(tx, ctx, period, 0, i64::MAX)
}

/// One page of the 序时账: `limit` lines from `offset`.
pub fn journal_page(tx: &mut Tx<'_>, ctx: &Ctx, period: &str, offset: i64, limit: i64) -> Result<Vec<BookLine>> {
    ctx.require(READ)?;
    let period = check_period(period, "period")?;
    tx.query(
        "select v.date, v.word, v.number, v.id, a.code, l.summary, l.debit, l.credit
         from ledger_voucher v join ledger_line l on l.voucher_id = v.id join ledger_account a on a.id = l.account_id
         where v.company_id = $1 and v.period = $2 and v.state = 'posted'
         order by v.date, v.word, v.number, l.seq limit $3 offset $4",
        &[&ctx.company(), &period, &limit.max(0), &offset.max(0)],
    )?
    .iter()
    .map(|r| {
        Ok(BookLine {
            date: r.get(0)?,
            voucher: format!("{}-{:04}", r.get::<String>(1)?, r.get::<i64>(2)?),
            voucher_id: r.get(3)?,
            account_code: r.get(4)?,
            summary: r.get(5)?,
            debit: yuan(r.get(6)?),
            credit: yuan(r.get(7)?),
            side: String::new(),
            balance: String::new(),
        })
    })
    .collect()
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct GeneralLedgerMonth {
    pub period: String,
    pub debit: String,
    pub credit: String,
    pub side: String,
    pub balance: String,
}

/// 总账 of an account for a year: the opening, then each month's debit, credit and balance.
pub fn general_ledger(tx: &mut Tx<'_>, ctx: &Ctx, code: &str, year: i32) -> Result<(String, Vec<GeneralLedgerMonth>)> {
    ctx.require(READ)?;
    let account = by_code(tx, ctx, code).map_err(|_| Error::field("account", "ledger.account_unknown"))?;
    let upper = format!("{}\u{10ffff}", account.code);
    let first = format!("{year:04}-01");
    let opening: i64 = tx.scalar(
        "select coalesce(sum(b.debit - b.credit), 0) from ledger_balance b join ledger_account a on a.id = b.account_id
         where b.company_id = $1 and a.code >= $2 and a.code < $3 and b.period < $4",
        &[&ctx.company(), &account.code, &upper, &first],
    )?;
    // The year's months in one read.
    let last = format!("{year:04}-12");
    let mut by_month: std::collections::HashMap<String, (i64, i64)> = std::collections::HashMap::new();
    for r in tx.query(
        "select b.period, coalesce(sum(b.debit), 0), coalesce(sum(b.credit), 0) from ledger_balance b
         join ledger_account a on a.id = b.account_id
         where b.company_id = $1 and a.code >= $2 and a.code < $3 and b.period >= $4 and b.period <= $5 group by b.period",
        &[&ctx.company(), &account.code, &upper, &first, &last],
    )? {
        by_month.insert(r.get(0)?, (r.get(1)?, r.get(2)?));
    }
    let mut running = opening;
    let mut months = Vec::new();
    for month in 1..=12 {
        let period = format!("{year:04}-{month:02}");
        let (d, c) = by_month.get(&period).copied().unwrap_or((0, 0));
        running += d - c;
        let (side, amount) = balance(running);
        months.push(GeneralLedgerMonth { period, debit: yuan(d), credit: yuan(c), side, balance: amount });
    }
    let (side, amount) = balance(opening);
    Ok((format!("{side} {amount}"), months))
}

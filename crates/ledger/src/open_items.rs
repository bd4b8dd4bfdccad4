//! Receivables and payables as open items (往来核销): every posted line on a partner's account
//! is open until lines of the other sign are matched to it — a receipt against an invoice, a
//! payment against a bill, a red reversal against what it reverses. Matching is automatic by
//! reference and amount, then oldest first, or by hand; aging and the statement of account read
//! what is left open.

use std::collections::HashMap;

use kernel::db::Tx;
use kernel::{Ctx, Currency, Error, Money, Result, audit};
use serde::{Deserialize, Serialize};

use crate::account::by_role;
use crate::permissions::{POST, READ};

fn yuan(fen: i64) -> String {
    Money::from_minor(fen, Currency::CNY).to_string()
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OpenItem {
    pub line_id: String,
    pub voucher: String,
    pub date: String,
    pub partner_id: Option<String>,
    pub summary: String,
    /// Signed: + on the debit side (an invoice on a receivable), − on the credit side.
    pub amount: String,
    pub open: String,
}

/// A posted line of the account as the matching sees it: signed amount and what is still open.
struct Item {
    line_id: String,
    voucher: String,
    date: String,
    partner: Option<String>,
    summary: String,
    signed: i64,
    open: i64,
}

fn items(tx: &mut Tx<'_>, ctx: &Ctx, account_id: &str, partner: Option<&str>) -> Result<Vec<Item>> {
    let partner_filter = if partner.is_some() { "and l.partner_id = $3" } else { "and $3 = ''" };
    let rows = tx.query(
        &format!(
            "select l.id, v.word, v.number, l.date, l.partner_id, l.summary, l.debit - l.credit,
                    coalesce((select sum(r.amount) from ledger_reconcile r where r.debit_line_id = l.id), 0),
                    coalesce((select sum(r.amount) from ledger_reconcile r where r.credit_line_id = l.id), 0)
             from ledger_line l join ledger_voucher v on v.id = l.voucher_id
             where l.company_id = $1 and l.account_id = $2 and l.posted = 1 {partner_filter}
             order by l.date, v.word, v.number, l.seq"
        ),
        &[&ctx.company(), &account_id, &partner.unwrap_or("")],
    )?;
    rows.iter()
        .map(|r| {
            let signed: i64 = r.get(6)?;
            let (as_debit, as_credit): (i64, i64) = (r.get(7)?, r.get(8)?);
            // A debit-side line is settled by what was matched to it; a credit-side one likewise.
            let open = if signed > 0 { signed - as_debit } else { signed + as_credit };
            Ok(Item {
                line_id: r.get(0)?,
                voucher: format!("{}-{:04}", r.get::<String>(1)?, r.get::<i64>(2)?),
                date: r.get(3)?,
                partner: r.get(4)?,
                summary: r.get(5)?,
                signed,
                open,
            })
        })
        .collect()
}

/// What is still open on the account playing `role` (receivable, payable…), for one partner or all.
pub fn open_items(tx: &mut Tx<'_>, ctx: &Ctx, role: &str, partner: Option<&str>) -> Result<Vec<OpenItem>> {
    ctx.require(READ)?;
    let account = by_role(tx, ctx, role)?;
    Ok(items(tx, ctx, &account.id, partner)?
        .into_iter()
        .filter(|i| i.open != 0)
        .map(|i| OpenItem {
            line_id: i.line_id,
            voucher: i.voucher,
            date: i.date,
            partner_id: i.partner,
            summary: i.summary,
            amount: yuan(i.signed),
            open: yuan(i.open),
        })
        .collect())
}

pub(crate) fn record(tx: &mut Tx<'_>, ctx: &Ctx, debit: &str, credit: &str, amount: i64) -> Result<()> {
    tx.execute(
        "insert into ledger_reconcile (id, company_id, debit_line_id, credit_line_id, amount, created_at, created_by)
         values ($1, $2, $3, $4, $5, $6, $7)",
        &[&kernel::id::Uuid::now_v7(), &ctx.company(), &debit, &credit, &amount, &ctx.now_text(), &ctx.actor().label()],
    )?;
    for line in [debit, credit] {
        tell_settlement(tx, ctx, line)?;
    }
    Ok(())
}

/// A matched line belongs to a document of another module (an invoice, a bill): tell it how
/// much of the document is still open on this account.
pub(crate) fn tell_settlement(tx: &mut Tx<'_>, ctx: &Ctx, line_id: &str) -> Result<()> {
    let Some(r) = tx.query_opt(
        "select v.source_kind, v.source_id, l.account_id, l.partner_id
         from ledger_line l join ledger_voucher v on v.id = l.voucher_id
         where l.id = $1 and v.source_kind is not null and v.source_kind not like 'ledger.%'",
        &[&line_id],
    )?
    else {
        return Ok(());
    };
    let document = kernel::id::DocRef { kind: r.get(0)?, id: r.get(1)? };
    let (account, partner): (String, Option<String>) = (r.get(2)?, r.get(3)?);
    let rows = tx.query(
        "select l.debit - l.credit,
                coalesce((select sum(m.amount) from ledger_reconcile m where m.debit_line_id = l.id), 0),
                coalesce((select sum(m.amount) from ledger_reconcile m where m.credit_line_id = l.id), 0)
         from ledger_voucher v join ledger_line l on l.voucher_id = v.id
         where v.company_id = $1 and v.source_kind = $2 and v.source_id = $3 and l.account_id = $4
           and coalesce(l.partner_id, '') = $5 and l.posted = 1",
        &[&ctx.company(), &document.kind, &document.id, &account, &partner.unwrap_or_default()],
    )?;
    let (mut amount, mut open) = (0i64, 0i64);
    for r in rows {
        let (signed, as_debit, as_credit): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        amount += signed;
        open += if signed > 0 { signed - as_debit } else { signed + as_credit };
    }
    tx.publish(ctx, &crate::events::DocumentSettled { document, amount: amount.abs(), open: open.abs() })
}

/// Matches what can be matched on the account playing `role`, partner by partner: first a
/// settling line with the same amount and reference (summary), then oldest first. Returns how
/// many matches were made.
pub fn auto_reconcile(tx: &mut Tx<'_>, ctx: &Ctx, role: &str) -> Result<usize> {
    ctx.require(POST)?;
    let account = by_role(tx, ctx, role)?;
    let mut by_partner: HashMap<Option<String>, Vec<Item>> = HashMap::new();
    for item in items(tx, ctx, &account.id, None)?.into_iter().filter(|i| i.open != 0) {
        by_partner.entry(item.partner.clone()).or_default().push(item);
    }
    let mut made = 0;
    for (partner, mut list) in by_partner {
        // Without a partner there is nothing to match against.
        if partner.is_none() {
            continue;
        }
        let (mut ups, mut downs): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
        for (i, item) in list.iter().enumerate() {
            if item.open > 0 { ups.push(i) } else { downs.push(i) }
        }
        // 1. Same amount and same reference.
        for &d in &downs {
            let wanted = -list[d].open;
            if let Some(&u) = ups.iter().find(|&&u| list[u].open == wanted && list[u].summary == list[d].summary) {
                record(tx, ctx, &list[u].line_id, &list[d].line_id, wanted)?;
                list[u].open = 0;
                list[d].open = 0;
                made += 1;
            }
        }
        // 2. Oldest first.
        for &d in &downs {
            for &u in &ups {
                if list[d].open == 0 {
                    break;
                }
                let take = list[u].open.min(-list[d].open);
                if take > 0 {
                    record(tx, ctx, &list[u].line_id, &list[d].line_id, take)?;
                    list[u].open -= take;
                    list[d].open += take;
                    made += 1;
                }
            }
        }
    }
    audit::record(
        tx,
        ctx,
        "ledger.reconcile.auto",
        "ledger.account",
        &account.code,
        serde_json::json!({"matches": made}),
    )?;
    Ok(made)
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"debit_line_id": "…", "credit_line_id": "…", "amount": "100"}))]
pub struct ManualMatch {
    pub debit_line_id: String,
    pub credit_line_id: String,
    pub amount: String,
}

/// Matches two lines by hand: same account and partner, opposite signs, at most what is open.
pub fn reconcile(tx: &mut Tx<'_>, ctx: &Ctx, input: &ManualMatch) -> Result<()> {
    ctx.require(POST)?;
    let amount = Money::parse(input.amount.trim(), Currency::CNY)
        .map(|m| m.minor())
        .ok()
        .filter(|a| *a > 0)
        .ok_or_else(|| Error::field("amount", "ledger.amount_invalid"))?;
    let line = |tx: &mut Tx<'_>, id: &str| -> Result<(String, Option<String>)> {
        let r = tx
            .query_opt(
                "select account_id, partner_id from ledger_line where company_id = $1 and id = $2 and posted = 1",
                &[&ctx.company(), &id],
            )?
            .ok_or_else(|| Error::not_found("ledger.line_not_found"))?;
        Ok((r.get(0)?, r.get(1)?))
    };
    let (debit_account, debit_partner) = line(tx, &input.debit_line_id)?;
    let (credit_account, credit_partner) = line(tx, &input.credit_line_id)?;
    if debit_account != credit_account || debit_partner != credit_partner {
        return Err(Error::conflict("ledger.match_mismatch"));
    }
    let all = items(tx, ctx, &debit_account, debit_partner.as_deref())?;
    let open = |id: &str| all.iter().find(|i| i.line_id == id).map(|i| i.open).unwrap_or(0);
    if open(&input.debit_line_id) < amount || -open(&input.credit_line_id) < amount {
        return Err(Error::conflict("ledger.match_too_much"));
    }
    record(tx, ctx, &input.debit_line_id, &input.credit_line_id, amount)?;
    audit::record(
        tx,
        ctx,
        "ledger.reconcile.manual",
        "ledger.line",
        &input.debit_line_id,
        serde_json::json!({"amount": amount}),
    )
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AgingRow {
    pub partner_id: String,
    pub days_0_30: String,
    pub days_31_60: String,
    pub days_61_90: String,
    pub over_90: String,
    pub total: String,
}

/// What is open per partner by age on `as_of` (0–30, 31–60, 61–90, over 90 days since the line).
pub fn aging(tx: &mut Tx<'_>, ctx: &Ctx, role: &str, as_of: &str) -> Result<Vec<AgingRow>> {
    ctx.require(READ)?;
    let on = kernel::clock::parse_date(as_of.trim()).map_err(|_| Error::field("date", "ledger.date_invalid"))?;
    let account = by_role(tx, ctx, role)?;
    let mut buckets: std::collections::BTreeMap<String, [i64; 4]> = std::collections::BTreeMap::new();
    for item in items(tx, ctx, &account.id, None)?.into_iter().filter(|i| i.open != 0) {
        let Ok(date) = kernel::clock::parse_date(&item.date) else { continue };
        if date > on {
            continue;
        }
        let days = (on - date).whole_days();
        let slot = match days {
            0..=30 => 0,
            31..=60 => 1,
            61..=90 => 2,
            _ => 3,
        };
        // Shown on the account's own side: receivables as debits, payables as credits.
        let sign = if account.direction == "credit" { -1 } else { 1 };
        buckets.entry(item.partner.unwrap_or_default()).or_default()[slot] += sign * item.open;
    }
    Ok(buckets
        .into_iter()
        .map(|(partner_id, b)| AgingRow {
            partner_id,
            days_0_30: yuan(b[0]),
            days_31_60: yuan(b[1]),
            days_61_90: yuan(b[2]),
            over_90: yuan(b[3]),
            total: yuan(b.iter().sum()),
        })
        .collect())
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StatementLine {
    pub date: String,
    pub voucher: String,
    pub summary: String,
    pub debit: String,
    pub credit: String,
    pub balance: String,
}

/// The statement of account (对账单) of a partner on the account playing `role`.
pub fn statement_of_account(tx: &mut Tx<'_>, ctx: &Ctx, role: &str, partner: &str) -> Result<Vec<StatementLine>> {
    ctx.require(READ)?;
    let account = by_role(tx, ctx, role)?;
    let sign = if account.direction == "credit" { -1 } else { 1 };
    let mut balance = 0;
    Ok(items(tx, ctx, &account.id, Some(partner))?
        .into_iter()
        .map(|i| {
            balance += sign * i.signed;
            StatementLine {
                date: i.date,
                voucher: i.voucher,
                summary: i.summary,
                debit: if i.signed > 0 { yuan(i.signed) } else { String::new() },
                credit: if i.signed < 0 { yuan(-i.signed) } else { String::new() },
                balance: yuan(balance),
            }
        })
        .collect())
}

/// No line is matched beyond its own amount, and matched lines share account and partner.
pub(crate) fn check_matches(tx: &mut Tx<'_>) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for r in tx.query(
        "select l.id, l.debit - l.credit, coalesce(sum(r.amount), 0) from ledger_line l join ledger_reconcile r on r.debit_line_id = l.id
         group by l.id, l.debit, l.credit having coalesce(sum(r.amount), 0) > l.debit - l.credit",
        &[],
    )? {
        problems.push(format!("line {} (amount {}) matched for {}", r.get::<String>(0)?, r.get::<i64>(1)?, r.get::<i64>(2)?));
    }
    for r in tx.query(
        "select l.id, l.credit - l.debit, coalesce(sum(r.amount), 0) from ledger_line l join ledger_reconcile r on r.credit_line_id = l.id
         group by l.id, l.debit, l.credit having coalesce(sum(r.amount), 0) > l.credit - l.debit",
        &[],
    )? {
        problems.push(format!("line {} (amount {}) matched for {}", r.get::<String>(0)?, r.get::<i64>(1)?, r.get::<i64>(2)?));
    }
    for r in tx.query(
        "select r.id from ledger_reconcile r join ledger_line d on d.id = r.debit_line_id join ledger_line c on c.id = r.credit_line_id
         where d.account_id <> c.account_id or coalesce(d.partner_id, '') <> coalesce(c.partner_id, '')",
        &[],
    )? {
        problems.push(format!("match {} joins lines of different accounts or partners", r.get::<String>(0)?));
    }
    Ok(problems)
}

/// A partner's balance on the account playing `role` (fen, debit positive): what a customer
/// owes on `receivable`. For other modules' checks (the credit limit), so no permission.
pub fn partner_balance(tx: &mut Tx<'_>, ctx: &Ctx, role: &str, partner: &str) -> Result<i64> {
    let account = by_role(tx, ctx, role)?;
    tx.scalar(
        "select coalesce(sum(debit - credit), 0) from ledger_line
         where company_id = $1 and account_id = $2 and partner_id = $3 and posted = 1",
        &[&ctx.company(), &account.id, &partner],
    )
}

/// A customer's latest receipts (money in on the receivable account): voucher, date, summary
/// and amount (fen), newest first.
pub fn partner_receipts(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    partner: &str,
    limit: i64,
) -> Result<Vec<(String, String, String, i64)>> {
    ctx.require(READ)?;
    let account = by_role(tx, ctx, "receivable")?;
    tx.query(
        "select l.voucher_id, l.date, l.summary, l.credit - l.debit
         from ledger_line l join ledger_voucher v on v.id = l.voucher_id
         where l.company_id = $1 and l.account_id = $2 and l.partner_id = $3 and l.posted = 1 and v.word = '收'
         order by l.date desc, l.voucher_id desc limit $4",
        &[&ctx.company(), &account.id, &partner, &limit],
    )?
    .iter()
    .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
    .collect()
}

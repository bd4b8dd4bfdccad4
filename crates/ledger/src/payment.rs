//! Receipts from customers and payments to suppliers (收款/付款): a 收 or 付 voucher between a
//! bank or cash account and the partner's receivable or payable, matched at once against the
//! documents it names (invoices, bills), oldest first. What stays unmatched is open on the
//! partner's account (an advance) until a later document or a manual match takes it.
//! Matching tells the documents' modules how much is still open (`DocumentSettled`).

use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::money::div_round_half_up;
use kernel::{Ctx, Currency, Error, Money, Result, audit};
use serde::{Deserialize, Serialize};

use crate::account::{Account, by_code, by_role};
use crate::permissions::PAYMENT;
use crate::posting_rule::{RuleFacts, Rules};
use crate::voucher::{AutoLine, post_automatic_as};

kernel::define_id!(
    /// A registered receipt or payment.
    PaymentId
);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Money in from a customer (收款): bank debit, receivable credit.
    Receipt,
    /// Money out to a supplier (付款): payable debit, bank credit.
    Payment,
}

impl Direction {
    fn code(self) -> &'static str {
        match self {
            Direction::Receipt => "receipt",
            Direction::Payment => "payment",
        }
    }

    /// The partner's account that the money settles.
    pub fn partner_role(self) -> &'static str {
        match self {
            Direction::Receipt => "receivable",
            Direction::Payment => "payable",
        }
    }
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"direction": "receipt", "partner_id": "0193…", "amount": "1130.00", "date": "2026-11-27",
    "account": "1002", "reference": "工行回单 20261127-01", "documents": [{"kind": "sales.invoice", "id": "0193…"}]}))]
pub struct PaymentInput {
    pub direction: Direction,
    pub partner_id: String,
    /// Decimal CNY, positive.
    pub amount: String,
    /// Today by default.
    pub date: Option<String>,
    /// The bank or cash account's code (1002, 100201…); the account playing `bank` by default.
    pub account: Option<String>,
    #[serde(default)]
    pub reference: String,
    /// The invoices or bills it settles, in the order to settle them.
    #[serde(default)]
    pub documents: Vec<DocRef>,
    /// The currency of `amount` (CNY by default); foreign documents are settled in their own
    /// currency at the rate they were booked at.
    pub currency: Option<String>,
    /// CNY per unit of `currency` on the day (7.2015); the recorded rate of the day by default.
    pub rate: Option<String>,
    /// How the money moved (wechat, alipay, cash…): without `account`, a posting rule for the
    /// role `bank` and this payment method chooses the account (WeChat Pay to 1012).
    #[serde(default)]
    pub method: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Settlement {
    pub document: DocRef,
    pub amount: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Payment {
    #[schema(value_type = String)]
    pub id: PaymentId,
    pub direction: Direction,
    pub partner_id: String,
    pub amount: String,
    pub date: String,
    pub reference: String,
    pub voucher_id: String,
    pub settled: Vec<Settlement>,
    /// Left open on the partner's account (an advance received or paid).
    pub unapplied: String,
    /// Realised exchange difference (CNY; + gain, − loss on receipts; the reverse on payments).
    pub exchange_difference: String,
}

fn yuan(fen: i64) -> String {
    Money::from_minor(fen, Currency::CNY).to_string()
}

fn bank_account(tx: &mut Tx<'_>, ctx: &Ctx, code: Option<&str>, method: Option<&str>) -> Result<Account> {
    let facts = RuleFacts { payment_method: method.map(|m| m.trim().to_string()), ..RuleFacts::default() };
    let account = match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => by_code(tx, ctx, code).map_err(|_| Error::field("account", "ledger.account_unknown"))?,
        None => match Rules::load(tx, ctx)?.account_for("bank", &facts) {
            Some(id) => crate::account::account_by_id(tx, ctx, &id)?,
            None => by_role(tx, ctx, "bank")?,
        },
    };
    // 货币资金: 1001 库存现金, 1002 银行存款, 1012 其他货币资金 (WeChat Pay, Alipay balances).
    if !matches!(account.role.as_deref(), Some("bank") | Some("cash")) && !account.code.starts_with("10") {
        return Err(Error::field("account", "ledger.payment_account_invalid"));
    }
    Ok(account)
}

/// The posted lines of a document's voucher on the partner's account with what is still open
/// on each (signed like the line: + debit side).
fn open_lines(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    document: &DocRef,
    account: &str,
    partner: &str,
) -> Result<Vec<(String, i64)>> {
    tx.query(
        "select l.id, l.debit - l.credit,
                coalesce((select sum(m.amount) from ledger_reconcile m where m.debit_line_id = l.id), 0),
                coalesce((select sum(m.amount) from ledger_reconcile m where m.credit_line_id = l.id), 0)
         from ledger_voucher v join ledger_line l on l.voucher_id = v.id
         where v.company_id = $1 and v.source_kind = $2 and v.source_id = $3 and l.account_id = $4
           and l.partner_id = $5 and l.posted = 1
         order by l.date, l.seq",
        &[&ctx.company(), &document.kind, &document.id, &account, &partner],
    )?
    .iter()
    .map(|r| {
        let (signed, as_debit, as_credit): (i64, i64, i64) = (r.get(1)?, r.get(2)?, r.get(3)?);
        Ok((r.get(0)?, if signed > 0 { signed - as_debit } else { signed + as_credit }))
    })
    .collect()
}

/// The foreign-currency amount behind a posted line, if any: (currency, signed minor units).
fn line_currency(tx: &mut Tx<'_>, line: &str) -> Result<Option<(String, i64)>> {
    tx.query_opt("select currency, amount from ledger_line_currency where line_id = $1", &[&line])?
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .transpose()
}

/// A rate typed as a decimal (7.2015) as CNY per unit × 10^8.
fn parse_rate(text: &str) -> Result<i64> {
    let rate: kernel::UnitPrice = text.trim().parse().map_err(|_| Error::field("rate", "ledger.rate_invalid"))?;
    // UnitPrice keeps 6 decimals; rates are kept with 8.
    Some(rate.scaled()).filter(|r| *r > 0).map(|r| r * 100).ok_or_else(|| Error::field("rate", "ledger.rate_invalid"))
}

/// Registers a receipt or payment: posts its voucher and settles the documents it names. In a
/// foreign currency, each document is settled at the rate it was booked at and the difference
/// to the day's rate is the realised exchange difference (汇兑损益).
pub fn register_payment(tx: &mut Tx<'_>, ctx: &Ctx, input: &PaymentInput) -> Result<Payment> {
    ctx.require(PAYMENT)?;
    let code = input.currency.as_deref().map(str::trim).filter(|c| !c.is_empty()).unwrap_or("CNY").to_uppercase();
    let unit = Currency::from_code(&code).map_err(|_| Error::field("currency", "ledger.currency_unknown"))?;
    let foreign = code != "CNY";
    let amount = Money::parse(input.amount.trim(), unit)
        .ok()
        .map(|m| m.minor())
        .filter(|m| *m > 0)
        .ok_or_else(|| Error::field("amount", "ledger.amount_invalid"))?;
    let date = match input.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(text) => kernel::clock::parse_date(text).map_err(|_| Error::field("date", "ledger.date_invalid"))?,
        None => ctx.today(),
    };
    let partner = input.partner_id.trim();
    if partner.is_empty() {
        return Err(Error::field("partner_id", "ledger.partner_required"));
    }
    let rate = match (foreign, input.rate.as_deref().map(str::trim).filter(|r| !r.is_empty())) {
        (false, _) => 100_000_000,
        (true, Some(text)) => parse_rate(text)?,
        (true, None) => product::rate_on(tx, ctx, &code, date)?,
    };
    let per_major = i128::from(unit.minor_per_major());
    let in_cny = |minor: i64| -> i64 {
        i64::try_from(div_round_half_up(i128::from(minor) * i128::from(rate) * 100, per_major * 100_000_000))
            .unwrap_or(0)
    };
    let bank = bank_account(tx, ctx, input.account.as_deref(), input.method.as_deref())?;
    let partner_account = by_role(tx, ctx, input.direction.partner_role())?;
    // Plan the settlements first: which document lines, how much of each (CNY as booked), and
    // what the money paid for them is worth at today's rate.
    let mut left = amount;
    let mut plan: Vec<(DocRef, String, i64)> = Vec::new();
    let mut at_today = 0i64;
    for document in &input.documents {
        for (line, open) in open_lines(tx, ctx, document, &partner_account.id, partner)? {
            // A receipt settles debit-side items (invoices); a payment credit-side ones (bills).
            let open = match input.direction {
                Direction::Receipt => open,
                Direction::Payment => -open,
            };
            if open <= 0 || left <= 0 {
                continue;
            }
            let (take, settles) = if foreign {
                let Some((currency, booked)) = line_currency(tx, &line)? else {
                    return Err(Error::field("currency", "ledger.payment_currency_mismatch"));
                };
                if currency != code {
                    return Err(Error::field("currency", "ledger.payment_currency_mismatch"));
                }
                let signed: i64 = tx.scalar("select abs(debit - credit) from ledger_line where id = $1", &[&line])?;
                // What is open in the document's currency, in proportion to what is open in CNY.
                let open_foreign = i64::try_from(div_round_half_up(
                    i128::from(booked.abs()) * i128::from(open),
                    i128::from(signed.max(1)),
                ))
                .unwrap_or(0);
                let take = open_foreign.min(left);
                let settles = if take == open_foreign {
                    open
                } else {
                    i64::try_from(div_round_half_up(
                        i128::from(open) * i128::from(take),
                        i128::from(open_foreign.max(1)),
                    ))
                    .unwrap_or(0)
                };
                (take, settles)
            } else {
                let take = open.min(left);
                (take, take)
            };
            left -= take;
            at_today += if foreign { in_cny(take) } else { take };
            plan.push((document.clone(), line, settles));
        }
    }
    let bank_cny = in_cny(amount);
    let settled_cny: i64 = plan.iter().map(|(_, _, s)| s).sum();
    // What stays open (an advance) at today's rate; the rest of the money settled documents.
    let unapplied_cny = bank_cny - at_today;
    let partner_cny = settled_cny + unapplied_cny;
    // Receipts: more CNY in than booked is a gain; payments: more CNY out is a loss.
    let difference = bank_cny - partner_cny;
    let id = PaymentId::new();
    let (word, what) = match input.direction {
        Direction::Receipt => ("收", "收款"),
        Direction::Payment => ("付", "付款"),
    };
    let summary =
        if input.reference.trim().is_empty() { what.to_string() } else { format!("{what} {}", input.reference.trim()) };
    let currency_info = foreign.then(|| {
        let signed = match input.direction {
            Direction::Receipt => -amount,
            Direction::Payment => amount,
        };
        (code.clone(), signed, rate)
    });
    let mut lines = match input.direction {
        Direction::Receipt => vec![
            AutoLine::to_account(bank.id.clone(), summary.clone(), bank_cny, 0),
            AutoLine {
                partner_id: Some(partner.to_string()),
                currency: currency_info,
                ..AutoLine::to_account(partner_account.id.clone(), summary.clone(), 0, partner_cny)
            },
        ],
        Direction::Payment => vec![
            AutoLine::to_account(bank.id.clone(), summary.clone(), 0, bank_cny),
            AutoLine {
                partner_id: Some(partner.to_string()),
                currency: currency_info,
                ..AutoLine::to_account(partner_account.id.clone(), summary.clone(), partner_cny, 0)
            },
        ],
    };
    if difference != 0 {
        let fx = by_role(tx, ctx, "exchange_difference").or_else(|_| by_role(tx, ctx, "finance_expense"))?;
        let gain = match input.direction {
            Direction::Receipt => difference,
            Direction::Payment => -difference,
        };
        let (debit, credit) = if gain > 0 { (0, gain) } else { (-gain, 0) };
        lines.push(AutoLine::to_account(fx.id, format!("{summary} 汇兑损益"), debit, credit));
    }
    let source = DocRef::new("ledger.payment", id);
    let voucher = post_automatic_as(tx, ctx, word, date, &summary, &source, &lines)?;
    let own_line: String = tx.scalar(
        "select id from ledger_line where voucher_id = $1 and account_id = $2",
        &[&voucher, &partner_account.id],
    )?;
    let mut settled = Vec::new();
    for (document, line, amount) in plan {
        match input.direction {
            Direction::Receipt => crate::open_items::record(tx, ctx, &line, &own_line, amount)?,
            Direction::Payment => crate::open_items::record(tx, ctx, &own_line, &line, amount)?,
        }
        settled.push(Settlement { document, amount: yuan(amount) });
    }
    let day = kernel::clock::format_date(date);
    tx.execute(
        "insert into ledger_payment (id, company_id, direction, partner_id, amount, date, account_id, reference, voucher_id,
             created_at, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            &id,
            &ctx.company(),
            &input.direction.code(),
            &partner,
            &bank_cny,
            &day,
            &bank.id,
            &input.reference.trim(),
            &voucher,
            &ctx.now_text(),
            &ctx.actor().label(),
        ],
    )?;
    audit::record(
        tx,
        ctx,
        "ledger.payment.register",
        "ledger.payment",
        &id,
        serde_json::json!({"direction": input.direction.code(), "amount": amount, "currency": code, "partner": partner}),
    )?;
    Ok(Payment {
        id,
        direction: input.direction,
        partner_id: partner.to_string(),
        amount: yuan(bank_cny),
        date: day,
        reference: input.reference.trim().to_string(),
        voucher_id: voucher.to_string(),
        settled,
        unapplied: yuan(unapplied_cny),
        exchange_difference: yuan(difference),
    })
}

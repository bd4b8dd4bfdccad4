//! Receipts from customers and payments to suppliers (收款/付款): a 收 or 付 voucher between a
//! bank or cash account and the partner's receivable or payable, matched at once against the
//! documents it names (invoices, bills), oldest first. What stays unmatched is open on the
//! partner's account (an advance) until a later document or a manual match takes it.
//! Matching tells the documents' modules how much is still open (`DocumentSettled`).

use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::{Ctx, Currency, Error, Money, Result, audit};
use serde::{Deserialize, Serialize};

use crate::account::{Account, by_code, by_role};
use crate::permissions::PAYMENT;
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
}

fn yuan(fen: i64) -> String {
    Money::from_minor(fen, Currency::CNY).to_string()
}

fn bank_account(tx: &mut Tx<'_>, ctx: &Ctx, code: Option<&str>) -> Result<Account> {
    let account = match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => by_code(tx, ctx, code).map_err(|_| Error::field("account", "ledger.account_unknown"))?,
        None => by_role(tx, ctx, "bank")?,
    };
    if !matches!(account.role.as_deref(), Some("bank") | Some("cash")) && !account.code.starts_with("100") {
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

/// Registers a receipt or payment: posts its voucher and settles the documents it names.
pub fn register_payment(tx: &mut Tx<'_>, ctx: &Ctx, input: &PaymentInput) -> Result<Payment> {
    ctx.require(PAYMENT)?;
    let amount = Money::parse(input.amount.trim(), Currency::CNY)
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
    let bank = bank_account(tx, ctx, input.account.as_deref())?;
    let partner_account = by_role(tx, ctx, input.direction.partner_role())?;
    let id = PaymentId::new();
    let (word, what) = match input.direction {
        Direction::Receipt => ("收", "收款"),
        Direction::Payment => ("付", "付款"),
    };
    let summary =
        if input.reference.trim().is_empty() { what.to_string() } else { format!("{what} {}", input.reference.trim()) };
    let (bank_line, partner_line) = match input.direction {
        Direction::Receipt => (
            AutoLine::to_account(bank.id.clone(), summary.clone(), amount, 0),
            AutoLine::to_account(partner_account.id.clone(), summary.clone(), 0, amount),
        ),
        Direction::Payment => (
            AutoLine::to_account(bank.id.clone(), summary.clone(), 0, amount),
            AutoLine::to_account(partner_account.id.clone(), summary.clone(), amount, 0),
        ),
    };
    let partner_line = AutoLine { partner_id: Some(partner.to_string()), ..partner_line };
    let source = DocRef::new("ledger.payment", id);
    let voucher = post_automatic_as(tx, ctx, word, date, &summary, &source, &[bank_line, partner_line])?;
    let own_line: String = tx.scalar(
        "select id from ledger_line where voucher_id = $1 and account_id = $2",
        &[&voucher, &partner_account.id],
    )?;
    // Settle the named documents in order, as far as the amount goes.
    let mut left = amount;
    let mut settled = Vec::new();
    for document in &input.documents {
        for (line, open) in open_lines(tx, ctx, document, &partner_account.id, partner)? {
            // A receipt settles debit-side items (invoices); a payment credit-side ones (bills).
            let open = match input.direction {
                Direction::Receipt => open,
                Direction::Payment => -open,
            };
            let take = open.min(left);
            if take <= 0 {
                continue;
            }
            match input.direction {
                Direction::Receipt => crate::open_items::record(tx, ctx, &line, &own_line, take)?,
                Direction::Payment => crate::open_items::record(tx, ctx, &own_line, &line, take)?,
            }
            left -= take;
            settled.push(Settlement { document: document.clone(), amount: yuan(take) });
        }
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
            &amount,
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
        serde_json::json!({"direction": input.direction.code(), "amount": amount, "partner": partner}),
    )?;
    Ok(Payment {
        id,
        direction: input.direction,
        partner_id: partner.to_string(),
        amount: yuan(amount),
        date: day,
        reference: input.reference.trim().to_string(),
        voucher_id: voucher.to_string(),
        settled,
        unapplied: yuan(left),
    })
}

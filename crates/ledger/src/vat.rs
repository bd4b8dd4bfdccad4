//! The VAT summary of a period from the 应交增值税 accounts (china.md §1.4): output tax, input
//! tax, input tax transferred out, the period's payable (or the credit carried forward, 留抵),
//! and the sales revenue it relates to. Sales by rate need the invoices' lines (sales module).

use kernel::db::Tx;
use kernel::{Ctx, Currency, Error, Money, Result};
use serde::Serialize;

use crate::permissions::READ;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VatSummary {
    pub period: String,
    /// 主营业务收入 and 其他业务收入 of the period (without the carry-forward).
    pub sales: String,
    pub output_tax: String,
    pub input_tax: String,
    pub input_transferred_out: String,
    /// Credit left from earlier periods (留抵税额), used first.
    pub carried_credit: String,
    /// output − input + transferred out − carried credit, when positive.
    pub payable: String,
    /// What is left to carry into the next period, when the input side is larger.
    pub credit_forward: String,
}

fn yuan(fen: i64) -> String {
    Money::from_minor(fen, Currency::CNY).to_string()
}

/// Turnover of the accounts playing `roles` in periods between `from` and `to` (credit − debit).
fn turnover(tx: &mut Tx<'_>, ctx: &Ctx, roles: &[&str], from: &str, to: &str) -> Result<i64> {
    let mut total = 0;
    for role in roles {
        total += tx.scalar::<i64>(
            "select coalesce(sum(b.credit - b.closing_credit - b.debit + b.closing_debit), 0)
             from ledger_balance b join ledger_account a on a.id = b.account_id
             where b.company_id = $1 and a.role = $2 and b.period >= $3 and b.period <= $4",
            &[&ctx.company(), role, &from, &to],
        )?;
    }
    Ok(total)
}

fn revenue(tx: &mut Tx<'_>, ctx: &Ctx, from: &str, to: &str) -> Result<i64> {
    // Revenue accounts by code under the chart (5001/5051 小企业; 6001/6051 企业).
    tx.scalar(
        "select coalesce(sum(b.credit - b.closing_credit - b.debit + b.closing_debit), 0)
         from ledger_balance b join ledger_account a on a.id = b.account_id
         where b.company_id = $1 and a.category = 'profit_loss' and a.direction = 'credit'
           and (a.role = 'revenue' or a.code in ('5051', '6051')) and b.period >= $2 and b.period <= $3",
        &[&ctx.company(), &from, &to],
    )
}

pub fn vat_summary(tx: &mut Tx<'_>, ctx: &Ctx, period: &str) -> Result<VatSummary> {
    ctx.require(READ)?;
    let period = period.trim();
    if period.len() != 7 || kernel::clock::parse_date(&format!("{period}-01")).is_err() {
        return Err(Error::field("period", "ledger.period_invalid"));
    }
    let output = turnover(tx, ctx, &["vat.output"], period, period)?;
    let input = -turnover(tx, ctx, &["vat.input"], period, period)?;
    let transferred = turnover(tx, ctx, &["vat.input_transfer"], period, period)?;
    // The credit carried in: what earlier periods left (input beyond output), never negative.
    let before = turnover(tx, ctx, &["vat.output", "vat.input", "vat.input_transfer"], "0000-00", &previous(period))?;
    let carried = (-before).max(0);
    let net = output - input + transferred - carried;
    Ok(VatSummary {
        period: period.to_string(),
        sales: yuan(revenue(tx, ctx, period, period)?),
        output_tax: yuan(output),
        input_tax: yuan(input),
        input_transferred_out: yuan(transferred),
        carried_credit: yuan(carried),
        payable: yuan(net.max(0)),
        credit_forward: yuan((-net).max(0)),
    })
}

/// The month before `YYYY-MM`.
fn previous(period: &str) -> String {
    let (year, month): (i32, u32) = (period[..4].parse().unwrap_or(0), period[5..].parse().unwrap_or(1));
    if month <= 1 { format!("{:04}-12", year - 1) } else { format!("{year:04}-{:02}", month - 1) }
}

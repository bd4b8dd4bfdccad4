//! Month-end revaluation of open foreign-currency items (期末汇兑损益调整): receivables and
//! payables booked in USD, EUR… are restated at the month-end rate so the balance sheet shows
//! what they are worth that day; the difference is an unrealised exchange gain or loss in
//! 汇兑损益 (财务费用 under 小企业会计准则).
//!
//! The adjustment is reversed on the first day of the next month (红字冲销). Payments keep
//! settling items at the rate they were booked at and book the realised difference then, so
//! nothing is counted twice, and each month-end restates from the booked amounts again.

use std::collections::BTreeMap;

use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::money::div_round_half_up;
use kernel::{Ctx, Currency, Error, Money, Result};
use serde::{Deserialize, Serialize};

use crate::account::by_role;
use crate::permissions::{CLOSE, POST};
use crate::voucher::{AutoLine, post_automatic, reverse};

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"rates": {"USD": "7.2500"}}))]
pub struct RevaluationInput {
    /// Month-end rates (CNY per unit) by currency; the recorded rate of the month's last day
    /// for any currency not given.
    #[serde(default)]
    pub rates: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RevaluedItem {
    pub account: String,
    pub partner_id: Option<String>,
    pub currency: String,
    /// What is open, in the currency.
    pub open_foreign: String,
    /// What it is booked at in CNY, and what it is worth at the month-end rate.
    pub booked: String,
    pub revalued: String,
    pub rate: String,
    /// Revalued − booked on the item's side: positive is a gain on receivables and a loss
    /// on payables.
    pub difference: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Revaluation {
    pub period: String,
    pub items: Vec<RevaluedItem>,
    /// The adjustment voucher (none when nothing changed) and its reversal on the next day.
    pub voucher_id: Option<String>,
    pub reversal_id: Option<String>,
    /// Net gain (+) or loss (−) in CNY.
    pub gain: String,
}

fn yuan(fen: i64) -> String {
    Money::from_minor(fen, Currency::CNY).to_string()
}

/// An open foreign item: account, partner, currency, open CNY (signed), open foreign (signed).
struct OpenForeign {
    account_id: String,
    account_code: String,
    partner: Option<String>,
    currency: String,
    open_cny: i64,
    open_foreign: i64,
}

fn open_foreign_items(tx: &mut Tx<'_>, ctx: &Ctx, last_day: &str) -> Result<Vec<OpenForeign>> {
    let rows = tx.query(
        "select l.account_id, a.code, l.partner_id, c.currency, l.debit - l.credit, c.amount,
                coalesce((select sum(m.amount) from ledger_reconcile m where m.debit_line_id = l.id), 0),
                coalesce((select sum(m.amount) from ledger_reconcile m where m.credit_line_id = l.id), 0)
         from ledger_line_currency c join ledger_line l on l.id = c.line_id
         join ledger_account a on a.id = l.account_id
         where c.company_id = $1 and l.posted = 1 and l.date <= $2
         order by a.code, l.partner_id, l.date, l.id",
        &[&ctx.company(), &last_day],
    )?;
    let mut out = Vec::new();
    for r in rows {
        let (signed, foreign, as_debit, as_credit): (i64, i64, i64, i64) = (r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?);
        let open_cny = if signed > 0 { signed - as_debit } else { signed + as_credit };
        if open_cny == 0 || signed == 0 {
            continue;
        }
        // The open part in the currency, in proportion to what is open in CNY.
        let open_foreign =
            i64::try_from(div_round_half_up(i128::from(foreign) * i128::from(open_cny), i128::from(signed)))
                .unwrap_or(0);
        out.push(OpenForeign {
            account_id: r.get(0)?,
            account_code: r.get(1)?,
            partner: r.get(2)?,
            currency: r.get(3)?,
            open_cny,
            open_foreign,
        });
    }
    Ok(out)
}

/// CNY per unit × 10^8 as a decimal with at least four places (7.2500).
fn rate_text(rate_e8: i64) -> String {
    let digits = format!("{:08}", rate_e8 % 100_000_000);
    let trimmed = digits.trim_end_matches('0');
    let places = if trimmed.len() < 4 { &digits[..4] } else { trimmed };
    format!("{}.{places}", rate_e8 / 100_000_000)
}

fn parse_rate(text: &str) -> Result<i64> {
    let rate: kernel::UnitPrice = text.trim().parse().map_err(|_| Error::field("rates", "ledger.rate_invalid"))?;
    Some(rate.scaled()).filter(|r| *r > 0).map(|r| r * 100).ok_or_else(|| Error::field("rates", "ledger.rate_invalid"))
}

/// Revalues the open foreign-currency items at the end of `period` and posts the adjustment,
/// reversed on the next month's first day. Once per month.
pub fn revalue(tx: &mut Tx<'_>, ctx: &Ctx, period: &str, input: &RevaluationInput) -> Result<Revaluation> {
    ctx.require(CLOSE)?;
    let (period, _) = crate::statements::check_period(period)?;
    let (year, month): (i32, u8) = (period[..4].parse().unwrap_or(0), period[5..].parse().unwrap_or(0));
    let (next_year, next_month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    let next_first = kernel::clock::parse_date(&format!("{next_year:04}-{next_month:02}-01"))
        .map_err(|_| Error::field("period", "ledger.period_invalid"))?;
    let last_day = next_first.previous_day().ok_or_else(|| Error::field("period", "ledger.period_invalid"))?;
    let source = DocRef::new("ledger.revaluation", &period);
    let done: i64 = tx.scalar(
        "select count(*) from ledger_voucher where company_id = $1 and source_kind = $2 and source_id = $3 and reverses is null",
        &[&ctx.company(), &source.kind, &source.id],
    )?;
    if done > 0 {
        return Err(Error::conflict("ledger.already_revalued").with_param("period", &period));
    }
    let mut rates: BTreeMap<String, i64> = BTreeMap::new();
    for (currency, text) in &input.rates {
        rates.insert(currency.trim().to_uppercase(), parse_rate(text)?);
    }
    let items = open_foreign_items(tx, ctx, &kernel::clock::format_date(last_day))?;
    let fx = by_role(tx, ctx, "exchange_difference").or_else(|_| by_role(tx, ctx, "finance_expense"))?;
    let summary = format!("{period} 期末汇兑损益调整");
    let (mut lines, mut report, mut gain) = (Vec::new(), Vec::new(), 0i64);
    for item in items {
        let rate = match rates.get(&item.currency) {
            Some(rate) => *rate,
            None => {
                let rate = product::rate_on(tx, ctx, &item.currency, last_day)?;
                rates.insert(item.currency.clone(), rate);
                rate
            }
        };
        let unit = Currency::from_code(&item.currency)?;
        let revalued = i64::try_from(div_round_half_up(
            i128::from(item.open_foreign) * i128::from(rate) * 100,
            i128::from(unit.minor_per_major()) * 100_000_000,
        ))
        .unwrap_or(0);
        // Signed like the item (+ debit side): a receivable worth more is a debit and a gain; a
        // payable (negative) worth more is a credit and a loss.
        let difference = revalued - item.open_cny;
        report.push(RevaluedItem {
            account: item.account_code.clone(),
            partner_id: item.partner.clone(),
            currency: item.currency.clone(),
            open_foreign: Money::from_minor(item.open_foreign.abs(), unit).to_string(),
            booked: yuan(item.open_cny.abs()),
            revalued: yuan(revalued.abs()),
            rate: rate_text(rate),
            difference: yuan(if item.open_cny > 0 { difference } else { -difference }),
        });
        if difference == 0 {
            continue;
        }
        gain += difference;
        let (debit, credit) = if difference > 0 { (difference, 0) } else { (0, -difference) };
        lines.push(AutoLine {
            partner_id: item.partner.clone(),
            ..AutoLine::to_account(item.account_id.clone(), format!("{summary} {}", item.currency), debit, credit)
        });
    }
    let (mut voucher_id, mut reversal_id) = (None, None);
    if gain != 0 || !lines.is_empty() {
        let (debit, credit) = if gain > 0 { (0, gain) } else { (-gain, 0) };
        lines.push(AutoLine::to_account(fx.id.clone(), summary.clone(), debit, credit));
        let voucher = post_automatic(tx, ctx, last_day, &summary, &source, &lines)?;
        let posting = ctx.with_granted(&[POST]);
        let red = reverse(tx, &posting, voucher, &kernel::clock::format_date(next_first))?;
        settle_with_reversal(tx, ctx, &voucher.to_string(), &red.id.to_string())?;
        voucher_id = Some(voucher.to_string());
        reversal_id = Some(red.id.to_string());
    }
    kernel::audit::record(
        tx,
        ctx,
        "ledger.revaluation",
        "ledger.period",
        &period,
        serde_json::json!({"gain": gain, "voucher": voucher_id}),
    )?;
    Ok(Revaluation { period, items: report, voucher_id, reversal_id, gain: yuan(gain) })
}

/// Matches each partner line of the adjustment with its red-ink twin, so neither shows as an
/// open item of the partner (their sum is zero once the reversal is posted).
fn settle_with_reversal(tx: &mut Tx<'_>, ctx: &Ctx, voucher: &str, red: &str) -> Result<()> {
    let lines = |tx: &mut Tx<'_>, id: &str| -> Result<Vec<(String, i64)>> {
        tx.query(
            "select id, debit - credit from ledger_line where voucher_id = $1 and partner_id is not null order by seq",
            &[&id],
        )?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect()
    };
    let (original, reversal) = (lines(tx, voucher)?, lines(tx, red)?);
    for ((line, signed), (twin, _)) in original.iter().zip(reversal.iter()) {
        let (debit_side, credit_side) = if *signed > 0 { (line, twin) } else { (twin, line) };
        crate::open_items::record(tx, ctx, debit_side, credit_side, signed.abs())?;
    }
    Ok(())
}

//! Sales by VAT rate for a month (the 增值税申报表 附列资料一 view): net amount and output tax of
//! the posted invoices of each rate, credit notes subtracted, in CNY at each invoice's rate.

use std::collections::BTreeMap;

use kernel::db::Tx;
use kernel::money::div_round_half_up;
use kernel::{Ctx, Currency, Error, Money, Result};
use serde::Serialize;

use crate::permissions::INVOICE_READ;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RateLine {
    pub tax_code: String,
    /// Percent.
    pub rate: String,
    pub invoices: i64,
    pub untaxed: String,
    pub tax: String,
}

fn yuan(fen: i64) -> String {
    Money::from_minor(fen, Currency::CNY).to_string()
}

/// Posted invoices and credit notes dated in `period` (YYYY-MM), by rate.
pub fn sales_by_rate(tx: &mut Tx<'_>, ctx: &Ctx, period: &str) -> Result<Vec<RateLine>> {
    ctx.require(INVOICE_READ)?;
    let first = kernel::clock::parse_date(&format!("{period}-01"))
        .map_err(|_| Error::field("period", "ledger.period_invalid"))?;
    let next = first
        .replace_day(1)
        .ok()
        .and_then(|d| d.checked_add(time::Duration::days(32)))
        .and_then(|d| d.replace_day(1).ok());
    let next = next.ok_or_else(|| Error::field("period", "ledger.period_invalid"))?;
    let rows = tx.query(
        "select l.tax_code, l.tax_rate_bp, i.kind, i.currency, i.invoice_date, i.id, l.untaxed, l.tax
         from sales_invoice i join sales_invoice_line l on l.invoice_id = i.id
         where i.company_id = $1 and i.state in ('posted', 'paid') and i.invoice_date >= $2 and i.invoice_date < $3",
        &[&ctx.company(), &kernel::clock::format_date(first), &kernel::clock::format_date(next)],
    )?;
    let mut rates: BTreeMap<(i64, String), (std::collections::BTreeSet<String>, i64, i64)> = BTreeMap::new();
    let mut rate_of: BTreeMap<(String, String), i64> = BTreeMap::new();
    for r in &rows {
        let (code, bp, kind, currency, date, invoice): (String, i64, String, String, String, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
        let sign = if kind == "credit_note" { -1 } else { 1 };
        let rate = match rate_of.get(&(currency.clone(), date.clone())) {
            Some(rate) => *rate,
            None => {
                let rate = product::rate_on(tx, ctx, &currency, kernel::clock::parse_date(&date)?)?;
                rate_of.insert((currency.clone(), date.clone()), rate);
                rate
            }
        };
        let per_major = i128::from(Currency::from_code(&currency)?.minor_per_major());
        let cny = |minor: i64| {
            i64::try_from(div_round_half_up(i128::from(minor) * i128::from(rate) * 100, per_major * 100_000_000))
                .unwrap_or(0)
        };
        let entry = rates.entry((-bp, code)).or_default();
        entry.0.insert(invoice);
        entry.1 += sign * cny(r.get(6)?);
        entry.2 += sign * cny(r.get(7)?);
    }
    Ok(rates
        .into_iter()
        .map(|((bp, code), (invoices, untaxed, tax))| RateLine {
            tax_code: code,
            rate: format!("{}", -bp / 100)
                + &if (-bp) % 100 == 0 { String::new() } else { format!(".{:02}", (-bp) % 100) },
            invoices: invoices.len() as i64,
            untaxed: yuan(untaxed),
            tax: yuan(tax),
        })
        .collect())
}

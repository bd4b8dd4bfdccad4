//! Currencies with their minor units (JPY has none) and exchange rates by date, against the
//! company's base currency (CNY).

use kernel::db::Tx;
use kernel::{Ctx, Currency, Error, Result};
use serde::{Deserialize, Serialize};

use crate::permissions::{SETUP_READ, SETUP_WRITE};

/// Eight decimals for rates.
pub const RATE_SCALE: i64 = 100_000_000;

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"currency": "USD", "date": "2026-11-26", "rate": "7.1234"}))]
pub struct ExchangeRate {
    pub currency: String,
    /// The day from which the rate applies.
    pub date: String,
    /// Base-currency units for one unit of `currency`, up to 8 decimals.
    pub rate: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "TWD", "name": "新台币", "minor_units": 2}))]
pub struct CurrencyInfo {
    pub code: String,
    pub name: String,
    pub minor_units: i64,
}

/// The currencies a company starts with.
pub(crate) fn seed(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<()> {
    let names =
        [("CNY", "人民币"), ("USD", "美元"), ("EUR", "欧元"), ("JPY", "日元"), ("HKD", "港币"), ("GBP", "英镑")];
    for (code, name) in names {
        let currency = Currency::from_code(code)?;
        tx.execute(
            "insert into product_currency (company_id, code, name, minor_units) values ($1, $2, $3, $4)",
            &[&ctx.company(), &code, &name, &i64::from(currency.minor_units())],
        )?;
    }
    Ok(())
}

pub fn list_currencies(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<CurrencyInfo>> {
    ctx.require(SETUP_READ)?;
    tx.query(
        "select code, name, minor_units from product_currency where company_id = $1 order by code",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| Ok(CurrencyInfo { code: r.get(0)?, name: r.get(1)?, minor_units: r.get(2)? }))
    .collect()
}

/// Adds a currency to the company's list. Only ISO currencies the money type knows are
/// accepted, with their own minor units (JPY 0, CNY 2): amounts must round the same everywhere.
pub fn add_currency(tx: &mut Tx<'_>, ctx: &Ctx, input: &CurrencyInfo) -> Result<CurrencyInfo> {
    ctx.require(SETUP_WRITE)?;
    let currency = Currency::from_code(&input.code)
        .map_err(|_| Error::field("code", "kernel.currency.unknown").with_param("code", &input.code))?;
    if i64::from(currency.minor_units()) != input.minor_units {
        return Err(Error::field("minor_units", "product.currency_minor_units")
            .with_param("minor_units", currency.minor_units()));
    }
    let name = input.name.trim();
    if name.is_empty() {
        return Err(Error::field("name", "product.name_invalid"));
    }
    let code = currency.code().to_string();
    if tx
        .query_opt("select 1 from product_currency where company_id = $1 and code = $2", &[&ctx.company(), &code])?
        .is_some()
    {
        return Err(Error::field("code", "product.code_taken"));
    }
    tx.execute(
        "insert into product_currency (company_id, code, name, minor_units) values ($1, $2, $3, $4)",
        &[&ctx.company(), &code, &name, &input.minor_units],
    )?;
    kernel::audit::record(
        tx,
        ctx,
        "product.currency.add",
        "product.currency",
        &code,
        serde_json::json!({"name": name}),
    )?;
    Ok(CurrencyInfo { code, name: name.to_string(), minor_units: input.minor_units })
}

fn parse_rate(text: &str) -> Result<i64> {
    let rate: kernel::UnitPrice = text.parse().map_err(|_| Error::field("rate", "product.rate_invalid"))?;
    // UnitPrice has six decimals; rates keep eight.
    let scaled = rate.scaled().checked_mul(100).ok_or_else(|| Error::field("rate", "product.rate_invalid"))?;
    if scaled <= 0 {
        return Err(Error::field("rate", "product.rate_invalid"));
    }
    Ok(scaled)
}

/// Records (or replaces) the rate of a currency from a date on.
pub fn set_rate(tx: &mut Tx<'_>, ctx: &Ctx, rate: &ExchangeRate) -> Result<ExchangeRate> {
    ctx.require(SETUP_WRITE)?;
    let code = rate.currency.trim().to_uppercase();
    let known: i64 = tx.scalar(
        "select count(*) from product_currency where company_id = $1 and code = $2",
        &[&ctx.company(), &code],
    )?;
    if known == 0 {
        return Err(Error::field("currency", "kernel.currency.unknown").with_param("code", &code));
    }
    let date = kernel::clock::parse_date(&rate.date)
        .map_err(|_| Error::field("date", "kernel.date.invalid").with_param("value", &rate.date))?;
    let scaled = parse_rate(&rate.rate)?;
    let date = kernel::clock::format_date(date);
    tx.execute(
        "delete from product_exchange_rate where company_id = $1 and currency = $2 and date = $3",
        &[&ctx.company(), &code, &date],
    )?;
    tx.execute(
        "insert into product_exchange_rate (company_id, currency, date, rate_e8) values ($1, $2, $3, $4)",
        &[&ctx.company(), &code, &date, &scaled],
    )?;
    kernel::audit::record(
        tx,
        ctx,
        "product.rate.set",
        "product.currency",
        &code,
        serde_json::json!({"date": date, "rate_e8": scaled}),
    )?;
    Ok(ExchangeRate { currency: code, date, rate: format!("{}.{:08}", scaled / RATE_SCALE, scaled % RATE_SCALE) })
}

/// The rate in force on `date` (the latest on or before it), scaled by 10^8.
pub fn rate_on(tx: &mut Tx<'_>, ctx: &Ctx, currency: &str, date: time::Date) -> Result<i64> {
    if currency == "CNY" {
        return Ok(RATE_SCALE);
    }
    tx.query_opt(
        "select rate_e8 from product_exchange_rate where company_id = $1 and currency = $2 and date <= $3 order by date desc limit 1",
        &[&ctx.company(), &currency, &kernel::clock::format_date(date)],
    )?
    .ok_or_else(|| Error::invalid("product.rate_missing").with_param("currency", currency).with_param("date", kernel::clock::format_date(date)))?
    .get(0)
}

/// An amount (minor units of `currency`) in yuan at `date`'s rate, as decimal text ("67800.00"):
/// what approval conditions compare, so one limit covers every currency.
pub fn in_cny_text(tx: &mut Tx<'_>, ctx: &Ctx, minor: i64, currency: &str, date: time::Date) -> Result<String> {
    let units = kernel::Currency::from_code(currency)?.minor_per_major();
    let rate = rate_on(tx, ctx, currency, date)?;
    let fen = kernel::money::div_round_half_up(
        i128::from(minor) * i128::from(rate) * 100,
        i128::from(units) * i128::from(RATE_SCALE),
    );
    Ok(format!("{}{}.{:02}", if fen < 0 { "-" } else { "" }, fen.abs() / 100, fen.abs() % 100))
}

/// The latest recorded rates, newest first.
pub fn list_rates(tx: &mut Tx<'_>, ctx: &Ctx, limit: i64) -> Result<Vec<ExchangeRate>> {
    ctx.require(SETUP_READ)?;
    tx.query(
        "select currency, date, rate_e8 from product_exchange_rate where company_id = $1 order by date desc, currency limit $2",
        &[&ctx.company(), &limit],
    )?
    .iter()
    .map(|r| {
        let scaled: i64 = r.get(2)?;
        Ok(ExchangeRate { currency: r.get(0)?, date: r.get(1)?, rate: format!("{}.{:08}", scaled / RATE_SCALE, scaled % RATE_SCALE) })
    })
    .collect()
}

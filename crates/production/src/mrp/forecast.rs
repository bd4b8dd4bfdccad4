//! Demand forecasts (需求预测): quantities of a product expected on a date. MRP plans for a
//! forecast what the month's open sales deliveries of the product do not already ask for
//! (forecast consumption), so an order that was forecast is not planned twice.

use kernel::db::Tx;
use kernel::{Ctx, Error, Quantity, Result, audit};
use serde::{Deserialize, Serialize};

use crate::bom::{product_id, qty_text};
use crate::permissions::{PLAN, READ};

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"product": "BIKE", "date": "2099-12-15", "quantity": "40", "note": "12月预测"}))]
pub struct ForecastInput {
    pub product: String,
    pub date: String,
    pub quantity: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Forecast {
    pub id: String,
    pub product_id: String,
    pub product_code: String,
    pub date: String,
    pub quantity: String,
    pub note: String,
}

pub fn add_forecast(tx: &mut Tx<'_>, ctx: &Ctx, input: &ForecastInput) -> Result<Forecast> {
    ctx.require(PLAN)?;
    let product = product_id(tx, ctx, &input.product, "product")?;
    let date = kernel::clock::parse_date(input.date.trim())
        .map(kernel::clock::format_date)
        .map_err(|_| Error::field("date", "production.date_invalid"))?;
    let quantity = input
        .quantity
        .trim()
        .parse::<Quantity>()
        .ok()
        .map(|q| q.scaled())
        .filter(|q| *q > 0)
        .ok_or_else(|| Error::field("quantity", "production.quantity_invalid"))?;
    let id = kernel::id::Uuid::now_v7().to_string();
    tx.execute(
        "insert into production_forecast (id, company_id, product_id, date, quantity, note, created_at)
         values ($1, $2, $3, $4, $5, $6, $7)",
        &[&id, &ctx.company(), &product, &date, &quantity, &input.note.trim(), &ctx.now_text()],
    )?;
    audit::record(tx, ctx, "production.forecast.add", "production.forecast", &id, serde_json::json!({"date": date}))?;
    let mut all = list(tx, ctx, "and f.id = $2", &id)?;
    all.pop().ok_or_else(|| Error::not_found("production.forecast_not_found"))
}

/// Forecasts from today on, by date.
pub fn list_forecasts(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Forecast>> {
    ctx.require(READ)?;
    let today = kernel::clock::format_date(ctx.today());
    list(tx, ctx, "and f.date >= $2", &today)
}

fn list(tx: &mut Tx<'_>, ctx: &Ctx, filter: &str, value: &str) -> Result<Vec<Forecast>> {
    tx.query(
        &format!(
            "select f.id, f.product_id, p.code, f.date, f.quantity, f.note from production_forecast f
             join product_product p on p.id = f.product_id where f.company_id = $1 {filter} order by f.date, p.code limit 1000"
        ),
        &[&ctx.company(), &value],
    )?
    .iter()
    .map(|r| {
        Ok(Forecast {
            id: r.get(0)?,
            product_id: r.get(1)?,
            product_code: r.get(2)?,
            date: r.get(3)?,
            quantity: qty_text(r.get(4)?),
            note: r.get(5)?,
        })
    })
    .collect()
}

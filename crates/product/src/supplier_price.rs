//! Supplier information for purchasing: a supplier's code for the product, its price with
//! quantity breaks, lead time and minimum order quantity. Purchasing picks the break that the
//! ordered quantity reaches.

use kernel::db::Tx;
use kernel::{Ctx, Error, Quantity, Result, UnitPrice};
use serde::{Deserialize, Serialize};

use crate::permissions::{PRODUCT_READ, PRODUCT_WRITE};
use crate::product::ProductId;

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"supplier_id": "01900000-0000-7000-8000-000000000001", "supplier_code": "LJ-250",
    "min_qty": "100", "price": "85.5", "currency": "CNY", "lead_time_days": 7, "min_order_qty": "50"}))]
pub struct SupplierPrice {
    /// The supplier (a party id).
    pub supplier_id: String,
    #[serde(default)]
    pub supplier_code: String,
    /// The break: this price applies from this quantity on (in the product's unit).
    #[schema(value_type = String)]
    pub min_qty: Quantity,
    #[schema(value_type = String)]
    pub price: UnitPrice,
    pub currency: String,
    #[serde(default)]
    pub lead_time_days: i64,
    #[schema(value_type = String)]
    #[serde(default)]
    pub min_order_qty: Quantity,
}

/// Adds or replaces one quantity break. The caller has checked that `supplier_id` is a supplier
/// of this company.
pub fn set_supplier_price(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    product: ProductId,
    input: &SupplierPrice,
) -> Result<SupplierPrice> {
    ctx.require(PRODUCT_WRITE)?;
    crate::product::get_product(tx, ctx, product)?;
    if input.min_qty.is_negative() || input.min_order_qty.is_negative() {
        return Err(Error::field("min_qty", "product.quantity_invalid"));
    }
    if input.price.scaled() < 0 {
        return Err(Error::field("price", "product.price_invalid"));
    }
    if !(0..=3650).contains(&input.lead_time_days) {
        return Err(Error::field("lead_time_days", "product.lead_time_invalid"));
    }
    let currency = kernel::Currency::from_code(&input.currency)
        .map_err(|_| Error::field("currency", "kernel.currency.unknown").with_param("code", &input.currency))?;
    tx.execute(
        "delete from product_supplier_price where company_id = $1 and product_id = $2 and supplier_id = $3 and min_qty = $4",
        &[&ctx.company(), &product, &input.supplier_id, &input.min_qty],
    )?;
    tx.execute(
        "insert into product_supplier_price (id, company_id, product_id, supplier_id, supplier_code, min_qty, price, currency, lead_time_days, min_order_qty, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            &kernel::id::Uuid::now_v7(), &ctx.company(), &product, &input.supplier_id, &input.supplier_code.trim(), &input.min_qty, &input.price,
            &currency.code(), &input.lead_time_days, &input.min_order_qty, &ctx.now_text(),
        ],
    )?;
    kernel::audit::record(
        tx,
        ctx,
        "product.supplier_price.set",
        "product.product",
        &product,
        serde_json::json!({"supplier": input.supplier_id, "min_qty": input.min_qty, "price": input.price}),
    )?;
    Ok(SupplierPrice { currency: currency.code().into(), ..input.clone() })
}

/// Per product with supplier prices: the shortest lead time (days) and the largest minimum
/// order quantity among its suppliers, for material planning (one query for the company).
pub fn purchase_terms(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<(String, i64, i64)>> {
    ctx.require(PRODUCT_READ)?;
    tx.query(
        "select product_id, min(lead_time_days), max(min_order_qty) from product_supplier_price
         where company_id = $1 group by product_id",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    .collect()
}

/// Every break of every supplier of a product, by supplier then quantity.
pub fn supplier_prices(tx: &mut Tx<'_>, ctx: &Ctx, product: ProductId) -> Result<Vec<SupplierPrice>> {
    ctx.require(PRODUCT_READ)?;
    // Another company's product is not there at all.
    crate::product::get_product(tx, ctx, product)?;
    tx.query(
        "select supplier_id, supplier_code, min_qty, price, currency, lead_time_days, min_order_qty from product_supplier_price
         where company_id = $1 and product_id = $2 order by supplier_id, min_qty",
        &[&ctx.company(), &product],
    )?
    .iter()
    .map(|r| {
        Ok(SupplierPrice {
            supplier_id: r.get(0)?,
            supplier_code: r.get(1)?,
            min_qty: r.get(2)?,
            price: r.get(3)?,
            currency: r.get(4)?,
            lead_time_days: r.get(5)?,
            min_order_qty: r.get(6)?,
        })
    })
    .collect()
}

/// The supplier's price for ordering `quantity`: the break with the largest `min_qty` that the
/// quantity reaches.
pub fn price_for(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    product: ProductId,
    supplier: &str,
    quantity: Quantity,
) -> Result<Option<SupplierPrice>> {
    Ok(supplier_prices(tx, ctx, product)?
        .into_iter()
        .filter(|p| p.supplier_id == supplier && p.min_qty <= quantity)
        .max_by_key(|p| p.min_qty))
}

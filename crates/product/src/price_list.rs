//! Price lists per customer group, valid between dates, with quantity breaks, stating prices
//! with or without VAT. `quote` finds the price a customer of a group pays for a quantity on a
//! date: the group's own lists before the general ones, then the largest break reached.

use kernel::db::Tx;
use kernel::{Ctx, Error, Quantity, Result, UnitPrice};
use serde::{Deserialize, Serialize};

use crate::permissions::{PRODUCT_READ, PRODUCT_WRITE};
use crate::product::ProductId;

kernel::define_id!(
    /// A price list.
    PriceListId
);

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "WHOLESALE-2026", "name": "2026 批发价", "customer_group": "wholesale", "currency": "CNY",
    "price_includes_tax": true, "valid_from": "2026-01-01", "valid_to": "2026-12-31"}))]
pub struct PriceList {
    #[serde(default, skip_deserializing)]
    pub id: String,
    pub code: String,
    pub name: String,
    /// The customer group it applies to; empty for every customer.
    #[serde(default)]
    pub customer_group: String,
    pub currency: String,
    /// 含税价 (true) or 不含税价 (false).
    pub price_includes_tax: bool,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"product_id": "01900000-0000-7000-8000-000000000001", "min_qty": "10", "price": "113"}))]
pub struct PriceListItem {
    pub product_id: String,
    #[schema(value_type = String)]
    pub min_qty: Quantity,
    #[schema(value_type = String)]
    pub price: UnitPrice,
}

/// The price that applies, and where it comes from.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Quote {
    pub price_list: String,
    #[schema(value_type = String)]
    pub price: UnitPrice,
    pub price_includes_tax: bool,
    pub currency: String,
    #[schema(value_type = String)]
    pub min_qty: Quantity,
}

fn date_or_none(field: &'static str, text: Option<&str>) -> Result<Option<String>> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            kernel::clock::parse_date(t)
                .map(kernel::clock::format_date)
                .map_err(|_| Error::field(field, "kernel.date.invalid").with_param("value", t))
        })
        .transpose()
}

pub fn create_price_list(tx: &mut Tx<'_>, ctx: &Ctx, input: &PriceList) -> Result<PriceList> {
    ctx.require(PRODUCT_WRITE)?;
    let code = input.code.trim();
    if code.is_empty() || input.name.trim().is_empty() {
        return Err(Error::field("code", "product.code_invalid"));
    }
    let currency = kernel::Currency::from_code(&input.currency)
        .map_err(|_| Error::field("currency", "kernel.currency.unknown").with_param("code", &input.currency))?;
    let (from, to) = (
        date_or_none("valid_from", input.valid_from.as_deref())?,
        date_or_none("valid_to", input.valid_to.as_deref())?,
    );
    if let (Some(f), Some(t)) = (&from, &to)
        && f > t
    {
        return Err(Error::field("valid_to", "product.validity_invalid"));
    }
    let taken: i64 = tx.scalar(
        "select count(*) from product_price_list where company_id = $1 and code = $2",
        &[&ctx.company(), &code],
    )?;
    if taken > 0 {
        return Err(Error::field("code", "product.code_taken"));
    }
    let id = PriceListId::new();
    tx.execute(
        "insert into product_price_list (id, company_id, code, name, customer_group, currency, price_includes_tax, valid_from, valid_to, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[&id, &ctx.company(), &code, &input.name.trim(), &input.customer_group.trim(), &currency.code(), &input.price_includes_tax, &from, &to, &ctx.now_text()],
    )?;
    kernel::audit::record(
        tx,
        ctx,
        "product.price_list.create",
        "product.price_list",
        &id,
        serde_json::json!({"code": code, "group": input.customer_group}),
    )?;
    Ok(PriceList {
        id: id.to_string(),
        code: code.into(),
        currency: currency.code().into(),
        valid_from: from,
        valid_to: to,
        ..input.clone()
    })
}

pub fn list_price_lists(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<PriceList>> {
    ctx.require(PRODUCT_READ)?;
    tx.query(
        "select id, code, name, customer_group, currency, price_includes_tax, valid_from, valid_to from product_price_list
         where company_id = $1 order by code",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| {
        Ok(PriceList {
            id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            customer_group: r.get(3)?,
            currency: r.get(4)?,
            price_includes_tax: r.get(5)?,
            valid_from: r.get(6)?,
            valid_to: r.get(7)?,
        })
    })
    .collect()
}

/// Adds or replaces one quantity break of a product in a list.
pub fn set_item(tx: &mut Tx<'_>, ctx: &Ctx, list: PriceListId, item: &PriceListItem) -> Result<PriceListItem> {
    ctx.require(PRODUCT_WRITE)?;
    let known: i64 = tx.scalar(
        "select count(*) from product_price_list where company_id = $1 and id = $2",
        &[&ctx.company(), &list],
    )?;
    if known == 0 {
        return Err(Error::not_found("product.price_list_not_found"));
    }
    let product = ProductId::parse(&item.product_id).map_err(|_| Error::field("product_id", "product.not_found"))?;
    crate::product::get_product(tx, ctx, product).map_err(|_| Error::field("product_id", "product.not_found"))?;
    if item.min_qty.is_negative() {
        return Err(Error::field("min_qty", "product.quantity_invalid"));
    }
    if item.price.scaled() < 0 {
        return Err(Error::field("price", "product.price_invalid"));
    }
    tx.execute(
        "delete from product_price_list_item where price_list_id = $1 and product_id = $2 and min_qty = $3",
        &[&list, &product, &item.min_qty],
    )?;
    tx.execute(
        "insert into product_price_list_item (id, company_id, price_list_id, product_id, min_qty, price) values ($1, $2, $3, $4, $5, $6)",
        &[&kernel::id::Uuid::now_v7(), &ctx.company(), &list, &product, &item.min_qty, &item.price],
    )?;
    kernel::audit::record(
        tx,
        ctx,
        "product.price_list.item",
        "product.price_list",
        &list,
        serde_json::json!({"product": product, "min_qty": item.min_qty, "price": item.price}),
    )?;
    Ok(item.clone())
}

/// The price a customer of `group` pays for `quantity` of a product on `date`: lists of the
/// group come before general lists; within them, the largest break the quantity reaches.
pub fn quote(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    product: ProductId,
    group: &str,
    quantity: Quantity,
    date: time::Date,
) -> Result<Option<Quote>> {
    ctx.require(PRODUCT_READ)?;
    let day = kernel::clock::format_date(date);
    let row = tx.query_opt(
        "select l.code, i.price, l.price_includes_tax, l.currency, i.min_qty
         from product_price_list_item i join product_price_list l on l.id = i.price_list_id
         where i.company_id = $1 and i.product_id = $2 and i.min_qty <= $3
           and (l.customer_group = $4 or l.customer_group = '')
           and (l.valid_from is null or l.valid_from <= $5) and (l.valid_to is null or l.valid_to >= $5)
         order by case when l.customer_group = $4 then 0 else 1 end, i.min_qty desc, l.code
         limit 1",
        &[&ctx.company(), &product, &quantity, &group.trim(), &day],
    )?;
    row.map(|r| {
        Ok(Quote {
            price_list: r.get(0)?,
            price: r.get(1)?,
            price_includes_tax: r.get(2)?,
            currency: r.get(3)?,
            min_qty: r.get(4)?,
        })
    })
    .transpose()
}

//! Products: stockable, consumable or service items with a category, a base unit and separate
//! purchase and sales units (of the same unit category), a barcode, a default VAT rate, the
//! costing method inventory will use (moving average or FIFO), lot/serial tracking and shelf
//! life, and a list price excluding VAT.

use kernel::db::{Row, Tx};
use kernel::listing::{Filter, ListPage, ListQuery, ListSpec, col};
use kernel::{Ctx, Error, Result, UnitPrice, audit};
use serde::{Deserialize, Serialize};

use crate::category::category_id;
use crate::permissions::{PRODUCT_READ, PRODUCT_WRITE};
use crate::tax::tax_id;
use crate::uom::uom_id;

kernel::define_id!(
    /// A product.
    ProductId
);

#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "TEA-001", "name": "西湖龙井 250g", "kind": "stockable", "category": null, "uom": "pcs",
    "purchase_uom": "box12", "sales_uom": "pcs", "barcode": "6901234567892", "tax": "VAT13", "costing": "average",
    "tracking": "lot", "shelf_life_days": 540, "list_price": "128"}))]
pub struct ProductInput {
    pub code: String,
    pub name: String,
    /// `stockable`, `consumable` or `service`.
    pub kind: String,
    /// Category code.
    pub category: Option<String>,
    /// Unit codes; purchase and sales units default to the base unit.
    pub uom: String,
    pub purchase_uom: Option<String>,
    pub sales_uom: Option<String>,
    pub barcode: Option<String>,
    /// Tax code (VAT13 …).
    pub tax: Option<String>,
    /// `average` or `fifo`.
    pub costing: Option<String>,
    /// `none`, `lot` or `serial`.
    pub tracking: Option<String>,
    pub shelf_life_days: Option<i64>,
    /// Price per base unit excluding VAT, up to 6 decimals.
    pub list_price: Option<String>,
    #[serde(default)]
    pub version: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Product {
    #[schema(value_type = String)]
    pub id: ProductId,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub category: Option<String>,
    pub uom: String,
    pub purchase_uom: String,
    pub sales_uom: String,
    pub barcode: Option<String>,
    pub tax: Option<String>,
    pub costing: String,
    pub tracking: String,
    pub shelf_life_days: Option<i64>,
    pub list_price: String,
    pub active: bool,
    pub version: i64,
    /// The template this product is a variant of.
    pub template_id: Option<String>,
    /// The variant's attribute values (`{"颜色": "红"}`); empty for other products.
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
}

fn one_of(field: &'static str, value: &str, allowed: &[&str]) -> Result<String> {
    let value = value.trim().to_lowercase();
    if allowed.contains(&value.as_str()) {
        Ok(value)
    } else {
        Err(Error::field(field, "product.choice_invalid").with_param("allowed", allowed.join(", ")))
    }
}

/// Resolved ids and checked values of an input.
struct Checked {
    kind: String,
    category: Option<String>,
    uom: String,
    purchase_uom: String,
    sales_uom: String,
    tax: Option<String>,
    costing: String,
    tracking: String,
    price: UnitPrice,
}

fn check(tx: &mut Tx<'_>, ctx: &Ctx, input: &ProductInput) -> Result<Checked> {
    if input.code.trim().is_empty() || input.code.chars().count() > 60 {
        return Err(Error::field("code", "product.code_invalid"));
    }
    if input.name.trim().is_empty() || input.name.chars().count() > 200 {
        return Err(Error::field("name", "product.name_invalid"));
    }
    let kind = one_of("kind", &input.kind, &["stockable", "consumable", "service"])?;
    let costing = one_of("costing", input.costing.as_deref().unwrap_or("average"), &["average", "fifo"])?;
    let tracking = one_of("tracking", input.tracking.as_deref().unwrap_or("none"), &["none", "lot", "serial"])?;
    if input.shelf_life_days.is_some_and(|d| !(0..=36_500).contains(&d)) {
        return Err(Error::field("shelf_life_days", "product.shelf_life_invalid"));
    }
    let price = match input.list_price.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => UnitPrice::default(),
        Some(text) => text
            .parse::<UnitPrice>()
            .ok()
            .filter(|p| p.scaled() >= 0)
            .ok_or_else(|| Error::field("list_price", "product.price_invalid"))?,
    };
    let (uom, base_category) = uom_id(tx, ctx, "uom", &input.uom)?;
    let mut unit_of = |field: &'static str, code: Option<&str>| -> Result<String> {
        match code.map(str::trim).filter(|c| !c.is_empty()) {
            None => Ok(uom.clone()),
            Some(code) => {
                let (id, category) = uom_id(tx, ctx, field, code)?;
                if category != base_category {
                    return Err(Error::field(field, "product.uom_incompatible")
                        .with_param("from", &input.uom)
                        .with_param("to", code));
                }
                Ok(id)
            }
        }
    };
    let purchase_uom = unit_of("purchase_uom", input.purchase_uom.as_deref())?;
    let sales_uom = unit_of("sales_uom", input.sales_uom.as_deref())?;
    let category =
        input.category.as_deref().filter(|c| !c.trim().is_empty()).map(|c| category_id(tx, ctx, c)).transpose()?;
    let tax = input.tax.as_deref().filter(|t| !t.trim().is_empty()).map(|t| tax_id(tx, ctx, t)).transpose()?;
    Ok(Checked { kind, category, uom, purchase_uom, sales_uom, tax, costing, tracking, price })
}

/// Creates a product; returns its id (imports) — see `create_product` for the full record.
pub fn insert_product(tx: &mut Tx<'_>, ctx: &Ctx, input: &ProductInput) -> Result<ProductId> {
    ctx.require(PRODUCT_WRITE)?;
    let c = check(tx, ctx, input)?;
    let code = input.code.trim();
    let taken: i64 = tx
        .scalar("select count(*) from product_product where company_id = $1 and code = $2", &[&ctx.company(), &code])?;
    if taken > 0 {
        return Err(Error::field("code", "product.code_taken"));
    }
    let id = ProductId::new();
    let now = ctx.now_text();
    let name = input.name.trim();
    tx.execute(
        "insert into product_product (id, company_id, code, name, name_key, kind, category_id, uom_id, purchase_uom_id, sales_uom_id,
            barcode, tax_id, costing, tracking, shelf_life_days, list_price, active, created_at, created_by, updated_at, version)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $18, $17, 1)",
        &[
            &id, &ctx.company(), &code, &name, &name.to_lowercase(), &c.kind, &c.category, &c.uom, &c.purchase_uom, &c.sales_uom,
            &input.barcode.as_deref().map(str::trim).filter(|b| !b.is_empty()), &c.tax, &c.costing, &c.tracking, &input.shelf_life_days,
            &c.price, &now, &ctx.actor().label(),
        ],
    )?;
    audit::record(tx, ctx, "product.create", "product.product", &id, serde_json::json!({"code": code, "name": name}))?;
    Ok(id)
}

pub fn create_product(tx: &mut Tx<'_>, ctx: &Ctx, input: &ProductInput) -> Result<Product> {
    let id = insert_product(tx, ctx, input)?;
    get_product(tx, ctx, id)
}

pub fn update_product(tx: &mut Tx<'_>, ctx: &Ctx, id: ProductId, input: &ProductInput) -> Result<Product> {
    ctx.require(PRODUCT_WRITE)?;
    let current = get_product(tx, ctx, id)?;
    let c = check(tx, ctx, input)?;
    let code = input.code.trim();
    let taken: i64 = tx.scalar(
        "select count(*) from product_product where company_id = $1 and code = $2 and id <> $3",
        &[&ctx.company(), &code, &id],
    )?;
    if taken > 0 {
        return Err(Error::field("code", "product.code_taken"));
    }
    let name = input.name.trim();
    let changed = tx.execute(
        "update product_product set code = $1, name = $2, name_key = $3, kind = $4, category_id = $5, uom_id = $6, purchase_uom_id = $7,
            sales_uom_id = $8, barcode = $9, tax_id = $10, costing = $11, tracking = $12, shelf_life_days = $13, list_price = $14,
            updated_at = $15, version = version + 1
         where company_id = $16 and id = $17 and version = $18",
        &[
            &code, &name, &name.to_lowercase(), &c.kind, &c.category, &c.uom, &c.purchase_uom, &c.sales_uom,
            &input.barcode.as_deref().map(str::trim).filter(|b| !b.is_empty()), &c.tax, &c.costing, &c.tracking, &input.shelf_life_days,
            &c.price, &ctx.now_text(), &ctx.company(), &id, &input.version,
        ],
    )?;
    if changed == 0 {
        return Err(Error::conflict("kernel.version_conflict"));
    }
    audit::record(
        tx,
        ctx,
        "product.update",
        "product.product",
        &id,
        serde_json::json!({"name": [current.name, name], "list_price": [current.list_price, c.price]}),
    )?;
    get_product(tx, ctx, id)
}

const COLUMNS: &str =
    "p.id, p.code, p.name, p.kind, c.code, u.code, pu.code, su.code, p.barcode, t.code, p.costing, p.tracking,
    p.shelf_life_days, p.list_price, p.active, p.version, p.template_id, p.attributes";
const FROM: &str = "product_product p
    join product_uom u on u.id = p.uom_id join product_uom pu on pu.id = p.purchase_uom_id join product_uom su on su.id = p.sales_uom_id
    left join product_category c on c.id = p.category_id left join product_tax t on t.id = p.tax_id";

fn from_row(row: &Row) -> Result<Product> {
    Ok(Product {
        id: row.get(0)?,
        code: row.get(1)?,
        name: row.get(2)?,
        kind: row.get(3)?,
        category: row.get(4)?,
        uom: row.get(5)?,
        purchase_uom: row.get(6)?,
        sales_uom: row.get(7)?,
        barcode: row.get(8)?,
        tax: row.get(9)?,
        costing: row.get(10)?,
        tracking: row.get(11)?,
        shelf_life_days: row.get(12)?,
        list_price: row.get::<UnitPrice>(13)?.to_string(),
        active: row.get(14)?,
        version: row.get(15)?,
        template_id: row.get(16)?,
        attributes: serde_json::from_str(&row.get::<String>(17)?).unwrap_or(serde_json::Value::Null),
    })
}

pub fn get_product(tx: &mut Tx<'_>, ctx: &Ctx, id: ProductId) -> Result<Product> {
    ctx.require(PRODUCT_READ)?;
    let row = tx
        .query_opt(
            &format!("select {COLUMNS} from {FROM} where p.company_id = $1 and p.id = $2"),
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("product.not_found"))?;
    from_row(&row)
}

/// A product by code, name or barcode.
pub static PRODUCT_SEARCH: kernel::search::SearchIndex = kernel::search::SearchIndex {
    kind: "product.product",
    source: "select p.id, p.company_id, p.code, p.name, p.barcode from product_product p",
    id: "p.id",
};

/// The product list of the API and the web client.
pub const PRODUCT_LIST: ListSpec = ListSpec {
    from: "product_product p left join product_category c on c.id = p.category_id join product_uom u on u.id = p.uom_id",
    id: "p.id",
    company: "p.company_id",
    columns: &[
        col("code", "p.code", true, Filter::Prefix),
        col("name", "p.name_key", true, Filter::Range),
        col("display_name", "p.name", false, Filter::None),
        col("kind", "p.kind", true, Filter::Equals),
        col("category", "coalesce(c.code, '')", true, Filter::Equals),
        col("uom", "u.code", false, Filter::None),
        col("barcode", "coalesce(p.barcode, '')", false, Filter::Equals),
        col("list_price", "p.list_price", true, Filter::None),
    ],
    search: &["p.name", "p.code", "coalesce(p.barcode, '')"],
    index: Some(&PRODUCT_SEARCH),
    default_sort: "code",
    default_desc: false,
};

pub fn list_products(tx: &mut Tx<'_>, ctx: &Ctx, query: &ListQuery) -> Result<ListPage> {
    ctx.require(PRODUCT_READ)?;
    PRODUCT_LIST.fetch(tx, ctx, query, None)
}

//! `tiangong import adventureworks <folder>`: AdventureWorks' units of measure, product
//! categories and subcategories (as a two-level tree), vendors (as suppliers), products, and
//! vendor prices (supplier price, lead time, minimum order quantity), in one transaction.

use std::path::Path;

use kernel::crypto::Vault;
use kernel::db::Db;
use kernel::import::Sheet;
use kernel::{Ctx, Quantity, Result, UnitPrice};
use party::{PartyInput, PartyKind};
use product::{Category, ProductInput, SupplierPrice, Uom};
use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize)]
pub struct AdventureWorksReport {
    pub units: usize,
    pub categories: usize,
    pub vendors: usize,
    pub products: usize,
    pub vendor_prices: usize,
}

fn cell<'a>(sheet: &Sheet, row: &'a [String], column: &str) -> &'a str {
    sheet.headers.iter().position(|h| h == column).and_then(|i| row.get(i)).map(|s| s.trim()).unwrap_or_default()
}

/// Units AdventureWorks uses, in our categories: (code, category, factor numerator, denominator)
/// relative to the category's reference unit (piece, kilogram, metre, litre). Units without a
/// fixed relation (box, case, carton…) are counted in their own right.
const KNOWN_UNITS: &[(&str, &str, i64, i64)] = &[
    ("DZ", "unit", 12, 1),
    ("G", "weight", 1, 1000),
    ("MG", "weight", 1, 1_000_000),
    ("KG", "weight", 1, 1),
    ("LB", "weight", 45_359_237, 100_000_000),
    ("OZ", "weight", 28_349_523, 1_000_000_000),
    ("MM", "length", 1, 1000),
    ("CM", "length", 1, 100),
    ("DM", "length", 1, 10),
    ("M", "length", 1, 1),
    ("KM", "length", 1000, 1),
    ("IN", "length", 254, 10_000),
    ("ML", "volume", 1, 1000),
    ("L", "volume", 1, 1),
    ("GAL", "volume", 3_785_411_784, 1_000_000_000),
];

fn aw_uom(code: &str) -> String {
    format!("aw-{}", code.trim().to_lowercase())
}

pub fn load(db: &Db, ctx: &Ctx, vault: &Vault, folder: &Path) -> Result<AdventureWorksReport> {
    let units = Sheet::read(&folder.join("UnitMeasure.csv"))?;
    let categories = Sheet::read(&folder.join("ProductCategory.csv"))?;
    let subcategories = Sheet::read(&folder.join("ProductSubcategory.csv"))?;
    let vendors = Sheet::read(&folder.join("Vendor.csv"))?;
    let products = Sheet::read(&folder.join("Product.csv"))?;
    let vendor_prices = Sheet::read(&folder.join("ProductVendor.csv"))?;
    db.write(|tx| {
        let mut report = AdventureWorksReport::default();
        for row in &units.rows {
            let code = cell(&units, row, "UnitMeasureCode");
            let (category, num, den) = KNOWN_UNITS
                .iter()
                .find(|(c, ..)| *c == code)
                .map(|(_, cat, n, d)| (*cat, *n, *d))
                .unwrap_or(("unit", 1, 1));
            product::create_uom(
                tx,
                ctx,
                &Uom {
                    category: category.into(),
                    code: aw_uom(code),
                    name: cell(&units, row, "Name").to_string(),
                    factor_num: num,
                    factor_den: den,
                },
            )?;
            report.units += 1;
        }
        for row in &categories.rows {
            let c = |column: &str| cell(&categories, row, column);
            product::create_category(
                tx,
                ctx,
                &Category {
                    code: format!("AW-C{}", c("ProductCategoryID")),
                    name: c("Name").into(),
                    parent: None,
                    path: String::new(),
                },
            )?;
            report.categories += 1;
        }
        for row in &subcategories.rows {
            let c = |column: &str| cell(&subcategories, row, column);
            product::create_category(
                tx,
                ctx,
                &Category {
                    code: format!("AW-S{}", c("ProductSubcategoryID")),
                    name: c("Name").into(),
                    parent: Some(format!("AW-C{}", c("ProductCategoryID"))),
                    path: String::new(),
                },
            )?;
            report.categories += 1;
        }
        let mut vendor_ids = std::collections::HashMap::new();
        for row in &vendors.rows {
            let c = |column: &str| cell(&vendors, row, column);
            let (id, _) = party::insert_party(
                tx,
                ctx,
                vault,
                &PartyInput {
                    code: c("AccountNumber").into(),
                    name: c("Name").into(),
                    kind: PartyKind::Supplier,
                    grade: c("CreditRating").into(),
                    source: "adventureworks".into(),
                    country: Some("US".into()),
                    ..PartyInput::default()
                },
            )?;
            vendor_ids.insert(c("BusinessEntityID").to_string(), id.to_string());
            report.vendors += 1;
        }
        let mut product_ids = std::collections::HashMap::new();
        for row in &products.rows {
            let c = |column: &str| cell(&products, row, column);
            let id = product::insert_product(
                tx,
                ctx,
                &ProductInput {
                    code: c("ProductNumber").into(),
                    name: c("Name").into(),
                    kind: "stockable".into(),
                    category: Some(c("ProductSubcategoryID")).filter(|s| !s.is_empty()).map(|s| format!("AW-S{s}")),
                    uom: "pcs".into(),
                    tax: Some("VAT13".into()),
                    list_price: Some(c("ListPrice").to_string()),
                    ..ProductInput::default()
                },
            )?;
            product_ids.insert(c("ProductID").to_string(), id);
            report.products += 1;
        }
        for row in &vendor_prices.rows {
            let c = |column: &str| cell(&vendor_prices, row, column);
            let (Some(product), Some(vendor)) =
                (product_ids.get(c("ProductID")), vendor_ids.get(c("BusinessEntityID")))
            else {
                continue;
            };
            let parse_qty =
                |text: &str| text.parse::<Quantity>().map_err(|_| kernel::Error::invalid("product.quantity_invalid"));
            product::set_supplier_price(
                tx,
                ctx,
                *product,
                &SupplierPrice {
                    supplier_id: vendor.clone(),
                    supplier_code: String::new(),
                    min_qty: parse_qty(c("MinOrderQty"))?,
                    price: c("StandardPrice").parse::<UnitPrice>()?,
                    currency: "USD".into(),
                    lead_time_days: c("AverageLeadTime").parse().unwrap_or(0),
                    min_order_qty: parse_qty(c("MinOrderQty"))?,
                },
            )?;
            report.vendor_prices += 1;
        }
        Ok(report)
    })
}

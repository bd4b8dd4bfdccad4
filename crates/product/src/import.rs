//! Importing products (and categories) from CSV/XLSX through the same services as the forms.

use kernel::db::Tx;
use kernel::import::{ImportColumn, ImportRow, Importer};
use kernel::{Ctx, Error, Result};

use crate::category::{Category, create_category};
use crate::product::{ProductInput, insert_product};

pub struct ProductImporter;

const COLUMNS: &[ImportColumn] = &[
    ImportColumn { key: "code", required: true, example: "TEA-001" },
    ImportColumn { key: "name", required: true, example: "西湖龙井 250g" },
    ImportColumn { key: "kind", required: true, example: "stockable" },
    ImportColumn { key: "category", required: false, example: "" },
    ImportColumn { key: "uom", required: true, example: "pcs" },
    ImportColumn { key: "purchase_uom", required: false, example: "box12" },
    ImportColumn { key: "sales_uom", required: false, example: "pcs" },
    ImportColumn { key: "barcode", required: false, example: "6901234567892" },
    ImportColumn { key: "tax", required: false, example: "VAT13" },
    ImportColumn { key: "costing", required: false, example: "average" },
    ImportColumn { key: "tracking", required: false, example: "lot" },
    ImportColumn { key: "shelf_life_days", required: false, example: "540" },
    ImportColumn { key: "list_price", required: false, example: "128" },
];

impl Importer for ProductImporter {
    fn export_page(&self, tx: &mut Tx<'_>, ctx: &Ctx, after: &str, limit: i64) -> Result<Vec<Vec<String>>> {
        export_page(tx, ctx, after, limit)
    }

    fn name(&self) -> &'static str {
        "products"
    }

    fn columns(&self) -> &'static [ImportColumn] {
        COLUMNS
    }

    fn import_row(&self, tx: &mut Tx<'_>, ctx: &Ctx, row: &ImportRow<'_>) -> Result<()> {
        let shelf_life_days = row
            .get("shelf_life_days")
            .map(|d| d.parse::<i64>().map_err(|_| Error::field("shelf_life_days", "product.shelf_life_invalid")))
            .transpose()?;
        let input = ProductInput {
            code: row.text("code"),
            name: row.text("name"),
            kind: row.text("kind"),
            category: row.get("category").map(str::to_string),
            uom: row.text("uom"),
            purchase_uom: row.get("purchase_uom").map(str::to_string),
            sales_uom: row.get("sales_uom").map(str::to_string),
            barcode: row.get("barcode").map(str::to_string),
            tax: row.get("tax").map(str::to_string),
            costing: row.get("costing").map(str::to_string),
            tracking: row.get("tracking").map(str::to_string),
            shelf_life_days,
            list_price: row.get("list_price").map(str::to_string),
            version: 0,
        };
        insert_product(tx, ctx, &input).map(|_| ())
    }
}

pub struct CategoryImporter;

const CATEGORY_COLUMNS: &[ImportColumn] = &[
    ImportColumn { key: "code", required: true, example: "TEA" },
    ImportColumn { key: "name", required: true, example: "茶叶" },
    ImportColumn { key: "parent", required: false, example: "" },
];

impl Importer for CategoryImporter {
    /// Parents before children (tree order), so the file imports again as it is.
    fn export_page(&self, tx: &mut Tx<'_>, ctx: &Ctx, after: &str, _limit: i64) -> Result<Vec<Vec<String>>> {
        if !after.is_empty() {
            return Ok(Vec::new());
        }
        Ok(crate::category::list_categories(tx, ctx)?
            .into_iter()
            .map(|c| vec![c.code, c.name, c.parent.unwrap_or_default()])
            .collect())
    }

    fn name(&self) -> &'static str {
        "categories"
    }

    fn columns(&self) -> &'static [ImportColumn] {
        CATEGORY_COLUMNS
    }

    fn import_row(&self, tx: &mut Tx<'_>, ctx: &Ctx, row: &ImportRow<'_>) -> Result<()> {
        create_category(
            tx,
            ctx,
            &Category {
                code: row.text("code"),
                name: row.text("name"),
                parent: row.get("parent").map(str::to_string),
                path: String::new(),
            },
        )
        .map(|_| ())
    }
}

/// Reads a decimal cell into an integer-scaled value, as a field error otherwise.
fn decimal<T: std::str::FromStr>(row: &ImportRow<'_>, key: &'static str, code: &'static str) -> Result<T> {
    row.text(key).parse::<T>().map_err(|_| Error::field(key, code))
}

pub struct TaxImporter;

const TAX_COLUMNS: &[ImportColumn] = &[
    ImportColumn { key: "code", required: true, example: "VAT5" },
    ImportColumn { key: "name", required: true, example: "增值税 5%" },
    ImportColumn { key: "rate_bp", required: true, example: "500" },
    ImportColumn { key: "exempt", required: false, example: "false" },
    ImportColumn { key: "output_account_role", required: true, example: "vat.output" },
    ImportColumn { key: "input_account_role", required: true, example: "vat.input" },
];

impl Importer for TaxImporter {
    fn export_page(&self, tx: &mut Tx<'_>, ctx: &Ctx, after: &str, _limit: i64) -> Result<Vec<Vec<String>>> {
        if !after.is_empty() {
            return Ok(Vec::new());
        }
        Ok(crate::tax::list_taxes(tx, ctx)?
            .into_iter()
            .map(|t| {
                vec![
                    t.code,
                    t.name,
                    t.rate_bp.to_string(),
                    t.exempt.to_string(),
                    t.output_account_role,
                    t.input_account_role,
                ]
            })
            .collect())
    }

    fn name(&self) -> &'static str {
        "taxes"
    }

    fn columns(&self) -> &'static [ImportColumn] {
        TAX_COLUMNS
    }

    fn import_row(&self, tx: &mut Tx<'_>, ctx: &Ctx, row: &ImportRow<'_>) -> Result<()> {
        let tax = crate::tax::Tax {
            code: row.text("code"),
            name: row.text("name"),
            rate_bp: decimal(row, "rate_bp", "product.tax_rate_invalid")?,
            exempt: matches!(row.text("exempt").to_lowercase().as_str(), "true" | "1" | "yes" | "是"),
            output_account_role: row.text("output_account_role"),
            input_account_role: row.text("input_account_role"),
        };
        crate::tax::create_tax(tx, ctx, &tax).map(|_| ())
    }
}

pub struct UomImporter;

const UOM_COLUMNS: &[ImportColumn] = &[
    ImportColumn { key: "category", required: true, example: "unit" },
    ImportColumn { key: "code", required: true, example: "dozen" },
    ImportColumn { key: "name", required: true, example: "打" },
    ImportColumn { key: "factor_num", required: true, example: "12" },
    ImportColumn { key: "factor_den", required: false, example: "1" },
    ImportColumn { key: "digits", required: false, example: "0" },
];

impl Importer for UomImporter {
    fn export_page(&self, tx: &mut Tx<'_>, ctx: &Ctx, after: &str, _limit: i64) -> Result<Vec<Vec<String>>> {
        if !after.is_empty() {
            return Ok(Vec::new());
        }
        Ok(crate::uom::list_uoms(tx, ctx)?
            .into_iter()
            .map(|u| {
                vec![
                    u.category,
                    u.code,
                    u.name,
                    u.factor_num.to_string(),
                    u.factor_den.to_string(),
                    u.digits.to_string(),
                ]
            })
            .collect())
    }

    fn name(&self) -> &'static str {
        "uoms"
    }

    fn columns(&self) -> &'static [ImportColumn] {
        UOM_COLUMNS
    }

    fn import_row(&self, tx: &mut Tx<'_>, ctx: &Ctx, row: &ImportRow<'_>) -> Result<()> {
        let uom = crate::uom::Uom {
            category: row.text("category"),
            code: row.text("code"),
            name: row.text("name"),
            factor_num: decimal(row, "factor_num", "product.uom_factor_invalid")?,
            factor_den: if row.get("factor_den").is_some() {
                decimal(row, "factor_den", "product.uom_factor_invalid")?
            } else {
                1
            },
            digits: if row.get("digits").is_some() { decimal(row, "digits", "product.uom_digits_invalid")? } else { 0 },
        };
        crate::uom::create_uom(tx, ctx, &uom).map(|_| ())
    }
}

pub struct RateImporter;

const RATE_COLUMNS: &[ImportColumn] = &[
    ImportColumn { key: "currency", required: true, example: "USD" },
    ImportColumn { key: "date", required: true, example: "2026-11-26" },
    ImportColumn { key: "rate", required: true, example: "7.1234" },
];

impl Importer for RateImporter {
    fn export_page(&self, tx: &mut Tx<'_>, ctx: &Ctx, after: &str, _limit: i64) -> Result<Vec<Vec<String>>> {
        if !after.is_empty() {
            return Ok(Vec::new());
        }
        Ok(crate::currency::list_rates(tx, ctx, i64::MAX)?
            .into_iter()
            .map(|r| vec![r.currency, r.date, r.rate])
            .collect())
    }

    fn name(&self) -> &'static str {
        "exchange-rates"
    }

    fn columns(&self) -> &'static [ImportColumn] {
        RATE_COLUMNS
    }

    fn import_row(&self, tx: &mut Tx<'_>, ctx: &Ctx, row: &ImportRow<'_>) -> Result<()> {
        let rate = crate::currency::ExchangeRate {
            currency: row.text("currency"),
            date: row.text("date"),
            rate: row.text("rate"),
        };
        crate::currency::set_rate(tx, ctx, &rate).map(|_| ())
    }
}

pub struct PriceListItemImporter;

const PRICE_COLUMNS: &[ImportColumn] = &[
    ImportColumn { key: "price_list", required: true, example: "WHOLESALE-2026" },
    ImportColumn { key: "product", required: true, example: "TEA-001" },
    ImportColumn { key: "min_qty", required: false, example: "10" },
    ImportColumn { key: "price", required: true, example: "113" },
];

impl Importer for PriceListItemImporter {
    fn export_page(&self, tx: &mut Tx<'_>, ctx: &Ctx, after: &str, _limit: i64) -> Result<Vec<Vec<String>>> {
        ctx.require(crate::permissions::PRODUCT_READ)?;
        if !after.is_empty() {
            return Ok(Vec::new());
        }
        tx.query(
            "select l.code, p.code, i.min_qty, i.price from product_price_list_item i
             join product_price_list l on l.id = i.price_list_id join product_product p on p.id = i.product_id
             where i.company_id = $1 order by l.code, p.code, i.min_qty",
            &[&ctx.company()],
        )?
        .iter()
        .map(|r| {
            Ok(vec![
                r.get(0)?,
                r.get(1)?,
                r.get::<kernel::Quantity>(2)?.to_string(),
                r.get::<kernel::UnitPrice>(3)?.to_string(),
            ])
        })
        .collect()
    }

    fn name(&self) -> &'static str {
        "prices"
    }

    fn columns(&self) -> &'static [ImportColumn] {
        PRICE_COLUMNS
    }

    fn import_row(&self, tx: &mut Tx<'_>, ctx: &Ctx, row: &ImportRow<'_>) -> Result<()> {
        let list: crate::price_list::PriceListId = tx
            .query_opt(
                "select id from product_price_list where company_id = $1 and code = $2",
                &[&ctx.company(), &row.text("price_list")],
            )?
            .ok_or_else(|| Error::field("price_list", "product.price_list_not_found"))?
            .get(0)?;
        let product: String = tx
            .query_opt(
                "select id from product_product where company_id = $1 and code = $2",
                &[&ctx.company(), &row.text("product")],
            )?
            .ok_or_else(|| Error::field("product", "product.not_found"))?
            .get(0)?;
        let item = crate::price_list::PriceListItem {
            product_id: product,
            min_qty: if row.get("min_qty").is_some() {
                decimal(row, "min_qty", "product.quantity_invalid")?
            } else {
                kernel::Quantity::ZERO
            },
            price: decimal(row, "price", "product.price_invalid")?,
        };
        crate::price_list::set_item(tx, ctx, list, &item).map(|_| ())
    }
}

/// The header of product exports: the import columns, so an export can be imported again.
pub fn export_header() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.key).collect()
}

/// One page of products in the import layout, ordered by code, after `after` (a code).
pub fn export_page(tx: &mut Tx<'_>, ctx: &Ctx, after: &str, limit: i64) -> Result<Vec<Vec<String>>> {
    ctx.require(crate::permissions::PRODUCT_READ)?;
    tx.query(
        "select p.code, p.name, p.kind, coalesce(c.code, ''), u.code, pu.code, su.code, coalesce(p.barcode, ''), coalesce(t.code, ''),
                p.costing, p.tracking, p.shelf_life_days, p.list_price
         from product_product p
         join product_uom u on u.id = p.uom_id join product_uom pu on pu.id = p.purchase_uom_id join product_uom su on su.id = p.sales_uom_id
         left join product_category c on c.id = p.category_id left join product_tax t on t.id = p.tax_id
         where p.company_id = $1 and p.code > $2 and p.active = 1 order by p.code limit $3",
        &[&ctx.company(), &after, &limit],
    )?
    .iter()
    .map(|r| {
        let mut row: Vec<String> = (0..11).map(|i| r.get::<String>(i)).collect::<Result<_>>()?;
        row.push(r.get::<Option<i64>>(11)?.map(|d| d.to_string()).unwrap_or_default());
        row.push(r.get::<kernel::UnitPrice>(12)?.to_string());
        Ok(row)
    })
    .collect()
}

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

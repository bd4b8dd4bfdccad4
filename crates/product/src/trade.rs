//! What sales and purchasing need of a product on a document line — name, kind, VAT rate and
//! list price — read in one query, and taxes by code.

use kernel::db::{Row, Tx};
use kernel::{Ctx, Result, UnitPrice};

/// A VAT rate as documents apply it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxRate {
    pub code: String,
    pub rate_bp: i64,
    pub exempt: bool,
    pub output_account_role: String,
    pub input_account_role: String,
}

#[derive(Clone, Debug)]
pub struct TradeInfo {
    pub id: String,
    pub code: String,
    pub name: String,
    /// `stockable`, `consumable` or `service`.
    pub kind: String,
    pub category_id: Option<String>,
    pub tax: Option<TaxRate>,
    /// Excluding VAT.
    pub list_price: UnitPrice,
}

impl TradeInfo {
    /// Goods that go through the warehouse (deliveries and receipts).
    pub fn stockable(&self) -> bool {
        self.kind == "stockable"
    }
}

const TAX_COLUMNS: &str = "t.code, t.rate_bp, t.exempt, t.output_account_role, t.input_account_role";

fn tax_of(r: &Row, first: usize) -> Result<Option<TaxRate>> {
    let Some(code) = r.get::<Option<String>>(first)? else { return Ok(None) };
    Ok(Some(TaxRate {
        code,
        rate_bp: r.get(first + 1)?,
        exempt: r.get(first + 2)?,
        output_account_role: r.get(first + 3)?,
        input_account_role: r.get(first + 4)?,
    }))
}

/// The active product with this id or code.
pub fn trade_info(tx: &mut Tx<'_>, ctx: &Ctx, id_or_code: &str) -> Result<Option<TradeInfo>> {
    let key = id_or_code.trim();
    if key.is_empty() {
        return Ok(None);
    }
    let sql = format!(
        "select p.id, p.code, p.name, p.kind, p.category_id, p.list_price, {TAX_COLUMNS}
         from product_product p left join product_tax t on t.id = p.tax_id
         where p.company_id = $1 and p.{{}} = $2 and p.active = 1"
    );
    let mut row = tx.query_opt(&sql.replace("{}", "id"), &[&ctx.company(), &key])?;
    if row.is_none() {
        row = tx.query_opt(&sql.replace("{}", "code"), &[&ctx.company(), &key])?;
    }
    let Some(r) = row else { return Ok(None) };
    Ok(Some(TradeInfo {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        kind: r.get(3)?,
        category_id: r.get(4)?,
        list_price: UnitPrice::from_scaled(r.get(5)?),
        tax: tax_of(&r, 6)?,
    }))
}

/// The company's VAT rate with this code.
pub fn tax_rate(tx: &mut Tx<'_>, ctx: &Ctx, code: &str) -> Result<Option<TaxRate>> {
    tx.query_opt(
        &format!("select {TAX_COLUMNS} from product_tax t where t.company_id = $1 and t.code = $2"),
        &[&ctx.company(), &code.trim()],
    )?
    .map(|r| tax_of(&r, 0))
    .transpose()
    .map(Option::flatten)
}

/// Code and name of each of `ids` (products of this company; unknown ids are left out).
pub fn names_of(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    ids: &[String],
) -> Result<std::collections::HashMap<String, (String, String)>> {
    kernel::db::codes_and_names(tx, "product_product", ctx.company(), ids)
}

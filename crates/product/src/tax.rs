//! VAT rates (13%, 9%, 6%, 3%, 1%, 0%, exempt), each with the account roles it posts to, so the
//! ledger finds "output VAT" whichever chart of accounts the company uses.

use kernel::db::{Row, Tx};
use kernel::{Ctx, Error, Result};
use serde::{Deserialize, Serialize};

use crate::permissions::{SETUP_READ, SETUP_WRITE};

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "VAT5", "name": "增值税 5%", "rate_bp": 500, "exempt": false,
    "output_account_role": "vat.output", "input_account_role": "vat.input"}))]
pub struct Tax {
    pub code: String,
    pub name: String,
    /// Basis points: 1300 = 13%.
    pub rate_bp: i64,
    #[serde(default)]
    pub exempt: bool,
    pub output_account_role: String,
    pub input_account_role: String,
}

/// The rates every Chinese company starts with.
pub fn defaults() -> Vec<Tax> {
    let vat = |code: &str, name: &str, rate_bp: i64, exempt: bool| Tax {
        code: code.into(),
        name: name.into(),
        rate_bp,
        exempt,
        output_account_role: if exempt { "vat.exempt_output".into() } else { "vat.output".into() },
        input_account_role: if exempt { "vat.exempt_input".into() } else { "vat.input".into() },
    };
    vec![
        vat("VAT13", "增值税 13%", 1300, false),
        vat("VAT9", "增值税 9%", 900, false),
        vat("VAT6", "增值税 6%", 600, false),
        vat("VAT3", "增值税 3%（征收率）", 300, false),
        vat("VAT1", "增值税 1%（小规模优惠）", 100, false),
        vat("VAT0", "增值税 0%（出口）", 0, false),
        vat("EXEMPT", "免税", 0, true),
    ]
}

pub(crate) fn insert(tx: &mut Tx<'_>, ctx: &Ctx, tax: &Tax) -> Result<()> {
    tx.execute(
        "insert into product_tax (id, company_id, code, name, rate_bp, exempt, output_account_role, input_account_role)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &kernel::id::Uuid::now_v7(),
            &ctx.company(),
            &tax.code,
            &tax.name,
            &tax.rate_bp,
            &tax.exempt,
            &tax.output_account_role,
            &tax.input_account_role,
        ],
    )?;
    Ok(())
}

pub fn create_tax(tx: &mut Tx<'_>, ctx: &Ctx, tax: &Tax) -> Result<Tax> {
    ctx.require(SETUP_WRITE)?;
    if tax.code.trim().is_empty() || tax.name.trim().is_empty() {
        return Err(Error::field("code", "product.code_invalid"));
    }
    if !(0..=10_000).contains(&tax.rate_bp) {
        return Err(Error::field("rate_bp", "product.tax_rate_invalid"));
    }
    let taken: i64 = tx
        .scalar("select count(*) from product_tax where company_id = $1 and code = $2", &[&ctx.company(), &tax.code])?;
    if taken > 0 {
        return Err(Error::field("code", "product.code_taken"));
    }
    insert(tx, ctx, tax)?;
    kernel::audit::record(
        tx,
        ctx,
        "product.tax.create",
        "product.tax",
        &tax.code,
        serde_json::json!({"rate_bp": tax.rate_bp}),
    )?;
    Ok(tax.clone())
}

fn from_row(row: &Row) -> Result<Tax> {
    Ok(Tax {
        code: row.get(0)?,
        name: row.get(1)?,
        rate_bp: row.get(2)?,
        exempt: row.get(3)?,
        output_account_role: row.get(4)?,
        input_account_role: row.get(5)?,
    })
}

pub fn list_taxes(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Tax>> {
    ctx.require(SETUP_READ)?;
    tx.query(
        "select code, name, rate_bp, exempt, output_account_role, input_account_role from product_tax where company_id = $1 order by rate_bp desc, code",
        &[&ctx.company()],
    )?
    .iter()
    .map(from_row)
    .collect()
}

/// The id of a tax by code, for products and imports.
pub fn tax_id(tx: &mut Tx<'_>, ctx: &Ctx, code: &str) -> Result<String> {
    tx.query_opt("select id from product_tax where company_id = $1 and code = $2", &[&ctx.company(), &code.trim()])?
        .ok_or_else(|| Error::field("tax", "product.tax_unknown").with_param("code", code))?
        .get(0)
}

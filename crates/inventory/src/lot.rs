//! Lots and serial numbers, with expiry dates. A serial number is a lot of quantity one: a
//! product tracked by serial can have at most one unit of each serial in stock.

use kernel::db::Tx;
use kernel::{Ctx, Error, Result};
use serde::Serialize;

kernel::define_id!(
    /// A lot or serial number of one product.
    LotId
);

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Lot {
    #[schema(value_type = String)]
    pub id: LotId,
    pub product_id: String,
    pub code: String,
    pub expiry_date: Option<String>,
}

/// How a product is tracked (from the product master).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tracking {
    None,
    Lot,
    Serial,
}

impl Tracking {
    pub fn parse(code: &str) -> Tracking {
        match code {
            "lot" => Tracking::Lot,
            "serial" => Tracking::Serial,
            _ => Tracking::None,
        }
    }
}

/// The lot of `product` with this code, made (with its expiry date) when new.
pub fn lot_for(tx: &mut Tx<'_>, ctx: &Ctx, product: &str, code: &str, expiry: Option<&str>) -> Result<LotId> {
    let code = code.trim();
    if code.is_empty() || code.len() > 80 {
        return Err(Error::field("lot", "inventory.lot_invalid"));
    }
    if let Some(expiry) = expiry {
        kernel::clock::parse_date(expiry).map_err(|_| Error::field("expiry_date", "inventory.date_invalid"))?;
    }
    if let Some(row) = tx.query_opt(
        "select id from inventory_lot where company_id = $1 and product_id = $2 and code = $3",
        &[&ctx.company(), &product, &code],
    )? {
        return row.get(0);
    }
    let id = LotId::new();
    tx.execute(
        "insert into inventory_lot (id, company_id, product_id, code, expiry_date, created_at) values ($1, $2, $3, $4, $5, $6)",
        &[&id, &ctx.company(), &product, &code, &expiry, &ctx.now_text()],
    )?;
    Ok(id)
}

pub fn get_lot(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<Lot> {
    let row = tx
        .query_opt(
            "select id, product_id, code, expiry_date from inventory_lot where company_id = $1 and id = $2",
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("inventory.lot_unknown"))?;
    Ok(Lot { id: row.get(0)?, product_id: row.get(1)?, code: row.get(2)?, expiry_date: row.get(3)? })
}

pub fn lot_by_code(tx: &mut Tx<'_>, ctx: &Ctx, product: &str, code: &str) -> Result<Lot> {
    let id: String = tx
        .query_opt(
            "select id from inventory_lot where company_id = $1 and product_id = $2 and code = $3",
            &[&ctx.company(), &product, &code.trim()],
        )?
        .ok_or_else(|| Error::not_found("inventory.lot_unknown"))?
        .get(0)?;
    get_lot(tx, ctx, &id)
}

/// Puts a product's lot on quality hold, or releases it (the quality module decides). A held
/// lot is never reserved, issued or delivered. Answers whether the lot exists.
pub fn set_hold(tx: &mut Tx<'_>, ctx: &Ctx, product: &str, code: &str, held: bool) -> Result<bool> {
    let changed = tx.execute(
        "update inventory_lot set held = $1 where company_id = $2 and product_id = $3 and code = $4",
        &[&held, &ctx.company(), &product, &code.trim()],
    )?;
    Ok(changed > 0)
}

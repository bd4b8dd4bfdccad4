//! What pickers show of stock: the quantity on hand of a few products (the kept per-location
//! totals, summed over internal locations), and lots found by the start of their code through
//! the code index, never by reading every lot.

use std::collections::HashMap;

use kernel::db::{ToValue, Tx};
use kernel::{Ctx, Quantity, Result};

use crate::permissions::STOCK_READ;

/// On hand in the company's own (internal) locations, by product id, for the ids given.
pub fn on_hand_of(tx: &mut Tx<'_>, ctx: &Ctx, products: &[String]) -> Result<HashMap<String, Quantity>> {
    ctx.require(STOCK_READ)?;
    let mut found = HashMap::new();
    if products.is_empty() {
        return Ok(found);
    }
    let marks: Vec<String> = (2..=products.len() + 1).map(|n| format!("${n}")).collect();
    let company = ctx.company();
    let mut params: Vec<&dyn ToValue> = vec![&company];
    params.extend(products.iter().map(|p| p as &dyn ToValue));
    let sql = format!(
        "select q.product_id, sum(q.quantity) from inventory_quant q join inventory_location l on l.id = q.location_id
         where q.company_id = $1 and l.kind = 'internal' and q.product_id in ({}) group by q.product_id",
        marks.join(", ")
    );
    for row in tx.query(&sql, &params)? {
        found.insert(row.get::<String>(0)?, Quantity::from_scaled(row.get(1)?));
    }
    Ok(found)
}

/// A lot found by a picker: its id, code, the product's code and what is on hand of it.
#[derive(Clone, Debug)]
pub struct LotChoice {
    pub id: String,
    pub code: String,
    pub product_code: String,
    pub on_hand: Quantity,
}

/// Lots whose code starts with `prefix` (case as typed, then upper-cased), at most `limit`.
pub fn lookup_lots(tx: &mut Tx<'_>, ctx: &Ctx, prefix: &str, limit: u32) -> Result<Vec<LotChoice>> {
    ctx.require(STOCK_READ)?;
    let prefix = prefix.trim();
    if prefix.is_empty() {
        return Ok(Vec::new());
    }
    let mut lots = Vec::new();
    for start in [prefix.to_string(), prefix.to_uppercase()] {
        let upper = kernel::listing::prefix_upper_bound(&start);
        for row in tx.query(
            "select l.id, l.code, p.code,
                    coalesce((select sum(q.quantity) from inventory_quant q join inventory_location loc on loc.id = q.location_id
                              where q.company_id = l.company_id and q.product_id = l.product_id and q.lot_id = l.id
                                and loc.kind = 'internal'), 0)
             from inventory_lot l join product_product p on p.id = l.product_id
             where l.company_id = $1 and l.code >= $2 and l.code < $3 order by l.code limit $4",
            &[&ctx.company(), &start, &upper, &i64::from(limit)],
        )? {
            let id: String = row.get(0)?;
            if !lots.iter().any(|l: &LotChoice| l.id == id) {
                lots.push(LotChoice { id, code: row.get(1)?, product_code: row.get(2)?, on_hand: Quantity::from_scaled(row.get(3)?) });
            }
        }
        if start == prefix.to_uppercase() {
            break;
        }
    }
    lots.truncate(limit as usize);
    Ok(lots)
}

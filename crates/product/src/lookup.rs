//! The product picker's lookup: a code or barcode typed or scanned exactly comes first, then
//! products whose code, name or barcode contain what was typed (through the search index), or
//! for one character the codes that start with it (through the code index). Never a scan.

use kernel::db::{Row, ToValue, Tx};
use kernel::{Ctx, Result, UnitPrice};

use crate::permissions::PRODUCT_READ;

/// One product offered by the picker.
#[derive(Clone, Debug)]
pub struct ProductChoice {
    pub id: String,
    pub code: String,
    pub name: String,
    pub uom: String,
    pub list_price: UnitPrice,
}

const SELECT: &str =
    "select p.id, p.code, p.name, u.code, p.list_price from product_product p join product_uom u on u.id = p.uom_id";

fn choice(row: &Row) -> Result<ProductChoice> {
    Ok(ProductChoice {
        id: row.get(0)?,
        code: row.get(1)?,
        name: row.get(2)?,
        uom: row.get(3)?,
        list_price: UnitPrice::from_scaled(row.get(4)?),
    })
}

/// At most `limit` active products for what was typed or scanned.
pub fn lookup_products(tx: &mut Tx<'_>, ctx: &Ctx, typed: &str, limit: u32) -> Result<Vec<ProductChoice>> {
    ctx.require(PRODUCT_READ)?;
    let typed = typed.trim();
    let mut found: Vec<ProductChoice> = Vec::new();
    if typed.is_empty() {
        return Ok(found);
    }
    let push = |rows: Vec<Row>, found: &mut Vec<ProductChoice>| -> Result<()> {
        for row in rows {
            let choice = choice(&row)?;
            if !found.iter().any(|c| c.id == choice.id) {
                found.push(choice);
            }
        }
        Ok(())
    };
    let company = ctx.company();
    let upper = typed.to_uppercase();
    let exact = tx.query(
        &format!("{SELECT} where p.company_id = $1 and p.active = 1 and p.code in ($2, $3)"),
        &[&company, &typed, &upper],
    )?;
    push(exact, &mut found)?;
    let scanned = tx
        .query(&format!("{SELECT} where p.company_id = $1 and p.active = 1 and p.barcode = $2"), &[&company, &typed])?;
    push(scanned, &mut found)?;
    match kernel::search::find(tx, ctx, "product.product", typed, None, limit.saturating_mul(2))? {
        Some(hits) if !hits.is_empty() => {
            let ids: Vec<String> = hits.into_iter().map(|h| h.record_id).collect();
            let marks: Vec<String> = (2..=ids.len() + 1).map(|n| format!("${n}")).collect();
            let mut params: Vec<&dyn ToValue> = vec![&company];
            params.extend(ids.iter().map(|id| id as &dyn ToValue));
            let company_column = tx.backend().unindexed("p.company_id");
            let rows = tx.query(
                &format!("{SELECT} where {company_column} = $1 and p.active = 1 and p.id in ({})", marks.join(", ")),
                &params,
            )?;
            // In the order of the hits: newest first.
            let mut rows: Vec<(usize, Row)> = rows
                .into_iter()
                .map(|row| {
                    (ids.iter().position(|id| row.get::<String>(0).ok().as_deref() == Some(id)).unwrap_or(0), row)
                })
                .collect();
            rows.sort_by_key(|(at, _)| *at);
            push(rows.into_iter().map(|(_, row)| row).collect(), &mut found)?;
        }
        Some(_) => {}
        None => {
            for start in [typed.to_string(), upper.clone()] {
                let end = kernel::listing::prefix_upper_bound(&start);
                let rows = tx.query(
                    &format!("{SELECT} where p.company_id = $1 and p.active = 1 and p.code >= $2 and p.code < $3 order by p.code limit $4"),
                    &[&company, &start, &end, &i64::from(limit)],
                )?;
                push(rows, &mut found)?;
            }
        }
    }
    found.truncate(limit as usize);
    Ok(found)
}

/// The id of the product of the caller's company with this id or code, if there is one: what an
/// import or another module's form resolves a typed product with.
pub fn product_id_by_key(tx: &mut Tx<'_>, ctx: &Ctx, key: &str) -> Result<Option<String>> {
    let key = key.trim();
    if key.is_empty() {
        return Ok(None);
    }
    let column = if kernel::id::Uuid::parse_str(key).is_ok() { "id" } else { "code" };
    tx.query_opt(
        &format!("select id from product_product where company_id = $1 and {column} = $2"),
        &[&ctx.company(), &key],
    )?
    .map(|r| r.get(0))
    .transpose()
}

/// The code of each product in `ids` (of the caller's company), in one query.
pub fn codes_of(tx: &mut Tx<'_>, ctx: &Ctx, ids: &[String]) -> Result<std::collections::HashMap<String, String>> {
    let mut codes = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(codes);
    }
    let company = ctx.company();
    let marks: Vec<String> = (2..=ids.len() + 1).map(|n| format!("${n}")).collect();
    let mut params: Vec<&dyn ToValue> = vec![&company];
    params.extend(ids.iter().map(|id| id as &dyn ToValue));
    let sql = format!("select id, code from product_product where company_id = $1 and id in ({})", marks.join(", "));
    for row in tx.query(&sql, &params)? {
        codes.insert(row.get(0)?, row.get(1)?);
    }
    Ok(codes)
}

//! Units of measure in categories with conversions: each unit is a ratio of its category's
//! reference unit (1 箱 = 12 个), so quantities convert exactly, half-up at four decimals.
//! Each unit also says how many decimals it is counted in (`digits`), which is how quantities
//! in it are shown.

use std::collections::HashMap;

use kernel::db::{ToValue, Tx};
use kernel::{Ctx, Error, Quantity, Result};
use serde::{Deserialize, Serialize};

use crate::permissions::{SETUP_READ, SETUP_WRITE};

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"category": "unit", "code": "dozen", "name": "打", "factor_num": 12, "factor_den": 1, "digits": 0}))]
pub struct Uom {
    /// Code of the category (`unit`, `weight`, `length`, `volume`, `time`).
    pub category: String,
    pub code: String,
    pub name: String,
    /// This unit = factor_num / factor_den reference units of its category.
    pub factor_num: i64,
    pub factor_den: i64,
    /// Decimals a quantity in this unit is padded to, 0 to 4 (个 0, 千克 3). Left out: 0, so a
    /// quantity shows its significant digits only (1.5, 12). Finer quantities keep their digits.
    #[serde(default)]
    pub digits: u8,
}

/// The most decimals a unit can ask for: the stored precision of every quantity.
pub const MAX_DIGITS: u8 = Quantity::SCALE as u8;

/// The categories and units every company starts with.
pub(crate) fn seed(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<()> {
    let categories = [("unit", "数量"), ("weight", "重量"), ("length", "长度"), ("volume", "体积"), ("time", "时间")];
    for (code, name) in categories {
        tx.execute(
            "insert into product_uom_category (id, company_id, code, name) values ($1, $2, $3, $4)",
            &[&kernel::id::Uuid::now_v7(), &ctx.company(), &code, &name],
        )?;
    }
    // Counted units and the small units of a measure are whole; weights and volumes go to the
    // gram and the millilitre, lengths and hours to the hundredth.
    let units: [(&str, &str, &str, i64, i64, u8); 12] = [
        ("unit", "pcs", "个", 1, 1, 0),
        ("unit", "box12", "箱（12个）", 12, 1, 0),
        ("unit", "pair", "双", 2, 1, 0),
        ("unit", "set", "套", 1, 1, 0),
        ("weight", "kg", "千克", 1, 1, 3),
        ("weight", "g", "克", 1, 1000, 0),
        ("weight", "t", "吨", 1000, 1, 3),
        ("length", "m", "米", 1, 1, 2),
        ("length", "cm", "厘米", 1, 100, 0),
        ("volume", "l", "升", 1, 1, 3),
        ("volume", "ml", "毫升", 1, 1000, 0),
        ("time", "h", "小时", 1, 1, 2),
    ];
    for (category, code, name, num, den, digits) in units {
        let uom = Uom {
            category: category.into(),
            code: code.into(),
            name: name.into(),
            factor_num: num,
            factor_den: den,
            digits,
        };
        insert(tx, ctx, &uom)?;
    }
    Ok(())
}

fn insert(tx: &mut Tx<'_>, ctx: &Ctx, uom: &Uom) -> Result<()> {
    let category: String = tx
        .query_opt(
            "select id from product_uom_category where company_id = $1 and code = $2",
            &[&ctx.company(), &uom.category],
        )?
        .ok_or_else(|| Error::field("category", "product.uom_category_unknown"))?
        .get(0)?;
    tx.execute(
        "insert into product_uom (id, company_id, category_id, code, name, factor_num, factor_den, digits) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &kernel::id::Uuid::now_v7(),
            &ctx.company(),
            &category,
            &uom.code,
            &uom.name,
            &uom.factor_num,
            &uom.factor_den,
            &i64::from(uom.digits),
        ],
    )?;
    Ok(())
}

pub fn create_uom(tx: &mut Tx<'_>, ctx: &Ctx, uom: &Uom) -> Result<Uom> {
    ctx.require(SETUP_WRITE)?;
    if uom.code.trim().is_empty() || uom.name.trim().is_empty() {
        return Err(Error::field("code", "product.code_invalid"));
    }
    if uom.factor_num <= 0 || uom.factor_den <= 0 {
        return Err(Error::field("factor_num", "product.uom_factor_invalid"));
    }
    if uom.digits > MAX_DIGITS {
        return Err(Error::field("digits", "product.uom_digits_invalid"));
    }
    let taken: i64 = tx
        .scalar("select count(*) from product_uom where company_id = $1 and code = $2", &[&ctx.company(), &uom.code])?;
    if taken > 0 {
        return Err(Error::field("code", "product.code_taken"));
    }
    insert(tx, ctx, uom)?;
    kernel::audit::record(
        tx,
        ctx,
        "product.uom.create",
        "product.uom",
        &uom.code,
        serde_json::json!({"factor": [uom.factor_num, uom.factor_den], "digits": uom.digits}),
    )?;
    Ok(uom.clone())
}

pub fn list_uoms(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Uom>> {
    ctx.require(SETUP_READ)?;
    tx.query(
        "select c.code, u.code, u.name, u.factor_num, u.factor_den, u.digits from product_uom u join product_uom_category c on c.id = u.category_id
         where u.company_id = $1 order by c.code, u.factor_num * 1000000 / u.factor_den, u.code",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| {
        Ok(Uom {
            category: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            factor_num: r.get(3)?,
            factor_den: r.get(4)?,
            digits: digits_of(r.get(5)?),
        })
    })
    .collect()
}

fn digits_of(stored: i64) -> u8 {
    u8::try_from(stored).unwrap_or(MAX_DIGITS).min(MAX_DIGITS)
}

/// The decimals of each product's unit, keyed by what was asked (product ids or codes of the
/// caller's company), in one query: what a page showing quantities of several products formats
/// each with. Products not found are absent.
pub fn digits_of_products(tx: &mut Tx<'_>, ctx: &Ctx, keys: &[String]) -> Result<HashMap<String, u8>> {
    let mut digits = HashMap::new();
    if keys.is_empty() {
        return Ok(digits);
    }
    let company = ctx.company();
    let marks: Vec<String> = (2..=keys.len() + 1).map(|n| format!("${n}")).collect();
    let mut params: Vec<&dyn ToValue> = vec![&company];
    params.extend(keys.iter().map(|key| key as &dyn ToValue));
    let sql = format!(
        "select p.id, p.code, u.digits from product_product p join product_uom u on u.id = p.uom_id
         where p.company_id = $1 and (p.id in ({marks}) or p.code in ({marks}))",
        marks = marks.join(", ")
    );
    for row in tx.query(&sql, &params)? {
        let (id, code, stored): (String, String, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
        digits.insert(id, digits_of(stored));
        digits.insert(code, digits_of(stored));
    }
    Ok(digits)
}

/// Converts a quantity between two units of the same category.
pub fn convert(quantity: Quantity, from: &Uom, to: &Uom) -> Result<Quantity> {
    if from.category != to.category {
        return Err(Error::invalid("product.uom_incompatible")
            .with_param("from", &from.code)
            .with_param("to", &to.code));
    }
    let numerator =
        from.factor_num.checked_mul(to.factor_den).ok_or_else(|| Error::invalid("kernel.number.overflow"))?;
    let denominator =
        from.factor_den.checked_mul(to.factor_num).ok_or_else(|| Error::invalid("kernel.number.overflow"))?;
    quantity.mul_ratio(numerator, denominator)
}

pub(crate) fn uom_id(tx: &mut Tx<'_>, ctx: &Ctx, field: &'static str, code: &str) -> Result<(String, String)> {
    let row = tx
        .query_opt(
            "select u.id, c.code from product_uom u join product_uom_category c on c.id = u.category_id where u.company_id = $1 and u.code = $2",
            &[&ctx.company(), &code.trim()],
        )?
        .ok_or_else(|| Error::field(field, "product.uom_unknown").with_param("code", code))?;
    Ok((row.get(0)?, row.get(1)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(category: &str, code: &str, num: i64, den: i64) -> Uom {
        Uom {
            category: category.into(),
            code: code.into(),
            name: code.into(),
            factor_num: num,
            factor_den: den,
            digits: 0,
        }
    }

    #[test]
    fn conversions_are_exact_ratios() {
        let (pcs, box12) = (unit("unit", "pcs", 1, 1), unit("unit", "box12", 12, 1));
        assert_eq!(convert("2".parse().unwrap(), &box12, &pcs).unwrap().to_string(), "24.0000");
        assert_eq!(convert("1".parse().unwrap(), &pcs, &box12).unwrap().to_string(), "0.0833");
        let g = unit("weight", "g", 1, 1000);
        assert_eq!(convert("1500".parse().unwrap(), &g, &unit("weight", "kg", 1, 1)).unwrap().to_string(), "1.5000");
        assert!(convert("1".parse().unwrap(), &g, &pcs).is_err());
    }
}

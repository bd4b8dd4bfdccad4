//! BOM explosion (展开) and where-used (反查). An explosion walks the BOM valid on a date level by
//! level: each component's quantity is the parent's × the line's quantity ÷ the BOM's output,
//! plus the scrap factor, rounded half-up to the quantity scale once per level. Sub-assemblies
//! with a BOM are listed and exploded further; a phantom sub-assembly (a kit) is exploded
//! through and does not count as a requirement itself. The leaves are the materials to buy or
//! take from stock, summed per product; by-products are listed apart.

use std::collections::{BTreeMap, HashMap};

use kernel::db::Tx;
use kernel::{Ctx, Error, Result};
use serde::Serialize;

use crate::bom::{Bom, bom_on, product_id, qty_text};
use crate::permissions::READ;

/// Deeper than this is a mistake (a cycle through versions valid on different dates).
const MAX_DEPTH: u32 = 50;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ExplodedLine {
    /// 1 for the product's own components.
    pub level: u32,
    pub product_id: String,
    pub code: String,
    pub name: String,
    /// What the given quantity of the top product needs of it, scrap included.
    pub quantity: String,
    /// It has a BOM: made, not bought.
    pub manufactured: bool,
    /// A kit exploded through.
    pub phantom: bool,
    pub byproduct: bool,
    #[serde(skip)]
    pub scaled: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Requirement {
    pub product_id: String,
    pub code: String,
    pub name: String,
    pub quantity: String,
    #[serde(skip)]
    pub scaled: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Explosion {
    pub product_id: String,
    pub quantity: String,
    pub date: String,
    /// The tree, depth first, in BOM line order.
    pub lines: Vec<ExplodedLine>,
    /// Materials (components without a BOM), summed per product.
    pub materials: Vec<Requirement>,
    pub byproducts: Vec<Requirement>,
}

/// BOMs read once per product during one explosion.
#[derive(Default)]
struct Boms(HashMap<String, Option<Bom>>);

impl Boms {
    fn get(&mut self, tx: &mut Tx<'_>, ctx: &Ctx, product: &str, date: &str) -> Result<Option<Bom>> {
        if let Some(found) = self.0.get(product) {
            return Ok(found.clone());
        }
        let bom = bom_on(tx, ctx, product, date)?;
        self.0.insert(product.to_string(), bom.clone());
        Ok(bom)
    }
}

/// `parent` (scaled) × `per` ÷ `output` × (1 + scrap), half up, in the quantity scale.
pub fn needed(parent: i64, per: i64, output: i64, scrap_bp: i64) -> i64 {
    let numerator = i128::from(parent) * i128::from(per) * i128::from(10_000 + scrap_bp);
    let denominator = i128::from(output) * 10_000;
    i64::try_from(kernel::money::div_round_half_up(numerator, denominator)).unwrap_or(i64::MAX)
}

#[allow(clippy::too_many_arguments)]
fn walk(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    boms: &mut Boms,
    bom: &Bom,
    quantity: i64,
    level: u32,
    date: &str,
    out: &mut Vec<ExplodedLine>,
) -> Result<()> {
    if level > MAX_DEPTH {
        return Err(Error::invalid("production.bom_cycle"));
    }
    for line in &bom.lines {
        let scaled =
            needed(quantity, line.quantity_scaled, bom.quantity_scaled, if line.byproduct { 0 } else { line.scrap_bp });
        let sub = if line.byproduct { None } else { boms.get(tx, ctx, &line.component_id, date)? };
        let phantom = sub.as_ref().is_some_and(|b| b.kind == "phantom");
        out.push(ExplodedLine {
            level,
            product_id: line.component_id.clone(),
            code: line.component_code.clone(),
            name: line.component_name.clone(),
            quantity: qty_text(scaled),
            manufactured: sub.is_some(),
            phantom,
            byproduct: line.byproduct,
            scaled,
        });
        if let Some(sub) = sub {
            walk(tx, ctx, boms, &sub, scaled, level + 1, date, out)?;
        }
    }
    Ok(())
}

fn sum(lines: &[&ExplodedLine]) -> Vec<Requirement> {
    let mut totals: BTreeMap<String, Requirement> = BTreeMap::new();
    for l in lines {
        let entry = totals.entry(l.code.clone()).or_insert_with(|| Requirement {
            product_id: l.product_id.clone(),
            code: l.code.clone(),
            name: l.name.clone(),
            quantity: String::new(),
            scaled: 0,
        });
        entry.scaled += l.scaled;
    }
    totals
        .into_values()
        .map(|mut r| {
            r.quantity = qty_text(r.scaled);
            r
        })
        .collect()
}

/// Explodes the BOM of `product` valid on `date` (today by default) for `quantity`.
pub fn explode(tx: &mut Tx<'_>, ctx: &Ctx, product: &str, quantity: &str, date: Option<&str>) -> Result<Explosion> {
    ctx.require(READ)?;
    let id = product_id(tx, ctx, product, "product")?;
    let scaled: kernel::Quantity =
        quantity.trim().parse().map_err(|_| Error::field("quantity", "production.quantity_invalid"))?;
    let date = match date.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => kernel::clock::format_date(
            kernel::clock::parse_date(d).map_err(|_| Error::field("date", "production.date_invalid"))?,
        ),
        None => kernel::clock::format_date(ctx.today()),
    };
    let mut boms = Boms::default();
    let bom = boms.get(tx, ctx, &id, &date)?.ok_or_else(|| Error::field("product", "production.no_bom"))?;
    let mut lines = Vec::new();
    walk(tx, ctx, &mut boms, &bom, scaled.scaled(), 1, &date, &mut lines)?;
    let materials: Vec<&ExplodedLine> = lines.iter().filter(|l| !l.manufactured && !l.byproduct).collect();
    let byproducts: Vec<&ExplodedLine> = lines.iter().filter(|l| l.byproduct).collect();
    Ok(Explosion {
        product_id: id,
        quantity: qty_text(scaled.scaled()),
        date,
        materials: sum(&materials),
        byproducts: sum(&byproducts),
        lines,
    })
}

/// Whether `product` appears at any depth under `assembly` in any BOM version.
pub fn contains(tx: &mut Tx<'_>, ctx: &Ctx, assembly: &str, product: &str) -> Result<bool> {
    let mut seen: Vec<String> = Vec::new();
    let mut queue = vec![assembly.to_string()];
    while let Some(next) = queue.pop() {
        if next == product {
            return Ok(true);
        }
        if seen.contains(&next) {
            continue;
        }
        seen.push(next.clone());
        for r in tx.query(
            "select distinct l.component_id from production_bom_line l join production_bom b on b.id = l.bom_id
             where b.company_id = $1 and b.product_id = $2 and l.byproduct = 0",
            &[&ctx.company(), &next],
        )? {
            queue.push(r.get(0)?);
        }
    }
    Ok(false)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Usage {
    /// 1: a BOM of this product lists the component directly.
    pub level: u32,
    pub product_id: String,
    pub code: String,
    pub name: String,
    pub bom_code: String,
}

/// Where-used: every assembly whose BOM (any version) contains `component`, directly or through
/// sub-assemblies, nearest first.
pub fn where_used(tx: &mut Tx<'_>, ctx: &Ctx, component: &str) -> Result<Vec<Usage>> {
    ctx.require(READ)?;
    let id = product_id(tx, ctx, component, "product")?;
    let mut out: Vec<Usage> = Vec::new();
    let mut frontier = vec![id];
    let mut level = 1;
    while !frontier.is_empty() && level <= MAX_DEPTH {
        let mut next = Vec::new();
        for component in frontier {
            for r in tx.query(
                "select distinct b.product_id, p.code, p.name, b.code from production_bom_line l
                 join production_bom b on b.id = l.bom_id join product_product p on p.id = b.product_id
                 where l.company_id = $1 and l.component_id = $2 and l.byproduct = 0 order by p.code, b.code",
                &[&ctx.company(), &component],
            )? {
                let product: String = r.get(0)?;
                if out.iter().any(|u| u.product_id == product) {
                    continue;
                }
                out.push(Usage {
                    level,
                    product_id: product.clone(),
                    code: r.get(1)?,
                    name: r.get(2)?,
                    bom_code: r.get(3)?,
                });
                next.push(product);
            }
        }
        frontier = next;
        level += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::needed;

    #[test]
    fn quantities_carry_the_scrap_and_round_half_up_once() {
        // 10 bikes, 2 wheels each, 5 % scrap: 21 wheels.
        assert_eq!(needed(10_0000, 2_0000, 1_0000, 500), 21_0000);
        // A BOM for 4 units: 3 units need 3/4 of its 1 kg.
        assert_eq!(needed(3_0000, 1_0000, 4_0000, 0), 7500);
        // 1/3 of 1 at the fourth decimal: 0.3333.
        assert_eq!(needed(1_0000, 1_0000, 3_0000, 0), 3333);
    }
}

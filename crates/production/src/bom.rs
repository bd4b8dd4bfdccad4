//! Bills of materials (物料清单): per product, versions with validity dates; normal or phantom
//! (a kit: its components go straight into whatever uses it); components with a quantity per
//! the BOM's output quantity and a scrap factor; by-products. A BOM may not contain, at any
//! depth, the product it makes.

use kernel::db::{Row, Tx};
use kernel::{Ctx, Error, Quantity, Result, audit};
use serde::{Deserialize, Serialize};

use crate::permissions::{ENGINEER, READ};

kernel::define_id!(
    /// A bill of materials (one version).
    BomId
);

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BomLineInput {
    /// Component product code or id.
    pub component: String,
    pub quantity: String,
    /// Percent (5 = 5 % more is issued).
    #[serde(default)]
    pub scrap: Option<String>,
    #[serde(default)]
    pub byproduct: bool,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"product": "BIKE", "code": "V1", "kind": "normal", "quantity": "1", "valid_from": "2026-01-01",
    "lines": [{"component": "FRAME", "quantity": "1"}, {"component": "WHEEL", "quantity": "2", "scrap": "2"}]}))]
pub struct BomInput {
    /// The product made (code or id).
    pub product: String,
    /// The version's code (V1 by default).
    #[serde(default)]
    pub code: String,
    /// normal or phantom.
    #[serde(default)]
    pub kind: String,
    /// How many of the product the lines make (1 by default).
    pub quantity: Option<String>,
    /// Today by default.
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    #[serde(default)]
    pub note: String,
    pub lines: Vec<BomLineInput>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BomLine {
    pub seq: i64,
    pub component_id: String,
    pub component_code: String,
    pub component_name: String,
    pub quantity: String,
    /// Percent.
    pub scrap: String,
    pub byproduct: bool,
    #[serde(skip)]
    pub quantity_scaled: i64,
    #[serde(skip)]
    pub scrap_bp: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Bom {
    pub id: String,
    pub product_id: String,
    pub product_code: String,
    pub code: String,
    pub kind: String,
    pub quantity: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub note: String,
    pub lines: Vec<BomLine>,
    #[serde(skip)]
    pub quantity_scaled: i64,
}

fn quantity(text: &str, field: &str) -> Result<i64> {
    let q: Quantity =
        text.trim().parse().map_err(|_| Error::field(field.to_string(), "production.quantity_invalid"))?;
    Some(q.scaled()).filter(|q| *q > 0).ok_or_else(|| Error::field(field.to_string(), "production.quantity_invalid"))
}

pub(crate) fn percent_bp(text: &str, field: &str) -> Result<i64> {
    let value: kernel::UnitPrice =
        text.trim().parse().map_err(|_| Error::field(field.to_string(), "production.percent_invalid"))?;
    let bp = value.scaled() / 10_000;
    if (0..=100_000).contains(&bp) {
        Ok(bp)
    } else {
        Err(Error::field(field.to_string(), "production.percent_invalid"))
    }
}

pub(crate) fn qty_text(scaled: i64) -> String {
    Quantity::from_scaled(scaled).to_string()
}

pub(crate) fn yuan(fen: i64) -> String {
    kernel::Money::from_minor(fen, kernel::Currency::CNY).to_string()
}

pub(crate) fn percent_text(bp: i64) -> String {
    let text = format!("{}.{:02}", bp / 100, bp % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A product's id by code or id (stockable or consumable).
pub(crate) fn product_id(tx: &mut Tx<'_>, ctx: &Ctx, key: &str, field: &str) -> Result<String> {
    product::trade::trade_info(tx, ctx, key)?
        .map(|p| p.id)
        .ok_or_else(|| Error::field(field.to_string(), "production.product_unknown").with_param("product", key))
}

fn day(text: &Option<String>, field: &str, default: Option<String>) -> Result<Option<String>> {
    match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => kernel::clock::parse_date(t)
            .map(|d| Some(kernel::clock::format_date(d)))
            .map_err(|_| Error::field(field.to_string(), "production.date_invalid")),
        None => Ok(default),
    }
}

pub fn create_bom(tx: &mut Tx<'_>, ctx: &Ctx, input: &BomInput) -> Result<Bom> {
    ctx.require(ENGINEER)?;
    let product = product_id(tx, ctx, &input.product, "product")?;
    let kind = if input.kind.trim().is_empty() { "normal" } else { input.kind.trim() };
    if !["normal", "phantom"].contains(&kind) {
        return Err(Error::field("kind", "production.bom_kind_invalid"));
    }
    let output = quantity(input.quantity.as_deref().unwrap_or("1"), "quantity")?;
    let from = day(&input.valid_from, "valid_from", Some(kernel::clock::format_date(ctx.today())))?.unwrap_or_default();
    let to = day(&input.valid_to, "valid_to", None)?;
    if to.as_deref().is_some_and(|t| t < from.as_str()) {
        return Err(Error::field("valid_to", "production.validity_invalid"));
    }
    if input.lines.is_empty() {
        return Err(Error::field("lines", "production.bom_empty"));
    }
    let mut problems = Error::invalid("validation.failed");
    let mut lines = Vec::new();
    for (i, l) in input.lines.iter().enumerate() {
        let component = product_id(tx, ctx, &l.component, &format!("lines[{i}].component"));
        let qty = quantity(&l.quantity, &format!("lines[{i}].quantity"));
        let scrap = l.scrap.as_deref().map(|s| percent_bp(s, &format!("lines[{i}].scrap"))).transpose();
        match (component, qty, scrap) {
            (Ok(c), Ok(q), Ok(s)) if c == product => {
                let _ = (q, s);
                problems = problems.with_field(format!("lines[{i}].component"), "production.bom_cycle");
            }
            (Ok(c), Ok(q), Ok(s)) => lines.push((c, q, s.unwrap_or(0), l.byproduct)),
            (c, q, s) => {
                for e in [c.err(), q.err(), s.err()].into_iter().flatten() {
                    for f in e.fields() {
                        problems = problems.with_field(f.field.clone(), f.code);
                    }
                }
            }
        }
    }
    if !problems.fields().is_empty() {
        return Err(problems);
    }
    // No component may, through its own BOMs, contain the product (a cycle).
    for (i, (component, _, _, byproduct)) in lines.iter().enumerate() {
        if !byproduct && crate::explode::contains(tx, ctx, component, &product)? {
            return Err(Error::field(format!("lines[{i}].component"), "production.bom_cycle"));
        }
    }
    let code = if input.code.trim().is_empty() { "V1".to_string() } else { input.code.trim().to_string() };
    let taken: i64 = tx.scalar(
        "select count(*) from production_bom where company_id = $1 and product_id = $2 and code = $3",
        &[&ctx.company(), &product, &code],
    )?;
    if taken > 0 {
        return Err(Error::field("code", "production.bom_code_taken"));
    }
    let id = BomId::new();
    tx.execute(
        "insert into production_bom (id, company_id, product_id, code, kind, quantity, valid_from, valid_to, note, created_at, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[&id, &ctx.company(), &product, &code, &kind, &output, &from, &to, &input.note.trim(), &ctx.now_text(), &ctx.actor().label()],
    )?;
    for (seq, (component, qty, scrap, byproduct)) in lines.iter().enumerate() {
        tx.execute(
            "insert into production_bom_line (id, bom_id, company_id, seq, component_id, quantity, scrap_bp, byproduct)
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[&kernel::id::Uuid::now_v7(), &id, &ctx.company(), &(seq as i64 + 1), component, qty, scrap, byproduct],
        )?;
    }
    audit::record(tx, ctx, "production.bom.create", "production.bom", &id, serde_json::json!({"code": code}))?;
    get_bom(tx, ctx, id)
}

fn bom_of(tx: &mut Tx<'_>, r: &Row) -> Result<Bom> {
    let id: String = r.get(0)?;
    let lines = tx
        .query(
            "select l.seq, l.component_id, p.code, p.name, l.quantity, l.scrap_bp, l.byproduct
             from production_bom_line l join product_product p on p.id = l.component_id where l.bom_id = $1 order by l.seq",
            &[&id],
        )?
        .iter()
        .map(|l| {
            let (q, s): (i64, i64) = (l.get(4)?, l.get(5)?);
            Ok(BomLine {
                seq: l.get(0)?,
                component_id: l.get(1)?,
                component_code: l.get(2)?,
                component_name: l.get(3)?,
                quantity: qty_text(q),
                scrap: percent_text(s),
                byproduct: l.get(6)?,
                quantity_scaled: q,
                scrap_bp: s,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let output: i64 = r.get(5)?;
    Ok(Bom {
        id,
        product_id: r.get(1)?,
        product_code: r.get(2)?,
        code: r.get(3)?,
        kind: r.get(4)?,
        quantity: qty_text(output),
        valid_from: r.get(6)?,
        valid_to: r.get(7)?,
        note: r.get(8)?,
        lines,
        quantity_scaled: output,
    })
}

const SELECT: &str = "select b.id, b.product_id, p.code, b.code, b.kind, b.quantity, b.valid_from, b.valid_to, b.note
     from production_bom b join product_product p on p.id = b.product_id";

pub fn get_bom(tx: &mut Tx<'_>, ctx: &Ctx, id: BomId) -> Result<Bom> {
    ctx.require(READ)?;
    let r = tx
        .query_opt(&format!("{SELECT} where b.company_id = $1 and b.id = $2"), &[&ctx.company(), &id])?
        .ok_or_else(|| Error::not_found("production.bom_not_found"))?;
    bom_of(tx, &r)
}

/// A product's BOM versions, newest first.
pub fn boms_of(tx: &mut Tx<'_>, ctx: &Ctx, product: &str) -> Result<Vec<Bom>> {
    ctx.require(READ)?;
    let id = product_id(tx, ctx, product, "product")?;
    let rows = tx.query(
        &format!("{SELECT} where b.company_id = $1 and b.product_id = $2 order by b.valid_from desc, b.code desc"),
        &[&ctx.company(), &id],
    )?;
    rows.iter().map(|r| bom_of(tx, r)).collect()
}

/// The BOM version of `product` valid on `date` (the latest to start), if it has one.
pub fn bom_on(tx: &mut Tx<'_>, ctx: &Ctx, product: &str, date: &str) -> Result<Option<Bom>> {
    let row = tx.query_opt(
        &format!(
            "{SELECT} where b.company_id = $1 and b.product_id = $2 and b.valid_from <= $3
               and (b.valid_to is null or b.valid_to >= $3)
             order by b.valid_from desc, b.code desc limit 1"
        ),
        &[&ctx.company(), &product, &date],
    )?;
    row.map(|r| bom_of(tx, &r)).transpose()
}

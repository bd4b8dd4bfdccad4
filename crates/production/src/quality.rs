//! Quality inspection (质量检验): inspection plans per product and kind — incoming (IQC),
//! first-article (首检) and patrol (巡检) in process, final (FQC) and outgoing (OQC) — with
//! their characteristics, limits and sample size; inspections record the measured values, each
//! judged against its limits, and pass only when every value does. A failed inspection opens a
//! nonconformance (不合格品) to be disposed of: rework, scrap or concession (让步接收).
//!
//! Business rules (china.md §6): where a product has a first-article plan, a work order reports
//! no good quantity until a first-article inspection on it has passed; a lot that fails its
//! inspection goes on quality hold — not reserved, issued or delivered — until it passes again
//! or is accepted by concession.

use kernel::db::Tx;
use kernel::{Ctx, Error, Quantity, Result, audit};
use serde::{Deserialize, Serialize};

use crate::bom::{product_id, qty_text};
use crate::permissions::{READ, WORK};

pub const KINDS: [&str; 5] = ["iqc", "first", "patrol", "fqc", "oqc"];
pub const DISPOSITIONS: [&str; 3] = ["rework", "scrap", "concession"];

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CharacteristicInput {
    pub name: String,
    /// Limits (either may be absent); a value outside them fails.
    pub lower: Option<String>,
    pub upper: Option<String>,
    #[serde(default)]
    pub unit: String,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "FA-TEA", "name": "茶饼首检", "kind": "first", "product": "TEA-001", "sample_size": 3,
    "characteristics": [{"name": "重量", "lower": "355", "upper": "360", "unit": "g"}]}))]
pub struct PlanInput {
    pub code: String,
    pub name: String,
    /// iqc, first, patrol, fqc or oqc.
    pub kind: String,
    pub product: String,
    /// Units to inspect per inspection (1 by default).
    pub sample_size: Option<i64>,
    pub characteristics: Vec<CharacteristicInput>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Characteristic {
    pub id: String,
    pub name: String,
    pub lower: Option<String>,
    pub upper: Option<String>,
    pub unit: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Plan {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub product_id: String,
    pub sample_size: i64,
    pub characteristics: Vec<Characteristic>,
}

fn limit(text: &Option<String>, field: &str) -> Result<Option<i64>> {
    match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => {
            // Limits and values may be negative (temperatures): parse the magnitude.
            let (sign, digits) = match t.strip_prefix('-') {
                Some(rest) => (-1, rest),
                None => (1, t),
            };
            let q: Quantity =
                digits.parse().map_err(|_| Error::field(field.to_string(), "production.quantity_invalid"))?;
            Ok(Some(sign * q.scaled()))
        }
    }
}

fn signed_text(scaled: i64) -> String {
    if scaled < 0 { format!("-{}", qty_text(-scaled)) } else { qty_text(scaled) }
}

pub fn create_plan(tx: &mut Tx<'_>, ctx: &Ctx, input: &PlanInput) -> Result<Plan> {
    ctx.require(WORK)?;
    if input.code.trim().is_empty() || input.name.trim().is_empty() {
        return Err(Error::field(if input.code.trim().is_empty() { "code" } else { "name" }, "production.required"));
    }
    if !KINDS.contains(&input.kind.as_str()) {
        return Err(Error::field("kind", "production.inspection_kind_invalid"));
    }
    if input.characteristics.is_empty() {
        return Err(Error::field("characteristics", "production.required"));
    }
    let product = product_id(tx, ctx, &input.product, "product")?;
    let sample = input.sample_size.unwrap_or(1);
    if sample <= 0 {
        return Err(Error::field("sample_size", "production.quantity_invalid"));
    }
    let mut characteristics = Vec::new();
    for (i, c) in input.characteristics.iter().enumerate() {
        if c.name.trim().is_empty() {
            return Err(Error::field(format!("characteristics[{i}].name"), "production.required"));
        }
        let (lower, upper) = (
            limit(&c.lower, &format!("characteristics[{i}].lower"))?,
            limit(&c.upper, &format!("characteristics[{i}].upper"))?,
        );
        if let (Some(l), Some(u)) = (lower, upper)
            && l > u
        {
            return Err(Error::field(format!("characteristics[{i}].upper"), "production.limits_invalid"));
        }
        characteristics.push((c.name.trim().to_string(), lower, upper, c.unit.trim().to_string()));
    }
    let id = kernel::id::Uuid::now_v7().to_string();
    tx.execute(
        "insert into production_inspection_plan (id, company_id, code, name, kind, product_id, sample_size, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[&id, &ctx.company(), &input.code.trim(), &input.name.trim(), &input.kind, &product, &sample, &ctx.now_text()],
    )?;
    for (seq, (name, lower, upper, unit)) in characteristics.iter().enumerate() {
        tx.execute(
            "insert into production_inspection_characteristic (id, plan_id, seq, name, lower_limit, upper_limit, unit)
             values ($1, $2, $3, $4, $5, $6, $7)",
            &[&kernel::id::Uuid::now_v7(), &id, &(seq as i64 + 1), name, lower, upper, unit],
        )?;
    }
    audit::record(
        tx,
        ctx,
        "production.inspection_plan.create",
        "production.inspection_plan",
        &id,
        serde_json::json!({}),
    )?;
    plan(tx, ctx, input.code.trim())
}

pub fn plan(tx: &mut Tx<'_>, ctx: &Ctx, code: &str) -> Result<Plan> {
    ctx.require(READ)?;
    let r = tx
        .query_opt(
            "select id, code, name, kind, product_id, sample_size from production_inspection_plan
             where company_id = $1 and (code = $2 or id = $2)",
            &[&ctx.company(), &code.trim()],
        )?
        .ok_or_else(|| Error::field("plan", "production.plan_unknown"))?;
    let id: String = r.get(0)?;
    let characteristics = tx
        .query(
            "select id, name, lower_limit, upper_limit, unit from production_inspection_characteristic where plan_id = $1 order by seq",
            &[&id],
        )?
        .iter()
        .map(|c| {
            Ok(Characteristic {
                id: c.get(0)?,
                name: c.get(1)?,
                lower: c.get::<Option<i64>>(2)?.map(signed_text),
                upper: c.get::<Option<i64>>(3)?.map(signed_text),
                unit: c.get(4)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Plan {
        id,
        code: r.get(1)?,
        name: r.get(2)?,
        kind: r.get(3)?,
        product_id: r.get(4)?,
        sample_size: r.get(5)?,
        characteristics,
    })
}

pub fn list_plans(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Plan>> {
    ctx.require(READ)?;
    let codes: Vec<String> = tx
        .query("select code from production_inspection_plan where company_id = $1 order by code", &[&ctx.company()])?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_>>()?;
    codes.iter().map(|c| plan(tx, ctx, c)).collect()
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasuredValue {
    /// The characteristic's name.
    pub characteristic: String,
    pub value: String,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"plan": "FA-TEA", "inspector": "质检员李", "values": [{"characteristic": "重量", "value": "357"}]}))]
pub struct InspectionInput {
    pub plan: String,
    /// The work order inspected (first-article, patrol, final), if any.
    pub work_order_id: Option<String>,
    /// The lot inspected (incoming, final, outgoing), if any.
    pub lot: Option<String>,
    #[serde(default)]
    pub inspector: String,
    pub values: Vec<MeasuredValue>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Inspection {
    pub id: String,
    pub plan: String,
    pub kind: String,
    /// pass or fail
    pub result: String,
    /// The characteristics outside their limits.
    pub failed: Vec<String>,
    /// The nonconformance opened by a failure.
    pub nonconformance_id: Option<String>,
}

/// Records an inspection: every characteristic of the plan needs a value; the result passes only
/// when all are within their limits; a failure opens a nonconformance.
pub fn record_inspection(tx: &mut Tx<'_>, ctx: &Ctx, input: &InspectionInput) -> Result<Inspection> {
    ctx.require(WORK)?;
    let plan = plan(tx, ctx, &input.plan)?;
    let work_order = input.work_order_id.as_deref().map(str::trim).filter(|w| !w.is_empty());
    if let Some(w) = work_order {
        let n: i64 = tx.scalar(
            "select count(*) from production_work_order where company_id = $1 and id = $2",
            &[&ctx.company(), &w],
        )?;
        if n == 0 {
            return Err(Error::field("work_order_id", "production.work_order_not_found"));
        }
    }
    let mut values = Vec::new();
    let mut failed = Vec::new();
    for (i, c) in plan.characteristics.iter().enumerate() {
        let given = input.values.iter().find(|v| v.characteristic.trim() == c.name).ok_or_else(|| {
            Error::field(format!("values[{i}]"), "production.value_missing").with_param("name", &c.name)
        })?;
        let value = limit(&Some(given.value.clone()), &format!("values[{i}].value"))?.unwrap_or(0);
        let lower = limit(&c.lower, "lower")?;
        let upper = limit(&c.upper, "upper")?;
        let ok = lower.is_none_or(|l| value >= l) && upper.is_none_or(|u| value <= u);
        if !ok {
            failed.push(c.name.clone());
        }
        values.push((c.id.clone(), value, ok));
    }
    let result = if failed.is_empty() { "pass" } else { "fail" };
    let id = kernel::id::Uuid::now_v7().to_string();
    tx.execute(
        "insert into production_inspection (id, company_id, plan_id, kind, work_order_id, lot, result, inspector, created_at, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[&id, &ctx.company(), &plan.id, &plan.kind, &work_order, &input.lot.as_deref().map(str::trim), &result, &input.inspector.trim(), &ctx.now_text(), &ctx.actor().label()],
    )?;
    for (characteristic, value, ok) in &values {
        tx.execute(
            "insert into production_inspection_value (inspection_id, characteristic_id, value, ok) values ($1, $2, $3, $4)",
            &[&id, characteristic, value, ok],
        )?;
    }
    // A lot that fails is put on hold (no issue or delivery takes it); one that passes is free.
    if let Some(lot) = input.lot.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        inventory::lot::set_hold(tx, ctx, &plan.product_id, lot, !failed.is_empty())?;
    }
    let nonconformance_id = if failed.is_empty() {
        None
    } else {
        let nc = kernel::id::Uuid::now_v7().to_string();
        tx.execute(
            "insert into production_nonconformance (id, company_id, inspection_id, state, created_at) values ($1, $2, $3, 'open', $4)",
            &[&nc, &ctx.company(), &id, &ctx.now_text()],
        )?;
        Some(nc)
    };
    audit::record(
        tx,
        ctx,
        "production.inspection.record",
        "production.inspection",
        &id,
        serde_json::json!({"result": result}),
    )?;
    Ok(Inspection { id, plan: plan.code, kind: plan.kind, result: result.into(), failed, nonconformance_id })
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"disposition": "rework", "note": "重新压制"}))]
pub struct DispositionInput {
    /// rework, scrap or concession (让步接收).
    pub disposition: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Nonconformance {
    pub id: String,
    pub inspection_id: String,
    /// open or disposed
    pub state: String,
    pub disposition: Option<String>,
    pub note: String,
}

const NONCONFORMANCE: &str = "select id, inspection_id, state, disposition, note from production_nonconformance";

fn nonconformance_of(r: &kernel::db::Row) -> Result<Nonconformance> {
    Ok(Nonconformance {
        id: r.get(0)?,
        inspection_id: r.get(1)?,
        state: r.get(2)?,
        disposition: r.get(3)?,
        note: r.get(4)?,
    })
}

fn nonconformance(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<Nonconformance> {
    let r = tx
        .query_opt(&format!("{NONCONFORMANCE} where company_id = $1 and id = $2"), &[&ctx.company(), &id])?
        .ok_or_else(|| Error::not_found("production.nonconformance_not_found"))?;
    nonconformance_of(&r)
}

pub fn list_nonconformances(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Nonconformance>> {
    ctx.require(READ)?;
    tx.query(
        &format!("{NONCONFORMANCE} where company_id = $1 order by created_at desc, id desc limit 200"),
        &[&ctx.company()],
    )?
    .iter()
    .map(nonconformance_of)
    .collect()
}

/// Decides what happens to nonconforming goods (MRB): rework, scrap or concession.
pub fn dispose(tx: &mut Tx<'_>, ctx: &Ctx, id: &str, input: &DispositionInput) -> Result<Nonconformance> {
    ctx.require(WORK)?;
    if !DISPOSITIONS.contains(&input.disposition.as_str()) {
        return Err(Error::field("disposition", "production.disposition_invalid"));
    }
    nonconformance(tx, ctx, id)?;
    let changed = tx.execute(
        "update production_nonconformance set state = 'disposed', disposition = $1, note = $2, disposed_at = $3, disposed_by = $4
         where company_id = $5 and id = $6 and state = 'open'",
        &[&input.disposition, &input.note.trim(), &ctx.now_text(), &ctx.actor().label(), &ctx.company(), &id],
    )?;
    if changed == 0 {
        return Err(Error::conflict("production.nonconformance_disposed"));
    }
    // Accepted by concession (让步接收): the held lot is released.
    if input.disposition == "concession" {
        let held = tx.query_opt(
            "select p.product_id, i.lot from production_nonconformance n join production_inspection i on i.id = n.inspection_id
             join production_inspection_plan p on p.id = i.plan_id where n.id = $1 and i.lot is not null",
            &[&id],
        )?;
        if let Some(r) = held {
            let (product, lot): (String, String) = (r.get(0)?, r.get(1)?);
            inventory::lot::set_hold(tx, ctx, &product, &lot, false)?;
        }
    }
    audit::record(
        tx,
        ctx,
        "production.nonconformance.dispose",
        "production.nonconformance",
        &id,
        serde_json::json!({"disposition": input.disposition}),
    )?;
    nonconformance(tx, ctx, id)
}

/// Whether a work order may report good units: where its product has a first-article plan, only
/// after a first-article inspection on the order has passed.
pub(crate) fn first_article_cleared(tx: &mut Tx<'_>, ctx: &Ctx, work_order: &str, product: &str) -> Result<bool> {
    let plans: i64 = tx.scalar(
        "select count(*) from production_inspection_plan where company_id = $1 and product_id = $2 and kind = 'first'",
        &[&ctx.company(), &product],
    )?;
    if plans == 0 {
        return Ok(true);
    }
    let passed: i64 = tx.scalar(
        "select count(*) from production_inspection where company_id = $1 and work_order_id = $2 and kind = 'first' and result = 'pass'",
        &[&ctx.company(), &work_order],
    )?;
    Ok(passed > 0)
}

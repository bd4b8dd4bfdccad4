//! The pipeline's stages (销售阶段), configurable per company, each with a win probability.
//! A company starts with the usual five; won and lost are states of an opportunity, not stages.

use kernel::db::Tx;
use kernel::{Ctx, Error, Result};
use serde::{Deserialize, Serialize};

use crate::permissions::{READ, SETUP};

/// The stages a company starts with: code, name, probability in basis points.
const DEFAULT_STAGES: &[(&str, &str, i64)] = &[
    ("contact", "初步接洽", 1000),
    ("needs", "需求确认", 3000),
    ("proposal", "方案报价", 6000),
    ("negotiation", "商务谈判", 8000),
    ("commit", "签约在即", 9000),
];

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Stage {
    pub id: String,
    pub code: String,
    pub name: String,
    pub seq: i64,
    /// Percent.
    pub probability: String,
    #[serde(skip)]
    pub probability_bp: i64,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "demo", "name": "产品演示", "probability": "40", "seq": 25}))]
pub struct StageInput {
    pub code: String,
    pub name: String,
    /// Percent, 0–100.
    pub probability: String,
    /// Position among the stages (lower first); after the last by default.
    pub seq: Option<i64>,
}

pub(crate) fn percent_text(bp: i64) -> String {
    let text = format!("{}.{:02}", bp / 100, bp % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn ensure_defaults(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<()> {
    let n: i64 = tx.scalar("select count(*) from crm_stage where company_id = $1", &[&ctx.company()])?;
    if n > 0 {
        return Ok(());
    }
    for (i, (code, name, bp)) in DEFAULT_STAGES.iter().enumerate() {
        tx.execute(
            "insert into crm_stage (id, company_id, code, name, seq, probability_bp, created_at) values ($1, $2, $3, $4, $5, $6, $7)
             on conflict (company_id, code) do nothing",
            &[&kernel::id::Uuid::now_v7(), &ctx.company(), code, name, &((i as i64 + 1) * 10), bp, &ctx.now_text()],
        )?;
    }
    Ok(())
}

/// The stages in order (the defaults are made on first use).
pub fn list_stages(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Stage>> {
    ctx.require(READ)?;
    stages(tx, ctx)
}

pub(crate) fn stages(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Stage>> {
    ensure_defaults(tx, ctx)?;
    tx.query(
        "select id, code, name, seq, probability_bp from crm_stage where company_id = $1 order by seq, code",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| {
        let bp: i64 = r.get(4)?;
        Ok(Stage {
            id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            seq: r.get(3)?,
            probability: percent_text(bp),
            probability_bp: bp,
        })
    })
    .collect()
}

/// A stage by id or code.
pub(crate) fn find_stage(tx: &mut Tx<'_>, ctx: &Ctx, key: &str) -> Result<Stage> {
    stages(tx, ctx)?
        .into_iter()
        .find(|s| s.id == key || s.code == key)
        .ok_or_else(|| Error::field("stage", "crm.stage_unknown"))
}

pub(crate) fn parse_percent(text: &str, field: &str) -> Result<i64> {
    let value: kernel::UnitPrice =
        text.trim().parse().map_err(|_| Error::field(field.to_string(), "crm.percent_invalid"))?;
    // UnitPrice keeps 6 decimals: percent × 10^6 → basis points.
    let bp = value.scaled() / 10_000;
    if (0..=10_000).contains(&bp) { Ok(bp) } else { Err(Error::field(field.to_string(), "crm.percent_invalid")) }
}

/// Adds a stage, or renames and re-weights the stage with that code.
pub fn save_stage(tx: &mut Tx<'_>, ctx: &Ctx, input: &StageInput) -> Result<Stage> {
    ctx.require(SETUP)?;
    ensure_defaults(tx, ctx)?;
    let code = input.code.trim();
    if code.is_empty() || input.name.trim().is_empty() {
        return Err(Error::field(if code.is_empty() { "code" } else { "name" }, "crm.required"));
    }
    let bp = parse_percent(&input.probability, "probability")?;
    let last: i64 =
        tx.scalar("select coalesce(max(seq), 0) from crm_stage where company_id = $1", &[&ctx.company()])?;
    let seq = input.seq.unwrap_or(last + 10);
    let changed = tx.execute(
        "update crm_stage set name = $1, probability_bp = $2, seq = $3 where company_id = $4 and code = $5",
        &[&input.name.trim(), &bp, &seq, &ctx.company(), &code],
    )?;
    if changed == 0 {
        tx.execute(
            "insert into crm_stage (id, company_id, code, name, seq, probability_bp, created_at) values ($1, $2, $3, $4, $5, $6, $7)",
            &[&kernel::id::Uuid::now_v7(), &ctx.company(), &code, &input.name.trim(), &seq, &bp, &ctx.now_text()],
        )?;
    }
    kernel::audit::record(tx, ctx, "crm.stage.save", "crm.stage", &code, serde_json::json!({"probability_bp": bp}))?;
    find_stage(tx, ctx, code)
}

//! Work centers (工作中心) with their capacity, shift calendar and hourly rates, and routings
//! (工艺路线): per product, the operations (工序) in order, each at a work center with its setup
//! time per work order and run time per unit. A work center may name the workshop (车间) it is
//! in, which the shop-floor board groups by.

use kernel::db::Tx;
use kernel::{Ctx, Currency, Error, Money, Quantity, Result, audit};
use serde::{Deserialize, Serialize};

use crate::bom::{percent_bp, percent_text, product_id, qty_text, yuan};
use crate::permissions::{ENGINEER, READ};

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "WC-ASM", "name": "总装线", "capacity": 2, "hours_per_day": 8, "working_days": "1111100",
    "labour_rate": "60", "machine_rate": "40", "overhead": "20", "workshop": "W1"}))]
pub struct WorkCenterInput {
    pub code: String,
    pub name: String,
    /// Parallel machines or stations (1 by default).
    pub capacity: Option<i64>,
    /// Hours of a working day (8 by default).
    pub hours_per_day: Option<i64>,
    /// Working weekdays, Monday first (1111100 by default).
    pub working_days: Option<String>,
    /// CNY per hour.
    pub labour_rate: Option<String>,
    pub machine_rate: Option<String>,
    /// Overhead (制造费用) as percent of labour and machine cost.
    pub overhead: Option<String>,
    /// The workshop (车间) it belongs to, for the shop-floor board (none by default).
    #[serde(default)]
    pub workshop: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WorkCenter {
    pub id: String,
    pub code: String,
    pub name: String,
    pub capacity: i64,
    pub hours_per_day: i64,
    pub working_days: String,
    pub labour_rate: String,
    pub machine_rate: String,
    pub overhead: String,
    pub workshop: String,
    #[serde(skip)]
    pub labour_fen: i64,
    #[serde(skip)]
    pub machine_fen: i64,
    #[serde(skip)]
    pub overhead_bp: i64,
}

fn fen(text: &Option<String>, field: &str) -> Result<i64> {
    match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(0),
        Some(t) => Money::parse(t, Currency::CNY)
            .ok()
            .map(|m| m.minor())
            .filter(|m| *m >= 0)
            .ok_or_else(|| Error::field(field.to_string(), "production.amount_invalid")),
    }
}

/// Adds a work center, or changes the one with that code.
pub fn save_work_center(tx: &mut Tx<'_>, ctx: &Ctx, input: &WorkCenterInput) -> Result<WorkCenter> {
    ctx.require(ENGINEER)?;
    let code = input.code.trim();
    if code.is_empty() || input.name.trim().is_empty() {
        return Err(Error::field(if code.is_empty() { "code" } else { "name" }, "production.required"));
    }
    let days = input.working_days.clone().unwrap_or_else(|| "1111100".into());
    if days.len() != 7 || !days.chars().all(|c| c == '0' || c == '1') {
        return Err(Error::field("working_days", "production.working_days_invalid"));
    }
    let (capacity, hours) = (input.capacity.unwrap_or(1), input.hours_per_day.unwrap_or(8));
    if capacity <= 0 || !(1..=24).contains(&hours) {
        return Err(Error::field(
            if capacity <= 0 { "capacity" } else { "hours_per_day" },
            "production.capacity_invalid",
        ));
    }
    let (labour, machine) = (fen(&input.labour_rate, "labour_rate")?, fen(&input.machine_rate, "machine_rate")?);
    let overhead = input.overhead.as_deref().map(|o| percent_bp(o, "overhead")).transpose()?.unwrap_or(0);
    let workshop = input.workshop.as_deref().map(str::trim);
    let changed = tx.execute(
        "update production_work_center set name = $1, capacity = $2, hours_per_day = $3, working_days = $4, labour_rate = $5,
             machine_rate = $6, overhead_bp = $7, workshop = coalesce($10, workshop) where company_id = $8 and code = $9",
        &[&input.name.trim(), &capacity, &hours, &days, &labour, &machine, &overhead, &ctx.company(), &code, &workshop],
    )?;
    if changed == 0 {
        tx.execute(
            "insert into production_work_center (id, company_id, code, name, capacity, hours_per_day, working_days, labour_rate,
                 machine_rate, overhead_bp, created_at, workshop)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &[&kernel::id::Uuid::now_v7(), &ctx.company(), &code, &input.name.trim(), &capacity, &hours, &days, &labour, &machine, &overhead, &ctx.now_text(), &workshop.unwrap_or("")],
        )?;
    }
    audit::record(tx, ctx, "production.work_center.save", "production.work_center", &code, serde_json::json!({}))?;
    work_center(tx, ctx, code)
}

const CENTER: &str =
    "select id, code, name, capacity, hours_per_day, working_days, labour_rate, machine_rate, overhead_bp, workshop
     from production_work_center";

fn center_of(r: &kernel::db::Row) -> Result<WorkCenter> {
    let (labour, machine, overhead): (i64, i64, i64) = (r.get(6)?, r.get(7)?, r.get(8)?);
    Ok(WorkCenter {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        capacity: r.get(3)?,
        hours_per_day: r.get(4)?,
        working_days: r.get(5)?,
        labour_rate: yuan(labour),
        machine_rate: yuan(machine),
        overhead: percent_text(overhead),
        workshop: r.get(9)?,
        labour_fen: labour,
        machine_fen: machine,
        overhead_bp: overhead,
    })
}

pub(crate) fn work_center(tx: &mut Tx<'_>, ctx: &Ctx, key: &str) -> Result<WorkCenter> {
    let r = tx
        .query_opt(
            &format!("{CENTER} where company_id = $1 and (code = $2 or id = $2)"),
            &[&ctx.company(), &key.trim()],
        )?
        .ok_or_else(|| Error::field("work_center", "production.work_center_unknown").with_param("code", key))?;
    center_of(&r)
}

pub fn list_work_centers(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<WorkCenter>> {
    ctx.require(READ)?;
    tx.query(&format!("{CENTER} where company_id = $1 order by code"), &[&ctx.company()])?
        .iter()
        .map(center_of)
        .collect()
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationInput {
    pub name: String,
    /// The work center's code.
    pub work_center: String,
    /// Minutes once per work order.
    #[serde(default)]
    pub setup_minutes: Option<String>,
    /// Minutes per unit.
    pub run_minutes: String,
    #[serde(default)]
    pub key_operation: bool,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"product": "BIKE", "code": "R1", "operations": [
    {"name": "焊接车架", "work_center": "WC-WELD", "setup_minutes": "30", "run_minutes": "12", "key_operation": true},
    {"name": "总装", "work_center": "WC-ASM", "run_minutes": "20"}]}))]
pub struct RoutingInput {
    pub product: String,
    /// R1 by default; saving the same code replaces its operations.
    #[serde(default)]
    pub code: String,
    pub operations: Vec<OperationInput>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Operation {
    pub seq: i64,
    pub name: String,
    pub work_center: String,
    pub setup_minutes: String,
    pub run_minutes: String,
    pub key_operation: bool,
    #[serde(skip)]
    pub work_center_id: String,
    #[serde(skip)]
    pub setup_scaled: i64,
    #[serde(skip)]
    pub run_scaled: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Routing {
    pub id: String,
    pub product_id: String,
    pub code: String,
    pub operations: Vec<Operation>,
}

fn minutes(text: &str, field: &str) -> Result<i64> {
    let q: Quantity =
        text.trim().parse().map_err(|_| Error::field(field.to_string(), "production.quantity_invalid"))?;
    Some(q.scaled()).filter(|m| *m >= 0).ok_or_else(|| Error::field(field.to_string(), "production.quantity_invalid"))
}

pub fn save_routing(tx: &mut Tx<'_>, ctx: &Ctx, input: &RoutingInput) -> Result<Routing> {
    ctx.require(ENGINEER)?;
    let product = product_id(tx, ctx, &input.product, "product")?;
    if input.operations.is_empty() {
        return Err(Error::field("operations", "production.routing_empty"));
    }
    let mut operations = Vec::new();
    for (i, o) in input.operations.iter().enumerate() {
        if o.name.trim().is_empty() {
            return Err(Error::field(format!("operations[{i}].name"), "production.required"));
        }
        let center = work_center(tx, ctx, &o.work_center).map_err(|_| {
            Error::field(format!("operations[{i}].work_center"), "production.work_center_unknown")
                .with_param("code", &o.work_center)
        })?;
        let setup = minutes(o.setup_minutes.as_deref().unwrap_or("0"), &format!("operations[{i}].setup_minutes"))?;
        let run = minutes(&o.run_minutes, &format!("operations[{i}].run_minutes"))?;
        operations.push((o.name.trim().to_string(), center.id, setup, run, o.key_operation));
    }
    let code = if input.code.trim().is_empty() { "R1".to_string() } else { input.code.trim().to_string() };
    let existing: Option<String> = tx
        .query_opt(
            "select id from production_routing where company_id = $1 and product_id = $2 and code = $3",
            &[&ctx.company(), &product, &code],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    let id = match existing {
        Some(id) => {
            tx.execute("delete from production_operation where routing_id = $1", &[&id])?;
            id
        }
        None => {
            let id = kernel::id::Uuid::now_v7().to_string();
            tx.execute(
                "insert into production_routing (id, company_id, product_id, code, created_at) values ($1, $2, $3, $4, $5)",
                &[&id, &ctx.company(), &product, &code, &ctx.now_text()],
            )?;
            id
        }
    };
    for (seq, (name, center, setup, run, key)) in operations.iter().enumerate() {
        tx.execute(
            "insert into production_operation (id, routing_id, seq, name, work_center_id, setup_minutes, run_minutes, key_operation)
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[&kernel::id::Uuid::now_v7(), &id, &((seq as i64 + 1) * 10), name, center, setup, run, key],
        )?;
    }
    audit::record(tx, ctx, "production.routing.save", "production.routing", &id, serde_json::json!({"code": code}))?;
    routing_of(tx, ctx, &product)?.ok_or_else(|| Error::not_found("production.routing_not_found"))
}

/// A product's routing (the first by code), with its operations in order.
pub fn routing_of(tx: &mut Tx<'_>, ctx: &Ctx, product: &str) -> Result<Option<Routing>> {
    let Some(r) = tx.query_opt(
        "select id, product_id, code from production_routing where company_id = $1 and product_id = $2 order by code limit 1",
        &[&ctx.company(), &product],
    )?
    else {
        return Ok(None);
    };
    let id: String = r.get(0)?;
    let operations = tx
        .query(
            "select o.seq, o.name, w.code, o.setup_minutes, o.run_minutes, o.key_operation, o.work_center_id
             from production_operation o join production_work_center w on w.id = o.work_center_id
             where o.routing_id = $1 order by o.seq",
            &[&id],
        )?
        .iter()
        .map(|o| {
            let (setup, run): (i64, i64) = (o.get(3)?, o.get(4)?);
            Ok(Operation {
                seq: o.get(0)?,
                name: o.get(1)?,
                work_center: o.get(2)?,
                setup_minutes: qty_text(setup),
                run_minutes: qty_text(run),
                key_operation: o.get(5)?,
                work_center_id: o.get(6)?,
                setup_scaled: setup,
                run_scaled: run,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(Routing { id, product_id: r.get(1)?, code: r.get(2)?, operations }))
}

/// A product's routing by code or id of the product.
pub fn get_routing(tx: &mut Tx<'_>, ctx: &Ctx, product: &str) -> Result<Routing> {
    ctx.require(READ)?;
    let id = product_id(tx, ctx, product, "product")?;
    routing_of(tx, ctx, &id)?.ok_or_else(|| Error::not_found("production.routing_not_found"))
}

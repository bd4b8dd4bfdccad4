//! The shop floor (车间现场): what a worker at a tablet works on. A worker starts and pauses an
//! operation of a running work order; each start–pause is a run with its minutes, so a job
//! report (报工) given without minutes or times takes the minutes actually run by that worker
//! (see `take_run_minutes`, called from `work_order::job_minutes`) instead of the routing's
//! standard. Also the open operations a tablet lists, with what is left to do, and the lookup of
//! a scanned work order number or lot code.

use kernel::db::Tx;
use kernel::{Ctx, Error, Result};
use serde::{Deserialize, Serialize};

use crate::bom::qty_text;
use crate::permissions::{READ, WORK};

pub const SHOP_MESSAGES: &[kernel::i18n::Message] = &[
    kernel::msg!("production.operation_not_found", "工序不存在", "Operation not found"),
    kernel::msg!("production.run_open", "该工人已开工，请先暂停", "Already started by this worker: pause first"),
    kernel::msg!("production.run_not_open", "该工人没有进行中的工序", "Not started by this worker"),
    kernel::msg!("production.worker_required", "请填写工人", "Give the worker"),
    kernel::msg!("production.scan_unknown", "没有与“{code}”对应的工单或批次", "No work order or lot {code}"),
];

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"worker": "王师傅"}))]
pub struct RunInput {
    /// Who works the operation (the caller's name by default).
    #[serde(default)]
    pub worker: Option<String>,
}

/// One start–pause of an operation by a worker.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Run {
    pub id: String,
    pub operation_id: String,
    pub work_order_id: String,
    pub worker: String,
    pub started_at: String,
    /// Empty while running.
    pub ended_at: Option<String>,
    pub minutes: String,
}

/// The minutes (scaled 10^4) between two stored timestamps, to the second.
fn minutes_between(start: &str, end: &str) -> Result<i64> {
    let (start, end) = (kernel::clock::parse_timestamp(start)?, kernel::clock::parse_timestamp(end)?);
    let seconds = (end - start).whole_seconds().max(0);
    Ok(i64::try_from(kernel::money::div_round_half_up(i128::from(seconds) * 10_000, 60)).unwrap_or(i64::MAX))
}

fn worker_of(worker: &str) -> Result<String> {
    let worker = worker.trim();
    if worker.is_empty() {
        return Err(Error::field("worker", "production.worker_required"));
    }
    Ok(worker.to_string())
}

/// The work order of an operation of this company, if it is running (confirmed or in progress).
fn running_order_of(tx: &mut Tx<'_>, ctx: &Ctx, operation: &str) -> Result<String> {
    let row = tx
        .query_opt(
            "select o.work_order_id, w.state from production_work_order_operation o
             join production_work_order w on w.id = o.work_order_id where w.company_id = $1 and o.id = $2",
            &[&ctx.company(), &operation.trim()],
        )?
        .ok_or_else(|| Error::not_found("production.operation_not_found"))?;
    let (order, state): (String, String) = (row.get(0)?, row.get(1)?);
    if !matches!(state.as_str(), "confirmed" | "in_progress") {
        return Err(Error::conflict("production.work_order_state").with_param("state", state));
    }
    Ok(order)
}

const RUN: &str =
    "select id, operation_id, work_order_id, worker, started_at, ended_at, minutes from production_operation_run";

fn run_of(r: &kernel::db::Row) -> Result<Run> {
    Ok(Run {
        id: r.get(0)?,
        operation_id: r.get(1)?,
        work_order_id: r.get(2)?,
        worker: r.get(3)?,
        started_at: r.get(4)?,
        ended_at: r.get(5)?,
        minutes: qty_text(r.get(6)?),
    })
}

/// The run of `worker` on `operation` not yet paused, if any.
fn open_run(tx: &mut Tx<'_>, ctx: &Ctx, operation: &str, worker: &str) -> Result<Option<Run>> {
    tx.query_opt(
        &format!("{RUN} where company_id = $1 and operation_id = $2 and worker = $3 and ended_at is null"),
        &[&ctx.company(), &operation.trim(), &worker],
    )?
    .map(|r| run_of(&r))
    .transpose()
}

/// Starts an operation (开工) for a worker; a worker runs an operation once at a time.
pub fn start_operation(tx: &mut Tx<'_>, ctx: &Ctx, operation: &str, worker: &str) -> Result<Run> {
    ctx.require(WORK)?;
    let worker = worker_of(worker)?;
    let order = running_order_of(tx, ctx, operation)?;
    if open_run(tx, ctx, operation, &worker)?.is_some() {
        return Err(Error::conflict("production.run_open"));
    }
    let id = kernel::id::Uuid::now_v7().to_string();
    tx.execute(
        "insert into production_operation_run (id, company_id, operation_id, work_order_id, worker, started_at, ended_at,
             minutes, reported, created_by)
         values ($1, $2, $3, $4, $5, $6, null, 0, 0, $7)",
        &[&id, &ctx.company(), &operation.trim(), &order, &worker, &ctx.now_text(), &ctx.actor().label()],
    )?;
    kernel::audit::record(
        tx,
        ctx,
        "production.operation.start",
        "production.work_order",
        &order,
        serde_json::json!({"operation": operation.trim(), "worker": worker}),
    )?;
    open_run(tx, ctx, operation, &worker)?.ok_or_else(|| Error::not_found("production.run_not_open"))
}

/// Pauses (暂停) the worker's run of an operation: its minutes so far are kept for the report.
pub fn pause_operation(tx: &mut Tx<'_>, ctx: &Ctx, operation: &str, worker: &str) -> Result<Run> {
    ctx.require(WORK)?;
    let worker = worker_of(worker)?;
    let order = running_order_of(tx, ctx, operation)?;
    let run = open_run(tx, ctx, operation, &worker)?.ok_or_else(|| Error::conflict("production.run_not_open"))?;
    let now = ctx.now_text();
    let minutes = minutes_between(&run.started_at, &now)?;
    let changed = tx.execute(
        "update production_operation_run set ended_at = $1, minutes = $2 where id = $3 and ended_at is null",
        &[&now, &minutes, &run.id],
    )?;
    if changed == 0 {
        return Err(Error::conflict("production.run_not_open"));
    }
    kernel::audit::record(
        tx,
        ctx,
        "production.operation.pause",
        "production.work_order",
        &order,
        serde_json::json!({"operation": operation.trim(), "worker": worker, "minutes": qty_text(minutes)}),
    )?;
    let row = tx
        .query_opt(&format!("{RUN} where id = $1"), &[&run.id])?
        .ok_or_else(|| Error::not_found("production.run_not_open"))?;
    run_of(&row)
}

/// The minutes (scaled 10^4) `worker` has run on an operation and not yet reported, a run still
/// going counted to now; `None` when the worker has no such run.
pub fn unreported_minutes(tx: &mut Tx<'_>, ctx: &Ctx, operation: &str, worker: &str) -> Result<Option<i64>> {
    ctx.require(READ)?;
    let now = ctx.now_text();
    let rows = tx.query(
        "select started_at, ended_at, minutes from production_operation_run
         where company_id = $1 and operation_id = $2 and worker = $3 and reported = 0",
        &[&ctx.company(), &operation.trim(), &worker.trim()],
    )?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut total = 0;
    for r in &rows {
        total += match r.get::<Option<String>>(1)? {
            Some(_) => r.get::<i64>(2)?,
            None => minutes_between(&r.get::<String>(0)?, &now)?,
        };
    }
    Ok(Some(total))
}

/// The minutes (scaled 10^4) of a worker's runs on an operation not yet reported, the running
/// one ended now; they are marked reported. None when the worker has no such run (the report
/// then takes the routing's time). One read when there is none.
pub(crate) fn take_run_minutes(tx: &mut Tx<'_>, ctx: &Ctx, operation: &str, worker: &str) -> Result<Option<i64>> {
    let worker = worker.trim();
    let runs = tx.query(
        "select id, started_at, ended_at, minutes from production_operation_run
         where company_id = $1 and operation_id = $2 and worker = $3 and reported = 0",
        &[&ctx.company(), &operation, &worker],
    )?;
    if runs.is_empty() {
        return Ok(None);
    }
    let now = ctx.now_text();
    let mut minutes = 0;
    for r in runs {
        let (id, started, ended, done): (String, String, Option<String>, i64) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        if ended.is_none() {
            let ran = minutes_between(&started, &now)?;
            tx.execute(
                "update production_operation_run set ended_at = $1, minutes = $2 where id = $3 and ended_at is null",
                &[&now, &ran, &id],
            )?;
            minutes += ran;
        } else {
            minutes += done;
        }
    }
    tx.execute(
        "update production_operation_run set reported = 1
         where company_id = $1 and operation_id = $2 and worker = $3 and reported = 0",
        &[&ctx.company(), &operation, &worker],
    )?;
    Ok(Some(minutes))
}

/// An operation of a running work order with something left to do.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OpenOperation {
    /// The work order operation's id (start, pause).
    pub id: String,
    pub work_order_id: String,
    pub number: String,
    pub product_code: String,
    pub product_name: String,
    pub lot: Option<String>,
    pub due_date: Option<String>,
    pub seq: i64,
    pub name: String,
    pub work_center: String,
    pub workshop: String,
    pub quantity: String,
    pub good: String,
    pub scrap: String,
    /// What reached this operation (the previous passed) and is not yet reported here.
    pub remaining: String,
    /// When the worker's current run started, if the worker is on it.
    pub running_since: Option<String>,
    /// The worker's minutes run here and not yet reported (paused runs).
    pub run_minutes: String,
}

/// The open operations of confirmed and in-progress work orders (earliest due first), each with
/// `worker`'s runs on it: one query for the operations, one for the worker's runs.
pub fn open_operations(tx: &mut Tx<'_>, ctx: &Ctx, worker: Option<&str>) -> Result<Vec<OpenOperation>> {
    ctx.require(READ)?;
    let rows = tx.query(
        "select o.id, o.work_order_id, w.number, p.code, p.name, w.lot, w.due_date, o.seq, o.name, c.code, c.workshop,
             w.quantity, o.good, o.scrap,
             coalesce((select q.good from production_work_order_operation q
                        where q.work_order_id = o.work_order_id and q.seq < o.seq order by q.seq desc limit 1), w.quantity)
         from production_work_order_operation o
         join production_work_order w on w.id = o.work_order_id
         join product_product p on p.id = w.product_id
         join production_work_center c on c.id = o.work_center_id
         where w.company_id = $1 and w.state in ('confirmed', 'in_progress')
         order by coalesce(w.due_date, '9999-12-31'), w.number, o.seq
         limit 1000",
        &[&ctx.company()],
    )?;
    let mut open = Vec::new();
    for r in &rows {
        let (quantity, good, scrap, reached): (i64, i64, i64, i64) = (r.get(11)?, r.get(12)?, r.get(13)?, r.get(14)?);
        let remaining = reached - good - scrap;
        if remaining <= 0 {
            continue;
        }
        open.push(OpenOperation {
            id: r.get(0)?,
            work_order_id: r.get(1)?,
            number: r.get(2)?,
            product_code: r.get(3)?,
            product_name: r.get(4)?,
            lot: r.get(5)?,
            due_date: r.get(6)?,
            seq: r.get(7)?,
            name: r.get(8)?,
            work_center: r.get(9)?,
            workshop: r.get(10)?,
            quantity: qty_text(quantity),
            good: qty_text(good),
            scrap: qty_text(scrap),
            remaining: qty_text(remaining),
            running_since: None,
            run_minutes: qty_text(0),
        });
    }
    let Some(worker) = worker.map(str::trim).filter(|w| !w.is_empty()) else { return Ok(open) };
    let runs = tx.query(
        "select r.operation_id, r.started_at, r.ended_at, r.minutes from production_operation_run r
         join production_work_order w on w.id = r.work_order_id
         where r.company_id = $1 and r.worker = $2 and r.reported = 0 and w.state in ('confirmed', 'in_progress')",
        &[&ctx.company(), &worker],
    )?;
    let mut totals: Vec<(String, i64)> = Vec::new();
    for r in &runs {
        let operation: String = r.get(0)?;
        let Some(op) = open.iter_mut().find(|o| o.id == operation) else { continue };
        match r.get::<Option<String>>(2)? {
            None => op.running_since = Some(r.get(1)?),
            Some(_) => match totals.iter_mut().find(|(id, _)| *id == operation) {
                Some(t) => t.1 += r.get::<i64>(3)?,
                None => totals.push((operation, r.get(3)?)),
            },
        }
    }
    for (operation, minutes) in totals {
        if let Some(op) = open.iter_mut().find(|o| o.id == operation) {
            op.run_minutes = qty_text(minutes);
        }
    }
    Ok(open)
}

/// The work order a scanned code names: its number, its lot (批次号) or its id.
pub fn find_by_scan(tx: &mut Tx<'_>, ctx: &Ctx, code: &str) -> Result<String> {
    ctx.require(READ)?;
    let code = code.trim();
    tx.query_opt(
        "select id from production_work_order
         where company_id = $1 and (upper(number) = upper($2) or upper(lot) = upper($2) or id = $2)
         order by case when upper(number) = upper($2) then 0 else 1 end, created_at desc limit 1",
        &[&ctx.company(), &code],
    )?
    .map(|r| r.get(0))
    .transpose()?
    .ok_or_else(|| Error::not_found("production.scan_unknown").with_param("code", code))
}

#[cfg(test)]
mod tests {
    use super::minutes_between;

    #[test]
    fn run_minutes_count_whole_seconds() {
        let m = |a: &str, b: &str| minutes_between(a, b).unwrap();
        assert_eq!(m("2026-11-28T08:00:00.000000Z", "2026-11-28T08:25:00.900000Z"), 25_0000);
        // 90 seconds: 1.5 minutes; 10 seconds: 0.1667 (half up).
        assert_eq!(m("2026-11-28T08:00:00.000000Z", "2026-11-28T08:01:30.000000Z"), 1_5000);
        assert_eq!(m("2026-11-28T08:00:00.000000Z", "2026-11-28T08:00:10.000000Z"), 1667);
        assert_eq!(m("2026-11-28T08:00:10.000000Z", "2026-11-28T08:00:00.000000Z"), 0);
    }
}

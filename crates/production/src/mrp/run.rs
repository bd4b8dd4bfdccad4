//! One regenerative MRP run: read every fact in a handful of whole-company queries, plan in
//! memory (`net`), write the new planned orders and their pegging (multi-row inserts) under a
//! new run, which from its commit on is the plan shown. The planned orders of earlier runs are
//! then purged in small batches (`purge_stale`), so that the run does not wait for hundreds of
//! thousands of deletes nor hold other writers for as long. Confirmed planned orders are kept.

use std::collections::HashMap;
use std::time::Instant;

use kernel::db::{Tx, Value};
use kernel::{Ctx, Error, Result, audit};
use serde::Serialize;

use super::net::{Component, Demand, Lead, LotPolicy, LotSizing, PlanItem, Receipt, Source, plan};
use crate::bom::qty_text;
use crate::bulk::insert_rows;
use crate::permissions::{PLAN, READ};

/// What a run did.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RunSummary {
    pub run_id: String,
    pub items: usize,
    pub demands: usize,
    pub planned_orders: usize,
    pub late: usize,
    pub pegs: usize,
    pub millis: u64,
}

/// An outside demand, for pegging.
struct External {
    kind: String,
    id: String,
    label: String,
}

/// The facts of one run, products numbered as they are first met.
#[derive(Default)]
struct Facts {
    ids: Vec<String>,
    index: HashMap<String, usize>,
    items: Vec<PlanItem>,
    externals: Vec<External>,
    demands: Vec<Demand>,
    receipts: Vec<Receipt>,
}

impl Facts {
    fn item(&mut self, product: &str) -> usize {
        if let Some(i) = self.index.get(product) {
            return *i;
        }
        let i = self.ids.len();
        self.ids.push(product.to_string());
        self.index.insert(product.to_string(), i);
        self.items.push(PlanItem::default());
        i
    }

    fn demand(&mut self, product: &str, day: i64, quantity: i64, external: External) {
        if quantity <= 0 {
            return;
        }
        let item = self.item(product);
        self.externals.push(external);
        let source = Source::External(self.externals.len() - 1);
        self.demands.push(Demand { item, day, quantity, source });
    }

    fn receipt(&mut self, product: &str, day: i64, quantity: i64) {
        if quantity > 0 {
            let item = self.item(product);
            self.receipts.push(Receipt { item, day, quantity });
        }
    }
}

/// A planned order's id: its run's and its number in the run, zero-padded so that ids grow.
fn planned_order_id(run: &str, n: usize) -> String {
    format!("{run}-{n:07}")
}

/// The latest run of the company: its planned orders are the plan.
pub fn current_run(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<String> {
    Ok(tx
        .query_opt(
            "select id from production_mrp_run where company_id = $1 order by id desc limit 1",
            &[&ctx.company()],
        )?
        .map(|r| r.get::<String>(0))
        .transpose()?
        .unwrap_or_default())
}

/// Deletes up to `batch` planned orders of earlier runs (and their pegging); returns how many.
/// Called after a run, until it returns 0, each call its own transaction.
pub fn purge_stale(tx: &mut Tx<'_>, ctx: &Ctx, batch: i64) -> Result<usize> {
    ctx.require(PLAN)?;
    let current = current_run(tx, ctx)?;
    let ids: Vec<String> = tx
        .query(
            // Run ids are UUIDv7, in the order the runs were made.
            "select id from production_planned_order where company_id = $1 and state = 'planned' and run_id < $2 limit $3",
            &[&ctx.company(), &current, &batch],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_>>()?;
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
        let company = ctx.company();
        let mut params: Vec<&dyn kernel::db::ToValue> = vec![&company];
        params.extend(chunk.iter().map(|id| id as &dyn kernel::db::ToValue));
        let list = marks.join(", ");
        tx.execute(
            &format!("delete from production_pegging where company_id = $1 and planned_order_id in ({list})"),
            &params,
        )?;
        // By primary key alone (the ids were just read for this company): with the company in
        // the condition, SQLite walks the company's index instead.
        tx.execute(&format!("delete from production_planned_order where id in ({list}) and $1 <> ''"), &params)?;
    }
    Ok(ids.len())
}

fn julian(text: &str, fallback: i64) -> i64 {
    text.get(..10).and_then(|d| kernel::clock::parse_date(d).ok()).map_or(fallback, |d| i64::from(d.to_julian_day()))
}

fn date_text(day: i64) -> String {
    i32::try_from(day)
        .ok()
        .and_then(|d| time::Date::from_julian_day(d).ok())
        .map(kernel::clock::format_date)
        .unwrap_or_default()
}

/// Runs MRP for the company and replaces the planned orders.
pub fn run_mrp(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<RunSummary> {
    ctx.require(PLAN)?;
    let started = Instant::now();
    let today = i64::from(ctx.today().to_julian_day());
    let mut facts = Facts::default();
    load_boms(tx, ctx, &mut facts)?;
    load_items(tx, ctx, &mut facts)?;
    load_stock_and_documents(tx, ctx, &mut facts, today)?;
    load_production(tx, ctx, &mut facts, today)?;
    let demands = facts.demands.len();
    let plan = plan(&facts.items, std::mem::take(&mut facts.demands), std::mem::take(&mut facts.receipts), today)
        .map_err(|_| Error::invalid("production.bom_cycle"))?;
    let run_id = kernel::id::Uuid::now_v7().to_string();
    tx.execute(
        "insert into production_mrp_run (id, company_id, started_at, millis, items, demands, planned_orders, created_by)
         values ($1, $2, $3, 0, $4, $5, $6, $7)",
        &[
            &run_id,
            &ctx.company(),
            &ctx.now_text(),
            &(facts.ids.len() as i64),
            &(demands as i64),
            &(plan.orders.len() as i64),
            &ctx.actor().label(),
        ],
    )?;
    let company = Value::Text(ctx.company().to_string());
    let order_id = |n: usize| planned_order_id(&run_id, n);
    let run = Value::Text(run_id.clone());
    // Dates as text, made once per day.
    let mut dates: HashMap<i64, Value> = HashMap::new();
    let mut date = |day: i64| dates.entry(day).or_insert_with(|| Value::Text(date_text(day))).clone();
    // Pegs to parent planned orders go into the order's row; to outside demand, into rows.
    let mut parents: Vec<String> = vec![String::new(); plan.orders.len()];
    let mut rows = Vec::new();
    for peg in &plan.pegs {
        match peg.source {
            Source::Planned(parent) => {
                let list = &mut parents[peg.order];
                if !list.is_empty() {
                    list.push(',');
                }
                list.push_str(&format!("{parent}:{}", peg.quantity));
            }
            Source::External(e) => {
                let e = &facts.externals[e];
                rows.push(vec![
                    company.clone(),
                    Value::Text(order_id(peg.order)),
                    Value::Text(e.kind.clone()),
                    Value::Text(e.id.clone()),
                    Value::Text(e.label.clone()),
                    date(peg.day),
                    Value::Int(peg.quantity),
                ]);
            }
        }
    }
    let mut orders = Vec::with_capacity(plan.orders.len());
    for (n, (o, parents)) in plan.orders.iter().zip(parents).enumerate() {
        orders.push(vec![
            Value::Text(order_id(n)),
            company.clone(),
            run.clone(),
            Value::Text(facts.ids[o.item].clone()),
            Value::Text(if o.make { "make" } else { "buy" }.into()),
            Value::Int(o.quantity),
            date(o.release),
            date(o.due),
            Value::Int(i64::from(o.late)),
            Value::Int(i64::from(o.low_level_code)),
            Value::Text(parents),
        ]);
    }
    insert_rows(
        tx,
        "production_planned_order (id, company_id, run_id, product_id, kind, quantity, release_date, due_date, late,
             low_level_code, parents, state)",
        ", 'planned'",
        orders,
    )?;
    insert_rows(
        tx,
        "production_pegging (company_id, planned_order_id, demand_kind, demand_id, demand_label, demand_date, quantity)",
        "",
        rows,
    )?;
    let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    tx.execute("update production_mrp_run set millis = $1 where id = $2", &[&(millis as i64), &run_id])?;
    audit::record(
        tx,
        ctx,
        "production.mrp.run",
        "production.mrp_run",
        &run_id,
        serde_json::json!({"planned_orders": plan.orders.len()}),
    )?;
    Ok(RunSummary {
        run_id,
        items: facts.ids.len(),
        demands,
        planned_orders: plan.orders.len(),
        late: plan.orders.iter().filter(|o| o.late).count(),
        pegs: plan.pegs.len(),
        millis,
    })
}

/// The BOM valid today of each product (the latest to start, then the highest code), its
/// components (by-products left out), and whether it is a phantom kit. Two reads without
/// sorting: the versions, then every line, kept when its BOM is the chosen one.
fn load_boms(tx: &mut Tx<'_>, ctx: &Ctx, facts: &mut Facts) -> Result<()> {
    let today = kernel::clock::format_date(ctx.today());
    let mut chosen: HashMap<String, (String, String, String, bool, i64)> = HashMap::new();
    for r in tx.query(
        "select product_id, id, valid_from, code, kind, quantity from production_bom
         where company_id = $1 and valid_from <= $2 and (valid_to is null or valid_to >= $2)",
        &[&ctx.company(), &today],
    )? {
        let (product, id, from, code, kind): (String, String, String, String, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        let newer = chosen.get(&product).is_none_or(|c| (&from, &code) > (&c.1, &c.2));
        if newer {
            chosen.insert(product, (id, from, code, kind == "phantom", r.get(5)?));
        }
    }
    let boms: HashMap<String, (usize, bool, i64)> = chosen
        .into_iter()
        .map(|(product, (id, _, _, phantom, output))| (id, (facts.item(&product), phantom, output)))
        .collect();
    for r in tx.query(
        "select bom_id, component_id, quantity, scrap_bp from production_bom_line where company_id = $1 and byproduct = 0",
        &[&ctx.company()],
    )? {
        let bom: String = r.get(0)?;
        let Some((item, phantom, output)) = boms.get(&bom).copied() else { continue };
        let component: String = r.get(1)?;
        let component = facts.item(&component);
        let data = &mut facts.items[item];
        data.make = true;
        data.phantom = phantom;
        data.components.push(Component { item: component, per: r.get(2)?, output, scrap_bp: r.get(3)? });
    }
    Ok(())
}

/// Planning data, supplier terms and routing lead times.
fn load_items(tx: &mut Tx<'_>, ctx: &Ctx, facts: &mut Facts) -> Result<()> {
    let products = ctx.with_granted(&[product::permissions::PRODUCT_READ]);
    for (product, lead, min_order) in product::supplier_price::purchase_terms(tx, &products)? {
        let item = facts.item(&product);
        let data = &mut facts.items[item];
        if !data.make {
            data.lead.days = Some(lead);
            data.lot.min = min_order;
        }
    }
    // The first routing (by code) of each product: its setup and run minutes in all, over the
    // longest working day among its work centers.
    let rows = tx.query(
        "select r.product_id, r.code, sum(o.setup_minutes), sum(o.run_minutes), max(w.hours_per_day)
         from production_routing r join production_operation o on o.routing_id = r.id
         join production_work_center w on w.id = o.work_center_id
         where r.company_id = $1 group by r.product_id, r.code order by r.product_id, r.code",
        &[&ctx.company()],
    )?;
    let mut seen = String::new();
    for r in rows {
        let product: String = r.get(0)?;
        if product == seen {
            continue;
        }
        let item = facts.item(&product);
        let hours: i64 = r.get(4)?;
        let data = &mut facts.items[item];
        if data.make {
            data.lead = Lead { days: None, setup_minutes: r.get(2)?, run_minutes: r.get(3)?, day_minutes: hours * 60 };
        }
        seen = product;
    }
    let rows = tx.query(
        "select product_id, procurement, lot_policy, lot_qty, min_qty, multiple, lead_days from production_item
         where company_id = $1",
        &[&ctx.company()],
    )?;
    for r in rows {
        let product: String = r.get(0)?;
        let item = facts.item(&product);
        let procurement: String = r.get(1)?;
        let policy: String = r.get(2)?;
        let lead: Option<i64> = r.get(6)?;
        let data = &mut facts.items[item];
        match procurement.as_str() {
            "buy" => {
                data.make = false;
                data.phantom = false;
            }
            "make" => data.make = true,
            _ => {}
        }
        let min: i64 = r.get(4)?;
        data.lot = LotSizing {
            policy: match policy.as_str() {
                "fixed" => LotPolicy::Fixed,
                "minimum" => LotPolicy::Minimum,
                "multiple" => LotPolicy::Multiple,
                _ => LotPolicy::LotForLot,
            },
            lot: r.get(3)?,
            min: if min > 0 { min } else { data.lot.min },
            multiple: r.get(5)?,
        };
        if lead.is_some() {
            data.lead.days = lead;
        }
    }
    // A bought item plans no components.
    for data in facts.items.iter_mut().filter(|d| !d.make) {
        data.components.clear();
    }
    Ok(())
}

/// Usable stock, safety stock, open receipts and deliveries, and forecasts net of the month's
/// open sales deliveries.
fn load_stock_and_documents(tx: &mut Tx<'_>, ctx: &Ctx, facts: &mut Facts, today: i64) -> Result<()> {
    let stock = ctx.with_granted(&[inventory::permissions::STOCK_READ]);
    for (product, quantity) in inventory::planning::usable_stock(tx, &stock)? {
        let item = facts.item(&product);
        facts.items[item].on_hand = quantity;
    }
    for (product, quantity) in inventory::planning::safety_stock(tx, &stock)? {
        let external = External { kind: "inventory.safety".into(), id: product.clone(), label: "安全库存".into() };
        facts.demand(&product, today, quantity, external);
    }
    // Sales demand per product and month, which forecasts of that month are consumed by.
    let mut sold: HashMap<(String, String), i64> = HashMap::new();
    for m in inventory::planning::open_moves(tx, &stock)? {
        let day = julian(&m.date, today);
        if m.incoming {
            facts.receipt(&m.product_id, day, m.quantity);
        } else {
            if m.origin_kind == "sales.order" {
                *sold.entry((m.product_id.clone(), m.date.chars().take(7).collect())).or_default() += m.quantity;
            }
            let external = External { kind: m.origin_kind, id: m.origin_id, label: m.number };
            facts.demand(&m.product_id, day, m.quantity, external);
        }
    }
    let from = date_text(today);
    let rows = tx.query(
        "select f.id, f.product_id, f.date, f.quantity from production_forecast f
         where f.company_id = $1 and f.date >= $2 order by f.date",
        &[&ctx.company(), &from],
    )?;
    for r in rows {
        let (id, product, date, quantity): (String, String, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        let consumed = sold.entry((product.clone(), date.chars().take(7).collect())).or_default();
        let used = (*consumed).min(quantity);
        *consumed -= used;
        let external = External { kind: "production.forecast".into(), id, label: format!("预测 {date}") };
        facts.demand(&product, julian(&date, today), quantity - used, external);
    }
    Ok(())
}

/// Open work orders: their remaining output is supply on the due date, their unissued
/// materials demand on their start (due less lead time); confirmed planned purchases not yet
/// ordered are supply.
fn load_production(tx: &mut Tx<'_>, ctx: &Ctx, facts: &mut Facts, today: i64) -> Result<()> {
    let rows = tx.query(
        "select id, number, product_id, quantity, quantity - received, due_date from production_work_order
         where company_id = $1 and state in ('confirmed', 'in_progress')",
        &[&ctx.company()],
    )?;
    // Each order's start: its due date less the product's lead time, today at the earliest.
    let mut starts: HashMap<String, i64> = HashMap::new();
    for r in rows {
        let (id, product, quantity, remaining, due): (String, String, i64, i64, Option<String>) =
            (r.get(0)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
        let due = due.as_deref().map_or(today, |d| julian(d, today));
        let item = facts.item(&product);
        starts.insert(id, (due - facts.items[item].lead.days_for(quantity)).max(today));
        facts.receipt(&product, due, remaining);
    }
    let rows = tx.query(
        "select w.id, w.number, m.component_id, m.planned - m.issued from production_work_order w
         join production_work_order_material m on m.work_order_id = w.id
         where w.company_id = $1 and w.state in ('confirmed', 'in_progress') and m.planned > m.issued",
        &[&ctx.company()],
    )?;
    for r in rows {
        let (id, number, component, quantity): (String, String, String, i64) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        let day = starts.get(&id).copied().unwrap_or(today);
        let external = External { kind: "production.work_order".into(), id, label: number };
        facts.demand(&component, day, quantity, external);
    }
    let rows = tx.query(
        "select product_id, quantity, due_date from production_planned_order
         where company_id = $1 and state = 'confirmed' and kind = 'buy'",
        &[&ctx.company()],
    )?;
    for r in rows {
        let (product, quantity, due): (String, i64, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        facts.receipt(&product, julian(&due, today), quantity);
    }
    Ok(())
}

/// A planned order as the planner sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PlannedOrderView {
    pub id: String,
    pub product_id: String,
    pub product_code: String,
    pub product_name: String,
    pub kind: String,
    pub quantity: String,
    pub release_date: String,
    pub due_date: String,
    pub late: bool,
    pub low_level_code: i64,
    pub state: String,
    pub work_order_id: Option<String>,
    pub requisition_id: Option<String>,
    pub requisition_number: Option<String>,
}

/// Planned orders by release date (at most `limit`, 1,000 by default), in one state or all,
/// of one kind (make or buy) or both.
pub fn list_planned(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    state: Option<&str>,
    kind: Option<&str>,
    limit: Option<i64>,
) -> Result<Vec<PlannedOrderView>> {
    ctx.require(READ)?;
    let state_filter = if state.is_some() { "and o.state = $2" } else { "and $2 = ''" };
    let kind_filter = if kind.is_some() { "and o.kind = $3" } else { "and $3 = ''" };
    let limit = limit.unwrap_or(1000).clamp(1, 10_000);
    let current = current_run(tx, ctx)?;
    tx.query(
        &format!(
            "select o.id, o.product_id, p.code, p.name, o.kind, o.quantity, o.release_date, o.due_date, o.late,
                    o.low_level_code, o.state, o.work_order_id, o.requisition_number, o.requisition_id
             from production_planned_order o join product_product p on p.id = o.product_id
             where o.company_id = $1 {state_filter} {kind_filter} and (o.state <> 'planned' or o.run_id = $4)
             order by o.release_date, o.low_level_code, p.code, o.id limit {limit}"
        ),
        &[&ctx.company(), &state.unwrap_or(""), &kind.unwrap_or(""), &current],
    )?
    .iter()
    .map(|r| {
        Ok(PlannedOrderView {
            id: r.get(0)?,
            product_id: r.get(1)?,
            product_code: r.get(2)?,
            product_name: r.get(3)?,
            kind: r.get(4)?,
            quantity: qty_text(r.get(5)?),
            release_date: r.get(6)?,
            due_date: r.get(7)?,
            late: r.get(8)?,
            low_level_code: r.get(9)?,
            state: r.get(10)?,
            work_order_id: r.get(11)?,
            requisition_number: r.get(12)?,
            requisition_id: r.get(13)?,
        })
    })
    .collect()
}

/// One pegging line: how much of a planned order covers which demand.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PegLine {
    pub demand_kind: String,
    pub demand_id: String,
    pub demand_label: String,
    pub demand_date: String,
    pub quantity: String,
}

/// The demands a planned order covers (pegging, 需求追溯): outside demand, and the planned
/// orders of the assemblies it supplies (on their release date).
pub fn pegging_of(tx: &mut Tx<'_>, ctx: &Ctx, planned_order: &str) -> Result<Vec<PegLine>> {
    ctx.require(READ)?;
    let parents: String = tx
        .query_opt(
            "select parents from production_planned_order where company_id = $1 and id = $2",
            &[&ctx.company(), &planned_order],
        )?
        .ok_or_else(|| Error::not_found("production.planned_order_not_found"))?
        .get(0)?;
    let mut lines = tx
        .query(
            "select demand_kind, demand_id, demand_label, demand_date, quantity from production_pegging
             where company_id = $1 and planned_order_id = $2",
            &[&ctx.company(), &planned_order],
        )?
        .iter()
        .map(|r| {
            Ok(PegLine {
                demand_kind: r.get(0)?,
                demand_id: r.get(1)?,
                demand_label: r.get(2)?,
                demand_date: r.get(3)?,
                quantity: qty_text(r.get(4)?),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    // "<run>-<n>": the parents are numbers in the same run; read in one query.
    let run = planned_order.rsplit_once('-').map_or("", |(run, _)| run);
    let parents: Vec<(String, String)> = parents
        .split(',')
        .filter_map(|pair| pair.split_once(':'))
        .map(|(number, quantity)| (planned_order_id(run, number.parse().unwrap_or(usize::MAX)), quantity.to_string()))
        .collect();
    if !parents.is_empty() {
        let marks: Vec<String> = (2..parents.len() + 2).map(|i| format!("${i}")).collect();
        let company = ctx.company();
        let mut params: Vec<&dyn kernel::db::ToValue> = vec![&company];
        params.extend(parents.iter().map(|(id, _)| id as &dyn kernel::db::ToValue));
        let found = tx.query(
            &format!(
                "select o.id, p.code, o.release_date from production_planned_order o
                 join product_product p on p.id = o.product_id where o.company_id = $1 and o.id in ({})",
                marks.join(", ")
            ),
            &params,
        )?;
        for r in found {
            let id: String = r.get(0)?;
            for (_, quantity) in parents.iter().filter(|(parent, _)| *parent == id) {
                lines.push(PegLine {
                    demand_kind: "production.planned_order".into(),
                    demand_id: id.clone(),
                    demand_label: r.get(1)?,
                    demand_date: r.get(2)?,
                    quantity: qty_text(quantity.parse().unwrap_or(0)),
                });
            }
        }
    }
    lines.sort_by(|a, b| (&a.demand_date, &a.demand_label).cmp(&(&b.demand_date, &b.demand_label)));
    Ok(lines)
}

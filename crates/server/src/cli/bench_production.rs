//! Production figures of the issue, each on a fresh database:
//!
//! - `mrp` (`--items N`): a regenerative MRP run, twice (the second replaces the first's plan;
//!   the first's rows are then purged in batches, timed apart). Without `--items`, over AdventureWorks (its
//!   BOMs, routings, make/buy flags, reorder points, and as demand the last three months of
//!   its work orders re-dated into the coming three); with `--items N`, over a synthetic
//!   structure of N items in 5 BOM levels (3 components each) and 200,000 demand lines over
//!   90 days, with the four lot-sizing rules spread over the levels.
//! - `shop`: job reporting (报工) throughput in process (`record_job`: the report recorded and
//!   costed, without reading the order back), one transaction per report, on work orders with
//!   five operations at work centers with labour and machine rates; and the recall
//!   query (forward trace from a raw-material lot to customers) over 1,000,000 lot links.
//!
//! Seeding is written in bulk with SQL; what is measured goes through the services.

use std::time::Instant;

use anyhow::Context;
use kernel::Ctx;
use kernel::db::{Tx, Value};
use serde_json::json;

use super::bench::{fresh, percentile};
use crate::runtime;

const DEMAND_LINES: i64 = 200_000;
const LEVEL_SHARES: [u64; 5] = [10, 15, 20, 25, 30];

fn company_ctx(prepared: &runtime::Prepared) -> anyhow::Result<Ctx> {
    let first = prepared.bootstrapped.clone().context("bench needs an empty database")?;
    Ok(runtime::system_ctx(prepared.state.clock.clone()).for_company(first.company, runtime::all_permissions()))
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// Inserts stockable products with these codes; returns their ids.
fn bulk_products(tx: &mut Tx<'_>, ctx: &Ctx, codes: &[String]) -> kernel::Result<Vec<String>> {
    let uom: String =
        tx.scalar("select id from product_uom where company_id = $1 and code = 'pcs'", &[&ctx.company()])?;
    let now = ctx.now_text();
    let ids: Vec<String> = codes.iter().map(|_| kernel::id::Uuid::now_v7().to_string()).collect();
    let rows = codes
        .iter()
        .zip(&ids)
        .map(|(code, id)| {
            vec![
                text(id.clone()),
                text(ctx.company().to_string()),
                text(code.clone()),
                text(code.clone()),
                text(code.to_lowercase()),
                text(uom.clone()),
                text(uom.clone()),
                text(uom.clone()),
                text(now.clone()),
                text(now.clone()),
            ]
        })
        .collect();
    production::bulk::insert_rows(
        tx,
        "product_product (id, company_id, code, name, name_key, uom_id, purchase_uom_id, sales_uom_id, created_at, updated_at,
             kind, created_by)",
        ", 'stockable', 'bench'",
        rows,
    )?;
    Ok(ids)
}

/// An assembly and its components: (component, quantity scaled 10^4, scrap in basis points).
type BulkBom = (String, Vec<(String, i64, i64)>);

/// Inserts one BOM (1 unit, valid from 2020) per assembly with its components.
fn bulk_boms(tx: &mut Tx<'_>, ctx: &Ctx, boms: &[BulkBom]) -> kernel::Result<Vec<String>> {
    let now = ctx.now_text();
    let company = ctx.company().to_string();
    let ids: Vec<String> = boms.iter().map(|_| kernel::id::Uuid::now_v7().to_string()).collect();
    let mut headers = Vec::new();
    let mut lines = Vec::new();
    for ((product, components), id) in boms.iter().zip(&ids) {
        headers.push(vec![text(id.clone()), text(company.clone()), text(product.clone()), text(now.clone())]);
        for (seq, (component, quantity, scrap)) in components.iter().enumerate() {
            lines.push(vec![
                text(kernel::id::Uuid::now_v7().to_string()),
                text(id.clone()),
                text(company.clone()),
                Value::Int(seq as i64 + 1),
                text(component.clone()),
                Value::Int(*quantity),
                Value::Int(*scrap),
            ]);
        }
    }
    production::bulk::insert_rows(
        tx,
        "production_bom (id, company_id, product_id, created_at, code, kind, quantity, valid_from, created_by)",
        ", 'V1', 'normal', 10000, '2020-01-01', 'bench'",
        headers,
    )?;
    production::bulk::insert_rows(
        tx,
        "production_bom_line (id, bom_id, company_id, seq, component_id, quantity, scrap_bp)",
        "",
        lines,
    )?;
    Ok(ids)
}

/// `tiangong bench mrp [--items N]`.
pub fn mrp(settings: &crate::settings::Settings, items: Option<u64>) -> anyhow::Result<serde_json::Value> {
    let (_data, prepared) = fresh(settings)?;
    let ctx = company_ctx(&prepared)?;
    let db = &prepared.db;
    let seeding = Instant::now();
    let dataset = match items {
        Some(n) => {
            synthetic(db, &ctx, n)?;
            format!("synthetic {n} items, 5 levels, {DEMAND_LINES} demand lines")
        }
        None => {
            adventureworks(db, &ctx, &prepared)?;
            "adventureworks".to_string()
        }
    };
    let seed_seconds = seeding.elapsed().as_secs_f64();
    let started = Instant::now();
    let first = db.write(|tx| production::mrp::run_mrp(tx, &ctx))?;
    let seconds = started.elapsed().as_secs_f64();
    // Regenerative: the second run replaces every planned order of the first.
    let started = Instant::now();
    let again = db.write(|tx| production::mrp::run_mrp(tx, &ctx))?;
    let again_seconds = started.elapsed().as_secs_f64();
    // Then the first run's planned orders are purged, in batches as the API does.
    let started = Instant::now();
    while db.write(|tx| production::mrp::purge_stale(tx, &ctx, 20_000))? > 0 {}
    let purge_seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(again.planned_orders == first.planned_orders, "the second run planned differently");
    for line in kernel::db::profile::report(15) {
        eprintln!("{line}");
    }
    Ok(json!({
        "scenario": "mrp",
        "invariants": super::bench::invariants(db)?,
        "backend": format!("{:?}", db.backend()).to_lowercase(),
        "dataset": dataset,
        "seed_seconds": (seed_seconds * 10.0).round() / 10.0,
        "items": first.items,
        "demand_lines": first.demands,
        "planned_orders": first.planned_orders,
        "late_orders": first.late,
        "pegs": first.pegs,
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "second_run_seconds": (again_seconds * 1000.0).round() / 1000.0,
        "purge_previous_seconds": (purge_seconds * 1000.0).round() / 1000.0,
    }))
}

/// AdventureWorks, with the last three months of its work orders as forecasts for the coming
/// three (dates moved so that the data's last due date falls 90 days from today).
fn adventureworks(db: &kernel::db::Db, ctx: &Ctx, prepared: &runtime::Prepared) -> anyhow::Result<()> {
    let folder = std::env::var("TIANGONG_DATASETS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::PathBuf::from("../shared/datasets"))
        .join("adventureworks");
    anyhow::ensure!(
        folder.join("WorkOrder.csv").exists(),
        "AdventureWorks not found in {} (TIANGONG_DATASETS)",
        folder.display()
    );
    let vault = prepared.state.keys.vault()?;
    crate::datasets::adventureworks::load(db, ctx, &vault, &folder)?;
    let orders = kernel::import::Sheet::read(&folder.join("WorkOrder.csv"))?;
    let col = |name: &str| orders.headers.iter().position(|h| h == name).context("WorkOrder.csv column");
    let (product, quantity, due) = (col("ProductID")?, col("OrderQty")?, col("DueDate")?);
    let dates: Vec<time::Date> =
        orders.rows.iter().filter_map(|r| kernel::clock::parse_date(r[due].get(..10)?).ok()).collect();
    let last = dates.iter().max().copied().context("no work orders")?;
    let shift = ctx.today() + time::Duration::days(90) - last;
    let products = kernel::import::Sheet::read(&folder.join("Product.csv"))?;
    let (pid, number) = (
        products.headers.iter().position(|h| h == "ProductID").context("ProductID")?,
        products.headers.iter().position(|h| h == "ProductNumber").context("ProductNumber")?,
    );
    let numbers: std::collections::HashMap<&str, &str> =
        products.rows.iter().map(|r| (r[pid].as_str(), r[number].as_str())).collect();
    db.write(|tx| {
        for (row, date) in orders.rows.iter().zip(&dates) {
            if *date + time::Duration::days(91) < last {
                continue;
            }
            let Some(code) = numbers.get(row[product].as_str()) else { continue };
            production::mrp::add_forecast(
                tx,
                ctx,
                &production::mrp::ForecastInput {
                    product: (*code).to_string(),
                    date: kernel::clock::format_date(*date + shift),
                    quantity: row[quantity].clone(),
                    note: "AdventureWorks".into(),
                },
            )?;
        }
        Ok(())
    })?;
    Ok(())
}

/// A synthetic structure of `n` items in five levels; level 4 is bought.
fn synthetic(db: &kernel::db::Db, ctx: &Ctx, n: u64) -> anyhow::Result<()> {
    let sizes: Vec<usize> = LEVEL_SHARES.iter().map(|s| (n * s / 100).max(1) as usize).collect();
    db.write(|tx| {
        let mut levels: Vec<Vec<String>> = Vec::new();
        for (level, size) in sizes.iter().enumerate() {
            let codes: Vec<String> = (0..*size).map(|i| format!("L{level}-{i:06}")).collect();
            levels.push(bulk_products(tx, ctx, &codes)?);
        }
        // Three components from the level below for every item above the last level: spread
        // by a prime stride so that every item below is used.
        let mut boms = Vec::new();
        for level in 0..4 {
            let below = &levels[level + 1];
            for (i, product) in levels[level].iter().enumerate() {
                let components = (0..3)
                    .map(|c| {
                        let pick = ((i * 3 + c) * 7919) % below.len();
                        (below[pick].clone(), (1 + (i + c) % 3) as i64 * 10_000, if c == 2 { 200 } else { 0 })
                    })
                    .collect();
                boms.push((product.clone(), components));
            }
        }
        bulk_boms(tx, ctx, &boms)?;
        // Planning data by level: finished goods lot for lot; then minimum lots, multiples,
        // fixed lots; bought parts in minimum lots. Lead times of 1 to 5 days.
        let now = ctx.now_text();
        let mut rows = Vec::new();
        for (level, ids) in levels.iter().enumerate() {
            let (policy, lot, min, multiple) = match level {
                0 => ("lot_for_lot", 0, 0, 0),
                1 => ("minimum", 0, 100, 0),
                2 => ("multiple", 0, 0, 1_000),
                3 => ("fixed", 5_000, 0, 0),
                _ => ("minimum", 0, 50_000, 0),
            };
            for (i, id) in ids.iter().enumerate() {
                rows.push(vec![
                    text(ctx.company().to_string()),
                    text(id.clone()),
                    text(if level == 4 { "buy" } else { "make" }),
                    text(policy),
                    Value::Int(lot * 10_000),
                    Value::Int(min * 10_000),
                    Value::Int(multiple * 10_000),
                    Value::Int(1 + (i % 5) as i64),
                    text(now.clone()),
                ]);
            }
        }
        production::bulk::insert_rows(
            tx,
            "production_item (company_id, product_id, procurement, lot_policy, lot_qty, min_qty, multiple, lead_days, updated_at)",
            "",
            rows,
        )?;
        // 200,000 demand lines on the finished goods over the next 90 days, 1 to 10 each.
        let today = ctx.today();
        let finished = &levels[0];
        let mut rows = Vec::new();
        for i in 0..DEMAND_LINES {
            let k = (i as u64).wrapping_mul(2_654_435_761) % (1 << 31);
            rows.push(vec![
                text(kernel::id::Uuid::now_v7().to_string()),
                text(ctx.company().to_string()),
                text(finished[(k as usize) % finished.len()].clone()),
                text(kernel::clock::format_date(today + time::Duration::days((k % 90) as i64))),
                Value::Int((1 + (k / 90) % 10) as i64 * 10_000),
                text(now.clone()),
            ]);
        }
        production::bulk::insert_rows(
            tx,
            "production_forecast (id, company_id, product_id, date, quantity, created_at)",
            "",
            rows,
        )?;
        Ok(())
    })?;
    Ok(())
}

fn timed_ms(times: &mut [f64]) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    (percentile(times, 0.5), percentile(times, 0.95))
}

/// `tiangong bench shop`: job reporting throughput and the recall query.
pub fn shop(settings: &crate::settings::Settings, reports: u64) -> anyhow::Result<serde_json::Value> {
    let (_data, prepared) = fresh(settings)?;
    let ctx = company_ctx(&prepared)?;
    let db = &prepared.db;
    // Work orders of a five-step product at two work centers with rates.
    db.write(|tx| {
        for (code, labour, machine) in [("WC-A", "60", "30"), ("WC-B", "48", "0")] {
            production::routing::save_work_center(
                tx,
                &ctx,
                &production::routing::WorkCenterInput {
                    code: code.into(),
                    name: code.into(),
                    capacity: None,
                    hours_per_day: None,
                    working_days: None,
                    labour_rate: Some(labour.into()),
                    machine_rate: Some(machine.into()),
                    overhead: Some("20".into()),
                    workshop: None,
                },
            )?;
        }
        let ids = bulk_products(tx, &ctx, &["PART".to_string(), "GADGET".to_string()])?;
        bulk_boms(tx, &ctx, &[(ids[1].clone(), vec![(ids[0].clone(), 10_000, 0)])])?;
        production::routing::save_routing(
            tx,
            &ctx,
            &production::routing::RoutingInput {
                product: "GADGET".into(),
                code: String::new(),
                operations: (1..=5)
                    .map(|i| production::routing::OperationInput {
                        name: format!("工序{i}"),
                        work_center: if i % 2 == 1 { "WC-A" } else { "WC-B" }.into(),
                        setup_minutes: None,
                        run_minutes: "1.5".into(),
                        key_operation: false,
                    })
                    .collect(),
            },
        )?;
        Ok(())
    })?;
    let orders: Vec<production::work_order::WorkOrderId> = (0..10)
        .map(|_| {
            db.write(|tx| {
                let order = production::work_order::create_work_order(
                    tx,
                    &ctx,
                    &production::work_order::WorkOrderInput {
                        product: "GADGET".into(),
                        quantity: "1000000".into(),
                        confirm: true,
                        ..Default::default()
                    },
                )?;
                production::work_order::WorkOrderId::parse(&order.id)
            })
        })
        .collect::<kernel::Result<_>>()?;
    // Reports walk the operations in turn, so each passes what the one before has passed.
    let started = Instant::now();
    let mut times = Vec::with_capacity(reports as usize);
    for i in 0..reports {
        let order = orders[(i % 10) as usize];
        let operation = 10 * (1 + ((i / 10) % 5) as i64);
        let one = Instant::now();
        db.write(|tx| {
            production::work_order::record_job(
                tx,
                &ctx,
                order,
                &production::work_order::JobReport {
                    operation,
                    good: Some("1".into()),
                    worker: "王师傅".into(),
                    ..Default::default()
                },
            )
        })?;
        times.push(one.elapsed().as_secs_f64() * 1000.0);
    }
    let seconds = started.elapsed().as_secs_f64();
    let (report_p50, report_p95) = timed_ms(&mut times);
    let recall = recall(db, &ctx)?;
    for line in kernel::db::profile::report(15) {
        eprintln!("{line}");
    }
    Ok(json!({
        "scenario": "shop",
        "invariants": super::bench::invariants(db)?,
        "backend": format!("{:?}", db.backend()).to_lowercase(),
        "job_reports": reports,
        "reports_per_second": (reports as f64 / seconds).round(),
        "report_ms": {"p50": report_p50, "p95": report_p95},
        "recall": recall,
    }))
}

/// The recall query over a genealogy of 1,000,000 links: 100,000 raw lots, each sub-assembly
/// lot made of 10 raw lots (500,000 links), each finished lot of 10 sub-assembly lots (500,000
/// links), every finished lot delivered to one of 100 customers.
fn recall(db: &kernel::db::Db, ctx: &Ctx) -> anyhow::Result<serde_json::Value> {
    const RAW: usize = 100_000;
    const SUB: usize = 50_000;
    const FIN: usize = 50_000;
    let seeding = Instant::now();
    let first_raw = db.write(|tx| -> kernel::Result<String> {
        let products = bulk_products(tx, ctx, &["RAW".to_string(), "SUB".to_string(), "FIN".to_string()])?;
        let boms = bulk_boms(
            tx,
            ctx,
            &[
                (products[1].clone(), vec![(products[0].clone(), 10_000, 0)]),
                (products[2].clone(), vec![(products[1].clone(), 10_000, 0)]),
            ],
        )?;
        let company = ctx.company().to_string();
        let now = ctx.now_text();
        let mut lot_ids: Vec<Vec<String>> = Vec::new();
        for (p, (prefix, count)) in [("R", RAW), ("S", SUB), ("F", FIN)].iter().enumerate() {
            let ids: Vec<String> = (0..*count).map(|_| kernel::id::Uuid::now_v7().to_string()).collect();
            let rows = ids
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    vec![
                        text(id.clone()),
                        text(company.clone()),
                        text(products[p].clone()),
                        text(format!("{prefix}{i:06}")),
                        text(now.clone()),
                    ]
                })
                .collect();
            production::bulk::insert_rows(
                tx,
                "inventory_lot (id, company_id, product_id, code, created_at)",
                "",
                rows,
            )?;
            lot_ids.push(ids);
        }
        // One work order per made lot.
        let mut orders: Vec<String> = Vec::new();
        let mut rows = Vec::new();
        for (level, count) in [(1usize, SUB), (2, FIN)] {
            for i in 0..count {
                let id = kernel::id::Uuid::now_v7().to_string();
                rows.push(vec![
                    text(id.clone()),
                    text(company.clone()),
                    text(format!("MO-T{level}-{i:06}")),
                    text(products[level].clone()),
                    text(boms[level - 1].clone()),
                    text(now.clone()),
                ]);
                orders.push(id);
            }
        }
        production::bulk::insert_rows(
            tx,
            "production_work_order (id, company_id, number, product_id, bom_id, created_at, quantity, received, state,
                 created_by, updated_at)",
            ", 10000, 10000, 'closed', 'bench', ''",
            rows,
        )?;
        let mut links = Vec::with_capacity(1_000_000);
        for s in 0..SUB {
            for k in 0..10 {
                let raw = (s * 10 + k * 7) % RAW;
                links.push(vec![
                    text(company.clone()),
                    text(lot_ids[1][s].clone()),
                    text(lot_ids[0][raw].clone()),
                    text(orders[s].clone()),
                ]);
            }
        }
        for f in 0..FIN {
            for k in 0..10 {
                let sub = (f * 10 + k * 13) % SUB;
                links.push(vec![
                    text(company.clone()),
                    text(lot_ids[2][f].clone()),
                    text(lot_ids[1][sub].clone()),
                    text(orders[SUB + f].clone()),
                ]);
            }
        }
        production::bulk::insert_rows(
            tx,
            "production_lot_link (company_id, finished_lot_id, component_lot_id, work_order_id)",
            "",
            links,
        )?;
        deliveries(tx, ctx, &products[2], &lot_ids[2])?;
        Ok(lot_ids[0][RAW / 2].clone())
    })?;
    let seed_seconds = seeding.elapsed().as_secs_f64();
    // The bulk load left the whole genealogy in SQLite's write-ahead log; a running server
    // checkpoints as it goes, so the reads are measured after one.
    if db.backend() == kernel::db::Backend::Sqlite {
        db.batch("pragma wal_checkpoint(truncate)")?;
    }
    let code: String = db.read(|tx| tx.scalar("select code from inventory_lot where id = $1", &[&first_raw]))?;
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..30 {
        let one = Instant::now();
        found = db.read(|tx| production::trace::forward(tx, ctx, &code))?.len();
        times.push(one.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p95) = timed_ms(&mut times);
    Ok(json!({"links": 1_000_000, "lots": RAW + SUB + FIN, "seed_seconds": (seed_seconds * 10.0).round() / 10.0,
        "recall_lines": found, "ms": {"p50": p50, "p95": p95}}))
}

/// A done delivery line for every finished lot, ten lots a delivery, to 100 customers.
fn deliveries(tx: &mut Tx<'_>, ctx: &Ctx, product: &str, lots: &[String]) -> kernel::Result<()> {
    let company = ctx.company().to_string();
    let now = ctx.now_text();
    let today = kernel::clock::format_date(ctx.today());
    let stock: String = tx.scalar(
        "select id from inventory_location where company_id = $1 and kind = 'internal' order by path limit 1",
        &[&ctx.company()],
    )?;
    let customers_location: String = tx.scalar(
        "select id from inventory_location where company_id = $1 and kind = 'customer' limit 1",
        &[&ctx.company()],
    )?;
    let customers: Vec<String> = (0..100).map(|_| kernel::id::Uuid::now_v7().to_string()).collect();
    let rows = customers
        .iter()
        .enumerate()
        .map(|(i, id)| {
            vec![
                text(id.clone()),
                text(company.clone()),
                text(format!("RC{i:03}")),
                text(format!("召回客户 {i}")),
                text(format!("召回客户 {i}")),
                text(now.clone()),
                text(now.clone()),
            ]
        })
        .collect();
    production::bulk::insert_rows(
        tx,
        "party_party (id, company_id, code, name, name_key, created_at, updated_at, kind, created_by)",
        ", 'customer', 'bench'",
        rows,
    )?;
    let (mut pickings, mut moves, mut lines) = (Vec::new(), Vec::new(), Vec::new());
    for (d, chunk) in lots.chunks(10).enumerate() {
        let picking = kernel::id::Uuid::now_v7().to_string();
        pickings.push(vec![
            text(picking.clone()),
            text(company.clone()),
            text(format!("OUT-R{d:06}")),
            text(stock.clone()),
            text(customers_location.clone()),
            text(customers[d % 100].clone()),
            text(today.clone()),
            text(today.clone()),
            text(now.clone()),
            text(now.clone()),
        ]);
        for lot in chunk {
            let id = kernel::id::Uuid::now_v7().to_string();
            moves.push(vec![
                text(id.clone()),
                text(company.clone()),
                text(picking.clone()),
                text(product.to_string()),
                text(stock.clone()),
                text(customers_location.clone()),
                text(now.clone()),
            ]);
            lines.push(vec![
                text(kernel::id::Uuid::now_v7().to_string()),
                text(company.clone()),
                text(id),
                text(product.to_string()),
                text(stock.clone()),
                text(customers_location.clone()),
                text(lot.clone()),
                text(today.clone()),
                text(now.clone()),
            ]);
        }
    }
    production::bulk::insert_rows(
        tx,
        "inventory_picking (id, company_id, number, from_location_id, to_location_id, partner_id, scheduled_date, done_date,
             created_at, updated_at, kind, state, created_by)",
        ", 'delivery', 'done', 'bench'",
        pickings,
    )?;
    production::bulk::insert_rows(
        tx,
        "inventory_move (id, company_id, picking_id, product_id, from_location_id, to_location_id, created_at, quantity, state)",
        ", 10000, 'done'",
        moves,
    )?;
    production::bulk::insert_rows(
        tx,
        "inventory_move_line (id, company_id, move_id, product_id, from_location_id, to_location_id, lot_id, date, created_at,
             quantity, state)",
        ", 10000, 'done'",
        lines,
    )?;
    Ok(())
}

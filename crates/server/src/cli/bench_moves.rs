//! `tiangong bench moves`: stock moves at scale on a fresh embedded database. Loads `rows` done
//! moves (receipts and deliveries of 10,000 products over a year, a tenth of them of one hot
//! product) through the real documents, then measures on-hand at a past date, the 进销存
//! summary of one month, and a receipt back-dated before all of the hot product's moves.
//!
//! `moves_per_second` times doing the moves (validating documents of 250 lines: quants,
//! valuation layers, daily totals, events); `create_reserve_and_do_moves_per_second` includes
//! making the documents and reserving the deliveries.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use inventory::{MoveInput, PickingInput, PickingKind, ValidateInput};
use kernel::clock::SystemClock;
use serde_json::json;

use super::bench::{fresh, percentile};
use crate::runtime;
use crate::settings::Settings;

const PRODUCTS: u64 = 10_000;
/// Lines per document (one transaction each).
const LINES: u64 = 250;

fn code(i: u64) -> String {
    format!("P{i:05}")
}

pub fn moves(settings: &Settings, rows: u64) -> anyhow::Result<serde_json::Value> {
    let (_data, prepared) = fresh(settings)?;
    let db = &prepared.db;
    let first = prepared.bootstrapped.clone().context("bench needs an empty database")?;
    let ctx = runtime::system_ctx(Arc::new(SystemClock)).for_company(first.company, runtime::all_permissions());
    db.write(|tx| {
        for i in 0..PRODUCTS {
            product::insert_product(
                tx,
                &ctx,
                &product::ProductInput {
                    code: code(i),
                    name: format!("产品 {i}"),
                    kind: "stockable".into(),
                    uom: "pcs".into(),
                    costing: Some(if i % 2 == 0 { "average" } else { "fifo" }.into()),
                    ..product::ProductInput::default()
                },
            )?;
        }
        Ok(())
    })?;
    let batches = rows.div_ceil(LINES);
    let start = time::macros::date!(2026 - 01 - 01);
    let started = Instant::now();
    let mut done_lines = 0u64;
    // Documents are made (and deliveries reserved) in one transaction, done in the next: the
    // throughput of doing moves is timed on its own, and the whole pipeline too.
    let mut doing = std::time::Duration::ZERO;
    for b in 0..batches {
        // Receipts and deliveries alternate; a delivery takes half of what the receipt before it
        // brought. One line in ten is the hot product P00000.
        let receipt = b % 2 == 0;
        let round = b / 2;
        let date = start + time::Duration::days((b * 364 / batches.max(1)) as i64);
        let lines: Vec<MoveInput> = (0..LINES)
            .map(|k| {
                let product = if k % 10 == 0 { 0 } else { (round * LINES + k) % (PRODUCTS - 1) + 1 };
                MoveInput {
                    product: code(product),
                    quantity: if receipt { "10" } else { "5" }.into(),
                    unit_cost: receipt.then(|| format!("{}.{:02}", 10 + k % 7, (round + k) % 100)),
                    ..MoveInput::default()
                }
            })
            .collect();
        let kind = if receipt { PickingKind::Receipt } else { PickingKind::Delivery };
        let doc = db.write(|tx| {
            inventory::create_picking(
                tx,
                &ctx,
                &PickingInput { kind: Some(kind), lines, confirm: !receipt, ..PickingInput::default() },
            )
        })?;
        let t = Instant::now();
        db.write(|tx| {
            inventory::validate(
                tx,
                &ctx,
                doc.id,
                &ValidateInput {
                    date: Some(kernel::clock::format_date(date)),
                    backorder: false,
                    ..ValidateInput::default()
                },
            )
        })?;
        doing += t.elapsed();
        done_lines += LINES;
        if b % 400 == 399 {
            eprintln!("{done_lines} moves, {:.0}/s", done_lines as f64 / started.elapsed().as_secs_f64());
        }
    }
    let load_seconds = started.elapsed().as_secs_f64();
    let moves_per_second = (done_lines as f64 / doing.as_secs_f64()).round();
    let pipeline_per_second = (done_lines as f64 / load_seconds).round();
    let timed = |work: &dyn Fn() -> anyhow::Result<()>, runs: usize| -> anyhow::Result<(f64, f64)> {
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            work()?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        Ok((percentile(&times, 0.5), percentile(&times, 0.95)))
    };
    let (on_hand_p50, on_hand_p95) = timed(
        &|| {
            db.read(|tx| inventory::report::on_hand_at(tx, &ctx, Some("P04321"), None, "2026-06-30"))?;
            Ok(())
        },
        200,
    )?;
    let (hot_p50, _) = timed(
        &|| {
            db.read(|tx| inventory::report::on_hand_at(tx, &ctx, Some("P00000"), None, "2026-06-30"))?;
            Ok(())
        },
        50,
    )?;
    let summary_rows = db.read(|tx| inventory::report::movement_summary(tx, &ctx, "2026-06-01", "2026-06-30"))?.len();
    let (summary_p50, summary_p95) = timed(
        &|| {
            db.read(|tx| inventory::report::movement_summary(tx, &ctx, "2026-06-01", "2026-06-30"))?;
            Ok(())
        },
        5,
    )?;
    let later: i64 = db.read(|tx| {
        tx.scalar(
            "select count(*) from inventory_valuation_layer v join product_product p on p.id = v.product_id where p.code = 'P00000'",
            &[],
        )
    })?;
    let t = Instant::now();
    let revalued = db.write(|tx| {
        let doc = inventory::create_picking(
            tx,
            &ctx,
            &PickingInput {
                kind: Some(PickingKind::Receipt),
                lines: vec![MoveInput {
                    product: code(0),
                    quantity: "100".into(),
                    unit_cost: Some("1".into()),
                    ..MoveInput::default()
                }],
                ..PickingInput::default()
            },
        )?;
        inventory::validate(
            tx,
            &ctx,
            doc.id,
            &ValidateInput { date: Some("2025-12-31".into()), ..ValidateInput::default() },
        )
    })?;
    let backdated_ms = (t.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    anyhow::ensure!(revalued.picking.state == inventory::PickingState::Done, "back-dated receipt not done");
    let invariants = db.read(|tx| kernel::invariant::run_all(tx, &crate::wiring::invariants()))?;
    anyhow::ensure!(invariants.iter().all(|r| r.ok), "invariants broken: {invariants:?}");
    Ok(json!({
        "scenario": "moves",
        "invariants": "ok",
        "backend": format!("{:?}", db.backend()).to_lowercase(),
        "done_moves": done_lines,
        "products": PRODUCTS,
        "load_seconds": (load_seconds * 10.0).round() / 10.0,
        "moves_per_second": moves_per_second,
        "create_reserve_and_do_moves_per_second": pipeline_per_second,
        "on_hand_at_past_date_ms": {"p50": on_hand_p50, "p95": on_hand_p95},
        "on_hand_hot_product_ms": {"p50": hot_p50},
        "summary_month_ms": {"p50": summary_p50, "p95": summary_p95, "products": summary_rows},
        "backdated_revaluation_ms": backdated_ms,
        "later_layers_of_that_product": later,
    }))
}

//! `tiangong bench post`: voucher lines at scale on a fresh embedded database. Posts `rows`
//! lines as automatic vouchers of 10 lines (100 vouchers per transaction) spread over a year,
//! then measures the 科目余额表 of a month, the 明细账 of one account for one month, and the
//! month-end close of the busiest month.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use kernel::clock::SystemClock;
use kernel::id::DocRef;
use ledger::AutoLine;
use serde_json::json;

use super::bench::{fresh, percentile};
use crate::runtime;
use crate::settings::Settings;

/// Expense and income roles the vouchers spread over, against the bank.
const ROLES: [&str; 8] = [
    "admin_expense",
    "selling_expense",
    "finance_expense",
    "cogs",
    "surtax",
    "revenue",
    "non_operating_income",
    "receivable",
];

pub fn post(settings: &Settings, rows: u64) -> anyhow::Result<serde_json::Value> {
    let (_data, prepared) = fresh(settings)?;
    let db = &prepared.db;
    let first = prepared.bootstrapped.clone().context("bench needs an empty database")?;
    let ctx = runtime::system_ctx(Arc::new(SystemClock)).for_company(first.company, runtime::all_permissions());
    let vouchers = rows.div_ceil(10);
    let per_transaction = 100u64;
    let start = time::macros::date!(2026 - 01 - 01);
    let started = Instant::now();
    let mut posted = 0u64;
    let mut v = 0u64;
    while v < vouchers {
        let batch = per_transaction.min(vouchers - v);
        db.write(|tx| {
            for k in v..v + batch {
                // Day by day through the year; November gets a third of everything.
                let day = if k % 3 == 0 { 304 + (k % 30) as i64 } else { (k * 365 / vouchers.max(1)) as i64 };
                let date = start + time::Duration::days(day.min(364));
                let mut lines = Vec::with_capacity(10);
                let mut bank = 0i64;
                for j in 0..9u64 {
                    let amount = 100 + ((k * 7 + j * 13) % 10_000) as i64;
                    let role = ROLES[((k + j) % ROLES.len() as u64) as usize];
                    // A summary per line: alike lines of one voucher would be merged into one.
                    // Receivables name their customer (往来明细), one of a hundred.
                    let partner = (role == "receivable").then(|| format!("BENCH-C{:03}", k % 100));
                    lines.push(AutoLine {
                        partner_id: partner,
                        ..AutoLine::by_role(role, format!("业务 {k}-{j}"), amount, 0)
                    });
                    bank += amount;
                }
                lines.push(AutoLine::by_role("bank", format!("业务 {k}"), 0, bank));
                ledger::post_automatic(tx, &ctx, date, "bench", &DocRef::new("bench.doc", k), &lines)?;
            }
            Ok(())
        })?;
        v += batch;
        posted += batch * 10;
        if v.is_multiple_of(20_000) {
            eprintln!("{posted} lines, {:.0}/s", posted as f64 / started.elapsed().as_secs_f64());
        }
    }
    let seconds = started.elapsed().as_secs_f64();
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
    let (tb_p50, tb_p95) = timed(
        &|| {
            db.read(|tx| ledger::trial_balance(tx, &ctx, "2026-06"))?;
            Ok(())
        },
        20,
    )?;
    let (detail_p50, detail_p95) = timed(
        &|| {
            db.read(|tx| ledger::books::account_ledger(tx, &ctx, "5603", "2026-06", "2026-06"))?;
            Ok(())
        },
        20,
    )?;
    let shown = db.read(|tx| ledger::books::account_ledger(tx, &ctx, "5603", "2026-06", "2026-06"))?.lines.len();
    // The 明细账 as a reader pages through it: 200 lines, first and a page deep in the month.
    let (page_p50, page_p95) = timed(
        &|| {
            db.read(|tx| ledger::books::account_ledger_page(tx, &ctx, "5603", "2026-06", "2026-06", 0, 200))?;
            Ok(())
        },
        20,
    )?;
    let (deep_p50, deep_p95) = timed(
        &|| {
            db.read(|tx| {
                ledger::books::account_ledger_page(tx, &ctx, "5603", "2026-06", "2026-06", shown as i64 / 2, 200)
            })?;
            Ok(())
        },
        20,
    )?;
    let november: i64 = db.read(|tx| tx.scalar("select count(*) from ledger_line where period = '2026-11'", &[]))?;
    // Close the months in order; November's close is the one timed.
    for month in 1..=10 {
        db.write(|tx| ledger::period::close_period(tx, &ctx, &format!("2026-{month:02}")))?;
    }
    let t = Instant::now();
    db.write(|tx| ledger::period::close_period(tx, &ctx, "2026-11"))?;
    let close_ms = (t.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    let invariants = db.read(|tx| kernel::invariant::run_all(tx, &crate::wiring::invariants()))?;
    anyhow::ensure!(invariants.iter().all(|r| r.ok), "invariants broken: {invariants:?}");
    Ok(json!({
        "scenario": "post",
        "invariants": "ok",
        "backend": format!("{:?}", db.backend()).to_lowercase(),
        "lines": posted,
        "seconds": (seconds * 10.0).round() / 10.0,
        "lines_per_second": (posted as f64 / seconds).round(),
        "trial_balance_ms": {"p50": tb_p50, "p95": tb_p95},
        "account_ledger_month_ms": {"p50": detail_p50, "p95": detail_p95, "lines_shown": shown},
        "account_ledger_page_ms": {"p50": page_p50, "p95": page_p95, "lines_per_page": 200},
        "account_ledger_deep_page_ms": {"p50": deep_p50, "p95": deep_p95, "offset": shown / 2},
        "close_month_ms": close_ms,
        "lines_in_closed_month": november,
    }))
}

//! Where the time of a run goes, statement by statement: with `TIANGONG_SQL_PROFILE=1` every
//! SQLite statement's count and total time are summed, and `report()` prints the costliest
//! (benchmarks call it at the end). Off, it costs one branch per statement.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var("TIANGONG_SQL_PROFILE").is_ok_and(|v| v == "1"))
}

fn totals() -> &'static Mutex<HashMap<String, (u64, u128)>> {
    static TOTALS: OnceLock<Mutex<HashMap<String, (u64, u128)>>> = OnceLock::new();
    TOTALS.get_or_init(Default::default)
}

pub(crate) struct Timer<'a> {
    sql: &'a str,
    started: Option<Instant>,
}

impl<'a> Timer<'a> {
    pub(crate) fn start(sql: &'a str) -> Timer<'a> {
        Timer { sql, started: enabled().then(Instant::now) }
    }
}

impl Drop for Timer<'_> {
    fn drop(&mut self) {
        if let Some(started) = self.started {
            let nanos = started.elapsed().as_nanos();
            if let Ok(mut totals) = totals().lock() {
                let entry = totals.entry(self.sql.to_string()).or_default();
                entry.0 += 1;
                entry.1 += nanos;
            }
        }
    }
}

/// The `top` statements by total time, one line each: total ms, count, µs each, the SQL.
pub fn report(top: usize) -> Vec<String> {
    let Ok(totals) = totals().lock() else { return vec![] };
    let mut rows: Vec<_> = totals.iter().collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.1.1));
    let all: u128 = rows.iter().map(|r| r.1.1).sum();
    let count: u64 = rows.iter().map(|r| r.1.0).sum();
    let mut out = vec![format!("all: {:.1} ms in {count} statements ({} distinct)", all as f64 / 1e6, rows.len())];
    out.extend(rows.into_iter().take(top).map(|(sql, (n, ns))| {
        let sql: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        format!(
            "{:>9.1} ms {:>8} × {:>7.1} µs  {}",
            *ns as f64 / 1e6,
            n,
            *ns as f64 / 1e3 / *n as f64,
            &sql[..sql.len().min(160)]
        )
    }));
    out
}

//! `tiangong verify`: runs every registered invariant and prints a report; exits non-zero
//! when any fails.

use std::process::ExitCode;

use kernel::invariant;

use crate::runtime;
use crate::settings::Settings;
use crate::wiring;

pub fn run(settings: &Settings, json: bool) -> anyhow::Result<ExitCode> {
    let db = runtime::open_existing(&runtime::db_config(settings))?;
    let reports = db.read(|tx| invariant::run_all(tx, &wiring::invariants()))?;
    let ok = reports.iter().all(|r| r.ok);
    if json {
        println!("{}", serde_json::json!({"ok": ok, "invariants": reports}));
    } else {
        for report in &reports {
            println!("{} {:<24} {}", if report.ok { "✓" } else { "✗" }, report.name, report.description);
            for violation in &report.violations {
                println!("    {violation}");
            }
        }
        println!("{}", if ok { "all invariants hold" } else { "INVARIANTS VIOLATED" });
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

//! `tiangong demo`: creates the demo company 天工演示制造有限公司 with about four months of
//! history (`crate::demo`), on the data folder's database (a new folder is set up first, as
//! `serve` would), says in a line or two what it made and how long it took, then checks every
//! invariant. A second run is refused in one line.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use kernel::clock::{Clock, SystemClock};

use crate::runtime;
use crate::settings::Settings;

pub fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    let clock = Arc::new(SystemClock);
    let prepared = runtime::prepare(&runtime::db_config(settings), settings, clock.clone())?;
    if let Some(first) = &prepared.bootstrapped
        && let Some(password) = &first.generated_password
    {
        println!(
            "首次启动：已创建公司 Demo Company 和管理员 admin，密码 {password}（仅显示这一次）\n\
             First start: created company \"Demo Company\" and user admin with password {password} (shown only once)"
        );
    }
    let vault = prepared.state.keys.vault()?;
    let started = Instant::now();
    let summary = match crate::demo::create(&prepared.db, &vault, clock.now()) {
        Ok(summary) => summary,
        Err(error) if error.code() == "demo.exists" => {
            eprintln!(
                "演示公司 {} 已存在，未重复创建 / the demo company {} exists already; nothing was made",
                crate::demo::CODE,
                crate::demo::CODE
            );
            return Ok(ExitCode::FAILURE);
        }
        Err(error) => {
            let catalog = crate::wiring::catalog();
            let text = catalog.text(kernel::i18n::Locale::ZhCn, error.code(), error.params());
            anyhow::bail!("演示公司未创建 / the demo company was not made: {text} ({}) {error}", error.code());
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let (zh, en) = summary.lines();
    println!("已创建 {zh}，用时 {seconds:.1} 秒");
    println!("Created {en} in {seconds:.1} s");
    let reports = prepared.db.read(|tx| kernel::invariant::run_all(tx, &crate::wiring::invariants()))?;
    let broken: Vec<_> = reports.iter().filter(|r| !r.ok).collect();
    if broken.is_empty() {
        println!("所有不变量成立 / all invariants hold");
        return Ok(ExitCode::SUCCESS);
    }
    for report in broken {
        println!("✗ {:<24} {}", report.name, report.description);
        for violation in report.violations.iter().take(5) {
            println!("    {violation}");
        }
    }
    println!("INVARIANTS VIOLATED");
    Ok(ExitCode::FAILURE)
}

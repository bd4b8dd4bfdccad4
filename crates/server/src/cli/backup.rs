//! `tiangong backup FILE` and `tiangong restore FILE`.
//!
//! SQLite: the online backup API copies the live database page by page into FILE, giving a
//! consistent snapshot while the server goes on writing. Restore copies FILE back into the
//! database file (stop the server first). PostgreSQL: `pg_dump --format=custom` and
//! `pg_restore --clean` (see docs/deployment-postgresql.md).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use kernel::db::{Backend, DbConfig};

use crate::runtime;
use crate::settings::Settings;

pub fn backup(settings: &Settings, file: &Path) -> anyhow::Result<()> {
    let config = runtime::db_config(settings);
    match config.backend() {
        Backend::Sqlite => {
            let db = runtime::open_existing(&config)?;
            if file.exists() {
                bail!("{} already exists", file.display());
            }
            db.sqlite_backup(file).context("backup failed")?;
        }
        Backend::Postgres => pg_tool("pg_dump", &["--format=custom", "--no-owner", "--file"], file, &config)?,
    }
    println!("backup written to {}", file.display());
    Ok(())
}

pub fn restore(settings: &Settings, file: &Path, force: bool) -> anyhow::Result<()> {
    anyhow::ensure!(file.exists(), "{} not found", file.display());
    let config = runtime::db_config(settings);
    match config.backend() {
        Backend::Sqlite => restore_sqlite(&config, file, force)?,
        Backend::Postgres => pg_tool("pg_restore", &["--clean", "--if-exists", "--no-owner"], file, &config)?,
    }
    println!("restored from {}", file.display());
    Ok(())
}

fn restore_sqlite(config: &DbConfig, file: &Path, force: bool) -> anyhow::Result<()> {
    let target = config.sqlite_path().context("not a SQLite URL")?;
    if target.exists() && !force {
        bail!("{} exists; pass --force to replace it (stop the server first)", target.display());
    }
    // Check the backup is a readable SQLite database before touching anything.
    let source = rusqlite::Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let check: String = source.query_row("pragma integrity_check", [], |row| row.get(0))?;
    anyhow::ensure!(check == "ok", "the backup is damaged: {check}");
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut destination = rusqlite::Connection::open(&target)?;
    destination.busy_timeout(std::time::Duration::from_secs(10))?;
    let backup = rusqlite::backup::Backup::new(&source, &mut destination)?;
    backup.run_to_completion(1024, std::time::Duration::from_millis(0), None)?;
    Ok(())
}

/// Runs pg_dump / pg_restore against the configured database.
fn pg_tool(tool: &str, args: &[&str], file: &Path, config: &DbConfig) -> anyhow::Result<()> {
    let mut command = Command::new(tool);
    command.args(args);
    if tool == "pg_dump" {
        command.arg(file).arg(format!("--dbname={}", config.url));
    } else {
        command.arg(format!("--dbname={}", config.url)).arg(file);
    }
    let status = command.status().with_context(|| format!("cannot run {tool}; install the PostgreSQL client tools"))?;
    anyhow::ensure!(status.success(), "{tool} failed with {status}");
    Ok(())
}

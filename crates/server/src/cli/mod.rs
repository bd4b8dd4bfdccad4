//! The command line: `tiangong serve|migrate|demo|user|verify|backup|restore|bench|wiring`.
//! Every command that opens the database takes `--data DIR` (and honours `--config`).

mod backup;
mod bench;
mod bench_approvals;
mod bench_crm;
mod bench_moves;
mod bench_post;
mod bench_production;
mod bench_search;
mod bench_trade;
mod demo;
mod serve;
mod transfer;
mod user;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use kernel::clock::SystemClock;

use crate::runtime;
use crate::settings::Settings;

#[derive(Parser)]
#[command(name = "tiangong", version, about = "天工 Tiangong: ERP + MES + CRM in one binary")]
struct Cli {
    /// Configuration file (default: ./tiangong.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data folder: the SQLite database lives here (default ./data).
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web UI and the API.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long, value_name = "HOST:PORT")]
        addr: Option<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create the demo company 天工演示制造有限公司 with a few months of history.
    Demo,
    /// Manage users.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Check every invariant (audit chain, numbering without gaps, …); non-zero exit on failure.
    Verify {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a consistent copy of the database while the server runs.
    Backup {
        /// Target file (SQLite copy, or pg_dump archive for PostgreSQL).
        file: PathBuf,
    },
    /// Bring a backup back (stop the server first).
    Restore {
        file: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
    /// Run a benchmark scenario and print one JSON object per scenario.
    Bench(bench::BenchArgs),
    /// List the event subscriptions and outbox topics, in order.
    Wiring,
    /// Import master data from CSV/XLSX (dry run available), or a sample data set.
    #[command(subcommand)]
    Import(transfer::ImportCommand),
    /// Export master data to CSV or XLSX.
    Export {
        /// customers, suppliers, products, categories, taxes, uoms, exchange-rates or prices
        kind: String,
        /// Target file, .csv or .xlsx.
        file: PathBuf,
        #[arg(long)]
        company: Option<String>,
    },
    /// Manage the keys that encrypt personal data.
    #[command(subcommand)]
    Keys(transfer::KeysCommand),
}

/// Settings from file and environment, with command-line overrides.
fn settings(cli: &Cli) -> anyhow::Result<Settings> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    if let Some(data) = &cli.data {
        settings.data_dir = data.clone();
    }
    Ok(settings)
}

fn init_logging(filter: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("错误 error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = settings(&cli)?;
    init_logging(&settings.log);
    let clock = Arc::new(SystemClock);
    match cli.command {
        Command::Serve { addr } => {
            let addr = addr.unwrap_or_else(|| settings.addr.clone());
            serve::serve(settings, addr)?;
        }
        Command::Migrate => {
            let db = runtime::open(&runtime::db_config(&settings))?;
            let applied = runtime::migrate(&db, clock.as_ref())?;
            println!("{} migration(s) applied", applied.len());
        }
        Command::Demo => return demo::run(&settings),
        Command::User(command) => user::run(&settings, command)?,
        Command::Verify { json } => return verify::run(&settings, json),
        Command::Backup { file } => backup::backup(&settings, &file)?,
        Command::Restore { file, force } => backup::restore(&settings, &file, force)?,
        Command::Bench(args) => bench::run(&settings, args)?,
        Command::Import(command) => {
            if !transfer::import(&settings, command)? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Export { kind, file, company } => transfer::export(&settings, &kind, &file, company.as_deref())?,
        Command::Keys(command) => transfer::keys(&settings, command)?,
        Command::Wiring => {
            for subscription in crate::wiring::bus().subscriptions() {
                println!("event  {:<40} → {}", subscription.event, subscription.handler);
            }
            for topic in crate::wiring::outbox_handlers(&Default::default()).topics() {
                println!("outbox {topic}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

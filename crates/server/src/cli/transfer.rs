//! `tiangong import …`, `tiangong export …`, `tiangong keys rotate`: moving master data in and
//! out, and re-encrypting personal data under a new key.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use kernel::clock::SystemClock;
use kernel::crypto::{KeyRing, Vault};
use kernel::db::Db;
use kernel::i18n::Locale;
use kernel::import::{self, Importer, Sheet};
use kernel::{Ctx, Error};

use crate::runtime;
use crate::settings::Settings;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Customers from CSV or XLSX (see `tiangong import template customers`).
    Customers(ImportArgs),
    /// Suppliers from CSV or XLSX.
    Suppliers(ImportArgs),
    /// Products from CSV or XLSX.
    Products(ImportArgs),
    /// Product categories from CSV or XLSX (parents before children).
    Categories(ImportArgs),
    /// Tax rates.
    Taxes(ImportArgs),
    /// Units of measure.
    Uoms(ImportArgs),
    /// Exchange rates by date.
    ExchangeRates(ImportArgs),
    /// Price list lines (list code, product code, quantity break, price).
    Prices(ImportArgs),
    /// CRM leads (contact, organisation, phone, email, source, industry, region, size).
    Leads(ImportArgs),
    /// 期初余额: opening balances by account and dimension, with the year's turnover so far.
    OpeningBalances(ImportArgs),
    /// 期初往来: unpaid invoices and bills at the start (side, partner, number, dates, amount).
    OpeningItems(ImportArgs),
    /// 库存期初: opening stock by product, location and lot with its unit cost.
    OpeningStock(ImportArgs),
    /// Northwind's customers, suppliers and employees from its CSV folder.
    Northwind {
        folder: PathBuf,
        #[arg(long)]
        company: Option<String>,
    },
    /// AdventureWorks' units, categories, vendors, products and vendor prices from its CSV folder.
    Adventureworks {
        folder: PathBuf,
        #[arg(long)]
        company: Option<String>,
    },
    /// Print the CSV template of a type (header and an example row).
    Template { kind: String },
}

#[derive(clap::Args)]
pub struct ImportArgs {
    file: PathBuf,
    /// Check every row and report problems; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Company code (default: the first company).
    #[arg(long)]
    company: Option<String>,
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Add a new key, make it current, and re-encrypt every personal-data value under it
    /// (safe while the server runs; interrupted runs can be repeated).
    Rotate,
}

/// Opens the database and the key vault, acting as the system in a company.
fn open(settings: &Settings, company: Option<&str>) -> anyhow::Result<(Db, Ctx, Arc<Vault>)> {
    let clock = Arc::new(SystemClock);
    let prepared = runtime::prepare(&runtime::db_config(settings), settings, clock.clone())?;
    let company = prepared.db.read(|tx| {
        let row = match company {
            Some(code) => tx.query_opt("select id from kernel_company where code = $1", &[&code])?,
            // The first company made: ids (UUIDv7) follow the order companies were really made in, while
            // the demo company's `created_at` lies in the past of its story.
            None => tx.query_opt("select id from kernel_company order by id limit 1", &[])?,
        };
        row.ok_or_else(|| Error::not_found("kernel.company.not_found"))?.get::<kernel::identity::CompanyId>(0)
    })?;
    let ctx = runtime::system_ctx(clock).for_company(company, runtime::all_permissions());
    let vault = prepared.state.keys.vault()?;
    Ok((prepared.db, ctx, vault))
}

fn progress(total: usize) -> ProgressBar {
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} rows {elapsed}") {
        bar.set_style(style);
    }
    bar
}

pub fn import(settings: &Settings, command: ImportCommand) -> anyhow::Result<bool> {
    match command {
        ImportCommand::Template { kind } => {
            let vault = Vault::new(&KeyRing::generate())?;
            let importer = importer_for(&kind, &vault)?;
            print!("{}", import::template(importer.as_ref()));
            Ok(true)
        }
        ImportCommand::Northwind { folder, company } => {
            let (db, ctx, vault) = open(settings, company.as_deref())?;
            let report =
                crate::datasets::northwind::load(&db, &ctx, &vault, &folder).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(true)
        }
        ImportCommand::Adventureworks { folder, company } => {
            let (db, ctx, vault) = open(settings, company.as_deref())?;
            let report = crate::datasets::adventureworks::load(&db, &ctx, &vault, &folder)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(true)
        }
        ImportCommand::Customers(args) => run_import(settings, "customers", args),
        ImportCommand::Suppliers(args) => run_import(settings, "suppliers", args),
        ImportCommand::Products(args) => run_import(settings, "products", args),
        ImportCommand::Categories(args) => run_import(settings, "categories", args),
        ImportCommand::Taxes(args) => run_import(settings, "taxes", args),
        ImportCommand::Uoms(args) => run_import(settings, "uoms", args),
        ImportCommand::ExchangeRates(args) => run_import(settings, "exchange-rates", args),
        ImportCommand::Prices(args) => run_import(settings, "prices", args),
        ImportCommand::Leads(args) => run_import(settings, "leads", args),
        ImportCommand::OpeningBalances(args) => run_import(settings, "opening-balances", args),
        ImportCommand::OpeningItems(args) => run_import(settings, "opening-items", args),
        ImportCommand::OpeningStock(args) => run_import(settings, "opening-stock", args),
    }
}

fn importer_for<'a>(kind: &str, vault: &'a Vault) -> anyhow::Result<Box<dyn Importer + 'a>> {
    web::transfer::importer_for(kind, vault)
        .ok_or_else(|| anyhow::anyhow!("unknown type {kind}; known: {}", web::transfer::names()))
}

fn run_import(settings: &Settings, kind: &str, args: ImportArgs) -> anyhow::Result<bool> {
    let (db, ctx, vault) = open(settings, args.company.as_deref())?;
    let importer = importer_for(kind, &vault)?;
    let sheet = Sheet::read(&args.file).map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let bar = progress(sheet.rows.len());
    let catalog = crate::wiring::catalog();
    let report = import::run(&db, &ctx, importer.as_ref(), &sheet, args.dry_run, &catalog, Locale::ZhCn, &|done| {
        bar.set_position(done as u64)
    })?;
    bar.finish_and_clear();
    for error in &report.errors {
        eprintln!(
            "第 {} 行 row {}, 列 column {}: {}",
            error.row,
            error.row,
            if error.column.is_empty() { "-" } else { &error.column },
            error.reason
        );
    }
    match (report.errors.is_empty(), report.dry_run) {
        (true, true) => println!("dry run: all {} rows are valid; nothing written", report.rows),
        (true, false) => println!("imported {} rows", report.imported),
        (false, _) => println!("{} problem(s) in {} rows; nothing written", report.errors.len(), report.rows),
    }
    Ok(report.errors.is_empty())
}

/// `tiangong export <type> FILE.xlsx|csv`: every record of the type in its import layout.
pub fn export(settings: &Settings, kind: &str, file: &Path, company: Option<&str>) -> anyhow::Result<()> {
    runtime::open_existing(&runtime::db_config(settings))?;
    let (db, ctx, vault) = open(settings, company)?;
    let count = export_type(&db, &ctx, &vault, kind, file)?;
    println!("exported {count} {kind} to {}", file.display());
    Ok(())
}

/// Writes every record of a type in the import layout (so the file can be imported again).
pub fn export_type(db: &Db, ctx: &Ctx, vault: &Vault, kind: &str, file: &Path) -> anyhow::Result<usize> {
    let format = match file.extension().and_then(|e| e.to_str()) {
        Some(extension @ ("csv" | "xlsx")) => extension,
        _ => bail!("export to .csv or .xlsx"),
    };
    let importer = importer_for(kind, vault)?;
    let header: Vec<&str> = importer.columns().iter().map(|c| c.key).collect();
    let rows = import::export_all(db, ctx, importer.as_ref())?;
    std::fs::write(file, import::table_bytes(&header, &rows, format)?)
        .with_context(|| format!("cannot write {}", file.display()))?;
    Ok(rows.len())
}

pub fn keys(settings: &Settings, command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Rotate => {
            if std::env::var_os("TIANGONG_ENCRYPTION_KEYS").is_some() {
                bail!(
                    "the keys come from TIANGONG_ENCRYPTION_KEYS: add a new key there, make it current, then run this again"
                );
            }
            runtime::open_existing(&runtime::db_config(settings))?;
            let source = runtime::key_source(settings);
            let mut ring = KeyRing::load_or_create(source.file()).context("cannot read the key file")?;
            let id = ring.rotate();
            ring.save(source.file())?;
            let db = runtime::open(&runtime::db_config(settings))?;
            let vault = Vault::new(&ring)?;
            let count = party::rotate::reencrypt_all(&db, &vault, 500)?;
            println!("new key {id} is current; {count} values re-encrypted");
        }
    }
    Ok(())
}

//! Assembling a running Tiangong: open the database, apply migrations in layer order, create
//! the first company and administrator on an empty database, build the web state, run the
//! outbox worker. `serve` and `testkit` both go through here, so tests run the real thing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Context;
use kernel::clock::{Clock, format_timestamp};
use kernel::db::{Db, DbConfig};
use kernel::identity::{self, Bootstrapped, CompanyId, LoginPolicy};
use kernel::outbox::{self, WorkerPolicy};
use kernel::{Ctx, PermissionSet};
use web::{AppState, WebSettings};

use crate::settings::Settings;
use crate::wiring;

/// The database settings that `settings` describe.
pub fn db_config(settings: &Settings) -> DbConfig {
    let mut config = DbConfig::new(settings.database_url());
    config.readers = settings.sqlite_readers;
    config.pool_size = settings.pg_pool_size;
    config.synchronous_full = settings.sqlite_synchronous.eq_ignore_ascii_case("full");
    config
}

/// Opens the database with the event wiring, without migrating.
pub fn open(config: &DbConfig) -> anyhow::Result<Db> {
    kernel::search::register(&wiring::search_indexes());
    Db::open(config, Arc::new(wiring::bus()))
        .with_context(|| format!("cannot open the database {}", crate::settings::redact_url(&config.url)))
}

/// Opens a database that must already hold Tiangong's data (for `verify`, `user`, `backup`,
/// `export`, `keys`): a folder without one is said so in one line, instead of creating an empty
/// database or failing on the first query.
pub fn open_existing(config: &DbConfig) -> anyhow::Result<Db> {
    let hint = "先运行 tiangong serve 或 tiangong migrate，或用 --data 指定数据目录 \
                (run `tiangong serve` or `tiangong migrate` first, or name the folder with --data DIR)";
    if let Some(path) = config.sqlite_path()
        && !path.is_file()
    {
        anyhow::bail!("{} 处没有数据库 / no database at {}: {hint}", path.display(), path.display());
    }
    let db = open(config)?;
    let tables: i64 = db.read(|tx| {
        let sql = match tx.backend() {
            kernel::db::Backend::Sqlite => "select count(*) from sqlite_master where type = 'table' and name = 'kernel_company'",
            kernel::db::Backend::Postgres => {
                "select count(*) from information_schema.tables where table_schema = current_schema() and table_name = 'kernel_company'"
            }
        };
        tx.scalar(sql, &[])
    })?;
    anyhow::ensure!(tables > 0, "数据库里还没有天工的数据 / the database holds no Tiangong data yet: {hint}");
    Ok(db)
}

/// Applies every pending migration; returns the versions applied.
pub fn migrate(db: &Db, clock: &dyn Clock) -> anyhow::Result<Vec<i64>> {
    let applied =
        kernel::db::migrate(db, wiring::MIGRATIONS, &format_timestamp(clock.now())).context("migration failed")?;
    // The search index (its tables differ by backend), and documents for records it lacks.
    kernel::search::ensure_schema(db).context("cannot create the search index")?;
    let indexed = kernel::search::backfill(db).context("cannot fill the search index")?;
    if indexed > 0 {
        tracing::info!(records = indexed, "search index filled");
    }
    Ok(applied)
}

/// A context for the system acting in no particular company (bootstrap, CLI lookups).
pub fn system_ctx(clock: Arc<dyn Clock>) -> Ctx {
    Ctx::system(CompanyId(kernel::id::Uuid::nil()), all_permissions()).with_clock(clock)
}

pub fn all_permissions() -> PermissionSet {
    PermissionSet::new(wiring::permissions().iter().map(|p| p.permission.name()))
}

/// The key file of personal-data encryption (or `TIANGONG_ENCRYPTION_KEYS`).
pub fn key_source(settings: &Settings) -> kernel::crypto::KeySource {
    kernel::crypto::KeySource::new(settings.data_dir.join("keys").join("tiangong-keys.json"))
}

/// Everything a server or a test needs, ready.
pub struct Prepared {
    pub db: Db,
    pub state: AppState,
    pub bootstrapped: Option<Bootstrapped>,
}

/// Opens, migrates and bootstraps the database and builds the web state.
pub fn prepare(config: &DbConfig, settings: &Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Prepared> {
    let db = open(config)?;
    migrate(&db, clock.as_ref())?;
    let admin_password = Some(settings.admin_password.as_str()).filter(|p| !p.is_empty());
    let bootstrapped = identity::bootstrap(&db, &system_ctx(clock.clone()), &wiring::permissions(), admin_password)
        .context("first-start setup failed")?;
    let state = AppState {
        db: db.clone(),
        catalog: Arc::new(wiring::catalog()),
        permissions: Arc::new(wiring::permissions()),
        clock,
        login_policy: LoginPolicy::default(),
        settings: WebSettings {
            max_body_bytes: settings.max_body_bytes,
            session_ttl: time::Duration::hours(settings.session_ttl_hours),
            token_ttl: time::Duration::days(settings.token_ttl_days),
            secure_cookies: settings.secure_cookies,
            metrics_allow: settings.metrics_networks()?,
        },
        metrics: Arc::new(web::metrics::Metrics::default()),
        attachments: kernel::attachment::AttachmentStore {
            root: settings.data_dir.join("attachments"),
            max_bytes: settings.attachment_max_mb.saturating_mul(1_048_576),
        },
        keys: Arc::new(key_source(settings)),
        demo: Some(web::state::DemoMaker {
            code: crate::demo::CODE,
            create: Arc::new(|state: &web::state::AppState| {
                let vault = state.keys.vault()?;
                let summary = crate::demo::create(&state.db, &vault, state.clock.now())?;
                Ok(summary.lines().0)
            }),
        }),
    };
    // Fail at start-up, not at the first request, if the keys are unusable.
    state.keys.vault().context("the encryption keys cannot be loaded")?;
    Ok(Prepared { db, state, bootstrapped })
}

/// The background worker: delivers outbox messages and sweeps expired rows.
pub struct Worker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    pub fn spawn(
        db: Db,
        clock: Arc<dyn Clock>,
        policy: WorkerPolicy,
        poll: Duration,
        mail: crate::mail::MailConfig,
    ) -> Worker {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("outbox-worker".into())
            .spawn(move || {
                let handlers = wiring::outbox_handlers(&mail);
                let mut rounds: u64 = 0;
                while !flag.load(Ordering::Relaxed) {
                    match outbox::deliver_due(&db, clock.as_ref(), &policy, &handlers) {
                        Ok(report) if report.delivered + report.failed + report.dead > 0 => {
                            tracing::debug!(?report, "outbox round");
                        }
                        Ok(_) => {}
                        Err(error) => tracing::error!(%error, "outbox round failed"),
                    }
                    rounds += 1;
                    if rounds % 1200 == 1 {
                        if let Err(error) = sweep(&db, clock.as_ref()) {
                            tracing::warn!(%error, "sweep failed");
                        }
                        if let Err(error) = crm_daily(&db, &clock) {
                            tracing::warn!(%error, "CRM daily work failed");
                        }
                        if let Err(error) = production_round(&db, &clock) {
                            tracing::warn!(%error, "production bookkeeping failed");
                        }
                        if let Err(error) = approvals_round(&db, &clock) {
                            tracing::warn!(%error, "approval escalation failed");
                        }
                    }
                    std::thread::sleep(poll);
                }
            })
            .ok();
        Worker { stop, thread }
    }

    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The CRM's daily work: retrains each company's lead-scoring model once it is a day old, and
/// reminds the owners of contracts due for renewal.
fn crm_daily(db: &Db, clock: &Arc<dyn Clock>) -> kernel::Result<()> {
    let companies: Vec<String> =
        db.read(|tx| tx.query("select company_id from crm_score_model", &[])?.iter().map(|r| r.get(0)).collect())?;
    for company in companies {
        let ctx =
            system_ctx(clock.clone()).for_company(kernel::identity::CompanyId::parse(&company)?, all_permissions());
        if db.write(|tx| crm::scoring::retrain_if_stale(tx, &ctx))? {
            tracing::info!(company, "lead scoring retrained");
        }
    }
    // Contracts ending soon remind their owners (once each).
    let companies: Vec<String> = db.read(|tx| {
        tx.query(
            "select distinct company_id from crm_contract where state = 'active' and renewal_reminded_at is null",
            &[],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect()
    })?;
    for company in companies {
        let ctx =
            system_ctx(clock.clone()).for_company(kernel::identity::CompanyId::parse(&company)?, all_permissions());
        db.write(|tx| crm::contract::remind_renewals(tx, &ctx))?;
    }
    Ok(())
}

/// Approval steps past their timeout: the approver is reminded and the task escalates to the
/// approver's manager (each once).
pub fn approvals_round(db: &Db, clock: &Arc<dyn Clock>) -> kernel::Result<usize> {
    let now = kernel::clock::format_timestamp(clock.now());
    let companies: Vec<String> = db.read(|tx| {
        tx.query(
            "select distinct company_id from office_approval_task
             where state = 'pending' and due_at is not null and due_at <= $1 and reminded_at is null",
            &[&now],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect()
    })?;
    let mut escalated = 0;
    for company in companies {
        let ctx =
            system_ctx(clock.clone()).for_company(kernel::identity::CompanyId::parse(&company)?, all_permissions());
        escalated += db.write(|tx| office::approval::escalate_overdue(tx, &ctx))?;
    }
    Ok(escalated)
}

/// Production's periodic work (with the sweep): books the work reported on work orders and not
/// yet in the ledger, so that 生产成本 is never far behind the shop floor, and purges planned
/// orders of earlier MRP runs that a run left behind.
fn production_round(db: &Db, clock: &Arc<dyn Clock>) -> kernel::Result<()> {
    let companies: Vec<String> = db.read(|tx| {
        tx.query(
            "select distinct company_id from production_work_order where state in ('in_progress', 'done')
               and (labour_cost <> labour_posted or machine_cost <> machine_posted or overhead_cost <> overhead_posted)
             union select distinct company_id from production_planned_order where state = 'planned'
               and run_id < (select max(r.id) from production_mrp_run r where r.company_id = production_planned_order.company_id)",
            &[],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect()
    })?;
    for company in companies {
        let ctx =
            system_ctx(clock.clone()).for_company(kernel::identity::CompanyId::parse(&company)?, all_permissions());
        let booked = db.write(|tx| production::work_order::post_open_work(tx, &ctx))?;
        if booked > 0 {
            tracing::info!(company, booked, "work of work orders booked");
        }
        while db.write(|tx| production::mrp::purge_stale(tx, &ctx, 20_000))? > 0 {}
    }
    Ok(())
}

/// Removes what has expired: sessions, old login failures, old idempotency records.
fn sweep(db: &Db, clock: &dyn Clock) -> kernel::Result<()> {
    let now = clock.now();
    let day_ago = format_timestamp(now - time::Duration::days(1));
    db.write(|tx| {
        tx.execute("delete from kernel_session where expires_at < $1", &[&format_timestamp(now)])?;
        tx.execute("delete from kernel_login_failure where at < $1", &[&day_ago])?;
        tx.execute("delete from kernel_idempotency where created_at < $1", &[&day_ago])?;
        Ok(())
    })
}

//! Storage: one portable schema and one SQL text per query for SQLite and PostgreSQL.
//!
//! Business operations are synchronous: `db.write(|tx| …)` runs a closure in one transaction
//! (SQLite: the single writer connection with `begin immediate`; PostgreSQL: a pooled
//! connection), commits when it returns `Ok`, rolls back on `Err` or panic. `db.read` does the
//! same on a read-only connection. Events published inside the closure run their handlers in
//! the same transaction (see `bus`).

mod checkpointer;
mod dialect;
mod migrate;
mod names;
mod postgres;
pub mod profile;
mod sqlite;
mod value;
mod writer;
mod writer_thread;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use dialect::{migration_to_postgres, to_sqlite};
pub use migrate::{Migration, ModuleMigrations, applied_migrations, migrate};
pub use names::codes_and_names;
pub use value::{DbError, FromValue, Row, ToValue, Value};
pub use writer::commit_counts;

use crate::bus::{Bus, Event};
use crate::ctx::Ctx;
use crate::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// A column written so that SQLite's planner does not pick an index for it (`+col`): when
    /// rows are read by their ids (`… and p.id in (…)`), an index on the company — which every
    /// row of a one-company database shares — would otherwise be walked whole, a million rows,
    /// instead of looking up the ids. PostgreSQL's planner has statistics and needs no hint.
    pub fn unindexed(self, column: &str) -> String {
        match self {
            Backend::Sqlite => format!("+{column}"),
            Backend::Postgres => column.to_string(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct DbConfig {
    /// `sqlite://data/tiangong.db`, `sqlite:///var/lib/tiangong/tiangong.db` or `postgres://…`.
    pub url: String,
    /// SQLite: number of pooled read-only connections.
    pub readers: u32,
    /// PostgreSQL: size of the connection pool.
    pub pool_size: u32,
    /// SQLite: `synchronous=FULL` instead of `NORMAL`.
    pub synchronous_full: bool,
    /// PostgreSQL: work inside this schema (tests use one schema each).
    pub pg_schema: Option<String>,
}

impl DbConfig {
    pub fn new(url: impl Into<String>) -> DbConfig {
        DbConfig { url: url.into(), readers: 8, pool_size: 16, synchronous_full: false, pg_schema: None }
    }

    pub fn backend(&self) -> Backend {
        if self.url.starts_with("postgres://") || self.url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// The SQLite file for a `sqlite://` URL (relative paths are relative to the working dir).
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.url.strip_prefix("sqlite://").or_else(|| self.url.strip_prefix("sqlite:"))?;
        Some(PathBuf::from(rest.split('?').next().unwrap_or(rest)))
    }
}

enum Store {
    Sqlite {
        /// Grouped writes from callers that can hand their work over (`write_queued`).
        queue: writer_thread::WriterThread,
        writer: Arc<writer::Writer>,
        readers: r2d2::Pool<sqlite::ReaderManager>,
        path: PathBuf,
        _checkpointer: checkpointer::Checkpointer,
    },
    Postgres {
        pool: r2d2::Pool<postgres::PgManager>,
    },
}

/// A handle on the database; cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    bus: Arc<Bus>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({:?})", self.backend())
    }
}

fn storage_error(error: DbError) -> Error {
    let constraint = match &error {
        DbError::Sqlite(_) => sqlite::constraint_of(&error),
        DbError::Postgres(_) => postgres::constraint_of(&error),
        _ => None,
    };
    match constraint {
        Some(name) => Error::conflict("db.constraint_violation").with_param("constraint", name).with_source(error),
        None => Error::internal(error),
    }
}

impl Db {
    /// Opens (and for SQLite creates) the database. Migrations are applied separately.
    pub fn open(config: &DbConfig, bus: Arc<Bus>) -> Result<Db> {
        let store = match config.backend() {
            Backend::Sqlite => {
                let path = config
                    .sqlite_path()
                    .ok_or_else(|| Error::invalid("db.url_invalid").with_param("url", &config.url))?;
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(Error::internal)?;
                }
                let writer = sqlite::open(&path, false, config.synchronous_full).map_err(storage_error)?;
                let readers = r2d2::Pool::builder()
                    .max_size(config.readers.max(1))
                    .min_idle(Some(0))
                    .connection_timeout(Duration::from_secs(30))
                    .build(sqlite::ReaderManager { path: path.clone(), synchronous_full: config.synchronous_full })
                    .map_err(|e| storage_error(e.into()))?;
                let checkpointer =
                    checkpointer::Checkpointer::start(&path, config.synchronous_full).map_err(storage_error)?;
                let writer = Arc::new(writer::Writer::new(writer));
                let queue = writer_thread::WriterThread::start(writer.clone(), bus.clone()).map_err(Error::internal)?;
                Store::Sqlite { queue, writer, readers, path, _checkpointer: checkpointer }
            }
            Backend::Postgres => {
                let pg_config: ::postgres::Config = config
                    .url
                    .parse()
                    .map_err(|e| Error::invalid("db.url_invalid").with_param("url", "postgres://…").with_source(e))?;
                let pool = r2d2::Pool::builder()
                    .max_size(config.pool_size.max(1))
                    .min_idle(Some(0))
                    .connection_timeout(Duration::from_secs(30))
                    .build(postgres::PgManager { config: pg_config, schema: config.pg_schema.clone() })
                    .map_err(|e| storage_error(e.into()))?;
                Store::Postgres { pool }
            }
        };
        Ok(Db { inner: Arc::new(Inner { store, bus }) })
    }

    pub fn backend(&self) -> Backend {
        match self.inner.store {
            Store::Sqlite { .. } => Backend::Sqlite,
            Store::Postgres { .. } => Backend::Postgres,
        }
    }

    pub fn bus(&self) -> &Arc<Bus> {
        &self.inner.bus
    }

    /// The SQLite file, when the backend is SQLite.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.inner.store {
            Store::Sqlite { path, .. } => Some(path),
            Store::Postgres { .. } => None,
        }
    }

    /// Runs `work` in one read-write transaction: commit on `Ok`, roll back on `Err` or panic.
    pub fn write<T>(&self, work: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        match &self.inner.store {
            Store::Sqlite { writer, .. } => writer.alone(&self.inner.bus, work),
            Store::Postgres { pool } => {
                let mut conn = pool.get().map_err(|e| storage_error(e.into()))?;
                conn.batch("begin").map_err(storage_error)?;
                let mut tx = Tx::new(Conn::Postgres(&mut conn), &self.inner.bus);
                let result = work(&mut tx);
                tx.finish(result)
            }
        }
    }

    /// Like `write`, but on SQLite `work` may share its transaction with other writers arriving
    /// at the same moment (group commit, see `writer`), and so may run a second time after
    /// the group rolled back: it must have no effect outside the database. Returns once the
    /// transaction holding its work is committed.
    pub fn write_grouped<T>(&self, work: impl Fn(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        match &self.inner.store {
            Store::Sqlite { writer, .. } => writer.grouped(&self.inner.bus, work),
            Store::Postgres { .. } => self.write(work),
        }
    }

    /// `write_grouped` for work that can be handed to another thread: on SQLite it is queued for
    /// the writer thread (`writer_thread`), which runs the queued work of many callers in one
    /// transaction without handing the connection from thread to thread. Blocks until the
    /// transaction holding `work` is committed (or `work` failed). A panic in `work` rolls its
    /// transaction back and comes back as an internal error, on both backends.
    pub fn write_queued<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: Fn(&mut Tx<'_>) -> Result<T> + Send + 'static,
    {
        match &self.inner.store {
            Store::Sqlite { queue, .. } => {
                let (job, answer) = writer_thread::Job::queued(work);
                queue.submit(job)?;
                answer
                    .recv()
                    .map_err(|_| Error::internal(DbError::Other("the writer thread dropped a write".into())))?
            }
            Store::Postgres { .. } => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.write(work)))
                .unwrap_or_else(|_| Err(Error::internal(DbError::Other("the write panicked".into())))),
        }
    }

    /// Runs `work` in one read-only transaction (a consistent snapshot).
    pub fn read<T>(&self, work: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        match &self.inner.store {
            Store::Sqlite { readers, .. } => {
                let conn = readers.get().map_err(|e| storage_error(e.into()))?;
                conn.execute_batch("begin").map_err(|e| storage_error(e.into()))?;
                let mut tx = Tx::new(Conn::Sqlite(&conn), &self.inner.bus);
                let result = work(&mut tx);
                tx.finish(result)
            }
            Store::Postgres { pool } => {
                let mut conn = pool.get().map_err(|e| storage_error(e.into()))?;
                conn.batch("begin read only").map_err(storage_error)?;
                let mut tx = Tx::new(Conn::Postgres(&mut conn), &self.inner.bus);
                let result = work(&mut tx);
                tx.finish(result)
            }
        }
    }

    /// Runs a script outside any transaction of ours (used by migrations and maintenance).
    pub fn batch(&self, sql: &str) -> Result<()> {
        match &self.inner.store {
            Store::Sqlite { writer, .. } => {
                writer.exclusive()?.conn.execute_batch(sql).map_err(|e| storage_error(e.into()))
            }
            Store::Postgres { pool } => {
                let mut conn = pool.get().map_err(|e| storage_error(e.into()))?;
                conn.batch(sql).map_err(storage_error)
            }
        }
    }

    /// SQLite's online backup of the live database into `target` (a consistent copy while
    /// writers go on). For PostgreSQL use `pg_dump` (see docs/deployment-postgresql.md).
    pub fn sqlite_backup(&self, target: &Path) -> Result<()> {
        let Store::Sqlite { readers, .. } = &self.inner.store else {
            return Err(Error::invalid("db.backup.sqlite_only"));
        };
        let source = readers.get().map_err(|e| storage_error(e.into()))?;
        let mut destination = rusqlite::Connection::open(target).map_err(|e| storage_error(e.into()))?;
        let backup = rusqlite::backup::Backup::new(&source, &mut destination).map_err(|e| storage_error(e.into()))?;
        backup.run_to_completion(1024, Duration::from_millis(0), None).map_err(|e| storage_error(e.into()))?;
        Ok(())
    }
}

enum Conn<'a> {
    Sqlite(&'a rusqlite::Connection),
    Postgres(&'a mut postgres::PgConn),
}

/// One open transaction. Dropped without `finish` (a panic), it rolls back.
pub struct Tx<'a> {
    conn: Conn<'a>,
    bus: &'a Bus,
    open: bool,
    depth: u32,
    /// The audit chain's head as this transaction's entries left it, written back once when
    /// the work ends (`flush_pending`) instead of after every entry.
    pub(crate) audit_head: Option<crate::audit::PendingHead>,
    /// Records written in this transaction whose search documents follow when the work ends.
    pub(crate) search_dirty: std::collections::BTreeSet<(String, String)>,
}

fn values(params: &[&dyn ToValue]) -> Vec<Value> {
    params.iter().map(|p| p.to_value()).collect()
}

impl<'a> Tx<'a> {
    fn new(conn: Conn<'a>, bus: &'a Bus) -> Tx<'a> {
        Tx { conn, bus, open: true, depth: 0, audit_head: None, search_dirty: Default::default() }
    }

    /// Writes what this transaction's work held back (the audit chain's head). Runs when the
    /// work ended well, before its commit (`work_done`), and before reading the heads.
    pub(crate) fn flush_pending(&mut self) -> Result<()> {
        crate::search::flush(self)?;
        match self.audit_head.take() {
            Some(head) => crate::audit::write_head(self, &head),
            None => Ok(()),
        }
    }

    /// The outcome of a piece of work, once what it held back is written: `finish` passes
    /// every transaction's work through it, and the writers every group member's.
    pub(super) fn work_done<T>(&mut self, outcome: Result<T>) -> Result<T> {
        outcome.and_then(|value| self.flush_pending().map(|()| value))
    }

    pub fn backend(&self) -> Backend {
        match self.conn {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Runs a statement; returns the number of rows changed.
    pub fn execute(&mut self, sql: &str, params: &[&dyn ToValue]) -> Result<u64> {
        let params = values(params);
        let result = match &mut self.conn {
            Conn::Sqlite(conn) => sqlite::execute(conn, sql, &params),
            Conn::Postgres(conn) => conn.execute(sql, &params),
        };
        result.map_err(|e| storage_error(e).with_param("sql", first_line(sql)))
    }

    pub fn query(&mut self, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<Row>> {
        let params = values(params);
        let result = match &mut self.conn {
            Conn::Sqlite(conn) => sqlite::query(conn, sql, &params),
            Conn::Postgres(conn) => conn.query(sql, &params),
        };
        result.map_err(|e| storage_error(e).with_param("sql", first_line(sql)))
    }

    pub fn query_opt(&mut self, sql: &str, params: &[&dyn ToValue]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Exactly one row is expected; none is an internal error (use `query_opt` for lookups).
    pub fn query_one(&mut self, sql: &str, params: &[&dyn ToValue]) -> Result<Row> {
        self.query_opt(sql, params)?
            .ok_or_else(|| Error::internal(DbError::Other(format!("no row for: {}", first_line(sql)))))
    }

    /// The first column of the first row.
    pub fn scalar<T: FromValue>(&mut self, sql: &str, params: &[&dyn ToValue]) -> Result<T> {
        self.query_one(sql, params)?.get(0)
    }

    /// Runs several statements without parameters (DDL in migrations).
    pub fn batch(&mut self, sql: &str) -> Result<()> {
        let result = match &mut self.conn {
            Conn::Sqlite(conn) => conn.execute_batch(sql).map_err(DbError::from),
            Conn::Postgres(conn) => conn.batch(&migration_to_postgres(sql)),
        };
        result.map_err(storage_error)
    }

    /// Publishes an event: every subscriber listed in `wiring.rs` runs now, in this
    /// transaction, in the listed order; the first error aborts the whole operation.
    pub fn publish<E: Event>(&mut self, ctx: &Ctx, event: &E) -> Result<()> {
        const MAX_DEPTH: u32 = 16;
        if self.depth >= MAX_DEPTH {
            return Err(Error::internal(DbError::Other(format!(
                "event cascade deeper than {MAX_DEPTH} at {}",
                E::NAME
            ))));
        }
        let bus = self.bus;
        self.depth += 1;
        let result = bus.publish(self, ctx, event);
        self.depth -= 1;
        result
    }

    fn finish<T>(mut self, result: Result<T>) -> Result<T> {
        let result = self.work_done(result);
        self.open = false;
        let end = if result.is_ok() { "commit" } else { "rollback" };
        let ended = match &mut self.conn {
            Conn::Sqlite(conn) => conn.execute_batch(end).map_err(DbError::from),
            Conn::Postgres(conn) => conn.batch(end),
        };
        match (result, ended) {
            (Ok(value), Ok(())) => Ok(value),
            (Ok(_), Err(e)) => {
                self.rollback_quietly();
                Err(storage_error(e))
            }
            (Err(e), _) => Err(e),
        }
    }

    fn rollback_quietly(&mut self) {
        let _ = match &mut self.conn {
            Conn::Sqlite(conn) => conn.execute_batch("rollback").map_err(DbError::from),
            Conn::Postgres(conn) => conn.batch("rollback"),
        };
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            self.rollback_quietly();
        }
    }
}

fn first_line(sql: &str) -> String {
    sql.trim().lines().next().unwrap_or_default().chars().take(120).collect()
}

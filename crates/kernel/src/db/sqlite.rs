//! SQLite through rusqlite: WAL, one writer connection, a pool of read-only readers.

use std::path::{Path, PathBuf};

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};

use super::value::{DbError, Row, Value};
use super::{dialect, profile};

/// `synchronous=NORMAL` in WAL mode survives an application crash; `FULL` also survives a
/// power cut, at about a third of the commit rate (measured: 23,000 vs 6,900 tx/s).
pub fn open(path: &Path, read_only: bool, synchronous_full: bool) -> Result<Connection, DbError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI
    };
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    if !read_only {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // The log is copied back by a thread of its own (`checkpointer`); the writer checkpoints
        // only when the log grows past this, as a safety net.
        conn.pragma_update(None, "wal_autocheckpoint", super::checkpointer::WRITER_SAFETY_NET)?;
    }
    conn.pragma_update(None, "synchronous", if synchronous_full { "FULL" } else { "NORMAL" })?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Keep the hot B-tree pages in memory (negative = KiB): the one writer 8 MiB, each reader
    // 16 MiB; reads beyond go through a memory map instead of a copy per page. The writer's
    // cache is kept small on purpose: when an insert splits a B-tree page, SQLite parks a page
    // under the number just past the 1 GiB lock byte, and the commit that follows then walks
    // every page in the cache to drop pages past the end of the file, and the walk grows with the
    // cache: one client's order-to-cash ran 127–132 orders/s with 64 MiB and 156 with 8 MiB
    // (docs/benchmarks.md, "writes on a thread of their own"). The hot pages fit in 8 MiB.
    conn.pragma_update(None, "cache_size", if read_only { -16_384 } else { -8_192 })?;
    conn.pragma_update(None, "mmap_size", 268_435_456)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
}

/// Hands out read-only connections to the pool.
#[derive(Debug)]
pub struct ReaderManager {
    pub path: PathBuf,
    pub synchronous_full: bool,
}

impl r2d2::ManageConnection for ReaderManager {
    type Connection = Connection;
    type Error = DbError;

    fn connect(&self) -> Result<Connection, DbError> {
        open(&self.path, true, self.synchronous_full)
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<(), DbError> {
        if !conn.is_autocommit() {
            conn.execute_batch("rollback")?;
        }
        Ok(())
    }

    fn has_broken(&self, _conn: &mut Connection) -> bool {
        false
    }
}

struct Param<'a>(&'a Value);

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Value::Null => ValueRef::Null,
            Value::Int(v) => ValueRef::Integer(*v),
            Value::Text(v) => ValueRef::Text(v.as_bytes()),
            Value::Blob(v) => ValueRef::Blob(v),
        }))
    }
}

pub fn execute(conn: &Connection, sql: &str, params: &[Value]) -> Result<u64, DbError> {
    let _timer = profile::Timer::start(sql);
    let sql = dialect::to_sqlite_cached(sql);
    let mut statement = conn.prepare_cached(&sql)?;
    let changed = statement.execute(rusqlite::params_from_iter(params.iter().map(Param)))?;
    Ok(changed as u64)
}

pub fn query(conn: &Connection, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
    let _timer = profile::Timer::start(sql);
    let sql = dialect::to_sqlite_cached(sql);
    let mut statement = conn.prepare_cached(&sql)?;
    let columns = statement.column_count();
    let mut rows = statement.query(rusqlite::params_from_iter(params.iter().map(Param)))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(columns);
        for i in 0..columns {
            values.push(match row.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(v) => Value::Int(v),
                ValueRef::Text(v) => Value::Text(String::from_utf8_lossy(v).into_owned()),
                ValueRef::Blob(v) => Value::Blob(v.to_vec()),
                ValueRef::Real(v) => {
                    return Err(DbError::Decode(format!("floating-point value {v} in column {i}: use integers")));
                }
            });
        }
        out.push(Row::new(values));
    }
    Ok(out)
}

/// What a constraint violation is called, for mapping to a user error.
pub fn constraint_of(error: &DbError) -> Option<String> {
    if let DbError::Sqlite(rusqlite::Error::SqliteFailure(failure, Some(message))) = error
        && failure.code == rusqlite::ErrorCode::ConstraintViolation
    {
        return Some(message.rsplit(": ").next().unwrap_or(message).to_string());
    }
    None
}

//! Copies SQLite's write-ahead log back into the database file on a thread of its own.
//!
//! Left to itself, SQLite checkpoints inside the commit that makes the log long enough: that
//! commit copies thousands of pages and waits for two `fsync`s (measured 90 ms and 20 ms) while
//! it holds the one writer, so every other writer waits with it. This thread checkpoints a few
//! times a second with its own connection instead, in `PASSIVE` mode: it copies what is
//! committed and never blocks the writer or the readers. The writer keeps a high automatic
//! checkpoint threshold as a safety net (if this thread falls behind, or under a load that never
//! pauses, so that the log is never fully copied when a transaction begins and cannot restart);
//! by then this thread has copied nearly everything, so that checkpoint is short.

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::value::DbError;

/// How often the log is copied back.
const EVERY: Duration = Duration::from_millis(250);
/// The writer's own automatic checkpoint, in pages of log (80 MiB with 4 KiB pages).
pub(super) const WRITER_SAFETY_NET: i64 = 20_000;

pub(super) struct Checkpointer {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    pub(super) fn start(path: &Path, synchronous_full: bool) -> Result<Checkpointer, DbError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // The checkpoint's fsyncs follow the database's durability setting.
        conn.pragma_update(None, "synchronous", if synchronous_full { "FULL" } else { "NORMAL" })?;
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let signal = stop.clone();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || run(&conn, &signal))
            .map_err(|e| DbError::Other(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Checkpointer { stop, thread: Some(thread) })
    }
}

fn run(conn: &Connection, stop: &(Mutex<bool>, Condvar)) {
    let (stopped, wake) = stop;
    let mut guard = stopped.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    loop {
        guard = match wake.wait_timeout(guard, EVERY) {
            Ok((guard, _)) => guard,
            Err(poisoned) => poisoned.into_inner().0,
        };
        if *guard {
            return;
        }
        // (busy, pages in the log, pages copied): a busy or failed attempt is retried next time.
        if let Err(error) = conn.query_row("pragma wal_checkpoint(passive)", [], |_| Ok(())) {
            tracing::debug!(%error, "background checkpoint did not run");
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (stopped, wake) = &*self.stop;
        *stopped.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

//! SQLite's one writer connection, and group commit.
//!
//! SQLite lets one transaction write at a time, and every commit appends each page the
//! transaction touched to the write-ahead log: an order-to-cash step dirties some 50 pages, so
//! about a third of a step's time is its commit. When several writers queue at once (an app
//! server under load), they can share one transaction: each runs its own work in turn, the last
//! one in the queue commits for all, and every member returns only once that commit is done.
//! The pages they share (counters, balances, index leaves) are then written once per group.
//!
//! SQLite has no cheap way to undo one member's work alone (a savepoint per member copies every
//! page it touches into the statement journal, which costs more than the commits saved; measured
//! in docs/benchmarks.md). So a group is all or nothing: when a member fails after others have
//! run, the whole transaction rolls back and every member runs again on its own, one
//! transaction each; that is why work that may share a transaction must be safe to run twice
//! (no effect outside the database). The member that began the group saw only committed data, so
//! its failure stands without a second run.
//!
//! Work that cannot run twice (`Db::write`) never joins a group: it first commits the open
//! group, then runs alone.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::{Conn, DbError, Tx, storage_error};
use crate::Result;
use crate::bus::Bus;

/// At most this many writers share one transaction, so that none waits long for its commit.
pub(super) const MOST_MEMBERS: usize = 16;
/// A group stops taking members once it has been open this long.
pub(super) const LONGEST_OPEN: Duration = Duration::from_millis(50);

/// Transactions committed and the pieces of work they held, since the process started
/// (benchmarks report how many writers shared each commit).
static COMMITS: AtomicU64 = AtomicU64::new(0);
static COMMITTED_WORK: AtomicU64 = AtomicU64::new(0);

/// `(commits, pieces of work committed)` on SQLite writers of this process so far.
pub fn commit_counts() -> (u64, u64) {
    (COMMITS.load(Ordering::Relaxed), COMMITTED_WORK.load(Ordering::Relaxed))
}

/// Counts one commit holding `members` pieces of work.
pub(super) fn count_commit(members: usize) {
    COMMITS.fetch_add(1, Ordering::Relaxed);
    COMMITTED_WORK.fetch_add(members as u64, Ordering::Relaxed);
}

const PENDING: u8 = 0;
const COMMITTED: u8 = 1;
const ROLLED_BACK: u8 = 2;

/// The writer connection and the group whose transaction is open on it, if any.
pub(super) struct Writer {
    slot: Mutex<Slot>,
    /// Writers waiting for the connection: a member that finds none commits at once.
    queued: AtomicUsize,
}

pub(super) struct Slot {
    pub(super) conn: rusqlite::Connection,
    open: Option<Group>,
}

struct Group {
    members: usize,
    began: Instant,
    outcome: Arc<Outcome>,
}

/// How a group's transaction ended. Members wait on it apart from the connection's lock, so
/// that they are back in the queue for their next write while the next group runs.
#[derive(Default)]
struct Outcome {
    ended: Mutex<u8>,
    settled: Condvar,
}

impl Outcome {
    fn wait(&self) -> u8 {
        let mut ended = self.ended.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        while *ended == PENDING {
            ended = self.settled.wait(ended).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        *ended
    }

    fn settle(&self, how: u8) {
        *self.ended.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = how;
        self.settled.notify_all();
    }
}

impl Writer {
    pub(super) fn new(conn: rusqlite::Connection) -> Writer {
        Writer { slot: Mutex::new(Slot { conn, open: None }), queued: AtomicUsize::new(0) }
    }

    fn lock(&self) -> MutexGuard<'_, Slot> {
        self.queued.fetch_add(1, Ordering::SeqCst);
        // A panic while holding the lock poisons it; the connection itself is fine because the
        // open transaction is rolled back on the way out (see `grouped` and `Tx`'s drop).
        let slot = self.slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        self.queued.fetch_sub(1, Ordering::SeqCst);
        slot
    }

    /// The connection with no transaction open: an open group is committed first.
    pub(super) fn exclusive(&self) -> Result<MutexGuard<'_, Slot>> {
        let mut slot = self.lock();
        self.settle(&mut slot, true)?;
        if !slot.conn.is_autocommit() {
            slot.conn.execute_batch("rollback").map_err(|e| storage_error(e.into()))?;
        }
        Ok(slot)
    }

    /// `work` in a transaction of its own.
    pub(super) fn alone<T>(&self, bus: &Bus, work: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        let slot = self.exclusive()?;
        slot.conn.execute_batch("begin immediate").map_err(|e| storage_error(e.into()))?;
        let mut tx = Tx::new(Conn::Sqlite(&slot.conn), bus);
        let result = work(&mut tx);
        let result = tx.finish(result);
        if result.is_ok() {
            count_commit(1);
        }
        result
    }

    /// `work` in the open group's transaction, or in a new one that later writers may join.
    pub(super) fn grouped<T>(&self, bus: &Bus, work: impl Fn(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        let mut slot = self.lock();
        if slot.open.is_some() && slot.conn.is_autocommit() {
            // SQLite rolled the group's transaction back by itself (an I/O error, a full disk):
            // its members run again alone, and this work must not run outside a transaction.
            let _ = self.settle(&mut slot, false);
        }
        let began_group = slot.open.is_none();
        if began_group {
            if !slot.conn.is_autocommit() {
                slot.conn.execute_batch("rollback").map_err(|e| storage_error(e.into()))?;
            }
            slot.conn.execute_batch("begin immediate").map_err(|e| storage_error(e.into()))?;
            slot.open = Some(Group { members: 0, began: Instant::now(), outcome: Arc::default() });
        }
        let ran = catch_unwind(AssertUnwindSafe(|| {
            let mut tx = Tx::new(Conn::Sqlite(&slot.conn), bus);
            let result = work(&mut tx);
            let result = tx.work_done(result);
            // The transaction stays open for the group: ending it is `settle`'s job.
            tx.open = false;
            result
        }));
        let value = match ran {
            Ok(Ok(value)) => value,
            Ok(Err(error)) => {
                let _ = self.settle(&mut slot, false);
                drop(slot);
                return if began_group { Err(error) } else { self.alone(bus, work) };
            }
            Err(panic) => {
                let _ = self.settle(&mut slot, false);
                drop(slot);
                resume_unwind(panic);
            }
        };
        // Only `settle` closes a group, and nothing called it since this work began.
        let Some(group) = slot.open.as_mut() else {
            return Err(crate::Error::internal(DbError::Other("the group this work ran in was closed".into())));
        };
        group.members += 1;
        let room = group.members < MOST_MEMBERS && group.began.elapsed() < LONGEST_OPEN;
        if room && self.queued.load(Ordering::SeqCst) > 0 {
            // Someone is waiting for the connection: they commit (or pass it on), and we wait.
            let outcome = group.outcome.clone();
            drop(slot);
            return match outcome.wait() {
                COMMITTED => Ok(value),
                _ => self.alone(bus, work),
            };
        }
        let committed = self.settle(&mut slot, true);
        drop(slot);
        match committed {
            Ok(()) => Ok(value),
            Err(error) if began_group => Err(error),
            Err(_) => self.alone(bus, work),
        }
    }

    /// Ends the open group's transaction, if any (`commit` or roll back), and wakes its members.
    fn settle(&self, slot: &mut Slot, commit: bool) -> Result<()> {
        let Some(group) = slot.open.take() else { return Ok(()) };
        let ended = if commit {
            slot.conn.execute_batch("commit").map_err(DbError::from).map_err(storage_error)
        } else {
            Err(crate::Error::internal(DbError::Other("group rolled back".into())))
        };
        if ended.is_err() && !slot.conn.is_autocommit() {
            let _ = slot.conn.execute_batch("rollback");
        }
        if ended.is_ok() {
            count_commit(group.members);
        }
        group.outcome.settle(if ended.is_ok() { COMMITTED } else { ROLLED_BACK });
        if commit { ended } else { Ok(()) }
    }
}

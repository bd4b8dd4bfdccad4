//! SQLite's writes run on one thread of their own, queued: group commit without a lock convoy.
//!
//! `writer` lets several request threads share one transaction by taking turns at a mutex:
//! each hand-over wakes another thread, which may have to wait for a core, and moves the
//! connection's hot pages to that core's cache, while the writer is the one resource every
//! order waits for. Here the requests instead queue their work (a closure that may run twice,
//! see `Db::write_grouped`) for one thread that owns the turn: it runs whatever is queued
//! one after another in one transaction, commits once, and answers each caller. Measured in
//! docs/benchmarks.md ("writes on a thread of their own").
//!
//! The rules are `writer`'s: a group is all or nothing. When a member fails after others ran in
//! the group, the transaction rolls back and every member runs again in a transaction of its
//! own; the first member of a group saw only committed data, so its failure stands. The thread
//! takes the same mutex as every other writer, so `Db::write` and `Db::batch` from other
//! threads go on working as before, between groups.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use super::writer::{LONGEST_OPEN, MOST_MEMBERS, Writer};
use super::{Conn, DbError, Tx, storage_error};
use crate::bus::Bus;
use crate::{Error, Result};

/// One caller's work waiting for the writer thread, and where its answer goes.
pub(super) trait Queued: Send {
    /// Runs the work in the open transaction; `false` when it failed (or panicked). A value is
    /// kept until the transaction's outcome is known.
    fn run(&mut self, tx: &mut Tx<'_>) -> bool;
    /// Answers the caller: its value when `committed` is `Ok`, otherwise an error.
    fn answer(self: Box<Self>, committed: Result<()>);
}

/// A typed piece of work: the closure, its latest outcome, and the caller's reply channel.
pub(super) struct Job<T, F> {
    work: F,
    outcome: Option<Result<T>>,
    reply: SyncSender<Result<T>>,
}

impl<T, F> Job<T, F>
where
    T: Send + 'static,
    F: Fn(&mut Tx<'_>) -> Result<T> + Send + 'static,
{
    pub(super) fn queued(work: F) -> (Box<dyn Queued>, Receiver<Result<T>>) {
        let (reply, answer) = sync_channel(1);
        (Box::new(Job { work, outcome: None, reply }), answer)
    }
}

impl<T, F> Queued for Job<T, F>
where
    T: Send + 'static,
    F: Fn(&mut Tx<'_>) -> Result<T> + Send + 'static,
{
    fn run(&mut self, tx: &mut Tx<'_>) -> bool {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let outcome = (self.work)(tx);
            tx.work_done(outcome)
        }))
        .unwrap_or_else(|_| Err(Error::internal(DbError::Other("the write panicked".into()))));
        let ok = outcome.is_ok();
        self.outcome = Some(outcome);
        ok
    }

    fn answer(self: Box<Self>, committed: Result<()>) {
        let Job { work, outcome, reply } = *self;
        // What the work captured goes first, while the caller still holds its own handles: were
        // the last handle on the database dropped here, this thread would wait for itself.
        drop(work);
        let answer = match (committed, outcome) {
            (Ok(()), Some(outcome)) => outcome,
            (Err(error), _) => Err(error),
            (Ok(()), None) => Err(Error::internal(DbError::Other("the write never ran".into()))),
        };
        // The caller may have gone (its thread ended): nobody is left to tell.
        let _ = reply.send(answer);
    }
}

/// The queue in front of the writer thread; dropping it lets the thread finish and joins it.
pub(super) struct WriterThread {
    jobs: Option<Mutex<Sender<Box<dyn Queued>>>>,
    thread: Option<JoinHandle<()>>,
}

impl WriterThread {
    pub(super) fn start(writer: Arc<Writer>, bus: Arc<Bus>) -> std::io::Result<WriterThread> {
        let (jobs, queue) = channel::<Box<dyn Queued>>();
        let thread =
            std::thread::Builder::new().name("sqlite-writer".into()).spawn(move || serve(&writer, &bus, &queue))?;
        Ok(WriterThread { jobs: Some(Mutex::new(jobs)), thread: Some(thread) })
    }

    /// Queues `job`; its answer comes on the job's reply channel.
    pub(super) fn submit(&self, job: Box<dyn Queued>) -> Result<()> {
        let gone = || Error::internal(DbError::Other("the writer thread has stopped".into()));
        let jobs = self.jobs.as_ref().ok_or_else(gone)?;
        let jobs = jobs.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        jobs.send(job).map_err(|_| gone())
    }
}

impl Drop for WriterThread {
    fn drop(&mut self) {
        self.jobs = None;
        // Joined unless this is the writer thread itself (the database dropped from inside a
        // write): that thread ends on its own once the queue is gone.
        if let Some(thread) = self.thread.take().filter(|t| t.thread().id() != std::thread::current().id()) {
            let _ = thread.join();
        }
    }
}

/// The thread's life: take the first job waiting, run it and everything queued behind it (up to
/// `MOST_MEMBERS`, for at most `LONGEST_OPEN`) in one transaction, commit, answer; again.
fn serve(writer: &Writer, bus: &Bus, queue: &Receiver<Box<dyn Queued>>) {
    while let Ok(first) = queue.recv() {
        let slot = match writer.exclusive() {
            Ok(slot) => slot,
            Err(error) => {
                first.answer(Err(error));
                continue;
            }
        };
        if let Err(error) = slot.conn.execute_batch("begin immediate") {
            drop(slot);
            first.answer(Err(storage_error(error.into())));
            continue;
        }
        let began = Instant::now();
        let mut members: Vec<Box<dyn Queued>> = Vec::new();
        let mut next = Some(first);
        let mut failed = None;
        while let Some(mut job) = next.take() {
            let mut tx = Tx::new(Conn::Sqlite(&slot.conn), bus);
            let ok = job.run(&mut tx);
            // The transaction stays open for the group: it is ended below.
            tx.open = false;
            if !ok {
                failed = Some(job);
                break;
            }
            members.push(job);
            if members.len() < MOST_MEMBERS && began.elapsed() < LONGEST_OPEN {
                next = queue.try_recv().ok();
            }
        }
        let committed = match failed {
            None => slot.conn.execute_batch("commit").map_err(|e| storage_error(e.into())),
            Some(_) => Err(Error::internal(DbError::Other("group rolled back".into()))),
        };
        if committed.is_err() && !slot.conn.is_autocommit() {
            let _ = slot.conn.execute_batch("rollback");
        }
        if committed.is_ok() {
            super::writer::count_commit(members.len());
        }
        drop(slot);
        match (committed, failed) {
            (Ok(()), _) => members.into_iter().for_each(|member| member.answer(Ok(()))),
            // The group's first member saw only committed data: its failure stands.
            (Err(_), Some(job)) if members.is_empty() => job.answer(Ok(())),
            (Err(_), failed) => {
                for member in members.into_iter().chain(failed) {
                    run_alone(writer, bus, member);
                }
            }
        }
    }
}

/// `job` in a transaction of its own (after its group rolled back), as `Db::write` runs work.
fn run_alone(writer: &Writer, bus: &Bus, mut job: Box<dyn Queued>) {
    let mut ran = false;
    let ended = writer.alone(bus, |tx| {
        ran = job.run(tx);
        if ran { Ok(()) } else { Err(Error::internal(DbError::Other("the write failed".into()))) }
    });
    // A failed job answers with its own error (its outcome), whatever the rollback said.
    job.answer(if ran { ended } else { Ok(()) });
}

//! Storage on the backend the environment selects: every migration applied exactly once and
//! matching the module folders; transactions commit or roll back whole; the event bus runs
//! handlers in order inside the transaction.

use std::collections::BTreeSet;
use std::sync::Arc;

use kernel::bus::{Bus, Event};
use kernel::db::{Db, Migration, ModuleMigrations, Tx, applied_migrations, migrate};
use kernel::{Ctx, Error, Result};
use testkit::{TestDb, spawn};

/// Every `crates/*/migrations/*.sql` file of the workspace, as (module, version).
fn migration_files() -> BTreeSet<(String, i64)> {
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(crates).unwrap() {
        let dir = entry.unwrap().path();
        let module = dir.file_name().unwrap().to_string_lossy().to_string();
        let Ok(files) = std::fs::read_dir(dir.join("migrations")) else { continue };
        for file in files {
            let name = file.unwrap().file_name().to_string_lossy().to_string();
            if let Some(stem) = name.strip_suffix(".sql") {
                let version: i64 =
                    stem.split('_').next().unwrap().parse().expect("migration files start with a timestamp");
                found.insert((module.clone(), version));
            }
        }
    }
    found
}

#[test]
fn applied_migrations_equal_the_module_folders() {
    let app = spawn();
    let applied: BTreeSet<(String, i64)> =
        applied_migrations(&app.db).unwrap().into_iter().map(|(v, m, _)| (m, v)).collect();
    assert_eq!(applied, migration_files());
    // Running again applies nothing.
    let again = migrate(&app.db, server::wiring::MIGRATIONS, "2026-01-01T00:00:00.000000Z").unwrap();
    assert!(again.is_empty());
}

#[test]
fn an_edited_migration_and_a_reused_version_are_refused() {
    let app = spawn();
    let original = kernel::MIGRATIONS.migrations[0];
    let edited: &'static [Migration] =
        Box::leak(Box::new([Migration { sql: "create table whatever (id text)", ..original }]));
    let error = migrate(&app.db, &[ModuleMigrations { module: "kernel", migrations: edited }], "now").unwrap_err();
    assert_eq!(error.code(), "db.migration.changed");
    let twice = [kernel::MIGRATIONS, ModuleMigrations { module: "copy", migrations: kernel::MIGRATIONS.migrations }];
    assert_eq!(migrate(&app.db, &twice, "now").unwrap_err().code(), "db.migration.duplicate_version");
}

#[derive(Debug)]
struct Touched {
    label: String,
}

impl Event for Touched {
    const NAME: &'static str = "test.touched";
}

fn first_handler(tx: &mut Tx<'_>, _ctx: &Ctx, event: &Touched) -> Result<()> {
    tx.execute("insert into test_log (entry) values ($1)", &[&format!("first:{}", event.label)])?;
    Ok(())
}

fn second_handler(tx: &mut Tx<'_>, _ctx: &Ctx, event: &Touched) -> Result<()> {
    if event.label == "refuse" {
        return Err(Error::invalid("test.refused"));
    }
    tx.execute("insert into test_log (entry) values ($1)", &[&format!("second:{}", event.label)])?;
    Ok(())
}

#[test]
fn events_run_their_handlers_in_order_inside_the_transaction() {
    let test_db = TestDb::new();
    let mut bus = Bus::new();
    bus.subscribe::<Touched>("test::first_handler", first_handler);
    bus.subscribe::<Touched>("test::second_handler", second_handler);
    assert_eq!(
        bus.subscriptions().iter().map(|s| s.handler).collect::<Vec<_>>(),
        ["test::first_handler", "test::second_handler"]
    );
    let db = Db::open(&test_db.config, Arc::new(bus)).unwrap();
    db.write(|tx| tx.batch("create table test_log (seq integer, entry text not null)")).unwrap();
    let ctx = Ctx::system(kernel::identity::CompanyId::new(), Default::default());
    db.write(|tx| {
        tx.execute("insert into test_log (entry) values ('cause:ok')", &[])?;
        tx.publish(&ctx, &Touched { label: "ok".into() })
    })
    .unwrap();
    let refused = db.write(|tx| {
        tx.execute("insert into test_log (entry) values ('cause:refuse')", &[])?;
        tx.publish(&ctx, &Touched { label: "refuse".into() })
    });
    assert_eq!(refused.unwrap_err().code(), "test.refused");
    let entries: Vec<String> = db
        .read(|tx| tx.query("select entry from test_log order by entry", &[])?.iter().map(|r| r.get(0)).collect())
        .unwrap();
    assert_eq!(
        entries,
        ["cause:ok", "first:ok", "second:ok"],
        "the refused operation left nothing, not even the first handler's row"
    );
}

#[test]
fn a_panic_inside_a_transaction_rolls_it_back() {
    let test_db = TestDb::new();
    let db = Db::open(&test_db.config, Arc::new(Bus::new())).unwrap();
    db.write(|tx| tx.batch("create table t (v bigint not null)")).unwrap();
    let db2 = db.clone();
    let outcome = std::thread::spawn(move || {
        let _ = db2.write(|tx| -> Result<()> {
            tx.execute("insert into t (v) values (1)", &[])?;
            panic!("boom");
        });
    })
    .join();
    assert!(outcome.is_err());
    db.write(|tx| tx.execute("insert into t (v) values (2)", &[])).unwrap();
    let values: Vec<i64> = db.read(|tx| tx.query("select v from t", &[])?.iter().map(|r| r.get(0)).collect()).unwrap();
    assert_eq!(values, [2]);
}

/// Writers at once: a refused or panicking write leaves nothing and does not take the others
/// down, and every successful write is committed, and readable by others, by the time it
/// returns.
#[test]
fn concurrent_writes_commit_or_roll_back_each_on_its_own() {
    concurrent_writers(Writes::Alone);
}

/// The same with group commit (`write_grouped`, as API requests write): writers queued at once
/// share a commit, yet a refused or panicking member still leaves nothing of its own and the
/// others' work is there exactly once (the group rolled back and they ran again alone).
#[test]
fn grouped_writes_share_commits_and_survive_a_failing_member() {
    writers_share_commits(Writes::Grouped);
}

/// The same with the work handed to SQLite's writer thread (`write_queued`, as API requests
/// write): a refused or panicking piece of work fails alone, the others are there exactly once,
/// and queued work shared commits.
#[test]
fn queued_writes_share_commits_and_survive_a_failing_member() {
    writers_share_commits(Writes::Queued);
}

/// `concurrent_writers`, and on SQLite some commits held the work of several writers.
fn writers_share_commits(writes: Writes) {
    let before = kernel::db::commit_counts();
    let backend = concurrent_writers(writes);
    let (commits, pieces) = kernel::db::commit_counts();
    if backend == kernel::db::Backend::Sqlite {
        assert!(pieces - before.1 > commits - before.0, "some commits held the work of several writers");
    }
}

/// On SQLite the write-ahead log is copied back into the database file by a thread of its own,
/// soon after a commit and well before the writer's own (much later) automatic checkpoint.
#[test]
fn committed_pages_reach_the_database_file_without_the_writer_checkpointing() {
    let test_db = TestDb::new();
    let db = Db::open(&test_db.config, Arc::new(Bus::new())).unwrap();
    let Some(path) = db.sqlite_path().map(std::path::Path::to_path_buf) else { return };
    db.write(|tx| tx.batch("create table t (v text not null)")).unwrap();
    let size = || std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let before = size();
    // About 2 MiB of rows: some 500 pages, far below the writer's threshold of 20,000.
    db.write(|tx| {
        for n in 0..2_000i64 {
            tx.execute("insert into t (v) values ($1)", &[&format!("{n:01000}")])?;
        }
        Ok(())
    })
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while size() < before + 2_000_000 {
        assert!(std::time::Instant::now() < deadline, "the log was not copied back: {} bytes", size());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let count: i64 = db.read(|tx| tx.scalar("select count(*) from t", &[])).unwrap();
    assert_eq!(count, 2_000);
}

/// How the writers of `concurrent_writers` write.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Writes {
    Alone,
    Grouped,
    Queued,
}

fn concurrent_writers(writes: Writes) -> kernel::db::Backend {
    let test_db = TestDb::new();
    let db = Db::open(&test_db.config, Arc::new(Bus::new())).unwrap();
    db.write(|tx| tx.batch("create table t (v bigint not null)")).unwrap();
    let start = Arc::new(std::sync::Barrier::new(12));
    let writers: Vec<_> = (0..12i64)
        .map(|n| {
            let (db, start) = (db.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                for round in 0..20i64 {
                    let v = n * 100 + round;
                    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        let work = move |tx: &mut Tx<'_>| -> Result<()> {
                            tx.execute("insert into t (v) values ($1)", &[&v])?;
                            // Long enough for the other threads to queue behind this one.
                            std::thread::sleep(std::time::Duration::from_micros(200));
                            match v % 7 {
                                3 => Err(Error::invalid("test.refused")),
                                5 => panic!("boom {v}"),
                                _ => Ok(()),
                            }
                        };
                        match writes {
                            Writes::Alone => db.write(work),
                            Writes::Grouped => db.write_grouped(work),
                            Writes::Queued => db.write_queued(work),
                        }
                    }));
                    match v % 7 {
                        3 => assert!(outcome.is_ok_and(|result| result.is_err()), "write {v} is refused"),
                        // The writer thread answers a panic with an error, and goes on.
                        5 if writes == Writes::Queued => assert!(outcome.is_ok_and(|result| result.is_err())),
                        5 => assert!(outcome.is_err(), "write {v} panicked in its caller"),
                        _ => assert!(outcome.is_ok_and(|result| result.is_ok()), "write {v} succeeded"),
                    }
                    if v % 7 != 3 && v % 7 != 5 {
                        let seen: i64 = db.read(|tx| tx.scalar("select count(*) from t where v = $1", &[&v])).unwrap();
                        assert_eq!(seen, 1, "write {v} is visible to readers once it returned");
                    }
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("every writer thread ends normally");
    }
    let mut values: Vec<i64> =
        db.read(|tx| tx.query("select v from t", &[])?.iter().map(|r| r.get(0)).collect()).unwrap();
    values.sort();
    let expected: Vec<i64> =
        (0..12i64).flat_map(|n| (0..20i64).map(move |r| n * 100 + r)).filter(|v| v % 7 != 3 && v % 7 != 5).collect();
    assert_eq!(values, expected);
    db.backend()
}

#[test]
fn portable_values_round_trip_on_both_backends() {
    let test_db = TestDb::new();
    let db = Db::open(&test_db.config, Arc::new(Bus::new())).unwrap();
    db.write(|tx| tx.batch("create table v (id text primary key, amount bigint, flag smallint, note text, data blob)"))
        .unwrap();
    db.write(|tx| {
        tx.execute(
            "insert into v (id, amount, flag, note, data) values ($1, $2, $3, $4, $5)",
            &[&"a", &i64::MAX, &true, &Option::<String>::None, &vec![0_u8, 255, 7]],
        )
    })
    .unwrap();
    let row = db
        .read(|tx| {
            tx.query_one("select amount, flag, note, data, (select sum(amount) from v where id = $1) from v", &[&"a"])
        })
        .unwrap();
    assert_eq!(row.get::<i64>(0).unwrap(), i64::MAX);
    assert!(row.get::<bool>(1).unwrap());
    assert_eq!(row.get::<Option<String>>(2).unwrap(), None);
    assert_eq!(row.get::<Vec<u8>>(3).unwrap(), vec![0, 255, 7]);
    assert_eq!(row.get::<i64>(4).unwrap(), i64::MAX, "sum() of integers decodes as an integer on PostgreSQL too");
    // Placeholders may appear out of order and more than once.
    let n: i64 = db
        .read(|tx| tx.scalar("select count(*) from v where id = $2 and ($1 = 1 or $1 = 2)", &[&1_i64, &"a"]))
        .unwrap();
    assert_eq!(n, 1);
}

//! Document numbers without gaps under concurrency, and the hash-chained audit log that
//! detects tampering.

use kernel::id::DocRef;
use kernel::sequence::{DocType, next_number, verify_no_gaps};
use kernel::{Error, audit};
use serde_json::json;
use testkit::spawn;

const ORDER: DocType = DocType { code: "test.order", prefix: "SO" };

#[test]
fn concurrent_numbering_has_no_gaps_and_no_duplicates() {
    let app = spawn();
    let date = time::macros::date!(2026 - 11 - 26);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let db = app.db.clone();
            let ctx = app.system_ctx();
            std::thread::spawn(move || {
                let mut numbers = Vec::new();
                for i in 0..25 {
                    let number = db
                        .write(|tx| next_number(tx, &ctx, ORDER, date, &DocRef::new("test.order", format!("{t}-{i}"))))
                        .expect("numbered");
                    numbers.push(number);
                }
                numbers
            })
        })
        .collect();
    let mut all: Vec<String> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    all.sort();
    let expected: Vec<String> = (1..=200).map(|n| format!("SO-2026-{n:06}")).collect();
    assert_eq!(all, expected);
    assert!(app.db.read(verify_no_gaps).unwrap().is_empty());
}

#[test]
fn a_rolled_back_document_gives_its_number_back_and_years_restart() {
    let app = spawn();
    let ctx = app.system_ctx();
    let date = time::macros::date!(2026 - 03 - 01);
    let first = app.db.write(|tx| next_number(tx, &ctx, ORDER, date, &DocRef::new("test.order", "a"))).unwrap();
    let failed: kernel::Result<String> = app.db.write(|tx| {
        next_number(tx, &ctx, ORDER, date, &DocRef::new("test.order", "b"))?;
        Err(Error::invalid("test.order.empty"))
    });
    assert!(failed.is_err());
    let second = app.db.write(|tx| next_number(tx, &ctx, ORDER, date, &DocRef::new("test.order", "c"))).unwrap();
    let next_year = app
        .db
        .write(|tx| next_number(tx, &ctx, ORDER, time::macros::date!(2027 - 01 - 02), &DocRef::new("test.order", "d")))
        .unwrap();
    assert_eq!(
        (first.as_str(), second.as_str(), next_year.as_str()),
        ("SO-2026-000001", "SO-2026-000002", "SO-2027-000001")
    );
    // Another company has its own sequence.
    let (company_b, _) = app.other_company("NB");
    let other = app
        .db
        .write(|tx| next_number(tx, &app.ctx_in(company_b), ORDER, date, &DocRef::new("test.order", "e")))
        .unwrap();
    assert_eq!(other, "SO-2026-000001");
    // Removing a recorded number is a gap that verify reports.
    app.db
        .write(|tx| {
            tx.execute(
                "delete from kernel_document_number where formatted = 'SO-2026-000001' and company_id = $1",
                &[&app.company],
            )
        })
        .unwrap();
    assert_eq!(app.db.read(verify_no_gaps).unwrap().len(), 1);
}

#[test]
fn the_audit_chain_detects_edits_and_deletions() {
    let app = spawn();
    let ctx = app.system_ctx();
    for i in 0..10 {
        app.db.write(|tx| audit::record(tx, &ctx, "test.touch", "test.thing", &i, json!({"i": i}))).unwrap();
    }
    app.assert_invariants();
    // Concurrent appends keep one unbroken chain.
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let db = app.db.clone();
            let ctx = app.system_ctx();
            std::thread::spawn(move || {
                for i in 0..20 {
                    db.write(|tx| audit::record(tx, &ctx, "test.race", "test.thing", &format!("{t}-{i}"), json!({})))
                        .unwrap();
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    assert!(app.db.read(audit::verify_chains).unwrap().is_empty());

    // An edit is caught…
    app.db
        .write(|tx| {
            tx.execute(
                "update kernel_audit set changes = '{\"i\": 99}' where action = 'test.touch' and subject_id = '3'",
                &[],
            )
        })
        .unwrap();
    let breaks = app.db.read(audit::verify_chains).unwrap();
    assert!(breaks.iter().any(|b| b.reason.contains("hash")), "{breaks:?}");
    // …and so is a deletion at the end of the chain.
    let test_db2 = spawn();
    let ctx2 = test_db2.system_ctx();
    test_db2.db.write(|tx| audit::record(tx, &ctx2, "test.touch", "test.thing", &1, json!({}))).unwrap();
    test_db2
        .db
        .write(|tx| {
            tx.execute("delete from kernel_audit where chain_seq = (select max(chain_seq) from kernel_audit)", &[])
        })
        .unwrap();
    assert!(!test_db2.db.read(audit::verify_chains).unwrap().is_empty());
}

/// A transaction writes the chain head once, when its work ends: entries of two companies
/// interleaved in one transaction, queued writes sharing a commit and a write that fails after
/// recording leave every chain whole, and the head counts exactly the entries that stayed.
#[test]
fn the_audit_head_follows_many_entries_per_transaction() {
    let app = spawn();
    let ctx = app.system_ctx();
    let (company_b, _) = app.other_company("AB");
    let ctx_b = app.ctx_in(company_b);
    let heads = |app: &testkit::TestApp| -> Vec<(String, i64)> {
        app.db
            .read(|tx| {
                let rows = tx.query("select company_id, chain_seq from kernel_audit_head order by company_id", &[])?;
                rows.iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect()
            })
            .unwrap()
    };
    let before = heads(&app);
    app.db
        .write(|tx| {
            for i in 0..3 {
                audit::record(tx, &ctx, "test.mixed", "test.thing", &i, json!({"i": i}))?;
                audit::record(tx, &ctx_b, "test.mixed", "test.thing", &i, json!({"i": i}))?;
            }
            Ok(())
        })
        .unwrap();
    let failed: kernel::Result<()> = app.db.write(|tx| {
        audit::record(tx, &ctx, "test.lost", "test.thing", &"x", json!({}))?;
        Err(Error::invalid("test.order.empty"))
    });
    assert!(failed.is_err());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let db = app.db.clone();
            let ctx = app.system_ctx();
            std::thread::spawn(move || {
                for i in 0..10 {
                    let ctx = ctx.clone();
                    db.write_queued(move |tx| {
                        audit::record(tx, &ctx, "test.queued", "test.thing", &format!("{t}-{i}"), json!({}))?;
                        audit::record(tx, &ctx, "test.queued", "test.thing", &format!("{t}-{i}b"), json!({}))
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    assert!(app.db.read(audit::verify_chains).unwrap().is_empty());
    let after = heads(&app);
    let grown: Vec<i64> = after.iter().zip(&before).map(|(a, b)| a.1 - b.1).collect();
    let mut expected = vec![3 + 80, 3];
    if after[0].0 != app.company.to_string() {
        expected.reverse();
    }
    assert_eq!(grown, expected, "{before:?} → {after:?}");
    app.assert_invariants();
}

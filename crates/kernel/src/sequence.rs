//! Document numbering without gaps per company, document type and year: SO-2026-000042.
//!
//! Chinese auditors expect unbroken sequences. The counter row is incremented inside the
//! document's own transaction: a rolled-back document gives its number back, and concurrent
//! transactions queue on the counter row, so no number is used twice or skipped. Every number
//! is also recorded with the document that holds it, which `verify` checks.

use crate::ctx::Ctx;
use crate::db::Tx;
use crate::id::DocRef;
use crate::{Error, Result};

/// A numbered kind of document and its prefix (`DocType { code: "sales.order", prefix: "SO" }`).
#[derive(Clone, Copy, Debug)]
pub struct DocType {
    pub code: &'static str,
    pub prefix: &'static str,
}

/// Takes the next number for `doc_type` in the year of `date` and records which document
/// holds it. Call it in the transaction that creates the document.
pub fn next_number(tx: &mut Tx<'_>, ctx: &Ctx, doc_type: DocType, date: time::Date, holder: &DocRef) -> Result<String> {
    let year = i64::from(date.year());
    let take = "update kernel_sequence set next_number = next_number + 1
                where company_id = $1 and doc_type = $2 and year = $3 returning next_number - 1";
    let mut taken = tx.query_opt(take, &[&ctx.company(), &doc_type.code, &year])?;
    if taken.is_none() {
        // First number of the year. Two first callers race on the insert; the loser's insert
        // does nothing and its update then waits for the winner's row.
        tx.execute(
            "insert into kernel_sequence (company_id, doc_type, year, next_number) values ($1, $2, $3, 1)
             on conflict (company_id, doc_type, year) do nothing",
            &[&ctx.company(), &doc_type.code, &year],
        )?;
        taken = tx.query_opt(take, &[&ctx.company(), &doc_type.code, &year])?;
    }
    let number: i64 =
        taken.ok_or_else(|| Error::internal(crate::db::DbError::Other("sequence row vanished".into())))?.get(0)?;
    let formatted = format!("{}-{}-{:06}", doc_type.prefix, year, number);
    tx.execute(
        "insert into kernel_document_number (company_id, doc_type, year, number, formatted, origin_kind, origin_id, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[&ctx.company(), &doc_type.code, &year, &number, &formatted, &holder.kind, &holder.id, &ctx.now_text()],
    )?;
    // A numbered document is searchable by its number from the moment it has one.
    crate::search::mark(tx, &holder.kind, &holder.id);
    Ok(formatted)
}

/// A sequence whose issued numbers are not exactly 1..=last.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SequenceGap {
    pub company_id: String,
    pub doc_type: String,
    pub year: i64,
    pub issued: i64,
    pub last: i64,
}

/// Proves numbering without gaps: per sequence, the count of recorded numbers, their maximum
/// and the counter agree.
pub fn verify_no_gaps(tx: &mut Tx<'_>) -> Result<Vec<SequenceGap>> {
    let rows = tx.query(
        "select s.company_id, s.doc_type, s.year, s.next_number - 1,
                (select count(*) from kernel_document_number d
                  where d.company_id = s.company_id and d.doc_type = s.doc_type and d.year = s.year),
                (select coalesce(max(d.number), 0) from kernel_document_number d
                  where d.company_id = s.company_id and d.doc_type = s.doc_type and d.year = s.year)
         from kernel_sequence s order by s.company_id, s.doc_type, s.year",
        &[],
    )?;
    let mut gaps = Vec::new();
    for row in rows {
        let last: i64 = row.get(3)?;
        let issued: i64 = row.get(4)?;
        let max: i64 = row.get(5)?;
        if issued != last || max != last {
            gaps.push(SequenceGap { company_id: row.get(0)?, doc_type: row.get(1)?, year: row.get(2)?, issued, last });
        }
    }
    Ok(gaps)
}

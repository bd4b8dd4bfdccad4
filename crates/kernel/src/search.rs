//! Search that finds a record by any part of its number, name, code or address, in Chinese
//! and in Latin text, through an index on both backends, never by scanning the records.
//!
//! Each searchable record is one *search document*: its fields, lower-cased, cut into every
//! pair of adjacent characters (bigrams), each pair written as a token of its own that also
//! names the record's company and kind (`z<scope>x<hex>x<hex>`), and for runs of Latin letters
//! and digits also every triple (a narrower token that makes a search for `0099` among a million
//! numbers cheap). A query of two or more characters becomes the phrase of its bigrams — the
//! same pairs, adjacent and in order — which is exactly "contains", with no false hits. The
//! documents live in SQLite's FTS5 (rowid order, so the newest come first without a sort) or
//! in a PostgreSQL `tsvector` with a GIN index (phrase search with `<->`).
//!
//! What is searchable is declared once per record kind (a [`SearchIndex`]: the kind and the
//! SQL that reads a record's searchable fields). The index follows the records by itself: every
//! business write records an audit entry about its subject (`audit::record`), which marks the
//! subject here; when the transaction's work ends, the marked records of indexed kinds are read
//! again and their documents rewritten if their text changed, in the same transaction. Records
//! written around the audit log (bulk loads) are picked up by [`backfill`], run at start-up, and
//! `tiangong verify` checks that every record has its document.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::db::{Backend, Db, ToValue, Tx, Value};
use crate::invariant::Invariant;
use crate::{Ctx, Result};

/// One kind of searchable record.
#[derive(Debug)]
pub struct SearchIndex {
    /// The kind, as the audit log names its subjects (`party.party`, `sales.order`).
    pub kind: &'static str,
    /// `select <id>, <company_id>, <field>, <field>… from …` without a `where`: the record's
    /// searchable fields (nulls are skipped). Personal data that is encrypted at rest is never
    /// named here.
    pub source: &'static str,
    /// The id expression of `source` (`p.id`), for reading chosen records.
    pub id: &'static str,
}

static INDEXES: OnceLock<Vec<&'static SearchIndex>> = OnceLock::new();

/// Declares the searchable kinds (once per process, from the wiring; later calls are ignored).
pub fn register(indexes: &[&'static SearchIndex]) {
    let _ = INDEXES.set(indexes.to_vec());
}

fn registered() -> &'static [&'static SearchIndex] {
    INDEXES.get().map(Vec::as_slice).unwrap_or_default()
}

fn index_of(kind: &str) -> Option<&'static SearchIndex> {
    registered().iter().copied().find(|i| i.kind == kind)
}

/// Creates the index tables when missing (their form differs by backend, so they are made here
/// rather than by a module's migration file).
pub fn ensure_schema(db: &Db) -> Result<()> {
    let ddl = match db.backend() {
        Backend::Sqlite => {
            "create table if not exists kernel_search_doc (
                 doc integer primary key,
                 company_id text not null,
                 kind text not null,
                 record_id text not null,
                 text text not null,
                 constraint kernel_search_doc_record_key unique (kind, record_id)
             );
             create virtual table if not exists kernel_search_grams using fts5(tokens, content='', contentless_delete=1);"
        }
        Backend::Postgres => {
            "create table if not exists kernel_search_doc (
                 doc bigserial primary key,
                 company_id text not null,
                 kind text not null,
                 record_id text not null,
                 text text not null,
                 tokens tsvector not null,
                 constraint kernel_search_doc_record_key unique (kind, record_id)
             );
             create index if not exists kernel_search_doc_tokens_idx on kernel_search_doc using gin (tokens);"
        }
    };
    db.batch(ddl)?;
    if db.backend() == Backend::Sqlite {
        // The first form of the index (rowid = doc, read newest first by descending rowid) is
        // replaced: its documents are dropped and the start-up backfill writes them again.
        db.write(|tx| {
            let old: i64 = tx.scalar(
                "select count(*) from sqlite_master where type = 'table' and name = 'kernel_search_fts'",
                &[],
            )?;
            if old > 0 {
                tx.execute("drop table kernel_search_fts", &[])?;
                tx.execute("delete from kernel_search_doc", &[])?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// Remembers that a record was written, for the index to follow when the work ends.
pub(crate) fn mark(tx: &mut Tx<'_>, kind: &str, record_id: &str) {
    if index_of(kind).is_some() {
        tx.search_dirty.insert((kind.to_string(), record_id.to_string()));
    }
}

/// Brings the documents of the records marked in this transaction up to date.
pub(crate) fn flush(tx: &mut Tx<'_>) -> Result<()> {
    if tx.search_dirty.is_empty() {
        return Ok(());
    }
    let dirty = std::mem::take(&mut tx.search_dirty);
    let mut by_kind: HashMap<&str, Vec<String>> = HashMap::new();
    for (kind, id) in &dirty {
        by_kind.entry(kind.as_str()).or_default().push(id.clone());
    }
    for (kind, ids) in by_kind {
        if let Some(index) = index_of(kind) {
            reindex(tx, index, &ids)?;
        }
    }
    Ok(())
}

/// Rewrites the documents of `ids` from their records (a record that is gone loses its
/// document). Text that did not change is left alone, so state changes cost one read.
pub fn reindex(tx: &mut Tx<'_>, index: &SearchIndex, ids: &[String]) -> Result<()> {
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let refs: Vec<&dyn ToValue> = chunk.iter().map(|id| id as &dyn ToValue).collect();
        let sql = format!("{} where {} in ({})", index.source, index.id, marks.join(", "));
        let records = read_records(tx, &sql, &refs)?;
        let sql = format!(
            "select record_id, doc, text from kernel_search_doc where kind = $1 and record_id in ({})",
            (2..=chunk.len() + 1).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
        );
        let mut params: Vec<&dyn ToValue> = vec![&index.kind];
        params.extend(refs.iter().copied());
        let mut existing: HashMap<String, (i64, String)> = HashMap::new();
        for row in tx.query(&sql, &params)? {
            existing.insert(row.get(0)?, (row.get(1)?, row.get(2)?));
        }
        for id in chunk {
            match (records.get(id), existing.remove(id)) {
                (Some((company, fields)), Some((doc, text))) => {
                    let new_text = fields.join("\u{1f}");
                    if new_text != text {
                        write_doc(tx, index.kind, company, id, fields, Some(doc))?;
                    }
                }
                (Some((company, fields)), None) => write_doc(tx, index.kind, company, id, fields, None)?,
                (None, Some((doc, _))) => delete_doc(tx, doc)?,
                (None, None) => {}
            }
        }
    }
    Ok(())
}

type Records = HashMap<String, (String, Vec<String>)>;

/// Runs a source query: id, company, then the fields, normalised.
fn read_records(tx: &mut Tx<'_>, sql: &str, params: &[&dyn ToValue]) -> Result<Records> {
    let mut records = HashMap::new();
    for row in tx.query(sql, params)? {
        let values = row.values();
        let text = |v: &Value| match v {
            Value::Text(t) => Some(t.clone()),
            Value::Int(i) => Some(i.to_string()),
            _ => None,
        };
        let id = values.first().and_then(text).unwrap_or_default();
        let company = values.get(1).and_then(text).unwrap_or_default();
        let fields: Vec<String> =
            values.iter().skip(2).filter_map(text).map(|f| normalise(&f)).filter(|f| !f.is_empty()).collect();
        records.insert(id, (company, fields));
    }
    Ok(records)
}

fn write_doc(
    tx: &mut Tx<'_>,
    kind: &str,
    company: &str,
    record_id: &str,
    fields: &[String],
    doc: Option<i64>,
) -> Result<()> {
    let text = fields.join("\u{1f}");
    let tokens = document_tokens(&scope(company, kind), fields);
    match tx.backend() {
        Backend::Sqlite => {
            let doc = match doc {
                Some(doc) => {
                    tx.execute("update kernel_search_doc set text = $1 where doc = $2", &[&text, &doc])?;
                    tx.execute("delete from kernel_search_grams where rowid = -$1", &[&doc])?;
                    doc
                }
                None => tx.scalar(
                    "insert into kernel_search_doc (company_id, kind, record_id, text) values ($1, $2, $3, $4) returning doc",
                    &[&company, &kind, &record_id, &text],
                )?,
            };
            tx.execute("insert into kernel_search_grams (rowid, tokens) values (-$1, $2)", &[&doc, &tokens])?;
        }
        Backend::Postgres => match doc {
            Some(doc) => {
                tx.execute(
                    "update kernel_search_doc set text = $1, tokens = to_tsvector('simple', $2) where doc = $3",
                    &[&text, &tokens, &doc],
                )?;
            }
            None => {
                tx.execute(
                    "insert into kernel_search_doc (company_id, kind, record_id, text, tokens)
                     values ($1, $2, $3, $4, to_tsvector('simple', $5))",
                    &[&company, &kind, &record_id, &text, &tokens],
                )?;
            }
        },
    }
    Ok(())
}

fn delete_doc(tx: &mut Tx<'_>, doc: i64) -> Result<()> {
    if tx.backend() == Backend::Sqlite {
        tx.execute("delete from kernel_search_grams where rowid = -$1", &[&doc])?;
    }
    tx.execute("delete from kernel_search_doc where doc = $1", &[&doc])?;
    Ok(())
}

/// Indexes every record of every registered kind that has no document yet (records loaded in
/// bulk, or written before the index existed), in batches; returns how many were added.
pub fn backfill(db: &Db) -> Result<u64> {
    const BATCH: usize = 2000;
    let mut added = 0;
    // PostgreSQL plans the batches' `record_id in (…)` from statistics; a bulk backfill outgrows
    // them faster than autovacuum (when it runs at all) renews them, and without them each
    // batch scans the whole table. Renewed each time the documents have doubled.
    let mut analysed = 0_u64;
    for index in registered() {
        // Walks the records in id order (a keyset, so each batch starts where the last ended).
        let mut after = String::new();
        loop {
            let (ids, last) = db.write(|tx| {
                let sql = format!(
                    "{source} where {id} > $1 order by {id} limit {BATCH}",
                    source = index.source.replacen("select ", &format!("select {} as batch_id, ", index.id), 1),
                    id = index.id,
                );
                let rows = tx.query(&sql, &[&after])?;
                let seen: Vec<String> = rows.iter().map(|r| r.get(0)).collect::<Result<_>>()?;
                let Some(last) = seen.last().cloned() else { return Ok((0, None)) };
                let marks: Vec<String> = (2..=seen.len() + 1).map(|n| format!("${n}")).collect();
                let mut params: Vec<&dyn ToValue> = vec![&index.kind];
                params.extend(seen.iter().map(|id| id as &dyn ToValue));
                let indexed: BTreeSet<String> = tx
                    .query(
                        &format!(
                            "select record_id from kernel_search_doc where kind = $1 and record_id in ({})",
                            marks.join(", ")
                        ),
                        &params,
                    )?
                    .iter()
                    .map(|r| r.get(0))
                    .collect::<Result<_>>()?;
                let missing: Vec<String> = seen.into_iter().filter(|id| !indexed.contains(id)).collect();
                reindex(tx, index, &missing)?;
                Ok((missing.len(), Some(last)))
            })?;
            added += ids as u64;
            if db.backend() == Backend::Postgres && added >= (2 * analysed).max(10_000) {
                db.batch("analyze kernel_search_doc")?;
                analysed = added;
            }
            match last {
                Some(last) => after = last,
                None => break,
            }
        }
    }
    Ok(added)
}

/// Lower case, full-width Latin letters and digits as ASCII (ｓｏ１２ → so12).
pub fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The part of every token that names the company and the kind.
fn scope(company: &str, kind: &str) -> String {
    let digest = Sha256::digest(format!("{company}\u{1f}{kind}").as_bytes());
    hex::encode(&digest[..5])
}

fn gram_token(scope: &str, chars: &[char]) -> String {
    let mut token = format!("z{scope}");
    for c in chars {
        token.push_str(&format!("x{:x}", *c as u32));
    }
    token
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// The words of one field: runs of characters between whitespace.
fn segments(text: &str) -> impl Iterator<Item = Vec<char>> + '_ {
    text.split_whitespace().map(|s| s.chars().collect::<Vec<char>>()).filter(|s| !s.is_empty())
}

/// The document's tokens: per segment its bigrams in order, then a break token so that no
/// phrase runs from one segment into the next; after them the Latin triples. A one-character
/// segment is its own token, so a search of two characters still finds "A 座" in no false way.
fn document_tokens(scope: &str, fields: &[String]) -> String {
    let separator = format!("z{scope}y");
    let mut tokens: Vec<String> = Vec::new();
    let mut triples = BTreeSet::new();
    for field in fields {
        for segment in segments(field) {
            if segment.len() == 1 {
                tokens.push(gram_token(scope, &segment));
            }
            for pair in segment.windows(2) {
                tokens.push(gram_token(scope, pair));
            }
            for triple in segment.windows(3).filter(|t| t.iter().all(|c| is_latin(*c))) {
                triples.insert(gram_token(scope, triple));
            }
            tokens.push(separator.clone());
        }
    }
    tokens.extend(triples);
    tokens.join(" ")
}

/// A parsed query: per segment the phrase of its bigrams, and the Latin triples it contains.
struct Needle {
    phrases: Vec<Vec<String>>,
    triples: Vec<String>,
}

fn needle(scope: &str, query: &str) -> Option<Needle> {
    let query = normalise(query);
    let segments: Vec<Vec<char>> = segments(&query).collect();
    if segments.iter().all(|s| s.len() < 2) {
        return None;
    }
    let mut phrases = Vec::new();
    let mut triples = BTreeSet::new();
    for segment in segments.iter().filter(|s| s.len() >= 2) {
        phrases.push(segment.windows(2).map(|pair| gram_token(scope, pair)).collect());
        for triple in segment.windows(3).filter(|t| t.iter().all(|c| is_latin(*c))) {
            triples.insert(gram_token(scope, triple));
        }
    }
    Some(Needle { phrases, triples: triples.into_iter().collect() })
}

impl Needle {
    fn fts5(&self) -> String {
        let mut parts: Vec<String> = self.phrases.iter().map(|p| format!("\"{}\"", p.join(" "))).collect();
        parts.extend(self.triples.iter().cloned());
        parts.join(" AND ")
    }

    fn tsquery(&self) -> String {
        let mut parts: Vec<String> = self.phrases.iter().map(|p| format!("({})", p.join(" <-> "))).collect();
        parts.extend(self.triples.iter().cloned());
        parts.join(" & ")
    }
}

/// PostgreSQL: the most recent documents a search reads in order before it asks the index.
const MOST_RECENT_READ: i64 = 40_000;

/// One record found: its document number (newer records have higher ones) and id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub doc: i64,
    pub record_id: String,
}

/// Records of `kind` in the caller's company whose fields contain `query`, newest first, at
/// most `limit`, below the document `before` when paging. None when the query has fewer than
/// two characters in every word (the caller then falls back to its own filter).
pub fn find(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    kind: &str,
    query: &str,
    before: Option<i64>,
    limit: u32,
) -> Result<Option<Vec<Hit>>> {
    let company = ctx.company().to_string();
    let Some(needle) = needle(&scope(&company, kind), query) else { return Ok(None) };
    let before = before.unwrap_or(i64::MAX);
    let limit = i64::from(limit);
    let rows = match tx.backend() {
        Backend::Sqlite => tx.query(
            // Newest first is ascending rowid (-doc): FTS5 then walks its doclists and stops at
            // the limit, where descending order would load every matching doclist whole.
            "select d.doc, d.record_id, d.company_id, d.kind from kernel_search_grams f
             join kernel_search_doc d on d.doc = -f.rowid
             where kernel_search_grams match $1 and f.rowid > -$2 order by f.rowid limit $3",
            &[&needle.fts5(), &before, &limit],
        )?,
        Backend::Postgres => {
            // GIN returns its matches unordered and PostgreSQL cannot estimate how many a phrase
            // has: a common one (a sixth of a million documents) would be fetched whole and
            // sorted, and a missing one, walked in document order, would read every document.
            // So the newest documents are read in order and filtered — a window widened to
            // what the hits found so far promise — and only what the window did not fill is
            // asked of the index, below it, where the matches are few by then.
            let query = needle.tsquery();
            let recent = |tx: &mut Tx<'_>, window: i64| {
                tx.query(
                    "select doc, record_id, company_id, kind from (
                         select doc, record_id, company_id, kind, tokens from kernel_search_doc
                         where doc < $2 order by doc desc limit $4) recent
                     where tokens @@ to_tsquery('simple', $1) order by doc desc limit $3",
                    &[&query, &before, &limit, &window],
                )
            };
            let mut window = (limit * 40).max(400);
            let mut rows = recent(tx, window)?;
            let found = rows.len() as i64;
            if found > 0 && found < limit {
                // As dense further back: a window that should hold a page and a half.
                let wider = (window * (limit * 3 / 2) / found).min(MOST_RECENT_READ);
                if wider > window {
                    window = wider;
                    rows = recent(tx, window)?;
                }
            }
            if (rows.len() as i64) < limit {
                let floor: i64 = tx.scalar(
                    "select coalesce(min(doc), 0) from (select doc from kernel_search_doc where doc < $1 order by doc desc limit $2) w",
                    &[&before, &window],
                )?;
                let rest = limit - rows.len() as i64;
                // `doc + 0`: sorted after the index lookup, never by walking the documents.
                rows.extend(tx.query(
                    "select doc, record_id, company_id, kind from kernel_search_doc
                     where tokens @@ to_tsquery('simple', $1) and doc < $2 order by doc + 0 desc limit $3",
                    &[&query, &floor, &rest],
                )?);
            }
            rows
        }
    };
    let mut hits = Vec::with_capacity(rows.len());
    for row in rows {
        // The scope is a hash: a record of another company or kind is never shown.
        if row.get::<String>(2)? == company && row.get::<String>(3)? == kind {
            hits.push(Hit { doc: row.get(0)?, record_id: row.get(1)? });
        }
    }
    Ok(Some(hits))
}

/// A subquery of the ids of `kind`'s records in the caller's company that contain `query`,
/// with its parameters numbered from `$first`: for a list sorted by a column of the user's
/// choosing, which then sorts the hits itself. None when the query is too short for the index.
pub fn matching_ids(
    backend: Backend,
    ctx: &Ctx,
    kind: &str,
    query: &str,
    first: usize,
) -> Option<(String, Vec<Value>)> {
    let company = ctx.company().to_string();
    let needle = needle(&scope(&company, kind), query)?;
    let (a, b, c) = (first, first + 1, first + 2);
    let sql = match backend {
        Backend::Sqlite => format!(
            "select d.record_id from kernel_search_grams f join kernel_search_doc d on d.doc = -f.rowid
             where kernel_search_grams match ${a} and d.company_id = ${b} and d.kind = ${c}"
        ),
        Backend::Postgres => format!(
            "select d.record_id from kernel_search_doc d
             where d.tokens @@ to_tsquery('simple', ${a}) and d.company_id = ${b} and d.kind = ${c}"
        ),
    };
    let text = match backend {
        Backend::Sqlite => needle.fts5(),
        Backend::Postgres => needle.tsquery(),
    };
    Some((sql, vec![Value::Text(text), Value::Text(company), Value::Text(kind.to_string())]))
}

/// Every record of an indexed kind has its search document (none missing, none left over).
pub const INVARIANTS: &[Invariant] = &[Invariant {
    name: "search_index",
    description: "every searchable record is in the search index",
    check: check_index,
}];

fn check_index(tx: &mut Tx<'_>) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for index in registered() {
        let records: i64 = tx.scalar(&format!("select count(*) from ({}) s", index.source), &[])?;
        let docs: i64 = tx.scalar("select count(*) from kernel_search_doc where kind = $1", &[&index.kind])?;
        if records != docs {
            problems.push(format!("{}: {records} records, {docs} search documents", index.kind));
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phrase_of_bigrams_is_a_substring_search() {
        let doc = document_tokens("s", &[normalise("上海螺丝厂"), "so-2026-000123".into()]);
        let has = |query: &str| {
            let n = needle("s", query).unwrap();
            n.phrases.iter().all(|p| {
                let words: Vec<&str> = doc.split(' ').collect();
                words.windows(p.len()).any(|w| w.iter().zip(p).all(|(a, b)| *a == b))
            }) && n.triples.iter().all(|t| doc.split(' ').any(|w| w == t))
        };
        assert!(has("上海") && has("螺丝") && has("海螺丝厂") && has("000123") && has("SO-2026") && has("６-0001"));
        assert!(!has("上丝") && !has("厂so") && !has("000124"));
        assert!(needle("s", "上").is_none(), "one character is not searched through the index");
    }

    #[test]
    fn full_width_latin_is_ascii_and_case_does_not_matter() {
        assert_eq!(normalise("ＳＯ－１２ Ab"), "so-12 ab");
        assert_eq!(normalise("ＡＢＣ１２３"), "abc123");
    }

    #[test]
    fn tokens_are_plain_words_that_name_their_scope() {
        let tokens = document_tokens("ab12", &["a座".into()]);
        assert!(tokens.split(' ').all(|t| t.starts_with("zab12") && t.chars().all(|c| c.is_ascii_alphanumeric())));
        assert_ne!(scope("c1", "party.party"), scope("c1", "product.product"));
        assert_ne!(scope("c1", "party.party"), scope("c2", "party.party"));
    }
}

//! The few places where one SQL text must be adapted to a backend, kept in one file.
//!
//! - Placeholders are written `$1…$n` (PostgreSQL's form). SQLite would read `$1` as a *named*
//!   parameter bound by order of first appearance, so they become `?1…?n` there.
//! - Row locks (`for update`, `for update skip locked`) are needed on PostgreSQL; SQLite has
//!   one writer at a time, so there they are dropped.
//! - In migrations the byte type is written `blob`, which PostgreSQL calls `bytea`.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// `to_sqlite`, remembered per thread: the same few hundred statements run again and again,
/// and looking one up costs less than rewriting it. (Bounded: cleared past 2,048 texts.)
pub fn to_sqlite_cached(sql: &str) -> Rc<str> {
    thread_local! {
        static REWRITTEN: RefCell<HashMap<Box<str>, Rc<str>>> = RefCell::new(HashMap::new());
    }
    REWRITTEN.with(|cache| {
        if let Some(hit) = cache.borrow().get(sql) {
            return hit.clone();
        }
        let rewritten: Rc<str> = Rc::from(to_sqlite(sql).as_ref());
        let mut cache = cache.borrow_mut();
        if cache.len() >= 2048 {
            cache.clear();
        }
        cache.insert(sql.into(), rewritten.clone());
        rewritten
    })
}

/// Rewrites a query written for PostgreSQL into SQLite's dialect.
pub fn to_sqlite(sql: &str) -> Cow<'_, str> {
    let needs_placeholders = sql.contains('$');
    let lock_at = find_row_lock(sql);
    if !needs_placeholders && lock_at.is_none() {
        return Cow::Borrowed(sql);
    }
    // Byte-wise: `$`, `'` and digits are ASCII, and UTF-8 never repeats them inside a character.
    // Runs between special bytes are copied whole.
    let body = &sql.as_bytes()[..lock_at.unwrap_or(sql.len())];
    let mut out = Vec::with_capacity(body.len());
    let mut in_quote = false;
    let mut rest = body;
    while let Some(at) = rest.iter().position(|&b| b == b'$' || b == b'\'') {
        out.extend_from_slice(&rest[..at]);
        let special = rest[at];
        if special == b'\'' {
            in_quote = !in_quote;
            out.push(special);
        } else if !in_quote && rest.get(at + 1).is_some_and(u8::is_ascii_digit) {
            out.push(b'?');
        } else {
            out.push(special);
        }
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
    // Only ASCII bytes were replaced by ASCII bytes, at character boundaries.
    Cow::Owned(String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Where a trailing `for update [of …] [skip locked | nowait]` clause starts, if any.
fn find_row_lock(sql: &str) -> Option<usize> {
    const CLAUSE: &[u8] = b" for update";
    let bytes = sql.as_bytes();
    let at = bytes.windows(CLAUSE.len()).rposition(|w| w.eq_ignore_ascii_case(CLAUSE))?;
    let tail = sql[at + CLAUSE.len()..].trim().to_ascii_lowercase();
    let allowed = tail.is_empty()
        || tail == "skip locked"
        || tail == "nowait"
        || tail.starts_with("of ") && !tail.contains('(') && !tail.contains(')');
    allowed.then_some(at)
}

/// Adapts a migration script written in the portable dialect to PostgreSQL.
pub fn migration_to_postgres(sql: &str) -> String {
    fn flush(word: &mut String, out: &mut String) {
        out.push_str(if word.eq_ignore_ascii_case("blob") { "bytea" } else { word });
        word.clear();
    }
    let mut out = String::with_capacity(sql.len());
    let mut word = String::new();
    for c in sql.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_question_marks() {
        assert_eq!(to_sqlite("select a from t where b = $2 and c = $1"), "select a from t where b = ?2 and c = ?1");
        assert_eq!(to_sqlite("select '$1' from t where a = $1"), "select '$1' from t where a = ?1");
        assert!(matches!(to_sqlite("select 1"), Cow::Borrowed(_)));
    }

    #[test]
    fn row_locks_are_dropped() {
        assert_eq!(to_sqlite("select a from t where id = $1 for update"), "select a from t where id = ?1");
        assert_eq!(to_sqlite("select a from t limit 5 FOR UPDATE SKIP LOCKED"), "select a from t limit 5");
    }

    #[test]
    fn blob_becomes_bytea() {
        assert_eq!(
            migration_to_postgres("create table t (data blob not null, blobby text)"),
            "create table t (data bytea not null, blobby text)"
        );
    }
}

//! The few places where one SQL text must be adapted to a backend, kept in one file.
//!
//! - Placeholders are written `$1…$n` (PostgreSQL's form). SQLite would read `$1` as a *named*
//!   parameter bound by order of first appearance, so they become `?1…?n` there.
//! - Row locks (`for update`, `for update skip locked`) are needed on PostgreSQL; SQLite has
//!   one writer at a time, so there they are dropped.
//! - In migrations the byte type is written `blob`, which PostgreSQL calls `bytea`.

use std::borrow::Cow;

/// Rewrites a query written for PostgreSQL into SQLite's dialect.
pub fn to_sqlite(sql: &str) -> Cow<'_, str> {
    let needs_placeholders = sql.contains('$');
    let lock_at = find_row_lock(sql);
    if !needs_placeholders && lock_at.is_none() {
        return Cow::Borrowed(sql);
    }
    let body = &sql[..lock_at.unwrap_or(sql.len())];
    let mut out = String::with_capacity(sql.len());
    let mut in_quote = false;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_quote = !in_quote;
                out.push(c);
            }
            '$' if !in_quote && chars.peek().is_some_and(char::is_ascii_digit) => out.push('?'),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Where a trailing `for update [of …] [skip locked | nowait]` clause starts, if any.
fn find_row_lock(sql: &str) -> Option<usize> {
    let lower = sql.to_ascii_lowercase();
    let at = lower.rfind(" for update")?;
    let tail = lower[at + " for update".len()..].trim();
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

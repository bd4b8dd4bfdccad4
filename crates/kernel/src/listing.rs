//! Lists with server-side search, filters, sort and keyset pagination, from a declarative
//! spec, so every module's list (and the web client's generic list view) works the same way.
//!
//! The cursor holds the sort value and the id of the last row; the next page starts after
//! that pair (`(sort, id) > (v, id)`), which both backends evaluate with an index and which
//! stays stable while rows are added. Only columns named in the spec can be sorted or
//! filtered: the SQL is never built from user text.

use serde::{Deserialize, Serialize};

use crate::db::{Row, ToValue, Tx, Value};
use crate::page::{decode_cursor, encode_cursor};
use crate::{Ctx, Error, Result};

/// How a column can be filtered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    None,
    /// Exact match (states, ids, flags).
    Equals,
    /// Starts with, case-insensitive (names, numbers).
    Prefix,
    /// Starts with, as an index range (`col >= p and col < p⁺`): for large tables, on a column
    /// that stores a lower-cased key.
    Range,
    /// Strictly before the value (dates: `due_date` before today is overdue).
    Before,
}

/// One column of a list: its key (used in URLs and exports), the SQL expression that yields
/// it, whether it sorts, and how it filters.
#[derive(Clone, Copy, Debug)]
pub struct ListColumn {
    pub key: &'static str,
    pub sql: &'static str,
    pub sortable: bool,
    pub filter: Filter,
}

/// Shorthand: `col("title", "t.title", true, Filter::Prefix)`.
pub const fn col(key: &'static str, sql: &'static str, sortable: bool, filter: Filter) -> ListColumn {
    ListColumn { key, sql, sortable, filter }
}

#[derive(Clone, Copy, Debug)]
pub struct ListSpec {
    /// `from` clause, with joins.
    pub from: &'static str,
    pub id: &'static str,
    /// The company column that scopes every query.
    pub company: &'static str,
    pub columns: &'static [ListColumn],
    /// Expressions searched by the search box (case-insensitive "contains"), where the kind
    /// has no search index (or the query is one character).
    pub search: &'static [&'static str],
    /// The search index of the listed records: a query of two or more characters is answered
    /// through it, newest first, instead of by the `search` expressions.
    pub index: Option<&'static crate::search::SearchIndex>,
    pub default_sort: &'static str,
    pub default_desc: bool,
}

/// What the caller asks for; every field may come from a URL.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ListQuery {
    pub search: Option<String>,
    pub filters: Vec<(String, String)>,
    pub sort: Option<String>,
    pub desc: Option<bool>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
    /// Only count the records that match (the home page's work queues): the page then has no
    /// rows and `total` set. Counting searches by the plain expressions, not the index.
    #[serde(skip)]
    pub count: bool,
}

/// A page of rows: the spec's columns in order, then the id.
#[derive(Clone, Debug)]
pub struct ListPage {
    pub rows: Vec<Row>,
    pub next_cursor: Option<String>,
    /// How many records match, when the query asked only to count.
    pub total: Option<i64>,
}

/// The smallest string greater than every string that starts with `prefix`.
pub fn prefix_upper_bound(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = char::from_u32(last as u32 + 1) {
            chars.push(next);
            return chars.into_iter().collect();
        }
    }
    "\u{10FFFF}".to_string()
}

/// `$2` → `$(2 + offset)` in a condition built for its own parameter list.
fn renumber(condition: &str, offset: usize) -> String {
    let mut out = String::new();
    let mut chars = condition.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' {
            let mut digits = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(*d);
                chars.next();
            }
            match digits.parse::<usize>() {
                Ok(n) => out.push_str(&format!("${}", n + offset)),
                Err(_) => out.push('$'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

impl ListSpec {
    pub fn column(&self, key: &str) -> Option<&ListColumn> {
        self.columns.iter().find(|c| c.key == key)
    }

    /// Fetches one page. `scope` adds a condition with its own parameters (e.g. own records
    /// only), written with `{}` where the parameter numbers go: `("t.owner = {}", [owner])`.
    pub fn fetch(
        &self,
        tx: &mut Tx<'_>,
        ctx: &Ctx,
        query: &ListQuery,
        scope: Option<(&str, Vec<Value>)>,
    ) -> Result<ListPage> {
        let sort_key = query.sort.as_deref().unwrap_or(self.default_sort);
        let sort = self
            .column(sort_key)
            .filter(|c| c.sortable)
            .ok_or_else(|| Error::invalid("kernel.list.sort_unknown").with_param("column", sort_key))?;
        let desc = query.desc.unwrap_or(if query.sort.is_some() { false } else { self.default_desc });
        let limit = query.limit.unwrap_or(50).clamp(1, 10_000);
        let search = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if query.count {
            let (conditions, params) = self.conditions(ctx, query, scope, search)?;
            let sql = format!("select count(*) from {} where {}", self.from, conditions.join(" and "));
            let refs: Vec<&dyn ToValue> = params.iter().map(|p| p as &dyn ToValue).collect();
            let total: i64 = tx.scalar(&sql, &refs)?;
            return Ok(ListPage { rows: Vec::new(), next_cursor: None, total: Some(total) });
        }
        // Through the search index: newest first when no sort was chosen (the hits in the
        // index's own order, a page at a time); in the chosen order otherwise (the hits as a
        // subquery that the list's sort then orders).
        let mut indexed = None;
        if let (Some(index), Some(needle)) = (self.index, search) {
            if query.sort.is_none() {
                if let Some(page) = self.fetch_indexed(tx, ctx, query, scope.clone(), index, needle, sort.sql, limit)? {
                    return Ok(page);
                }
            } else {
                indexed = Some((index, needle));
            }
        }
        let plain_search = if indexed.is_some() { None } else { search };
        let (mut conditions, mut params) = self.conditions(ctx, query, scope, plain_search)?;
        if let Some((index, needle)) = indexed {
            match crate::search::matching_ids(tx.backend(), ctx, index.kind, needle, params.len() + 1) {
                Some((subquery, values)) => {
                    params.extend(values);
                    conditions.push(format!("{} in ({subquery})", self.id));
                }
                None => {
                    // One character: the plain expressions after all.
                    let (plain, plain_params) = self.conditions(ctx, query, None, Some(needle))?;
                    if let Some(condition) = plain.get(1).filter(|_| !self.search.is_empty()) {
                        let offset = params.len() - 1;
                        let renumbered = renumber(condition, offset);
                        conditions.push(renumbered);
                        params.push(plain_params[1].clone());
                    }
                }
            }
        }
        let next = |value: Value, params: &mut Vec<Value>| {
            params.push(value);
            format!("${}", params.len())
        };
        if let Some(cursor) = &query.cursor {
            let decoded = decode_cursor(cursor)?;
            let (value, id): (serde_json::Value, String) =
                serde_json::from_str(&decoded).map_err(|_| Error::invalid("kernel.page.cursor_invalid"))?;
            let value = match value {
                serde_json::Value::Number(n) => Value::Int(n.as_i64().unwrap_or_default()),
                serde_json::Value::String(s) => Value::Text(s),
                _ => Value::Null,
            };
            let pv = next(value, &mut params);
            let pi = next(Value::Text(id), &mut params);
            let op = if desc { "<" } else { ">" };
            conditions.push(format!("({sql}, {id}) {op} ({pv}, {pi})", sql = sort.sql, id = self.id));
        }
        let direction = if desc { "desc" } else { "asc" };
        let limit_param = next(Value::Int(i64::from(limit) + 1), &mut params);
        let sql = format!(
            "{} where {} order by {sort} {direction}, {id} {direction} limit {limit_param}",
            self.select(sort.sql),
            conditions.join(" and "),
            id = self.id,
            sort = sort.sql,
        );
        let refs: Vec<&dyn ToValue> = params.iter().map(|p| p as &dyn ToValue).collect();
        let mut rows = tx.query(&sql, &refs)?;
        let has_more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_cursor = match (has_more, rows.last()) {
            (true, Some(last)) => {
                let n = self.columns.len();
                let id: String = last.get(n)?;
                let value = match &last.values()[n + 1] {
                    Value::Int(i) => serde_json::json!(i),
                    Value::Text(t) => serde_json::json!(t),
                    _ => serde_json::Value::Null,
                };
                Some(encode_cursor(&serde_json::json!([value, id]).to_string()))
            }
            _ => None,
        };
        Ok(ListPage { rows, next_cursor, total: None })
    }

    /// `select <columns>, <id>, <sort> from <from>`: the shape of every row of a page.
    fn select(&self, sort: &str) -> String {
        let columns: Vec<&str> = self.columns.iter().map(|c| c.sql).collect();
        format!("select {}, {}, {sort} from {}", columns.join(", "), self.id, self.from)
    }

    /// The company, the search expressions (when given), the filters and the scope, as SQL
    /// conditions with their parameters ($1 is the company).
    fn conditions(
        &self,
        ctx: &Ctx,
        query: &ListQuery,
        scope: Option<(&str, Vec<Value>)>,
        search: Option<&str>,
    ) -> Result<(Vec<String>, Vec<Value>)> {
        let mut params: Vec<Value> = vec![ctx.company().to_value()];
        let mut conditions = vec![format!("{} = $1", self.company)];
        let next = |value: Value, params: &mut Vec<Value>| {
            params.push(value);
            format!("${}", params.len())
        };
        if let Some(search) = search
            && !self.search.is_empty()
        {
            let placeholder = next(Value::Text(format!("%{}%", escape_like(&search.to_lowercase()))), &mut params);
            let any: Vec<String> =
                self.search.iter().map(|e| format!("lower({e}) like {placeholder} escape '\\'")).collect();
            conditions.push(format!("({})", any.join(" or ")));
        }
        for (key, value) in &query.filters {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let column = self
                .column(key)
                .filter(|c| c.filter != Filter::None)
                .ok_or_else(|| Error::invalid("kernel.list.filter_unknown").with_param("column", key))?;
            match column.filter {
                Filter::Equals => {
                    let p = next(Value::Text(value.to_string()), &mut params);
                    conditions.push(format!("cast({} as text) = {p}", column.sql));
                }
                Filter::Prefix => {
                    let p = next(Value::Text(format!("{}%", escape_like(&value.to_lowercase()))), &mut params);
                    conditions.push(format!("lower({}) like {p} escape '\\'", column.sql));
                }
                Filter::Range => {
                    let lower = value.to_lowercase();
                    let upper = prefix_upper_bound(&lower);
                    let a = next(Value::Text(lower), &mut params);
                    let b = next(Value::Text(upper), &mut params);
                    conditions.push(format!("{sql} >= {a} and {sql} < {b}", sql = column.sql));
                }
                Filter::Before => {
                    let p = next(Value::Text(value.to_string()), &mut params);
                    conditions.push(format!("{} < {p}", column.sql));
                }
                Filter::None => {}
            }
        }
        if let Some((condition, values)) = scope {
            let mut rendered = condition.to_string();
            for value in values {
                let p = next(value, &mut params);
                rendered = rendered.replacen("{}", &p, 1);
            }
            conditions.push(format!("({rendered})"));
        }
        Ok((conditions, params))
    }

    /// A page of a search through the index: hits newest first, a batch at a time, each batch's
    /// records read with the filters and the scope applied, until the page is full or the hits
    /// run out. The cursor is the last document shown. None when the query is too short for
    /// the index.
    #[allow(clippy::too_many_arguments)]
    fn fetch_indexed(
        &self,
        tx: &mut Tx<'_>,
        ctx: &Ctx,
        query: &ListQuery,
        scope: Option<(&str, Vec<Value>)>,
        index: &crate::search::SearchIndex,
        needle: &str,
        sort: &str,
        limit: u32,
    ) -> Result<Option<ListPage>> {
        const BATCH: u32 = 200;
        // A filter that hides nearly every hit must not make one page read the whole index.
        const MOST_BATCHES: usize = 25;
        let mut before = match &query.cursor {
            Some(cursor) => {
                let decoded = decode_cursor(cursor)?;
                let value: serde_json::Value =
                    serde_json::from_str(&decoded).map_err(|_| Error::invalid("kernel.page.cursor_invalid"))?;
                Some(value["doc"].as_i64().ok_or_else(|| Error::invalid("kernel.page.cursor_invalid"))?)
            }
            None => None,
        };
        let (mut conditions, params) = self.conditions(ctx, query, scope, None)?;
        // The hits are read by their ids: the company condition must not steer the plan.
        conditions[0] = format!("{} = $1", tx.backend().unindexed(self.company));
        let mut rows = Vec::new();
        let mut last_doc = None;
        for round in 0..MOST_BATCHES {
            // The first batch asks for one page (and one more, to know a next page exists);
            // later ones, when filters hid hits, for more at a time.
            let batch = if round == 0 { limit + 1 } else { BATCH };
            let Some(hits) = crate::search::find(tx, ctx, index.kind, needle, before, batch)? else {
                return Ok(None);
            };
            let Some(last) = hits.last() else { break };
            before = Some(last.doc);
            let mut batch_params = params.clone();
            let marks: Vec<String> = hits
                .iter()
                .map(|hit| {
                    batch_params.push(Value::Text(hit.record_id.clone()));
                    format!("${}", batch_params.len())
                })
                .collect();
            let sql = format!(
                "{} where {} and {} in ({})",
                self.select(sort),
                conditions.join(" and "),
                self.id,
                marks.join(", ")
            );
            let refs: Vec<&dyn ToValue> = batch_params.iter().map(|p| p as &dyn ToValue).collect();
            let mut found: std::collections::HashMap<String, crate::db::Row> = std::collections::HashMap::new();
            for row in tx.query(&sql, &refs)? {
                found.insert(row.get(self.columns.len())?, row);
            }
            let exhausted = hits.len() < batch as usize;
            for hit in hits {
                if let Some(row) = found.remove(&hit.record_id) {
                    if rows.len() == limit as usize {
                        // One more exists: the page ends at the last one shown.
                        let cursor = serde_json::json!({"doc": last_doc}).to_string();
                        return Ok(Some(ListPage { rows, next_cursor: Some(encode_cursor(&cursor)), total: None }));
                    }
                    rows.push(row);
                    last_doc = Some(hit.doc);
                } else if rows.len() < limit as usize {
                    last_doc = Some(hit.doc);
                }
            }
            if exhausted {
                return Ok(Some(ListPage { rows, next_cursor: None, total: None }));
            }
        }
        // Stopped early: the next page goes on from the last hit looked at.
        let next_cursor = before.map(|doc| encode_cursor(&serde_json::json!({"doc": doc}).to_string()));
        Ok(Some(ListPage { rows, next_cursor, total: None }))
    }
}

pub const MESSAGES: &[crate::i18n::Message] = &[
    crate::msg!("kernel.list.sort_unknown", "不能按该列排序：{column}", "Cannot sort by {column}"),
    crate::msg!("kernel.list.filter_unknown", "不能按该列筛选：{column}", "Cannot filter by {column}"),
];

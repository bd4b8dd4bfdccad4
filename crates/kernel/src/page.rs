//! Cursor pagination: `?limit=50&cursor=…`. The cursor is an opaque token for the sort key of
//! the last row returned; the next page starts after it, so pages stay stable while rows are
//! added and deep pages cost no more than the first (no `offset`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageRequest {
    /// Rows per page (1–500, default 50).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageRequest {
    pub fn first(limit: u32) -> PageRequest {
        PageRequest { limit: Some(limit), cursor: None }
    }

    pub fn limit(&self) -> u32 {
        self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from a query that fetched `limit + 1` rows: the extra row only tells that
    /// there is a next page.
    pub fn from_overfetch(items: &mut Vec<T>, limit: u32, key: impl Fn(&T) -> String) -> Page<T> {
        let limit = limit as usize;
        let has_more = items.len() > limit;
        items.truncate(limit);
        let next_cursor = if has_more { items.last().map(|last| encode_cursor(&key(last))) } else { None };
        Page { items: std::mem::take(items), next_cursor }
    }
}

pub fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key.as_bytes())
}

pub fn decode_cursor(cursor: &str) -> Result<String> {
    URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| Error::invalid("kernel.page.cursor_invalid").with_field("cursor", "kernel.page.cursor_invalid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overfetch_sets_the_cursor_only_when_more_rows_exist() {
        let mut rows: Vec<i32> = (1..=4).collect();
        let page = Page::from_overfetch(&mut rows, 3, |r| r.to_string());
        assert_eq!(page.items, vec![1, 2, 3]);
        assert_eq!(decode_cursor(page.next_cursor.as_deref().unwrap()).unwrap(), "3");
        let mut rows: Vec<i32> = (1..=3).collect();
        assert!(Page::from_overfetch(&mut rows, 3, |r| r.to_string()).next_cursor.is_none());
        assert!(decode_cursor("%%%").is_err());
    }
}

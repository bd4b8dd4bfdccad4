//! What the JSON lists share: turning query parameters into a `ListQuery`, and a page of
//! rows into JSON objects keyed by the list's column keys.

use kernel::db::Value;
use kernel::listing::{ListPage, ListQuery, ListSpec};

/// A list query from the common parameters and the column filters that were given.
pub fn list_query(
    search: Option<String>,
    filters: &[(&str, &Option<String>)],
    sort: Option<String>,
    desc: Option<bool>,
    cursor: Option<String>,
    limit: Option<u32>,
) -> ListQuery {
    let filters =
        filters.iter().filter_map(|(key, value)| value.as_ref().map(|v| (key.to_string(), v.clone()))).collect();
    ListQuery { search, filters, sort, desc, cursor, limit: limit.map(|l| l.min(500)), count: false }
}

/// A list page as JSON objects keyed by the spec's column keys.
pub fn page_json(spec: &ListSpec, page: ListPage) -> serde_json::Value {
    let items: Vec<serde_json::Value> = page
        .rows
        .iter()
        .map(|row| {
            let mut object = serde_json::Map::new();
            for (column, value) in spec.columns.iter().zip(row.values()) {
                object.insert(
                    column.key.to_string(),
                    match value {
                        Value::Int(i) => serde_json::json!(i),
                        Value::Text(t) => serde_json::json!(t),
                        _ => serde_json::Value::Null,
                    },
                );
            }
            if let Some(Value::Text(id)) = row.values().get(spec.columns.len()) {
                object.insert("id".into(), serde_json::json!(id));
            }
            serde_json::Value::Object(object)
        })
        .collect();
    let mut out = serde_json::json!({"items": items});
    if let Some(next) = page.next_cursor {
        out["next_cursor"] = serde_json::json!(next);
    }
    out
}

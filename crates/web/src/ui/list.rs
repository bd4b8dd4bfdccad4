//! The list view, one implementation for every module: server-side sort, filters, search,
//! cursor pagination, a column chooser, saved filters, bulk selection with actions, and export
//! of the current filter to XLSX and CSV. A module describes its list (`ListView`) and hands
//! over the function that fetches a page; everything else is here.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kernel::db::{Tx, Value};
use kernel::listing::{ListPage, ListQuery, ListSpec};
use kernel::{Ctx, Quantity, Result};
use maud::html;

use super::guard::{Page, url_pairs};
use super::layout::{flash, shell};
use crate::problem::ApiError;
use crate::state::AppState;

/// How a column's values are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Show {
    Text,
    /// A `Quantity` (four decimals), right-aligned.
    Quantity,
    /// An amount as decimal text ("12345.60"), right-aligned, with thousands separators on
    /// screen ("12,345.60") and as a plain number in exports.
    Amount,
    /// A code translated through `<prefix><value>` and shown as a badge.
    Badge(&'static str),
    /// The first column links to the record.
    Link,
    /// Timestamps shown to the minute.
    Time,
}

#[derive(Clone, Copy, Debug)]
pub struct ColumnView {
    pub key: &'static str,
    pub label: &'static str,
    pub show: Show,
}

/// A filter field above the list: free text (prefix match) or a choice.
#[derive(Clone, Debug)]
pub enum FilterInput {
    Text,
    Choice(Vec<(String, String)>),
}

#[derive(Clone, Debug)]
pub struct FilterField {
    pub key: &'static str,
    pub label: &'static str,
    pub input: FilterInput,
}

/// An action on the selected rows, posted to `<base>/bulk`.
#[derive(Clone, Copy, Debug)]
pub struct BulkAction {
    pub code: &'static str,
    pub label: &'static str,
}

/// A module's list, declared.
pub struct ListView {
    /// Stable key for preferences and saved filters (`office.tasks`).
    pub key: &'static str,
    pub title: &'static str,
    /// Where the list lives (`/office/tasks`); rows link to `<base>/<id>`.
    pub base: &'static str,
    pub spec: &'static ListSpec,
    pub columns: &'static [ColumnView],
    pub filters: Vec<FilterField>,
    pub bulk: Vec<BulkAction>,
    /// Shown when the user may create records.
    pub new_href: Option<&'static str>,
}

/// The page's query string, parsed.
#[derive(Clone, Debug, Default)]
pub struct ListParams {
    pub query: ListQuery,
    pub format: Option<String>,
    pub ok: Option<String>,
    pub raw: String,
}

impl ListParams {
    pub fn parse(raw: Option<&str>) -> ListParams {
        let raw = raw.unwrap_or_default().to_string();
        let mut params = ListParams { raw: raw.clone(), ..ListParams::default() };
        for (key, value) in url_pairs(&raw) {
            match key.as_str() {
                "q" => params.query.search = Some(value),
                "sort" => params.query.sort = Some(value),
                "desc" => params.query.desc = Some(value == "1"),
                "cursor" => params.query.cursor = Some(value).filter(|v| !v.is_empty()),
                "limit" => params.query.limit = value.parse().ok(),
                "format" => params.format = Some(value),
                "ok" => params.ok = Some(value),
                other => {
                    if let Some(filter) = other.strip_prefix("f.") {
                        params.query.filters.push((filter.to_string(), value));
                    }
                }
            }
        }
        params
    }

    /// The query string for the same filter with some keys replaced (None removes a key).
    fn with(&self, changes: &[(&str, Option<&str>)]) -> String {
        let mut pairs: Vec<(String, String)> = url_pairs(&self.raw)
            .into_iter()
            .filter(|(k, _)| k != "ok" && k != "format" && !changes.iter().any(|(c, _)| c == k))
            .collect();
        for (key, value) in changes {
            if let Some(value) = value {
                pairs.push((key.to_string(), value.to_string()));
            }
        }
        form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
    }
}

/// Formats a cell for display and export.
fn cell_text(page: &Page, show: Show, value: &Value) -> String {
    match (show, value) {
        (_, Value::Null) => String::new(),
        (Show::Quantity, Value::Int(v)) => {
            Quantity::from_scaled(*v).to_string().trim_end_matches('0').trim_end_matches('.').to_string()
        }
        (Show::Badge(prefix), Value::Text(code)) => page.t(&format!("{prefix}{code}")),
        (Show::Time, Value::Text(t)) => t.replace('T', " ").chars().take(16).collect(),
        (_, Value::Int(v)) => v.to_string(),
        (_, Value::Text(t)) => t.clone(),
        (_, Value::Blob(_)) => "…".into(),
    }
}

type Fetch = fn(&mut Tx<'_>, &Ctx, &ListQuery) -> Result<ListPage>;

/// A saved filter: id, name, query string.
type SavedFilter = (String, String, String);

/// Loads the user's visible columns and saved filters for a view.
fn preferences(tx: &mut Tx<'_>, ctx: &Ctx, view: &str) -> Result<(Option<Vec<String>>, Vec<SavedFilter>)> {
    let user = ctx.actor().user();
    let columns = tx
        .query_opt(
            "select columns from web_preference where user_id = $1 and company_id = $2 and view = $3",
            &[&user, &ctx.company(), &view],
        )?
        .map(|r| r.get::<String>(0))
        .transpose()?
        .map(|c| c.split(',').map(str::to_string).collect());
    let saved = tx
        .query(
            "select id, name, query from web_saved_filter where user_id = $1 and company_id = $2 and view = $3 order by name",
            &[&user, &ctx.company(), &view],
        )?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .collect::<Result<Vec<_>>>()?;
    Ok((columns, saved))
}

/// Renders the list page, or exports the whole filtered list when `format=xlsx|csv`.
pub async fn handle(state: &AppState, page: &Page, view: ListView, params: ListParams, fetch: Fetch) -> Response {
    let ctx = page.ctx(state);
    let view_key = view.key;
    if let Some(format) = params.format.clone() {
        let query = params.query.clone();
        let result = state
            .blocking(move |state| {
                state.db.read(|tx| {
                    let mut all = Vec::new();
                    let mut query = ListQuery { cursor: None, limit: Some(1000), ..query };
                    loop {
                        let page = fetch(tx, &ctx, &query)?;
                        all.extend(page.rows);
                        match page.next_cursor {
                            Some(next) => query.cursor = Some(next),
                            None => break,
                        }
                    }
                    Ok(all)
                })
            })
            .await;
        return match result {
            Ok(rows) => export(page, &view, &format, &rows),
            Err(error) => error.into_response(),
        };
    }
    let query = params.query.clone();
    let loaded = state
        .blocking(move |state| state.db.read(|tx| Ok((fetch(tx, &ctx, &query)?, preferences(tx, &ctx, view_key)?))))
        .await;
    let (list, (chosen, saved)) = match loaded {
        Ok(loaded) => loaded,
        Err(ApiError(error)) => {
            let message = page.t_with(error.code(), error.params());
            let body = html! { h1 { (page.t(view.title)) } div.flash.error role="alert" { (message) } p { a href=(view.base) { (page.t("ui.list.reset")) } } };
            let mut response = shell(page, &page.t(view.title), body);
            *response.status_mut() =
                StatusCode::from_u16(error.kind().http_status()).unwrap_or(StatusCode::BAD_REQUEST);
            return response;
        }
    };
    let visible: Vec<&ColumnView> = view
        .columns
        .iter()
        .filter(|c| chosen.as_ref().is_none_or(|keys| keys.iter().any(|k| k == c.key) || c.show == Show::Link))
        .collect();
    let index_of = |key: &str| view.spec.columns.iter().position(|c| c.key == key).unwrap_or(0);
    let id_index = view.spec.columns.len();
    let sort_key = params.query.sort.clone().unwrap_or_else(|| view.spec.default_sort.to_string());
    let desc = params.query.desc.unwrap_or(params.query.sort.is_none() && view.spec.default_desc);
    let filter_value =
        |key: &str| params.query.filters.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default();
    let title = page.t(view.title);
    let body = html! {
        h1 { (title) }
        (flash(page, params.ok.as_deref(), None))
        form.panel.filters method="get" action=(view.base) role="search" {
            label { (page.t("ui.list.search")) input type="search" name="q" value=(params.query.search.clone().unwrap_or_default()); }
            @for filter in &view.filters {
                label {
                    (page.t(filter.label))
                    @match &filter.input {
                        FilterInput::Text => { input type="text" name=(format!("f.{}", filter.key)) value=(filter_value(filter.key)); }
                        FilterInput::Choice(options) => {
                            select name=(format!("f.{}", filter.key)) {
                                option value="" { (page.t("ui.list.any")) }
                                @for (value, label) in options {
                                    option value=(value) selected[filter_value(filter.key) == *value] { (label) }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(sort) = &params.query.sort { input type="hidden" name="sort" value=(sort); }
            // Filters without a field of their own (the home page's work queues) are kept
            // through a new search, and said to be there.
            @let hidden: Vec<&(String, String)> = params.query.filters.iter().filter(|(k, _)| !view.filters.iter().any(|f| f.key == k)).collect();
            @for (key, value) in &hidden { input type="hidden" name=(format!("f.{key}")) value=(value); }
            @if !hidden.is_empty() { span.chip data-queue-filter { (page.t("ui.list.queue_filter")) } }
            button.primary type="submit" { (page.t("ui.list.apply")) }
            a.button href=(view.base) { (page.t("ui.list.reset")) }
        }
        div.toolbar {
            @if let Some(href) = view.new_href { a.button.primary href=(href) data-new { "+ " (page.t("ui.new")) } }
            span.grow {}
            a.button href=(format!("{}?{}", view.base, params.with(&[("format", Some("xlsx")), ("cursor", None)]))) { (page.t("ui.list.export_xlsx")) }
            a.button href=(format!("{}?{}", view.base, params.with(&[("format", Some("csv")), ("cursor", None)]))) { (page.t("ui.list.export_csv")) }
            details.menu {
                summary.button { (page.t("ui.list.columns")) }
                div.menu-body {
                    form method="post" action="/ui/columns" {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        input type="hidden" name="view" value=(view.key);
                        input type="hidden" name="back" value=(format!("{}?{}", view.base, params.with(&[])));
                        @for column in view.columns {
                            div { label { input type="checkbox" name="columns" value=(column.key) checked[visible.iter().any(|v| v.key == column.key)] disabled[column.show == Show::Link]; " " (page.t(column.label)) } }
                        }
                        button type="submit" { (page.t("ui.apply")) }
                    }
                }
            }
            details.menu {
                summary.button { (page.t("ui.list.saved_filters")) }
                div.menu-body {
                    ul {
                        @for (id, name, query) in &saved {
                            li {
                                a href=(format!("{}?{}", view.base, query)) { (name) }
                                form method="post" action="/ui/filters/delete" {
                                    input type="hidden" name="_csrf" value=(page.csrf());
                                    input type="hidden" name="id" value=(id);
                                    input type="hidden" name="back" value=(view.base);
                                    button.link.danger type="submit" aria-label=(page.t("ui.delete")) { "✕" }
                                }
                            }
                        }
                    }
                    form method="post" action="/ui/filters" {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        input type="hidden" name="view" value=(view.key);
                        input type="hidden" name="base" value=(view.base);
                        input type="hidden" name="query" value=(params.with(&[("cursor", None)]));
                        label for="filter-name" { (page.t("ui.list.save_as")) }
                        input #filter-name type="text" name="name" required;
                        button type="submit" { (page.t("ui.save")) }
                    }
                }
            }
        }
        form method="post" action=(format!("{}/bulk", view.base)) {
            input type="hidden" name="_csrf" value=(page.csrf());
            @if !view.bulk.is_empty() {
                div.toolbar {
                    span { (page.t("ui.list.selected")) }
                    @for action in &view.bulk {
                        button type="submit" name="action" value=(action.code) { (page.t(action.label)) }
                    }
                }
            }
            table.list {
                caption.sr-only { (title) }
                thead { tr {
                    @if !view.bulk.is_empty() { th { input type="checkbox" data-select-all aria-label=(page.t("ui.list.select_all")); } }
                    @for column in &visible {
                        @let sortable = view.spec.column(column.key).is_some_and(|c| c.sortable);
                        th.num[matches!(column.show, Show::Quantity | Show::Amount)] scope="col" aria-sort=[(sort_key == column.key).then_some(if desc { "descending" } else { "ascending" })] {
                            @if sortable {
                                @let next_desc = if sort_key == column.key && !desc { "1" } else { "0" };
                                a href=(format!("{}?{}", view.base, params.with(&[("sort", Some(column.key)), ("desc", Some(next_desc)), ("cursor", None)]))) {
                                    (page.t(column.label))
                                    @if sort_key == column.key { (if desc { " ↓" } else { " ↑" }) }
                                }
                            } @else { (page.t(column.label)) }
                        }
                    }
                } }
                tbody {
                    @for row in &list.rows {
                        @let id = row.values()[id_index].clone();
                        @let id = match id { Value::Text(t) => t, other => format!("{other:?}") };
                        tr data-row=(id) {
                            @if !view.bulk.is_empty() { td { input type="checkbox" name="ids" value=(id) aria-label=(page.t("ui.list.select_row")); } }
                            @for column in &visible {
                                @let text = cell_text(page, column.show, &row.values()[index_of(column.key)]);
                                @let text = if matches!(column.show, Show::Amount | Show::Quantity) { kernel::money::with_thousands(&text) } else { text };
                                td.num[matches!(column.show, Show::Quantity | Show::Amount)] {
                                    @match column.show {
                                        Show::Link => a href=(format!("{}/{}", view.base, id)) { (if text.is_empty() { "—".to_string() } else { text }) },
                                        Show::Badge(_) => {
                                            @let raw = match &row.values()[index_of(column.key)] { Value::Text(t) => t.clone(), _ => String::new() };
                                            span.badge.(raw) { (text) }
                                        },
                                        _ => (text),
                                    }
                                }
                            }
                        }
                    }
                    @if list.rows.is_empty() { tr { td colspan=(visible.len() + 1) { (page.t("ui.list.empty")) } } }
                }
            }
        }
        div.pager {
            @if params.query.cursor.is_some() { a href=(format!("{}?{}", view.base, params.with(&[("cursor", None)]))) { "« " (page.t("ui.list.first_page")) } }
            @if let Some(next) = &list.next_cursor { a rel="next" href=(format!("{}?{}", view.base, params.with(&[("cursor", Some(next))]))) { (page.t("ui.list.next_page")) " »" } }
        }
    };
    shell(page, &title, body)
}

/// Writes the rows as CSV or XLSX with the view's columns, in the page's language.
fn export(page: &Page, view: &ListView, format: &str, rows: &[kernel::db::Row]) -> Response {
    let headers: Vec<String> = view.columns.iter().map(|c| page.t(c.label)).collect();
    let index_of = |key: &str| view.spec.columns.iter().position(|c| c.key == key).unwrap_or(0);
    let cells = |row: &kernel::db::Row| -> Vec<String> {
        view.columns.iter().map(|c| cell_text(page, c.show, &row.values()[index_of(c.key)])).collect()
    };
    let name = view.key.replace('.', "-");
    let (bytes, content_type, extension) = match format {
        "csv" => {
            let mut writer = csv::Writer::from_writer(Vec::from("\u{feff}".as_bytes()));
            let mut ok = writer.write_record(&headers).is_ok();
            for row in rows {
                ok &= writer.write_record(cells(row)).is_ok();
            }
            match (ok, writer.into_inner()) {
                (true, Ok(bytes)) => (bytes, "text/csv; charset=utf-8", "csv"),
                _ => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            }
        }
        "xlsx" => {
            let mut workbook = rust_xlsxwriter::Workbook::new();
            let sheet = workbook.add_worksheet();
            let mut ok = true;
            for (c, header) in headers.iter().enumerate() {
                ok &= sheet.write_string(0, c as u16, header).is_ok();
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, (text, column)) in cells(row).iter().zip(view.columns).enumerate() {
                    let (r, c) = (r as u32 + 1, c as u16);
                    ok &= match (column.show, text.parse::<f64>()) {
                        // Exact decimal text converted only at the spreadsheet boundary.
                        (Show::Quantity | Show::Amount, Ok(number)) => sheet.write_number(r, c, number).is_ok(),
                        _ => sheet.write_string(r, c, text).is_ok(),
                    };
                }
            }
            match (ok, workbook.save_to_buffer()) {
                (true, Ok(bytes)) => {
                    (bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
                }
                _ => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            }
        }
        _ => return StatusCode::BAD_REQUEST.into_response(),
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.{extension}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

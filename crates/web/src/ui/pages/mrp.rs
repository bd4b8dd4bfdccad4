//! MRP (物料需求计划) in the web client, for the planner: run MRP and see the planned make and
//! buy orders of the current plan, late ones highlighted, each with its pegging (需求追溯) —
//! the sales orders, forecasts, safety stock, work orders and parent planned orders it covers;
//! confirm the selected ones or all into work orders and a purchase requisition; the capacity
//! load of every work center per day (产能负荷), overloads and days off marked; and the
//! planning data of items and the demand forecasts (计划参数). Everything goes through
//! `production::mrp`, as the API does; the grid's and the highlights' stylesheet is served here,
//! as the pages' CSP allows no inline style.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kernel::db::Tx;
use kernel::{Ctx, Error, Quantity};
use maud::{Markup, html};
use production::mrp::{self, CapacityDay, Forecast, ForecastInput, ItemInput, ItemSettings, PlannedOrderView};
use production::permissions::{PLAN, READ};

use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::form::{self, Field, Input};
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page_for, shell};

const CSS: &str = r#"
.mrp-planned tr.late td { background: #fff4f2; }
.badge.late { background: #fdecea; color: var(--bad); }
.mrp-toolbar form { margin: 0; }
.load-scroll { overflow-x: auto; }
table.load-grid th, table.load-grid td { text-align: center; white-space: nowrap; }
table.load-grid th:first-child, table.load-grid td:first-child { text-align: left; }
table.load-grid td.over { background: #fdecea; color: var(--bad); font-weight: 600; }
table.load-grid td.off { background: #f0f2f5; color: var(--muted); }
table.load-grid .pct { display: block; font-size: 12px; color: var(--muted); }
table.load-grid td.over .pct { color: var(--bad); }
.mrp-legend { display: flex; gap: 12px; margin: 8px 0; font-size: 12px; }
.mrp-legend span { padding: 2px 8px; border-radius: var(--radius); }
.mrp-legend .over { background: #fdecea; color: var(--bad); }
.mrp-legend .off { background: #f0f2f5; color: var(--muted); }
"#;

/// The stylesheet of the MRP pages.
pub async fn css() -> Response {
    let mut response = CSS.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}

const KINDS: [&str; 2] = ["make", "buy"];
const LOT_POLICIES: [&str; 4] = ["lot_for_lot", "fixed", "minimum", "multiple"];
/// Planned orders shown at most.
const LIMIT: i64 = 1000;
/// Work order numbers named in the flash after a confirmation at most.
const NAMED: usize = 20;
/// The counts a redirect carries to its flash message.
const COUNTS: [&str; 6] = ["orders", "items", "late", "work_orders", "numbers", "purchases"];

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn stylesheet() -> Markup {
    html! { link rel="stylesheet" href="/production/mrp.css"; }
}

/// The message after a redirect (`?ok=`), with the counts the redirect carried.
fn done(page: &Page, query: Option<&str>) -> Markup {
    let params: Vec<(&'static str, String)> =
        COUNTS.iter().filter_map(|name| query_param(query, name).map(|value| (*name, value))).collect();
    html! {
        @if let Some(code) = query_param(query, "ok") { div.flash.ok role="status" { (page.t_with(&code, &params)) } }
    }
}

/// A refusal above the page: the first field's message, else the error's.
fn problem(page: &Page, error: Option<&Error>) -> Markup {
    html! {
        @if let Some(error) = error {
            div.flash.error role="alert" {
                @match error.fields().first() {
                    Some(f) => { (page.t_with(f.code, if f.params.is_empty() { error.params() } else { &f.params })) },
                    None => { (page.t_with(error.code(), error.params())) },
                }
            }
        }
    }
}

/// The message for `field` when the error names it.
fn field_message(page: &Page, error: Option<&Error>, field: &str) -> Option<String> {
    let error = error?;
    error.fields().iter().find(|f| f.field == field).map(|f| {
        let params = if f.params.is_empty() { error.params() } else { &f.params };
        page.t_with(f.code, params)
    })
}

fn with_status(mut response: Response, error: Option<&Error>) -> Response {
    if let Some(error) = error {
        *response.status_mut() =
            StatusCode::from_u16(error.kind().http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
    }
    response
}

/// Minutes as text ("660.0000") without the zero decimals ("660").
fn minutes(text: &str) -> String {
    match text.split_once('.') {
        Some((whole, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            if fraction.is_empty() { whole.to_string() } else { format!("{whole}.{fraction}") }
        }
        None => text.to_string(),
    }
}

/// The planner's page back, with the kind filter kept.
fn planner_href(kind: Option<&str>, extra: &str) -> String {
    let mut pairs: Vec<String> = Vec::new();
    if !extra.is_empty() {
        pairs.push(extra.to_string());
    }
    if let Some(kind) = kind {
        pairs.push(format!("kind={kind}"));
    }
    if pairs.is_empty() { "/production/mrp".to_string() } else { format!("/production/mrp?{}", pairs.join("&")) }
}

fn kind_of(text: Option<String>) -> Option<String> {
    text.filter(|k| KINDS.contains(&k.as_str()))
}

// ---------------------------------------------------------------------------------------------
// The planner's page: run, planned orders, confirmation.

fn planner_page(
    page: &Page,
    rows: &[PlannedOrderView],
    kind: Option<&str>,
    notice: Markup,
    error: Option<&Error>,
) -> Response {
    let may_plan = page.may(PLAN);
    let kind_field = html! { @if let Some(kind) = kind { input type="hidden" name="kind" value=(kind); } };
    let body = html! {
        (stylesheet())
        div.toolbar.mrp-toolbar {
            h1.grow { (page.t("ui.mrp.title")) }
            a.button href="/production/capacity" { (page.t("ui.mrp.capacity")) }
            a.button href="/production/planning" { (page.t("ui.mrp.planning")) }
            @if may_plan {
                form.inline method="post" action="/production/mrp/run" {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    (kind_field)
                    button.primary type="submit" { (page.t("ui.mrp.run")) }
                }
                @if !rows.is_empty() {
                    form.inline method="post" action="/production/mrp/confirm" {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        (kind_field)
                        button type="submit" data-confirm=(page.t("ui.mrp.confirm_all_question")) { (page.t("ui.mrp.confirm_all")) }
                    }
                }
            }
        }
        (notice)
        (problem(page, error))
        form.filters method="get" action="/production/mrp" {
            label for="kind-filter" { (page.t("ui.mrp.kind")) }
            select #kind-filter name="kind" data-autosubmit {
                option value="" { (page.t("ui.mrp.all_kinds")) }
                @for k in KINDS {
                    option value=(k) selected[kind == Some(k)] { (page.t(&format!("ui.mrp.kind.{k}"))) }
                }
            }
            " " button type="submit" { (page.t("ui.apply")) }
        }
        h2 { (page.t("ui.mrp.planned_orders")) " (" (rows.len()) ")" }
        form #planned-form method="post" action="/production/mrp/confirm" {
            input type="hidden" name="_csrf" value=(page.csrf());
            (kind_field)
            table.list.mrp-planned {
                thead { tr {
                    @if may_plan { th { input type="checkbox" data-select-all aria-label=(page.t("ui.list.select_all")); } }
                    th { (page.t("ui.production.product")) }
                    th { (page.t("ui.mrp.kind")) }
                    th.num { (page.t("ui.production.quantity")) }
                    th { (page.t("ui.mrp.release_date")) }
                    th { (page.t("ui.mrp.due_date")) }
                    th { (page.t("ui.mrp.late")) }
                    th.num { (page.t("ui.mrp.low_level_code")) }
                } }
                tbody {
                    @for o in rows {
                        tr.planned.late[o.late] data-id=(o.id) {
                            @if may_plan { td { input type="checkbox" name="ids" value=(o.id) aria-label=(page.t("ui.list.select_row")); } }
                            td { a href=(format!("/production/mrp/planned/{}", o.id)) { (o.product_code) } " " (o.product_name) }
                            td { (page.t(&format!("ui.mrp.kind.{}", o.kind))) }
                            td.num { (o.quantity) }
                            td { (o.release_date) }
                            td { (o.due_date) }
                            td { @if o.late { span.badge.late { (page.t("ui.mrp.late")) } } }
                            td.num { (o.low_level_code) }
                        }
                    }
                    @if rows.is_empty() { tr { td colspan="8" { (page.t("ui.mrp.none_planned")) } } }
                }
            }
            @if rows.len() as i64 >= LIMIT { p.meta { (page.t_with("ui.mrp.first_shown", &[("limit", LIMIT.to_string())])) } }
            @if may_plan && !rows.is_empty() {
                p { button.primary type="submit" name="scope" value="selected" { (page.t("ui.mrp.confirm_selected")) } }
            }
        }
    };
    with_status(shell(page, &page.t("ui.mrp.title"), body), error)
}

async fn render_planner(
    state: &AppState,
    page: &Page,
    kind: Option<String>,
    notice: Markup,
    error: Option<&Error>,
) -> Response {
    let ctx = page.ctx(state);
    let wanted = kind.clone();
    let listed = state
        .blocking(move |state| {
            state.db.read(|tx| mrp::list_planned(tx, &ctx, Some("planned"), wanted.as_deref(), Some(LIMIT)))
        })
        .await;
    match listed {
        Ok(rows) => planner_page(page, &rows, kind.as_deref(), notice, error),
        Err(e) => error_page_for(page, StatusCode::FORBIDDEN, &e.0),
    }
}

pub async fn planner(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let kind = kind_of(query_param(query.as_deref(), "kind"));
    let notice = done(&page, query.as_deref());
    render_planner(&state, &page, kind, notice, None).await
}

/// Runs MRP, then purges the earlier plan in batches (each its own transaction, as the API
/// does), and goes back to the plan with what the run made.
pub async fn run(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let kind = kind_of(form.get("kind").map(str::to_string));
    let ctx = page.ctx(&state);
    let summary = match state.blocking(move |state| state.db.write(|tx| mrp::run_mrp(tx, &ctx))).await {
        Ok(summary) => summary,
        Err(error) => return render_planner(&state, &page, kind, html! {}, Some(&error.0)).await,
    };
    let ctx = page.ctx(&state);
    let purged = state
        .blocking(move |state| {
            while state.db.write(|tx| mrp::purge_stale(tx, &ctx, 20_000))? > 0 {}
            Ok(())
        })
        .await;
    if let Err(error) = purged {
        return render_planner(&state, &page, kind, html! {}, Some(&error.0)).await;
    }
    let counts = format!("orders={}&items={}&late={}", summary.planned_orders, summary.items, summary.late);
    see_other(&planner_href(kind.as_deref(), &counts), Some("ui.mrp.ran"))
}

/// Confirms the planned orders ticked (`ids`, or `ids[]`); with none given, all of the plan —
/// unless the "confirm selected" button was pressed with nothing ticked, which is refused.
pub async fn confirm(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let kind = kind_of(form.get("kind").map(str::to_string));
    let mut ids = form.all("ids");
    ids.extend(form.all("ids[]"));
    ids.retain(|id| !id.trim().is_empty());
    if ids.is_empty() && form.get("scope") == Some("selected") {
        let error = Error::invalid("ui.mrp.none_selected");
        return render_planner(&state, &page, kind, html! {}, Some(&error)).await;
    }
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| mrp::confirm_planned(tx, &ctx, &ids))).await {
        Ok(confirmed) => {
            let mut numbers = confirmed.work_orders.iter().take(NAMED).cloned().collect::<Vec<_>>().join(", ");
            if confirmed.work_orders.len() > NAMED {
                numbers.push_str(", …");
            }
            if numbers.is_empty() {
                numbers.push('—');
            }
            let counts = format!(
                "work_orders={}&numbers={}&purchases={}",
                confirmed.work_orders.len(),
                encode(&numbers),
                confirmed.purchases
            );
            see_other(&planner_href(kind.as_deref(), &counts), Some("ui.mrp.confirmed"))
        }
        Err(error) => render_planner(&state, &page, kind, html! {}, Some(&error.0)).await,
    }
}

// ---------------------------------------------------------------------------------------------
// A planned order's pegging.

/// A planned order's header on its pegging page.
struct PlannedHeader {
    product_code: String,
    product_name: String,
    kind: String,
    quantity: String,
    release_date: String,
    due_date: String,
    late: bool,
    low_level_code: i64,
    state: String,
    work_order_id: Option<String>,
    requisition_id: Option<String>,
    requisition_number: Option<String>,
}

fn planned_header(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> kernel::Result<PlannedHeader> {
    ctx.require(READ)?;
    let row = tx
        .query_opt(
            "select p.code, p.name, o.kind, o.quantity, o.release_date, o.due_date, o.late, o.low_level_code, o.state,
                    o.work_order_id, o.requisition_id, o.requisition_number
             from production_planned_order o join product_product p on p.id = o.product_id
             where o.company_id = $1 and o.id = $2",
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("production.planned_order_not_found"))?;
    Ok(PlannedHeader {
        product_code: row.get(0)?,
        product_name: row.get(1)?,
        kind: row.get(2)?,
        quantity: Quantity::from_scaled(row.get(3)?).to_string(),
        release_date: row.get(4)?,
        due_date: row.get(5)?,
        late: row.get(6)?,
        low_level_code: row.get(7)?,
        state: row.get(8)?,
        work_order_id: row.get(9)?,
        requisition_id: row.get(10)?,
        requisition_number: row.get(11)?,
    })
}

/// Where a demand of a pegging line is shown, when it has a page.
fn demand_href(kind: &str, id: &str) -> Option<String> {
    match kind {
        "sales.order" => Some(format!("/sales/orders/{id}")),
        "production.work_order" => Some(format!("/production/work-orders/{id}")),
        "production.planned_order" => Some(format!("/production/mrp/planned/{id}")),
        "inventory.picking" => Some(format!("/inventory/pickings/{id}")),
        _ => None,
    }
}

fn demand_kind(page: &Page, kind: &str) -> String {
    let key = format!("ui.mrp.demand.{}", kind.replace('.', "_"));
    if page.catalog.contains(&key) { page.t(&key) } else { kind.to_string() }
}

pub async fn planned(State(state): State<AppState>, page: Page, Path(id): Path<String>) -> Response {
    let ctx = page.ctx(&state);
    let wanted = id.clone();
    let loaded = state
        .blocking(move |state| {
            state.db.read(|tx| {
                let header = planned_header(tx, &ctx, &wanted)?;
                let lines = mrp::pegging_of(tx, &ctx, &wanted)?;
                Ok((header, lines))
            })
        })
        .await;
    let (order, lines) = match loaded {
        Ok(found) => found,
        Err(e) => {
            let status = StatusCode::from_u16(e.0.kind().http_status()).unwrap_or(StatusCode::NOT_FOUND);
            return error_page_for(&page, status, &e.0);
        }
    };
    let title = format!("{} · {}", page.t("ui.mrp.pegging"), order.product_code);
    let body = html! {
        (stylesheet())
        h1 { (title) " " (form::badge(&page, "ui.mrp.state.", &order.state)) }
        p { a href="/production/mrp" { "← " (page.t("ui.mrp.title")) } }
        section.panel {
            h2 { (page.t("ui.mrp.planned_order")) }
            dl.facts {
                dt { (page.t("ui.production.product")) } dd { (order.product_code) " " (order.product_name) }
                dt { (page.t("ui.mrp.kind")) } dd { (page.t(&format!("ui.mrp.kind.{}", order.kind))) }
                dt { (page.t("ui.production.quantity")) } dd { (order.quantity) }
                dt { (page.t("ui.mrp.release_date")) } dd { (order.release_date) }
                dt { (page.t("ui.mrp.due_date")) } dd { (order.due_date) @if order.late { " " span.badge.late { (page.t("ui.mrp.late")) } } }
                dt { (page.t("ui.mrp.low_level_code")) } dd { (order.low_level_code) }
                @if let Some(work_order) = &order.work_order_id {
                    dt { (page.t("ui.mrp.work_order")) }
                    dd { a href=(format!("/production/work-orders/{work_order}")) { (page.t("ui.inventory.open")) } }
                }
                @if let (Some(requisition), Some(number)) = (&order.requisition_id, &order.requisition_number) {
                    dt { (page.t("ui.mrp.requisition")) }
                    dd { a href=(format!("/purchasing/requisitions/{requisition}")) { (number) } }
                }
            }
        }
        section.panel {
            h2 { (page.t("ui.mrp.pegging")) }
            table.list.pegging {
                thead { tr {
                    th { (page.t("ui.mrp.demand_kind")) }
                    th { (page.t("ui.mrp.demand")) }
                    th { (page.t("ui.mrp.demand_date")) }
                    th.num { (page.t("ui.production.quantity")) }
                } }
                tbody {
                    @for l in &lines {
                        tr.peg {
                            td { (demand_kind(&page, &l.demand_kind)) }
                            td {
                                @match demand_href(&l.demand_kind, &l.demand_id) {
                                    Some(href) => a href=(href) { (l.demand_label) },
                                    None => (l.demand_label),
                                }
                            }
                            td { (l.demand_date) }
                            td.num { (l.quantity) }
                        }
                    }
                    @if lines.is_empty() { tr { td colspan="4" { (page.t("ui.production.none")) } } }
                }
            }
        }
    };
    shell(&page, &title, body)
}

// ---------------------------------------------------------------------------------------------
// Capacity load.

fn capacity_page(page: &Page, days: &[CapacityDay], from: &str, span: i64, error: Option<&Error>) -> Response {
    // Rows by work center in the order given (by code, then day).
    let mut centers: Vec<(&str, &str, Vec<&CapacityDay>)> = Vec::new();
    for d in days {
        match centers.last_mut() {
            Some((code, _, cells)) if *code == d.work_center => cells.push(d),
            _ => centers.push((&d.work_center, &d.name, vec![d])),
        }
    }
    let dates: Vec<&str> =
        centers.first().map(|(_, _, cells)| cells.iter().map(|d| d.date.as_str()).collect()).unwrap_or_default();
    let from_error = field_message(page, error, "from");
    let body = html! {
        (stylesheet())
        div.toolbar {
            h1.grow { (page.t("ui.mrp.capacity")) }
            a.button href="/production/mrp" { (page.t("ui.mrp.title")) }
        }
        @if error.is_some_and(|e| e.fields().is_empty()) { (problem(page, error)) }
        form.filters method="get" action="/production/capacity" {
            div.field.invalid[from_error.is_some()] {
                label for="capacity-from" { (page.t("ui.mrp.from")) }
                input #capacity-from type="date" name="from" value=(from) aria-invalid=[from_error.is_some().then_some("true")];
                @if let Some(message) = &from_error { span.error role="alert" { (message) } }
            }
            div.field {
                label for="capacity-days" { (page.t("ui.mrp.days")) }
                input #capacity-days type="number" min="1" max="120" name="days" value=(span);
            }
            " " button type="submit" { (page.t("ui.apply")) }
        }
        div.mrp-legend {
            span.over { (page.t("ui.mrp.overloaded")) }
            span.off { (page.t("ui.mrp.day_off")) }
        }
        div.load-scroll {
            table.list.load-grid {
                thead { tr {
                    th { (page.t("ui.production.work_center")) }
                    @for date in &dates { th scope="col" { (date) } }
                } }
                tbody {
                    @for (code, name, cells) in &centers {
                        tr data-center=(code) {
                            td { (code) " " (name) }
                            @for d in cells {
                                // No capacity that day: the percentage is left empty.
                                @let off = d.load_percent.is_empty();
                                @let class = match (off, d.overloaded) {
                                    (true, true) => Some("off over"),
                                    (true, false) => Some("off"),
                                    (false, true) => Some("over"),
                                    (false, false) => None,
                                };
                                td class=[class] data-date=(d.date) {
                                    @if off {
                                        (page.t("ui.mrp.day_off"))
                                        @if d.load_scaled > 0 { span.pct { (minutes(&d.load_minutes)) " " (page.t("ui.mrp.minutes")) } }
                                    } @else {
                                        (minutes(&d.load_minutes)) " / " (minutes(&d.capacity_minutes))
                                        span.pct { (d.load_percent) "%" }
                                    }
                                }
                            }
                        }
                    }
                    @if centers.is_empty() { tr { td { (page.t("ui.production.none")) } } }
                }
            }
        }
        p.meta { (page.t("ui.mrp.capacity_hint")) }
    };
    with_status(shell(page, &page.t("ui.mrp.capacity"), body), error)
}

pub async fn capacity(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let from = query_param(query.as_deref(), "from").unwrap_or_default();
    let span =
        query_param(query.as_deref(), "days").and_then(|d| d.trim().parse::<i64>().ok()).unwrap_or(14).clamp(1, 120);
    let ctx = page.ctx(&state);
    let first = from.clone();
    let loaded =
        state.blocking(move |state| state.db.read(|tx| mrp::capacity_load(tx, &ctx, Some(first.as_str()), span))).await;
    match loaded {
        Ok(days) => {
            let shown = days.first().map(|d| d.date.clone()).unwrap_or(from);
            capacity_page(&page, &days, &shown, span, None)
        }
        Err(error) => capacity_page(&page, &[], &from, span, Some(&error.0)),
    }
}

// ---------------------------------------------------------------------------------------------
// Planning data and forecasts.

/// Which of the planning page's forms a refusal belongs to.
enum Refused<'a> {
    Item(&'a Error),
    Forecast(&'a Error),
}

/// What the item form shows: the values sent back, or the product's current planning data.
enum ItemValues<'a> {
    Empty,
    Sent(&'a FormData),
    Current(&'a str, &'a ItemSettings),
}

/// A quantity for the form: empty when zero.
fn shown_quantity(text: &str) -> String {
    if text.parse::<Quantity>().is_ok_and(|q| q.scaled() == 0) { String::new() } else { text.to_string() }
}

fn planning_page(
    page: &Page,
    item: ItemValues<'_>,
    forecasts: &[Forecast],
    sent_forecast: Option<&FormData>,
    refused: Option<Refused<'_>>,
    notice: Markup,
) -> Response {
    let may_plan = page.may(PLAN);
    let (item_error, forecast_error) = match &refused {
        Some(Refused::Item(e)) => (Some(*e), None),
        Some(Refused::Forecast(e)) => (None, Some(*e)),
        None => (None, None),
    };
    let value = |name: &str| -> String {
        match &item {
            ItemValues::Empty => String::new(),
            ItemValues::Sent(form) => form.text(name),
            ItemValues::Current(product, s) => match name {
                "product" => product.to_string(),
                "procurement" => s.procurement.clone(),
                "lot_policy" => s.lot_policy.clone(),
                "lot_qty" => shown_quantity(&s.lot_qty),
                "min_qty" => shown_quantity(&s.min_qty),
                "multiple" => shown_quantity(&s.multiple),
                "lead_days" => s.lead_days.map(|d| d.to_string()).unwrap_or_default(),
                _ => String::new(),
            },
        }
    };
    let checked = |name: &str| -> bool {
        match &item {
            ItemValues::Empty => false,
            ItemValues::Sent(form) => form.get(name).is_some(),
            ItemValues::Current(_, s) => {
                if name == "make_to_order" {
                    s.make_to_order
                } else {
                    s.backflush
                }
            }
        }
    };
    let procurement = KINDS.iter().map(|k| (k.to_string(), page.t(&format!("ui.mrp.kind.{k}")))).collect();
    let policies = LOT_POLICIES.iter().map(|p| (p.to_string(), page.t(&format!("ui.mrp.lot_policy.{p}")))).collect();
    let fields = vec![
        Field::new("product", "ui.production.product_code", Input::Text, value("product")).required(),
        Field::new("procurement", "ui.mrp.procurement", Input::Select(procurement), value("procurement")),
        Field::new("lot_policy", "ui.mrp.lot_policy", Input::Select(policies), value("lot_policy")),
        Field::new("lot_qty", "ui.mrp.lot_qty", Input::Decimal, value("lot_qty")),
        Field::new("min_qty", "ui.mrp.min_qty", Input::Decimal, value("min_qty")),
        Field::new("multiple", "ui.mrp.multiple", Input::Decimal, value("multiple")),
        Field::new("lead_days", "ui.mrp.lead_days", Input::Text, value("lead_days")),
    ];
    let sent = |name: &str| sent_forecast.map(|f| f.text(name)).unwrap_or_default();
    let forecast_field = |name: &'static str, label: &'static str, kind: &'static str, required: bool| {
        let message = field_message(page, forecast_error, name);
        let id = format!("forecast-{name}");
        html! {
            div.field.invalid[message.is_some()] {
                label for=(id) { (page.t(label)) @if required { " *" } }
                @if kind == "decimal" {
                    input #(id) type="text" inputmode="decimal" name=(name) value=(sent(name)) required[required] aria-invalid=[message.is_some().then_some("true")];
                } @else {
                    input #(id) type=(kind) name=(name) value=(sent(name)) required[required] aria-invalid=[message.is_some().then_some("true")];
                }
                @if let Some(message) = message { span.error role="alert" { (message) } }
            }
        }
    };
    let body = html! {
        div.toolbar {
            h1.grow { (page.t("ui.mrp.planning")) }
            a.button href="/production/mrp" { (page.t("ui.mrp.title")) }
        }
        (notice)
        section.panel {
            h2 { (page.t("ui.mrp.item_data")) }
            form.filters method="get" action="/production/planning" {
                label for="item-lookup" { (page.t("ui.production.product_code")) }
                input #item-lookup type="text" name="product" value=(value("product")) data-lookup="products";
                " " button type="submit" { (page.t("ui.mrp.show_item")) }
            }
            (form::form_error(page, item_error.filter(|e| e.fields().is_empty())))
            @if may_plan {
                form #item-form method="post" action="/production/planning/item" data-save {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    (form::fields(page, &fields, item_error))
                    p {
                        label { input type="checkbox" name="make_to_order" value="1" checked[checked("make_to_order")]; " " (page.t("ui.mrp.make_to_order")) }
                        " "
                        label { input type="checkbox" name="backflush" value="1" checked[checked("backflush")]; " " (page.t("ui.mrp.backflush")) }
                    }
                    p { button.primary type="submit" { (page.t("ui.save")) } }
                }
            } @else {
                (form::fields(page, &fields.into_iter().map(|f| f.readonly(true)).collect::<Vec<_>>(), item_error))
            }
        }
        section.panel {
            h2 { (page.t("ui.mrp.forecasts")) }
            (form::form_error(page, forecast_error.filter(|e| e.fields().is_empty())))
            @if may_plan {
                form #forecast-form method="post" action="/production/planning/forecast" {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    div.form-grid {
                        (forecast_field("product", "ui.production.product_code", "text", true))
                        (forecast_field("date", "ui.mrp.forecast_date", "date", true))
                        (forecast_field("quantity", "ui.production.quantity", "decimal", true))
                        (forecast_field("note", "ui.production.note", "text", false))
                    }
                    p { button.primary type="submit" { (page.t("ui.mrp.add_forecast")) } }
                }
            }
            table.list.forecasts {
                thead { tr {
                    th { (page.t("ui.mrp.forecast_date")) }
                    th { (page.t("ui.production.product")) }
                    th.num { (page.t("ui.production.quantity")) }
                    th { (page.t("ui.production.note")) }
                } }
                tbody {
                    @for f in forecasts {
                        tr.forecast { td { (f.date) } td { (f.product_code) } td.num { (f.quantity) } td { (f.note) } }
                    }
                    @if forecasts.is_empty() { tr { td colspan="4" { (page.t("ui.production.none")) } } }
                }
            }
        }
    };
    let error = match refused {
        Some(Refused::Item(e) | Refused::Forecast(e)) => Some(e),
        None => None,
    };
    with_status(shell(page, &page.t("ui.mrp.planning"), body), error)
}

async fn load_forecasts(state: &AppState, page: &Page) -> Result<Vec<Forecast>, Response> {
    let ctx = page.ctx(state);
    state
        .blocking(move |state| state.db.read(|tx| mrp::list_forecasts(tx, &ctx)))
        .await
        .map_err(|e| error_page_for(page, StatusCode::FORBIDDEN, &e.0))
}

pub async fn planning(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let forecasts = match load_forecasts(&state, &page).await {
        Ok(forecasts) => forecasts,
        Err(response) => return response,
    };
    let notice = done(&page, query.as_deref());
    let Some(product) = query_param(query.as_deref(), "product").map(|p| p.trim().to_string()) else {
        return planning_page(&page, ItemValues::Empty, &forecasts, None, None, notice);
    };
    let ctx = page.ctx(&state);
    let wanted = product.clone();
    match state.blocking(move |state| state.db.read(|tx| mrp::get_item(tx, &ctx, &wanted))).await {
        Ok(settings) => planning_page(&page, ItemValues::Current(&product, &settings), &forecasts, None, None, notice),
        Err(error) => {
            let sent = FormData(vec![("product".into(), product.clone())]);
            planning_page(&page, ItemValues::Sent(&sent), &forecasts, None, Some(Refused::Item(&error.0)), notice)
        }
    }
}

fn item_input(form: &FormData) -> Result<ItemInput, Error> {
    let optional = |name: &str| Some(form.text(name)).filter(|v| !v.is_empty());
    let lead_days = match optional("lead_days") {
        None => None,
        Some(text) => Some(text.parse::<i64>().map_err(|_| Error::field("lead_days", "production.lead_days_invalid"))?),
    };
    Ok(ItemInput {
        product: form.text("product"),
        procurement: form.text("procurement"),
        lot_policy: form.text("lot_policy"),
        lot_qty: optional("lot_qty"),
        min_qty: optional("min_qty"),
        multiple: optional("multiple"),
        lead_days,
        make_to_order: form.get("make_to_order").is_some(),
        backflush: form.get("backflush").is_some(),
    })
}

pub async fn set_item(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let saved = match item_input(&form) {
        Ok(input) => {
            let ctx = page.ctx(&state);
            state.blocking(move |state| state.db.write(|tx| mrp::set_item(tx, &ctx, &input))).await.map_err(|e| e.0)
        }
        Err(error) => Err(error),
    };
    match saved {
        Ok(_) => {
            see_other(&format!("/production/planning?product={}", encode(&form.text("product"))), Some("ui.saved"))
        }
        Err(error) => {
            let forecasts = match load_forecasts(&state, &page).await {
                Ok(forecasts) => forecasts,
                Err(response) => return response,
            };
            planning_page(&page, ItemValues::Sent(&form), &forecasts, None, Some(Refused::Item(&error)), html! {})
        }
    }
}

pub async fn add_forecast(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input = ForecastInput {
        product: form.text("product"),
        date: form.text("date"),
        quantity: form.text("quantity"),
        note: form.text("note"),
    };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| mrp::add_forecast(tx, &ctx, &input))).await {
        Ok(_) => see_other("/production/planning", Some("ui.mrp.forecast_added")),
        Err(error) => {
            let forecasts = match load_forecasts(&state, &page).await {
                Ok(forecasts) => forecasts,
                Err(response) => return response,
            };
            let refused = Some(Refused::Forecast(&error.0));
            planning_page(&page, ItemValues::Empty, &forecasts, Some(&form), refused, html! {})
        }
    }
}

//! The shop floor in the web client. (a) The tablet at a work station (工位平板): the open
//! operations of running work orders for the logged-in worker (or `?worker=`), each with what
//! is left to do and big Start / Pause / Report buttons; a scan field, focused on arrival, takes
//! a work order number or lot code from a keyboard-wedge scanner and shows that order's
//! operations. A report left without minutes takes the minutes run between start and pause.
//! (b) The workshop board (车间大屏, `/shop/board?workshop=`): per work center the day's good
//! output, yield and OEE, dark and large for a wall screen, reloading itself every 30 seconds.
//! Their stylesheet and the full-screen button's script are served here, as no inline style or
//! script is allowed by the pages' CSP.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use production::permissions::WORK;
use production::shop_floor::OpenOperation;

use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page_for, html_response, shell};

const CSS: &str = r#"
.shop h1 { font-size: 1.6rem; }
.shop-scan { display: flex; gap: .5rem; margin: .5rem 0 1rem; }
.shop-scan input { flex: 1; font-size: 1.5rem; padding: .6rem; min-height: 3.5rem; }
.shop-scan button { font-size: 1.3rem; min-width: 7rem; min-height: 3.5rem; }
.shop-ops { display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); gap: 1rem; }
.shop-op { border: 2px solid #c8ced6; border-radius: 10px; padding: 1rem; background: #fff; }
.shop-op.running { border-color: #1a7f37; background: #f0fff4; }
.shop-op h2 { font-size: 1.25rem; margin: 0 0 .25rem; }
.shop-op .what { font-size: 1.1rem; margin: 0 0 .5rem; }
.shop-figures { display: flex; gap: 1.2rem; flex-wrap: wrap; font-size: 1.05rem; margin-bottom: .75rem; }
.shop-figures strong { font-size: 1.6rem; display: block; }
.shop-buttons { display: flex; gap: .75rem; margin-bottom: .75rem; }
.shop-buttons form { flex: 1; }
.shop-op button { width: 100%; min-height: 4rem; font-size: 1.4rem; border-radius: 8px; }
.shop-op button.shop-start { background: #1a7f37; color: #fff; border-color: #1a7f37; }
.shop-op button.shop-pause { background: #bf8700; color: #fff; border-color: #bf8700; }
.shop-op button.shop-report { background: #0969da; color: #fff; border-color: #0969da; }
.shop-report-form { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem; }
.shop-report-form label { font-size: 1rem; }
.shop-report-form input { width: 100%; font-size: 1.3rem; min-height: 3rem; padding: .3rem .5rem; }
.shop-report-form .wide { grid-column: 1 / -1; }
.shop-answer { font-size: 1.4rem; padding: .75rem 1rem; border-radius: 8px; margin-bottom: 1rem; }
.shop-answer.ok { background: #dafbe1; color: #116329; }
.shop-answer.error { background: #ffebe9; color: #a40e26; }
body.shop-board { margin: 0; background: #0b1020; color: #e6edf3; font-family: system-ui, "Noto Sans CJK SC", sans-serif; min-height: 100vh; }
.shop-board header { display: flex; align-items: baseline; gap: 2rem; padding: 1.2rem 2rem; border-bottom: 1px solid #263040; }
.shop-board header h1 { font-size: 2.6rem; margin: 0; flex: 1; }
.shop-board header .when { font-size: 1.6rem; color: #8b98a9; }
.shop-board header button { background: #263040; color: #e6edf3; border: 1px solid #3b4656; font-size: 1.2rem; padding: .4rem 1rem; }
.shop-tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(24rem, 1fr)); gap: 1.5rem; padding: 1.5rem 2rem; }
.shop-tile { background: #131a2e; border: 1px solid #263040; border-radius: 14px; padding: 1.2rem 1.5rem; }
.shop-tile.total { border-color: #58a6ff; }
.shop-tile h2 { font-size: 1.8rem; margin: 0 0 .8rem; color: #c9d1d9; }
.shop-tile .oee { font-size: 4.5rem; font-weight: 700; line-height: 1; }
.shop-tile .oee small { font-size: 1.3rem; font-weight: 400; color: #8b98a9; margin-left: .5rem; }
.shop-tile .good { color: #3fb950; } .shop-tile .warn { color: #d29922; } .shop-tile .bad { color: #f85149; } .shop-tile .idle { color: #6e7681; }
.shop-tile dl { display: grid; grid-template-columns: auto 1fr; gap: .3rem 1rem; font-size: 1.5rem; margin: 1rem 0 0; }
.shop-tile dt { color: #8b98a9; } .shop-tile dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
"#;

const JS: &str = r#"document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector("[data-fullscreen]");
  if (!button) { return; }
  if (!document.documentElement.requestFullscreen) { button.hidden = true; return; }
  button.addEventListener("click", function () {
    if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
  });
});
"#;

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}

pub async fn css() -> Response {
    asset(CSS, "text/css; charset=utf-8")
}

pub async fn js() -> Response {
    asset(JS, "text/javascript; charset=utf-8")
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The tablet's address for a worker, optionally one work order.
fn tablet_href(worker: &str, order: Option<&str>) -> String {
    let mut href = format!("/shop/tablet?worker={}", encode(worker));
    if let Some(order) = order.filter(|o| !o.is_empty()) {
        href.push_str(&format!("&order={}", encode(order)));
    }
    href
}

/// Minutes scaled 10^4 as text ("25.0000") shown to one decimal.
fn short(minutes: &str) -> String {
    match minutes.split_once('.') {
        Some((whole, fraction)) => format!("{whole}.{}", fraction.chars().next().unwrap_or('0')),
        None => minutes.to_string(),
    }
}

/// A stored timestamp shown as the Beijing time of day.
fn clock_time(timestamp: &str) -> String {
    kernel::clock::parse_timestamp(timestamp)
        .map(|t| {
            let local = t.to_offset(kernel::clock::CHINA_OFFSET);
            format!("{:02}:{:02}", local.hour(), local.minute())
        })
        .unwrap_or_default()
}

struct Tablet<'a> {
    worker: &'a str,
    order: Option<&'a str>,
    ok: Option<&'a str>,
    error: Option<String>,
}

fn operation_card(page: &Page, t: &Tablet<'_>, op: &OpenOperation) -> Markup {
    let may_work = page.may(WORK);
    let hidden = html! {
        input type="hidden" name="_csrf" value=(page.csrf());
        input type="hidden" name="worker" value=(t.worker);
        input type="hidden" name="order" value=(t.order.unwrap_or_default());
    };
    html! {
        article.shop-op.running[op.running_since.is_some()] #(format!("op-{}", op.id)) {
            h2 { (op.number) " · " (op.product_code) " " (op.product_name) @if let Some(lot) = &op.lot { " · " (lot) } }
            p.what { (op.seq) " " (op.name) " @ " (op.work_center) }
            div.shop-figures {
                span { (page.t("ui.shop.remaining")) strong.remaining { (op.remaining) } }
                span { (page.t("ui.production.good")) strong { (op.good) } }
                span { (page.t("ui.production.scrap")) strong { (op.scrap) } }
                span { (page.t("ui.shop.run_minutes")) strong.run-minutes { (short(&op.run_minutes)) } }
                @if let Some(since) = &op.running_since {
                    span { (page.t("ui.shop.running_since")) strong { (clock_time(since)) } }
                }
            }
            @if may_work {
                div.shop-buttons {
                    @if op.running_since.is_some() {
                        form method="post" action="/shop/tablet/pause" {
                            (hidden)
                            input type="hidden" name="operation" value=(op.id);
                            button.shop-pause type="submit" { "⏸ " (page.t("ui.shop.pause")) }
                        }
                    } @else {
                        form method="post" action="/shop/tablet/start" {
                            (hidden)
                            input type="hidden" name="operation" value=(op.id);
                            button.shop-start type="submit" { "▶ " (page.t("ui.shop.start")) }
                        }
                    }
                }
                form.shop-report-form method="post" action="/shop/tablet/report" {
                    (hidden)
                    input type="hidden" name="work_order" value=(op.work_order_id);
                    input type="hidden" name="operation" value=(op.seq);
                    div { label for=(format!("good-{}", op.id)) { (page.t("ui.production.good")) }
                        input #(format!("good-{}", op.id)) type="text" inputmode="decimal" name="good" autocomplete="off"; }
                    div { label for=(format!("scrap-{}", op.id)) { (page.t("ui.production.scrap")) }
                        input #(format!("scrap-{}", op.id)) type="text" inputmode="decimal" name="scrap" autocomplete="off"; }
                    div.wide { label for=(format!("reason-{}", op.id)) { (page.t("ui.production.defect_reason")) }
                        input #(format!("reason-{}", op.id)) type="text" name="defect_reason"; }
                    div.wide { button.shop-report type="submit" { "✔ " (page.t("ui.shop.report")) } }
                }
            }
        }
    }
}

fn tablet_page(page: &Page, t: &Tablet<'_>, ops: &[OpenOperation]) -> Response {
    let shown: Vec<&OpenOperation> = ops.iter().filter(|o| t.order.is_none_or(|id| o.work_order_id == id)).collect();
    let body = html! {
        link rel="stylesheet" href="/shop/shop.css";
        div.shop {
            h1 { (page.t("ui.shop.tablet")) " · " (t.worker) }
            @if let Some(code) = t.ok { div.shop-answer.ok role="status" { "✓ " (page.t(code)) } }
            @if let Some(error) = &t.error { div.shop-answer.error role="alert" { "✗ " (error) } }
            form.shop-scan method="get" action="/shop/tablet" {
                input type="hidden" name="worker" value=(t.worker);
                label.sr-only for="scan" { (page.t("ui.shop.scan")) }
                input #scan type="text" name="scan" autofocus autocomplete="off" enterkeyhint="go" placeholder=(page.t("ui.shop.scan"));
                button type="submit" { (page.t("ui.scan.ok")) }
            }
            @if t.order.is_some() {
                p { @if let Some(first) = shown.first() { strong { (first.number) } " · " } a href=(tablet_href(t.worker, None)) { (page.t("ui.shop.all_orders")) } }
            }
            @if shown.is_empty() { p.shop-answer { (page.t("ui.shop.nothing_open")) } }
            div.shop-ops { @for op in &shown { (operation_card(page, t, op)) } }
        }
    };
    let mut response = shell(page, &page.t("ui.shop.tablet"), body);
    if t.error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

async fn render_tablet(state: &AppState, page: &Page, t: Tablet<'_>) -> Response {
    let ctx = page.ctx(state);
    let worker = t.worker.to_string();
    match state
        .blocking(move |state| state.db.read(|tx| production::shop_floor::open_operations(tx, &ctx, Some(&worker))))
        .await
    {
        Ok(ops) => tablet_page(page, &t, &ops),
        Err(error) => error_page_for(page, StatusCode::FORBIDDEN, &error.0),
    }
}

fn worker_of(page: &Page, given: Option<String>) -> String {
    given.map(|w| w.trim().to_string()).filter(|w| !w.is_empty()).unwrap_or_else(|| page.principal.display_name.clone())
}

pub async fn tablet(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let get = |key: &str| query_param(query.as_deref(), key);
    let worker = worker_of(&page, get("worker"));
    if let Some(code) = get("scan").map(|c| c.trim().to_string()).filter(|c| !c.is_empty()) {
        let ctx = page.ctx(&state);
        let scanned = code.clone();
        let found = state
            .blocking(move |state| state.db.read(|tx| production::shop_floor::find_by_scan(tx, &ctx, &scanned)))
            .await;
        return match found {
            Ok(order) => see_other(&tablet_href(&worker, Some(&order)), None),
            Err(error) => {
                let text = page.t_with(error.0.code(), error.0.params());
                render_tablet(&state, &page, Tablet { worker: &worker, order: None, ok: None, error: Some(text) }).await
            }
        };
    }
    let (order, ok) = (get("order"), get("ok"));
    render_tablet(&state, &page, Tablet { worker: &worker, order: order.as_deref(), ok: ok.as_deref(), error: None })
        .await
}

/// Runs a tablet action and goes back to the tablet, with the problem if refused.
async fn tablet_action<F>(state: &AppState, page: &Page, form: &FormData, work: F) -> Response
where
    F: FnOnce(&mut kernel::db::Tx<'_>, &kernel::Ctx, &str) -> kernel::Result<()> + Send + 'static,
{
    let worker = worker_of(page, form.get("worker").map(str::to_string));
    let order = Some(form.text("order")).filter(|o| !o.is_empty());
    let ctx = page.ctx(state);
    let who = worker.clone();
    match state.blocking(move |state| state.db.write(|tx| work(tx, &ctx, &who))).await {
        Ok(()) => see_other(&tablet_href(&worker, order.as_deref()), Some("ui.saved")),
        Err(error) => {
            let e = &error.0;
            let (code, params) = match e.fields().first() {
                Some(f) => (f.code, if f.params.is_empty() { e.params() } else { &f.params }),
                None => (e.code(), e.params()),
            };
            let text = page.t_with(code, params);
            render_tablet(state, page, Tablet { worker: &worker, order: order.as_deref(), ok: None, error: Some(text) })
                .await
        }
    }
}

pub async fn start(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let operation = form.text("operation");
    tablet_action(&state, &page, &form, move |tx, ctx, worker| {
        production::shop_floor::start_operation(tx, ctx, &operation, worker).map(|_| ())
    })
    .await
}

pub async fn pause(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let operation = form.text("operation");
    tablet_action(&state, &page, &form, move |tx, ctx, worker| {
        production::shop_floor::pause_operation(tx, ctx, &operation, worker).map(|_| ())
    })
    .await
}

/// A job report from the tablet: no minutes, so the minutes run since Start count.
pub async fn report(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let mut input = super::production::job_report(&form);
    input.minutes = None;
    let order = form.text("work_order");
    tablet_action(&state, &page, &form, move |tx, ctx, worker| {
        let id = production::work_order::WorkOrderId::parse(&order)
            .map_err(|_| kernel::Error::not_found("production.work_order_not_found"))?;
        input.worker = worker.to_string();
        production::work_order::report_job(tx, ctx, id, &input).map(|_| ())
    })
    .await
}

/// The OEE colour of a tile: green from 85 %, amber from 60 %, red below, grey when idle.
fn grade(oee: Option<i64>) -> &'static str {
    match oee {
        None => "idle",
        Some(o) if o >= 850_000 => "good",
        Some(o) if o >= 600_000 => "warn",
        Some(_) => "bad",
    }
}

fn tile(page: &Page, row: &production::board::BoardRow, title: &str, total: bool) -> Markup {
    let dash = |v: &Option<String>| v.as_ref().map(|p| format!("{p}%")).unwrap_or_else(|| "—".into());
    // Quantities in their unit's decimals, as people count them on the floor: 1,200 个, not 1200.0000.
    let count = |q: &str| kernel::money::quantity_shown(q, row.digits);
    html! {
        section.shop-tile.total[total] data-center=(row.work_center) {
            h2 { (title) }
            div.oee.(grade(row.oee_millionths)) { (dash(&row.oee)) small { "OEE" } }
            dl {
                dt { (page.t("ui.shop.output")) } dd.output { (count(&row.good)) }
                dt { (page.t("ui.production.scrap")) } dd { (count(&row.scrap)) }
                dt { (page.t("ui.shop.yield")) } dd.yield { (dash(&row.yield_percent)) }
                dt { (page.t("ui.shop.availability")) } dd { (dash(&row.availability)) }
                dt { (page.t("ui.shop.performance")) } dd { (dash(&row.performance)) }
                dt { (page.t("ui.shop.quality")) } dd { (dash(&row.quality)) }
            }
        }
    }
}

pub async fn board(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let (workshop, date) = (query_param(query.as_deref(), "workshop"), query_param(query.as_deref(), "date"));
    let ctx = page.ctx(&state);
    let loaded = state
        .blocking(move |state| {
            state.db.read(|tx| production::board::board(tx, &ctx, workshop.as_deref(), date.as_deref()))
        })
        .await;
    let board = match loaded {
        Ok(board) => board,
        Err(error) => return error_page_for(&page, StatusCode::UNPROCESSABLE_ENTITY, &error.0),
    };
    let now = page.ctx(&state).now().to_offset(kernel::clock::CHINA_OFFSET);
    let title = if board.workshop.is_empty() {
        page.t("ui.shop.board")
    } else {
        format!("{} · {}", board.workshop, page.t("ui.shop.board"))
    };
    let markup = html! {
        (DOCTYPE)
        html lang=(page.locale.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="refresh" content="30";
                title { (title) " · 天工 Tiangong" }
                link rel="stylesheet" href="/shop/shop.css";
                script src="/shop/shop.js" defer {}
            }
            body.shop-board {
                header {
                    h1 { (title) }
                    span.when { (board.date) " " (format!("{:02}:{:02}", now.hour(), now.minute())) }
                    button type="button" data-fullscreen { (page.t("ui.shop.fullscreen")) }
                }
                main.shop-tiles {
                    @for row in &board.rows { (tile(&page, row, &format!("{} {}", row.work_center, row.name), false)) }
                    (tile(&page, &board.total, &page.t("ui.shop.total"), true))
                }
            }
        }
    };
    html_response(StatusCode::OK, markup)
}

//! Work orders (生产工单) in the web client: the list filtered by state, a new work order, and
//! the work order's page — header, costs, planned and issued materials, operations with their
//! good and scrapped units — with the buttons its state allows: confirm, issue materials, report
//! a job (报工), receive finished goods, finish, close, cancel. Everything goes through
//! `production::work_order`, as the API does.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use kernel::Error;
use maud::html;
use production::permissions::WORK;
use production::work_order::{JobReport, WorkOrder, WorkOrderId, WorkOrderInput};

use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::form::{self, Field, Input};
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, flash, shell};
use crate::ui::quantities::Digits;

const STATES: [&str; 6] = ["draft", "confirmed", "in_progress", "done", "closed", "cancelled"];

/// The state changes a work order's state allows, as `work_order::act` takes them.
fn actions_of(state: &str) -> Vec<(&'static str, &'static str, kernel::Permission)> {
    let (confirm, finish, close, cancel) = (
        ("confirm", "ui.production.action.confirm", WORK),
        ("finish", "ui.production.action.finish", WORK),
        ("close", "ui.production.action.close", WORK),
        ("cancel", "ui.production.action.cancel", WORK),
    );
    match state {
        "draft" => vec![confirm, cancel],
        "confirmed" => vec![finish, cancel],
        "in_progress" => vec![finish],
        "done" => vec![close],
        _ => vec![],
    }
}

fn running(order: &WorkOrder) -> bool {
    matches!(order.state.as_str(), "confirmed" | "in_progress")
}

pub async fn work_orders(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let filter = query_param(query.as_deref(), "state").filter(|s| STATES.contains(&s.as_str()));
    // A queue of the home page (late, on hold) instead of a state.
    let queue = query_param(query.as_deref(), "queue").and_then(|q| production::work_order::Queue::parse(&q));
    let ctx = page.ctx(&state);
    let wanted = filter.clone();
    let listed = state
        .blocking(move |state| {
            state.db.read(|tx| {
                let orders = match queue {
                    Some(queue) => production::work_order::list_queue(tx, &ctx, queue)?,
                    None => production::work_order::list_work_orders(tx, &ctx, wanted.as_deref())?,
                };
                let digits = Digits::load(tx, &ctx, orders.iter().map(|o| o.product_code.as_str()))?;
                Ok((orders, digits))
            })
        })
        .await;
    let (orders, digits) = match listed {
        Ok(listed) => listed,
        Err(error) => return error_page_for(&page, StatusCode::FORBIDDEN, &error.0),
    };
    let ok = query_param(query.as_deref(), "ok");
    let body = html! {
        div.toolbar {
            h1.grow {
                (page.t("ui.production.work_orders"))
                @if let Some(queue) = queue { " · " (page.t(&format!("ui.home.work_orders_{}", queue.code()))) }
            }
            @if page.may(WORK) { a.button.primary href="/production/work-orders/new" data-new { (page.t("ui.new")) } }
        }
        (flash(&page, ok.as_deref(), None))
        form.filters method="get" action="/production/work-orders" {
            label for="state-filter" { (page.t("ui.state")) }
            select #state-filter name="state" data-autosubmit {
                option value="" { (page.t("ui.production.all_states")) }
                @for s in STATES {
                    option value=(s) selected[filter.as_deref() == Some(s)] { (page.t(&format!("ui.production.state.{s}"))) }
                }
            }
            " " button type="submit" { (page.t("ui.apply")) }
        }
        table.list {
            thead { tr {
                th { (page.t("ui.production.number")) }
                th { (page.t("ui.production.product")) }
                th.num { (page.t("ui.production.quantity")) }
                th.num { (page.t("ui.production.received")) }
                th { (page.t("ui.state")) }
                th { (page.t("ui.production.due_date")) }
                th { (page.t("ui.production.lot")) }
                th.num { (page.t("ui.production.actual_cost")) }
            } }
            tbody {
                @for o in &orders {
                    tr {
                        td { a href=(format!("/production/work-orders/{}", o.id)) { (o.number) } }
                        td { (o.product_code) }
                        td.num { (digits.show(&o.product_code, &o.quantity)) }
                        td.num { (digits.show(&o.product_code, &o.received)) }
                        td { (form::badge(&page, "ui.production.state.", &o.state)) }
                        td { (o.due_date.clone().unwrap_or_default()) }
                        td { (o.lot.clone().unwrap_or_default()) }
                        td.num { (o.actual_cost) }
                    }
                }
                @if orders.is_empty() { tr { td colspan="8" { (page.t("ui.production.none")) } } }
            }
        }
    };
    shell(&page, &page.t("ui.production.work_orders"), body)
}

fn new_page(page: &Page, form: Option<&FormData>, error: Option<&Error>) -> Response {
    let value = |name: &str| form.map(|f| f.text(name)).unwrap_or_default();
    let fields = vec![
        Field::new("product", "ui.production.product_code", Input::Text, value("product")).required(),
        Field::new("quantity", "ui.production.quantity", Input::Decimal, value("quantity")).required(),
        Field::new("due_date", "ui.production.due_date", Input::Date, value("due_date")),
        Field::new("lot", "ui.production.lot", Input::Text, value("lot")),
    ];
    let confirm = form.is_none_or(|f| f.get("confirm").is_some());
    let body = html! {
        h1 { (page.t("ui.production.new_work_order")) }
        (form::form_error(page, error.filter(|e| e.fields().is_empty())))
        form.panel method="post" action="/production/work-orders/new" data-save {
            input type="hidden" name="_csrf" value=(page.csrf());
            (form::fields(page, &fields, error))
            p { label { input type="checkbox" name="confirm" value="1" checked[confirm]; " " (page.t("ui.production.confirm_now")) } }
            p { button.primary type="submit" { (page.t("ui.save")) } }
        }
    };
    let mut response = shell(page, &page.t("ui.production.new_work_order"), body);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub async fn new_form(page: Page) -> Response {
    new_page(&page, None, None)
}

pub async fn create(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let optional = |name: &str| Some(form.text(name)).filter(|v| !v.is_empty());
    let input = WorkOrderInput {
        product: form.text("product"),
        quantity: form.text("quantity"),
        due_date: optional("due_date"),
        lot: optional("lot"),
        sales_order_id: None,
        backflush: None,
        confirm: form.get("confirm").is_some(),
    };
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| state.db.write(|tx| production::work_order::create_work_order(tx, &ctx, &input)))
        .await;
    match result {
        Ok(order) => see_other(&format!("/production/work-orders/{}", order.id), Some("ui.saved")),
        Err(error) => new_page(&page, Some(&form), Some(&error.0)),
    }
}

fn order_page(page: &Page, order: &WorkOrder, digits: &Digits, error: Option<&Error>, ok: Option<&str>) -> Response {
    let base = format!("/production/work-orders/{}", order.id);
    let may_work = page.may(WORK);
    let body = html! {
        h1 { (order.number) " · " (order.product_code) " " (form::badge(page, "ui.production.state.", &order.state)) }
        (flash(page, ok, None))
        @if let Some(error) = error {
            div.flash.error role="alert" {
                @match error.fields().first() {
                    Some(f) => { (page.t_with(f.code, if f.params.is_empty() { error.params() } else { &f.params })) },
                    None => { (page.t_with(error.code(), error.params())) },
                }
            }
        }
        p { a href="/production/work-orders" { "← " (page.t("ui.production.work_orders")) } }
        div.columns-2 {
            section.panel {
                h2 { (page.t("ui.production.header")) }
                dl.facts {
                    dt { (page.t("ui.production.product")) } dd { (order.product_code) }
                    dt { (page.t("ui.production.quantity")) } dd { (digits.show(&order.product_code, &order.quantity)) }
                    dt { (page.t("ui.production.received")) } dd { (digits.show(&order.product_code, &order.received)) }
                    dt { (page.t("ui.production.due_date")) } dd { (order.due_date.clone().unwrap_or_default()) }
                    dt { (page.t("ui.production.lot")) } dd { (order.lot.clone().unwrap_or_default()) }
                    @if !order.serials.is_empty() {
                        dt { (page.t("ui.production.serials")) } dd.serials { (order.serials.join(", ")) }
                    }
                    @if let Some(origin) = &order.origin {
                        dt { (page.t("ui.production.origin")) }
                        dd { @if origin.kind == "sales.order" { a href=(format!("/sales/orders/{}", origin.id)) { (page.t("ui.inventory.open")) } } @else { (origin.kind) } }
                    }
                }
            }
            section.panel {
                h2 { (page.t("ui.production.costs")) }
                table.list {
                    tbody {
                        tr { td { (page.t("ui.production.material_cost")) } td.num { (order.material_cost) } }
                        tr { td { (page.t("ui.production.labour_cost")) } td.num { (order.labour_cost) } }
                        tr { td { (page.t("ui.production.machine_cost")) } td.num { (order.machine_cost) } }
                        tr { td { (page.t("ui.production.overhead_cost")) } td.num { (order.overhead_cost) } }
                        tr.total { td { (page.t("ui.production.actual_cost")) } td.num { (order.actual_cost) } }
                    }
                }
            }
        }
        @if may_work {
            (form::actions(page, &format!("{base}/act"), &actions_of(&order.state)))
        }
        section.panel {
            h2 { (page.t("ui.production.materials")) }
            table.list {
                thead { tr { th { (page.t("ui.production.component")) } th.num { (page.t("ui.production.planned")) } th.num { (page.t("ui.production.issued")) } } }
                tbody { @for m in &order.materials { tr { td { (m.code) } td.num { (digits.show(&m.code, &m.planned)) } td.num { (digits.show(&m.code, &m.issued)) } } } }
            }
            @if may_work && running(order) && order.materials.iter().any(|m| m.planned != m.issued) {
                form.inline method="post" action=(format!("{base}/issue")) {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    button.primary type="submit" { (page.t("ui.production.issue")) }
                }
            }
        }
        section.panel {
            h2 { (page.t("ui.production.operations")) }
            table.list {
                thead { tr { th.num { (page.t("ui.production.seq")) } th { (page.t("ui.production.operation")) } th { (page.t("ui.production.work_center")) } th.num { (page.t("ui.production.good")) } th.num { (page.t("ui.production.scrap")) } } }
                tbody { @for o in &order.operations { tr { td.num { (o.seq) } td { (o.name) } td { (o.work_center) } td.num { (digits.show(&order.product_code, &o.good)) } td.num { (digits.show(&order.product_code, &o.scrap)) } } } }
            }
            @if may_work && running(order) && !order.operations.is_empty() {
                h2 { (page.t("ui.production.report")) }
                form.panel method="post" action=(format!("{base}/report")) {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    div.form-grid {
                        div.field {
                            label for="report-operation" { (page.t("ui.production.operation")) }
                            select #report-operation name="operation" required {
                                @for o in &order.operations { option value=(o.seq) { (o.seq) " " (o.name) } }
                            }
                        }
                        div.field { label for="report-good" { (page.t("ui.production.good")) } input #report-good type="text" inputmode="decimal" name="good"; }
                        div.field { label for="report-scrap" { (page.t("ui.production.scrap")) } input #report-scrap type="text" inputmode="decimal" name="scrap"; }
                        div.field { label for="report-reason" { (page.t("ui.production.defect_reason")) } input #report-reason type="text" name="defect_reason"; }
                        div.field { label for="report-worker" { (page.t("ui.production.worker")) } input #report-worker type="text" name="worker" value=(page.principal.display_name); }
                        div.field { label for="report-minutes" { (page.t("ui.production.minutes")) } input #report-minutes type="text" inputmode="decimal" name="minutes"; }
                    }
                    p { button.primary type="submit" { (page.t("ui.production.report_button")) } }
                }
            }
        }
        @if may_work && running(order) {
            section.panel {
                h2 { (page.t("ui.production.receive")) }
                form.inline method="post" action=(format!("{base}/receive")) {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    label for="receive-quantity" { (page.t("ui.production.quantity")) } " "
                    input #receive-quantity type="text" inputmode="decimal" name="quantity" required;
                    @if order.tracking == "serial" {
                        " " label for="receive-serials" { (page.t("ui.production.serials")) } " "
                        input #receive-serials type="text" name="serials" placeholder=(page.t("ui.production.serials_hint"));
                    }
                    " " button.primary type="submit" { (page.t("ui.production.receive_button")) }
                }
            }
        }
    };
    let mut response = shell(page, &order.number, body);
    if let Some(error) = error {
        *response.status_mut() =
            StatusCode::from_u16(error.kind().http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
    }
    response
}

async fn show_order(
    state: &AppState,
    page: &Page,
    id: WorkOrderId,
    error: Option<&Error>,
    ok: Option<&str>,
) -> Response {
    let ctx = page.ctx(state);
    let loaded = state
        .blocking(move |state| {
            state.db.read(|tx| {
                let order = production::work_order::get_work_order(tx, &ctx, id)?;
                let products =
                    std::iter::once(order.product_code.as_str()).chain(order.materials.iter().map(|m| m.code.as_str()));
                let digits = Digits::load(tx, &ctx, products)?;
                Ok((order, digits))
            })
        })
        .await;
    match loaded {
        Ok((order, digits)) => order_page(page, &order, &digits, error, ok),
        Err(e) => error_page_for(page, StatusCode::NOT_FOUND, &e.0),
    }
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(id) = WorkOrderId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "production.work_order_not_found");
    };
    let ok = query_param(query.as_deref(), "ok");
    show_order(&state, &page, id, None, ok.as_deref()).await
}

/// Runs a change of a work order and goes back to its page, with the problem if refused.
async fn change<F>(state: &AppState, page: &Page, id: &str, work: F) -> Response
where
    F: FnOnce(&mut kernel::db::Tx<'_>, &kernel::Ctx, WorkOrderId) -> kernel::Result<WorkOrder> + Send + 'static,
{
    let Ok(id) = WorkOrderId::parse(id) else {
        return error_page(page, StatusCode::NOT_FOUND, "production.work_order_not_found");
    };
    let ctx = page.ctx(state);
    match state.blocking(move |state| state.db.write(|tx| work(tx, &ctx, id))).await {
        Ok(_) => see_other(&format!("/production/work-orders/{id}"), Some("ui.saved")),
        Err(error) => show_order(state, page, id, Some(&error.0), None).await,
    }
}

pub async fn act(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let action = form.text("action");
    change(&state, &page, &id, move |tx, ctx, id| production::work_order::act(tx, ctx, id, &action)).await
}

pub async fn issue(State(state): State<AppState>, page: Page, Path(id): Path<String>) -> Response {
    change(&state, &page, &id, |tx, ctx, id| production::work_order::issue_materials(tx, ctx, id, None)).await
}

pub async fn report(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let input = job_report(&form);
    change(&state, &page, &id, move |tx, ctx, id| production::work_order::report_job(tx, ctx, id, &input)).await
}

/// A job report from a form: operation (sequence), good, scrap, defect reason, worker, minutes.
pub fn job_report(form: &FormData) -> JobReport {
    let optional = |name: &str| Some(form.text(name)).filter(|v| !v.is_empty());
    JobReport {
        // An unknown sequence is refused by the service as `production.operation_unknown`.
        operation: form.text("operation").parse().unwrap_or(-1),
        good: optional("good"),
        scrap: optional("scrap"),
        defect_reason: form.text("defect_reason"),
        worker: form.text("worker"),
        started_at: None,
        ended_at: None,
        minutes: optional("minutes"),
    }
}

pub async fn receive(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    // Serial numbers separated by commas, spaces or new lines (a scanner's Enter), or none.
    let serials = form
        .text("serials")
        .split([',', '，', ' ', '\n', '\r', '\t'])
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let input = production::work_order::FinishedGoods { quantity: form.text("quantity"), date: None, serials };
    change(&state, &page, &id, move |tx, ctx, id| production::work_order::receive(tx, ctx, id, &input)).await
}

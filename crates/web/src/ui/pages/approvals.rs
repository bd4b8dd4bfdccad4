//! The approval inbox (待办 / 已办 / 我发起的 / 抄送我的) and one request's page: the document's
//! key fields and lines, the steps with each approver's decision, the timeline, and the forms
//! to approve or reject with a comment in one click, return, transfer, add an approver, or
//! withdraw. Laid out as cards, so it works on a phone.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use office::approval::inbox::Box as InboxBox;
use office::approval::{Decision, InboxItem, RequestView};

use super::{FormData, safe_back, see_other};
use crate::state::AppState;
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page_for, flash, shell};

const BOXES: [InboxBox; 4] = [InboxBox::Todo, InboxBox::Done, InboxBox::Mine, InboxBox::Cc];
const HOME: &str = "/office/approvals";

fn state_badge(page: &Page, state: &str) -> Markup {
    let tone = match state {
        "approved" => "done",
        "rejected" => "dead",
        "pending" => "review",
        _ => "draft",
    };
    html! { span.badge.(tone) { (page.t(&format!("ui.approvals.state.{state}"))) } }
}

fn item_card(page: &Page, item: &InboxItem, todo: bool) -> Markup {
    html! {
        article.approval-card data-request=(item.request_id) {
            @if todo {
                @if let Some(task) = &item.task_id {
                    input type="checkbox" name="task" value=(task) form="bulk-approve" aria-label=(format!("{} {}", page.t("ui.approvals.select"), item.number));
                }
            }
            h2 { a href=(item.link) { (item.number) } " " (state_badge(page, &item.state)) }
            p { (item.title) }
            p.meta { (page.t(&format!("ui.approvals.kind.{}", item.kind))) " · " (item.submitter) " · " (item.at.replace('T', " ").chars().take(16).collect::<String>()) }
            @if todo {
                @if let Some(task) = &item.task_id {
                    form.inline method="post" action=(format!("{HOME}/tasks/{task}/decide")) {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        input type="hidden" name="back" value=(HOME);
                        input type="text" name="comment" placeholder=(page.t("ui.approvals.comment")) aria-label=(page.t("ui.approvals.comment"));
                        " " button.primary type="submit" name="decision" value="approve" { (page.t("ui.approvals.approve")) }
                        " " button.danger type="submit" name="decision" value="reject" { (page.t("ui.approvals.reject")) }
                    }
                }
            }
        }
    }
}

pub async fn inbox(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let which = query_param(query.as_deref(), "box").and_then(|b| InboxBox::parse(&b)).unwrap_or(InboxBox::Todo);
    let before = query_param(query.as_deref(), "before");
    let ctx = page.ctx(&state);
    let loaded = state
        .blocking(move |state| state.db.read(|tx| office::approval::inbox(tx, &ctx, which, before.as_deref(), 50)))
        .await;
    let items = match loaded {
        Ok(items) => items,
        Err(error) => return error_page_for(&page, StatusCode::FORBIDDEN, &error.0),
    };
    let ok = query_param(query.as_deref(), "ok");
    let todo = which == InboxBox::Todo;
    let body = html! {
        h1 { (page.t("ui.approvals.title")) }
        (flash(&page, ok.as_deref(), None))
        nav.tabs aria-label=(page.t("ui.approvals.boxes")) {
            @for b in BOXES {
                a href=(format!("{HOME}?box={}", b.code())) aria-current=[(b == which).then_some("page")] { (page.t(&format!("ui.approvals.box.{}", b.code()))) }
            }
        }
        @if todo && !items.is_empty() {
            form #bulk-approve.actions method="post" action=(format!("{HOME}/bulk")) {
                input type="hidden" name="_csrf" value=(page.csrf());
                input type="text" name="comment" placeholder=(page.t("ui.approvals.comment")) aria-label=(page.t("ui.approvals.comment"));
                " " button.primary type="submit" { (page.t("ui.approvals.bulk_approve")) }
            }
        }
        div.approval-cards {
            @for item in &items { (item_card(&page, item, todo)) }
        }
        @if items.is_empty() { p.meta { (page.t("ui.approvals.empty")) } }
        @if items.len() == 50 {
            @if let Some(last) = items.last() {
                p { a.button href=(format!("{HOME}?box={}&before={}", which.code(), last.at)) { (page.t("ui.list.next_page")) } }
            }
        }
    };
    shell(&page, &page.t("ui.approvals.title"), body)
}

/// A line of the document a request is about, as the request's page shows it.
struct DocLine {
    product: String,
    quantity: String,
    unit_price: String,
    discount: Option<String>,
    total: String,
}

/// The document's lines, for the kinds whose pages the web client knows.
fn document_lines(page: &Page, lines: &[DocLine]) -> Markup {
    let discounts = lines.iter().any(|l| l.discount.is_some());
    html! {
        table.list {
            thead { tr {
                th { (page.t("ui.purchasing.product")) } th.num { (page.t("ui.purchasing.ordered")) } th.num { (page.t("ui.purchasing.unit_price")) }
                @if discounts { th.num { (page.t("ui.sales.discount")) } }
                th.num { (page.t("ui.purchasing.total")) }
            } }
            tbody {
                @for l in lines {
                    tr {
                        td { (l.product) } td.num { (kernel::money::quantity_shown(&l.quantity, 0)) } td.num { (kernel::money::trim_decimal(&l.unit_price, 2)) }
                        @if discounts { td.num { (l.discount.clone().unwrap_or_default()) "%" } }
                        td.num { (kernel::money::with_thousands(&l.total)) }
                    }
                }
            }
        }
    }
}

/// The lines of the document a request is about, read with the right to read that document:
/// whoever takes part in the request sees what they decide on.
fn lines_of(tx: &mut kernel::db::Tx<'_>, ctx: &kernel::Ctx, view: &RequestView) -> kernel::Result<Vec<DocLine>> {
    Ok(match view.kind.as_str() {
        purchasing::order::APPROVAL_KIND => {
            let reading = ctx.with_granted(&[purchasing::permissions::ORDER_READ]);
            let order = purchasing::order::PurchaseOrderId::parse(&view.doc_id)?;
            purchasing::get_order(tx, &reading, order)?
                .lines
                .into_iter()
                .map(|l| DocLine {
                    product: format!("{} {}", l.product_code, l.description),
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    discount: None,
                    total: l.total,
                })
                .collect()
        }
        sales::confirm::APPROVAL_KIND => {
            // The approver may see only their own orders elsewhere; this one is theirs to decide.
            let reading = ctx.with_granted(&[sales::permissions::ORDER_READ]).with_own_records_only(false);
            let order = sales::OrderId::parse(&view.doc_id)?;
            sales::get_order(tx, &reading, order)?
                .lines
                .into_iter()
                .map(|l| DocLine {
                    product: format!("{} {}", l.product_code, l.description),
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    discount: Some(l.discount),
                    total: l.total,
                })
                .collect()
        }
        _ => Vec::new(),
    })
}

fn request_page(page: &Page, view: &RequestView, lines: &[DocLine], ok: Option<&str>) -> Response {
    let base = format!("{HOME}/{}", view.id);
    let body = html! {
        p { a href=(HOME) { "← " (page.t("ui.approvals.title")) } }
        h1 { (view.number) " " (state_badge(page, &view.state)) }
        (flash(page, ok, None))
        section.panel {
            h2 { (page.t(&format!("ui.approvals.kind.{}", view.kind))) }
            p { @if view.doc_link.is_empty() { (view.title) } @else { a href=(view.doc_link) { (view.title) } } }
            dl.facts {
                dt { (page.t("ui.approvals.submitter")) } dd { (view.submitter_name) }
                @for (field, value) in &view.facts {
                    dt { (page.t(&format!("ui.approvals.fact.{field}"))) }
                    dd { @if field == "amount" { (kernel::money::with_thousands(value)) } @else { (value) } }
                }
                dt { (page.t("ui.approvals.flow_version")) } dd { (view.flow_version) }
            }
            @if !lines.is_empty() { (document_lines(page, lines)) }
        }
        @if let Some(task) = &view.my_task {
            section.panel.decide {
                h2 { (page.t("ui.approvals.decide")) }
                form method="post" action=(format!("{HOME}/tasks/{task}/decide")) {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    input type="hidden" name="back" value=(base);
                    label for="decide-comment" { (page.t("ui.approvals.comment")) }
                    textarea #decide-comment name="comment" rows="2" {}
                    p.actions {
                        button.primary type="submit" name="decision" value="approve" { (page.t("ui.approvals.approve")) } " "
                        button.danger type="submit" name="decision" value="reject" { (page.t("ui.approvals.reject")) } " "
                        button type="submit" name="decision" value="return" { (page.t("ui.approvals.return")) }
                    }
                    details {
                        summary { (page.t("ui.approvals.more")) }
                        div.form-grid {
                            div.field {
                                label for="decide-user" { (page.t("ui.approvals.user")) }
                                input #decide-user type="text" name="user" data-lookup="users" autocomplete="off";
                            }
                            @if view.step > 0 {
                                div.field {
                                    label for="decide-step" { (page.t("ui.approvals.return_to")) }
                                    select #decide-step name="step" {
                                        option value="" { (page.t("ui.approvals.return_submitter")) }
                                        @for (i, s) in view.steps.iter().enumerate().take(usize::try_from(view.step).unwrap_or(0)) {
                                            option value=(i) { (i + 1) ". " (s.name) }
                                        }
                                    }
                                }
                            }
                        }
                        p.actions {
                            button type="submit" name="decision" value="transfer" { (page.t("ui.approvals.transfer")) } " "
                            button type="submit" name="decision" value="add_before" { (page.t("ui.approvals.add_before")) } " "
                            button type="submit" name="decision" value="add_after" { (page.t("ui.approvals.add_after")) }
                        }
                    }
                }
            }
        }
        @if view.may_withdraw {
            form.actions method="post" action=(format!("{base}/withdraw")) {
                input type="hidden" name="_csrf" value=(page.csrf());
                button.danger type="submit" data-confirm=(page.t("ui.approvals.withdraw_confirm")) { (page.t("ui.approvals.withdraw")) }
            }
        }
        section.panel {
            h2 { (page.t("ui.approvals.steps")) }
            ol.approval-steps {
                @for (i, step) in view.steps.iter().enumerate() {
                    li.current[i as i64 == view.step && view.state == "pending"] {
                        strong { (step.name) } " " span.meta { (page.t(&format!("ui.approvals.mode.{}", if step.mode == office::approval::Mode::All { "all" } else { "any" }))) }
                        ul {
                            @for t in &step.tasks {
                                li {
                                    (t.approver_name)
                                    @if let Some(by) = &t.on_behalf_of { " (" (page.t("ui.approvals.for")) " " (by) ")" }
                                    " · " (page.t(&format!("ui.approvals.task.{}", t.state)))
                                    @if !t.comment.is_empty() { " · " q { (t.comment) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        section.panel {
            h2 { (page.t("ui.approvals.timeline")) }
            ol.timeline {
                @for e in &view.timeline {
                    li {
                        span.meta { (e.at.replace('T', " ").chars().take(16).collect::<String>()) } " "
                        strong { (e.actor_name) } " "
                        (page.t(&format!("ui.approvals.action.{}", e.action)))
                        @if let Some(target) = &e.target { " → " (target) }
                        @if !e.comment.is_empty() { " · " q { (e.comment) } }
                    }
                }
            }
        }
    };
    shell(page, &view.number, body)
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let ctx = page.ctx(&state);
    let loaded = state
        .blocking(move |state| {
            state.db.read(|tx| {
                let view = office::approval::get_request(tx, &ctx, &id)?;
                let lines = lines_of(tx, &ctx, &view)?;
                Ok((view, lines))
            })
        })
        .await;
    match loaded {
        Ok((view, lines)) => request_page(&page, &view, &lines, query_param(query.as_deref(), "ok").as_deref()),
        Err(error) => error_page_for(&page, StatusCode::NOT_FOUND, &error.0),
    }
}

/// The decision a form sent.
fn decision_of(form: &FormData) -> Option<Decision> {
    let comment = form.text("comment");
    let user = form.text("user");
    Some(match form.get("decision")? {
        "approve" => Decision::Approve { comment },
        "reject" => Decision::Reject { comment },
        "return" => Decision::Return { step: form.text("step").parse().ok(), comment },
        "transfer" => Decision::Transfer { to: user, comment },
        "add_before" => Decision::Add { user, before: true, comment },
        "add_after" => Decision::Add { user, before: false, comment },
        _ => return None,
    })
}

pub async fn decide(State(state): State<AppState>, page: Page, Path(task): Path<String>, form: FormData) -> Response {
    let back = safe_back(form.get("back"), HOME);
    let Some(decision) = decision_of(&form) else { return see_other(&back, None) };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| office::approval::decide(tx, &ctx, &task, &decision))).await {
        Ok(()) => see_other(&back, Some("ui.approvals.decided")),
        Err(error) => error_page_for(&page, StatusCode::CONFLICT, &error.0),
    }
}

/// Approves every selected task with one comment, each in its own transaction: one that was
/// decided meanwhile does not stop the others.
pub async fn bulk(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let tasks = form.all("task");
    let comment = form.text("comment");
    let ctx = page.ctx(&state);
    let refused = state
        .blocking(move |state| {
            let mut refused = 0;
            for task in &tasks {
                let decision = Decision::Approve { comment: comment.clone() };
                if state.db.write(|tx| office::approval::decide(tx, &ctx, task, &decision)).is_err() {
                    refused += 1;
                }
            }
            Ok(refused)
        })
        .await
        .unwrap_or(0);
    see_other(HOME, Some(if refused == 0 { "ui.approvals.decided" } else { "ui.approvals.some_refused" }))
}

pub async fn withdraw(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let comment = form.text("comment");
    let ctx = page.ctx(&state);
    let request = id.clone();
    match state
        .blocking(move |state| state.db.write(|tx| office::approval::withdraw(tx, &ctx, &request, &comment)))
        .await
    {
        Ok(()) => see_other(&format!("{HOME}/{id}"), Some("ui.approvals.withdrawn")),
        Err(error) => error_page_for(&page, StatusCode::CONFLICT, &error.0),
    }
}

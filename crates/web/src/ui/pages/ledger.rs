//! Finance in the web client: vouchers (list, a new voucher with its lines, the voucher with the
//! buttons its state and the user's permissions allow, its printout, and its red-ink reversal).
//! The books and statements are in `ledger_reports.rs`.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::Error;
use ledger::permissions::{POST, PREPARE, REVIEW};
use ledger::voucher::{LineInput, VOUCHER_LIST};
use ledger::{Voucher, VoucherId, VoucherInput};
use maud::html;

use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::form::{self, Field, Input};
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, flash, shell};
use crate::ui::list::{self, ColumnView, FilterField, FilterInput, ListParams, ListView, Show};

const COLUMNS: &[ColumnView] = &[
    ColumnView { key: "date", label: "ui.ledger.date", show: Show::Link },
    ColumnView { key: "word", label: "ui.ledger.word", show: Show::Text },
    ColumnView { key: "number", label: "ui.ledger.number", show: Show::Text },
    ColumnView { key: "summary", label: "ui.ledger.summary", show: Show::Text },
    ColumnView { key: "state", label: "ui.state", show: Show::Badge("ui.ledger.state.") },
    ColumnView { key: "prepared_by", label: "ui.ledger.prepared_by", show: Show::Text },
];

fn states(page: &Page) -> Vec<(String, String)> {
    ["draft", "reviewed", "posted"].iter().map(|s| (s.to_string(), page.t(&format!("ui.ledger.state.{s}")))).collect()
}

fn words() -> Vec<(String, String)> {
    ledger::voucher::WORDS.iter().map(|w| (w.to_string(), w.to_string())).collect()
}

pub async fn vouchers(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let view = ListView {
        key: "ledger.vouchers",
        title: "ui.ledger.vouchers",
        base: "/finance/vouchers",
        spec: &VOUCHER_LIST,
        columns: COLUMNS,
        filters: vec![
            FilterField { key: "period", label: "ui.ledger.period", input: FilterInput::Text },
            FilterField { key: "word", label: "ui.ledger.word", input: FilterInput::Choice(words()) },
            FilterField { key: "state", label: "ui.state", input: FilterInput::Choice(states(&page)) },
        ],
        bulk: vec![],
        new_href: page.may(PREPARE).then_some("/finance/vouchers/new"),
    };
    list::handle(&state, &page, view, ListParams::parse(query.as_deref()), ledger::voucher::list_vouchers).await
}

fn new_page(page: &Page, values: Option<&FormData>, error: Option<&Error>) -> Response {
    let value = |name: &str| values.map(|f| f.text(name)).unwrap_or_default();
    let rows = values.map(|f| f.all("line_account").len()).unwrap_or(0).max(2) + 2;
    let cell = |name: &str, i: usize| values.and_then(|f| f.all(name).get(i).cloned()).unwrap_or_default();
    let body = html! {
        h1 { (page.t("ui.ledger.new")) }
        form.panel method="post" action="/finance/vouchers/new" data-save {
            input type="hidden" name="_csrf" value=(page.csrf());
            (form::form_error(page, error))
            (form::fields(page, &[
                Field::new("word", "ui.ledger.word", Input::Select(words()), if value("word").is_empty() { "记".into() } else { value("word") }).required(),
                Field::new("date", "ui.ledger.date", Input::Date, value("date")).required(),
                Field::new("summary", "ui.ledger.summary", Input::Text, value("summary")),
                Field::new("attachments", "ui.ledger.attachments", Input::Decimal, value("attachments")),
            ], error))
            table.list.edit-rows {
                thead { tr { th { (page.t("ui.ledger.summary")) } th { (page.t("ui.ledger.account")) } th.num { (page.t("ui.ledger.debit")) } th.num { (page.t("ui.ledger.credit")) } } }
                tbody {
                    @for i in 0..rows {
                        tr {
                            td { input type="text" name="line_summary" value=(cell("line_summary", i)) aria-label=(format!("{} {}", page.t("ui.ledger.summary"), i + 1)); }
                            td { input type="text" name="line_account" value=(cell("line_account", i)) data-lookup="accounts" aria-label=(format!("{} {}", page.t("ui.ledger.account"), i + 1)); }
                            td { input type="text" inputmode="decimal" name="line_debit" value=(cell("line_debit", i)) aria-label=(format!("{} {}", page.t("ui.ledger.debit"), i + 1)); }
                            td { input type="text" inputmode="decimal" name="line_credit" value=(cell("line_credit", i)) aria-label=(format!("{} {}", page.t("ui.ledger.credit"), i + 1)); }
                        }
                    }
                }
            }
            @if let Some(e) = error {
                @for f in e.fields().iter().filter(|f| f.field.starts_with("lines")) {
                    div.flash.error role="alert" { (f.field) ": " (page.t_with(f.code, if f.params.is_empty() { e.params() } else { &f.params })) }
                }
            }
            p { button.primary type="submit" { (page.t("ui.save")) } " " a href="/finance/vouchers" { (page.t("ui.cancel")) } }
        }
    };
    let mut response = shell(page, &page.t("ui.ledger.new"), body);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub async fn new_form(page: Page) -> Response {
    new_page(&page, None, None)
}

fn input_from(form: &FormData) -> VoucherInput {
    let (summaries, accounts, debits, credits) =
        (form.all("line_summary"), form.all("line_account"), form.all("line_debit"), form.all("line_credit"));
    let at = |values: &[String], i: usize| values.get(i).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let default_summary = form.text("summary");
    VoucherInput {
        word: Some(form.text("word")),
        date: form.text("date"),
        summary: default_summary.clone(),
        attachments: form.text("attachments").parse().unwrap_or(0),
        lines: (0..accounts.len())
            .filter_map(|i| {
                Some(LineInput {
                    account: at(&accounts, i)?,
                    summary: at(&summaries, i).unwrap_or_else(|| default_summary.clone()),
                    debit: at(&debits, i),
                    credit: at(&credits, i),
                    ..LineInput::default()
                })
            })
            .collect(),
    }
}

pub async fn create(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input = input_from(&form);
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| ledger::create_voucher(tx, &ctx, &input))).await {
        Ok(created) => see_other(&format!("/finance/vouchers/{}", created.id), Some("ui.saved")),
        Err(error) => new_page(&page, Some(&form), Some(&error.0)),
    }
}

fn voucher_page(page: &Page, voucher: &Voucher, error: Option<&Error>, ok: Option<&str>) -> Response {
    let body = html! {
        h1 { (page.t("ui.ledger.voucher")) " " (voucher.label) " " (form::badge(page, "ui.ledger.state.", &voucher.state)) }
        (flash(page, ok, None))
        (form::form_error(page, error))
        dl.facts {
            dt { (page.t("ui.ledger.date")) } dd { (voucher.date) }
            dt { (page.t("ui.ledger.period")) } dd { (voucher.period) }
            dt { (page.t("ui.ledger.summary")) } dd { (voucher.summary) }
            dt { (page.t("ui.ledger.attachments")) } dd { (voucher.attachments) }
            @if let Some(source) = &voucher.source {
                dt { (page.t("ui.ledger.source")) }
                dd {
                    @match source_href(&source.kind, &source.id) {
                        Some(href) => a href=(href) { (source.kind) " " (source.id) },
                        None => { (source.kind) " " (source.id) },
                    }
                }
            }
            @if let Some(r) = &voucher.reverses { dt { (page.t("ui.ledger.reverses")) } dd { a href=(format!("/finance/vouchers/{r}")) { (page.t("ui.inventory.open")) } } }
            @if let Some(r) = &voucher.reversed_by { dt { (page.t("ui.ledger.reversed_by")) } dd { a href=(format!("/finance/vouchers/{r}")) { (page.t("ui.inventory.open")) } } }
            dt { (page.t("ui.ledger.prepared_by")) } dd { (voucher.prepared_by) }
            @if let Some(r) = &voucher.reviewed_by { dt { (page.t("ui.ledger.reviewed_by")) } dd { (r) } }
            @if let Some(r) = &voucher.posted_by { dt { (page.t("ui.ledger.posted_by")) } dd { (r) } }
        }
        table.list {
            thead { tr { th { (page.t("ui.ledger.summary")) } th { (page.t("ui.ledger.account")) } th.num { (page.t("ui.ledger.debit")) } th.num { (page.t("ui.ledger.credit")) } } }
            tbody {
                @for l in &voucher.lines { tr { td { (l.summary) } td { (l.account_code) " " (l.account_name) } td.num.red[l.debit.starts_with('-')] { (l.debit) } td.num.red[l.credit.starts_with('-')] { (l.credit) } } }
                tr { td colspan="2" { strong { (page.t("ui.ledger.total")) } } td.num { strong { (voucher.total_debit) } } td.num { strong { (voucher.total_credit) } } }
            }
        }
        p { a.button href=(format!("/finance/vouchers/{}/pdf", voucher.id)) { (page.t("ui.ledger.print")) } }
        form.actions method="post" action=(format!("/finance/vouchers/{}/act", voucher.id)) {
            input type="hidden" name="_csrf" value=(page.csrf());
            @if voucher.state == "draft" && page.may(REVIEW) { button type="submit" name="action" value="review" { (page.t("ui.ledger.act.review")) } " " }
            @if voucher.state == "reviewed" && page.may(POST) { button type="submit" name="action" value="post" { (page.t("ui.ledger.act.post")) } " " }
            @if voucher.state == "posted" && voucher.reverses.is_none() && voucher.reversed_by.is_none() && page.may(POST) {
                input type="date" name="date" value=(voucher.date) aria-label=(page.t("ui.ledger.date"));
                " " button type="submit" name="action" value="reverse" data-confirm=(page.t("ui.ledger.reverse_confirm")) { (page.t("ui.ledger.act.reverse")) }
            }
        }
    };
    let mut response = shell(page, &voucher.label, body);
    if error.is_some() {
        *response.status_mut() = StatusCode::CONFLICT;
    }
    response
}

async fn load(state: &AppState, page: &Page, id: VoucherId) -> Result<Voucher, crate::problem::ApiError> {
    let ctx = page.ctx(state);
    state.blocking(move |state| state.db.read(|tx| ledger::get_voucher(tx, &ctx, id))).await
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(id) = VoucherId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "ledger.voucher_not_found");
    };
    let ok = query_param(query.as_deref(), "ok");
    match load(&state, &page, id).await {
        Ok(voucher) => voucher_page(&page, &voucher, None, ok.as_deref()),
        Err(error) => error_page_for(&page, StatusCode::NOT_FOUND, &error.0),
    }
}

pub async fn act(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = VoucherId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "ledger.voucher_not_found");
    };
    let (action, date) = (form.text("action"), form.text("date"));
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| match action.as_str() {
                "review" => ledger::review(tx, &ctx, id).map(|v| v.id),
                "post" => ledger::post(tx, &ctx, id).map(|v| v.id),
                "reverse" => ledger::reverse(tx, &ctx, id, &date).map(|v| v.id),
                _ => Err(Error::bad_request("ledger.voucher_state").with_param("state", "?")),
            })
        })
        .await;
    match result {
        Ok(next) => see_other(&format!("/finance/vouchers/{next}"), Some("ui.saved")),
        Err(error) => match load(&state, &page, id).await {
            Ok(voucher) => voucher_page(&page, &voucher, Some(&error.0), None),
            Err(e) => e.into_response(),
        },
    }
}

/// Where a voucher's source document is shown, for the kinds that have a page.
fn source_href(kind: &str, id: &str) -> Option<String> {
    let base = match kind {
        "sales.invoice" => "/sales/invoices",
        "purchasing.bill" => "/purchasing/bills",
        "inventory.picking" => "/inventory/pickings",
        _ => return None,
    };
    Some(format!("{base}/{id}"))
}

/// The 凭证 row of a document's facts: a link to the voucher its posting made (for those who
/// may read the books).
pub fn voucher_link(page: &Page, kind: &str, id: &str) -> maud::Markup {
    html! {
        @if page.may(ledger::permissions::READ) {
            dt { (page.t("ui.ledger.voucher")) }
            dd { a href=(format!("/finance/vouchers/of?kind={kind}&id={id}")) { (page.t("ui.ledger.open_voucher")) } }
        }
    }
}

/// The voucher a document's posting made (the latest, so a reversal shows its red ink).
pub async fn voucher_of(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let get = |key: &str| query_param(query.as_deref(), key).unwrap_or_default();
    let source = kernel::id::DocRef::new(get("kind"), get("id"));
    let ctx = page.ctx(&state);
    let found = state.blocking(move |state| state.db.read(|tx| ledger::voucher::vouchers_of(tx, &ctx, &source))).await;
    match found.ok().and_then(|vouchers| vouchers.last().map(|v| v.id)) {
        Some(id) => see_other(&format!("/finance/vouchers/{id}"), None),
        None => error_page(&page, StatusCode::NOT_FOUND, "ledger.voucher_not_found"),
    }
}

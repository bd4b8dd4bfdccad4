//! Bank reconciliation (银行对账) in the web client: import a statement exported from online
//! banking (CSV or XLSX, with the bank's own column names), let the system match what it can
//! (document numbers in the 摘要, the counterparty's name and amount), and settle the rest line
//! by line — a customer's receipt or a supplier's payment, or a booking to an account such as
//! 5603 财务费用 for charges. Every step is the same service the API calls.

use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use kernel::Error;
use ledger::bank::{BankLine, ColumnMapping, LineMatch, StatementInput, StatementSummary};
use ledger::permissions::PAYMENT;
use maud::html;

use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{flash, shell};

/// The mapping's fields with the column names most Chinese banks use, as the form's defaults.
const MAPPING: &[(&str, &str, &str)] = &[
    ("date", "ui.bank.col.date", "交易日期"),
    ("inflow", "ui.bank.col.inflow", "收入金额"),
    ("outflow", "ui.bank.col.outflow", "支出金额"),
    ("amount", "ui.bank.col.amount", ""),
    ("counterparty", "ui.bank.col.counterparty", "对方户名"),
    ("reference", "ui.bank.col.reference", "摘要"),
    ("transaction_id", "ui.bank.col.transaction_id", "流水号"),
];

fn problems(page: &Page, error: &Error) -> maud::Markup {
    html! {
        div.flash.error role="alert" {
            (page.t_with(error.code(), error.params()))
            @if !error.fields().is_empty() {
                ul { @for f in error.fields() { li { (f.field) "：" (page.t_with(f.code, &f.params)) } } }
            }
        }
    }
}

async fn render(state: &AppState, page: &Page, ok: Option<&str>, error: Option<&Error>) -> Response {
    let ctx = page.ctx(state);
    let loaded = state
        .blocking(move |state| {
            state.db.read(|tx| Ok((ledger::bank::list_statements(tx, &ctx)?, ledger::bank::open_bank_lines(tx, &ctx)?)))
        })
        .await;
    let (statements, lines): (Vec<StatementSummary>, Vec<BankLine>) = match loaded {
        Ok(loaded) => loaded,
        Err(e) => return crate::ui::layout::error_page_for(page, StatusCode::UNPROCESSABLE_ENTITY, &e.0),
    };
    let may = page.may(PAYMENT);
    let body = html! {
        h1 { (page.t("ui.bank.title")) }
        (flash(page, ok, None))
        @if let Some(error) = error { (problems(page, error)) }
        @if may {
            section.panel {
                h2 { (page.t("ui.bank.import")) }
                form method="post" enctype="multipart/form-data" action=(format!("/finance/bank/import?_csrf={}", page.csrf())) {
                    div.form-grid {
                        div.field { label for="bank-account" { (page.t("ui.bank.account")) } input #bank-account type="text" name="account" value="1002" data-lookup="accounts" required; }
                        div.field { label for="bank-file" { (page.t("ui.import.file")) } input #bank-file type="file" name="file" accept=".csv,.xlsx" required; }
                        @for (name, label, default) in MAPPING {
                            div.field { label for=(format!("map-{name}")) { (page.t(label)) } input id=(format!("map-{name}")) type="text" name=(name) value=(default); }
                        }
                    }
                    p { button.primary type="submit" { (page.t("ui.bank.import_run")) } }
                }
            }
        }
        section.panel {
            h2 { (page.t("ui.bank.statements")) }
            table.list {
                thead { tr { th { (page.t("ui.bank.file")) } th { (page.t("ui.bank.account")) } th { (page.t("ui.bank.imported_at")) } th.num { (page.t("ui.bank.lines")) } th.num { (page.t("ui.bank.open")) } } }
                tbody { @for s in &statements { tr { td { (s.file_name) } td { (s.account_code) } td { (s.imported_at) } td.num { (s.lines) } td.num { (s.open) } } } }
            }
        }
        section.panel {
            h2 { (page.t("ui.bank.open_lines")) " (" (lines.len()) ")" }
            @if may && !lines.is_empty() {
                form method="post" action="/finance/bank/auto-match" {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    button.primary type="submit" { (page.t("ui.bank.auto_match")) }
                }
            }
            table.list {
                thead { tr {
                    th { (page.t("ui.ledger.date")) } th.num { (page.t("ui.bank.col.amount")) } th { (page.t("ui.bank.col.counterparty")) }
                    th { (page.t("ui.bank.col.reference")) } th { (page.t("ui.bank.col.transaction_id")) } @if may { th { (page.t("ui.bank.settle")) } }
                } }
                tbody {
                    @for l in &lines {
                        tr {
                            td { (l.date) } td.num.red[l.amount.starts_with('-')] { (l.amount) } td { (l.counterparty) } td { (l.reference) } td { (l.transaction_id) }
                            @if may {
                                td {
                                    form.inline method="post" action=(format!("/finance/bank/lines/{}", l.id)) {
                                        input type="hidden" name="_csrf" value=(page.csrf());
                                        input type="text" name="partner" size="10" placeholder=(page.t("ui.bank.partner")) aria-label=(page.t("ui.bank.partner"));
                                        " " input type="text" name="account" size="8" data-lookup="accounts" placeholder=(page.t("ui.bank.or_account")) aria-label=(page.t("ui.bank.or_account"));
                                        " " button type="submit" { (page.t("ui.bank.settle")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let mut response = shell(page, &page.t("ui.bank.title"), body);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub async fn show(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let ok = query_param(query.as_deref(), "ok");
    render(&state, &page, ok.as_deref(), None).await
}

pub async fn import(State(state): State<AppState>, page: Page, mut multipart: Multipart) -> Response {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            if let Ok(bytes) = field.bytes().await {
                file = Some((file_name, bytes.to_vec()));
            }
        } else if let Ok(text) = field.text().await {
            fields.push((name, text.trim().to_string()));
        }
    }
    let get = |key: &str| fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default();
    let optional = |key: &str| Some(get(key)).filter(|v| !v.is_empty());
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return render(&state, &page, None, Some(&Error::field("file", "ledger.bank_file_invalid"))).await;
    };
    let input = StatementInput {
        account: get("account"),
        format: if file_name.to_lowercase().ends_with(".xlsx") { "xlsx".into() } else { "csv".into() },
        file_name,
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        mapping: ColumnMapping {
            date: get("date"),
            amount: optional("amount"),
            inflow: optional("inflow"),
            outflow: optional("outflow"),
            counterparty: optional("counterparty"),
            counterparty_account: None,
            reference: optional("reference"),
            transaction_id: optional("transaction_id"),
        },
    };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| ledger::bank::import_statement(tx, &ctx, &input))).await {
        Ok(_) => see_other("/finance/bank", Some("ui.bank.imported")),
        Err(error) => render(&state, &page, None, Some(&error.0)).await,
    }
}

pub async fn auto_match(State(state): State<AppState>, page: Page) -> Response {
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| ledger::bank::auto_match(tx, &ctx, None))).await {
        Ok(_) => see_other("/finance/bank", Some("ui.bank.matched")),
        Err(error) => render(&state, &page, None, Some(&error.0)).await,
    }
}

pub async fn settle_line(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let (partner, account) = (form.text("partner"), form.text("account"));
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| {
                // The user types the partner's code; the ledger keys partners by id.
                let partner_id = match partner.as_str() {
                    "" => None,
                    code => Some(
                        party::trading_terms(tx, &ctx, code)?
                            .ok_or_else(|| Error::field("partner", "ledger.partner_required"))?
                            .id,
                    ),
                };
                let input =
                    LineMatch { partner_id, documents: Vec::new(), account: Some(account).filter(|a| !a.is_empty()) };
                ledger::bank::match_line(tx, &ctx, &id, &input)
            })
        })
        .await;
    match result {
        Ok(_) => see_other("/finance/bank", Some("ui.saved")),
        Err(error) => render(&state, &page, None, Some(&error.0)).await,
    }
}

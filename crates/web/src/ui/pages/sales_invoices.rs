//! Sales invoices and credit notes in the web client: the list, and the invoice with its lines,
//! what is paid, the buttons `Invoice.actions` allows, the 数电票 fields (buyer while a draft,
//! the platform's number once posted) and the receipt (登记收款) that settles it.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::listing::{ListPage, ListQuery};
use kernel::{Ctx, Currency, Error, Money, Result};
use ledger::{Direction, PaymentInput};
use maud::html;
use sales::permissions::ORDER_READ;
use sales::{EInvoiceInput, INVOICE_LIST, Invoice, InvoiceId};

use super::sales::{field_message, money_columns, status_of, text_field};
use super::{FormData, see_other};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::ui::form;
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, flash, shell};
use crate::ui::list::{self, ColumnView, FilterField, FilterInput, ListParams, ListView, Show};

const INVOICE_COLUMNS: &[ColumnView] = &[
    ColumnView { key: "number", label: "ui.sales.number", show: Show::Link },
    ColumnView { key: "kind", label: "ui.sales.kind", show: Show::Badge("ui.sales.kind.") },
    ColumnView { key: "state", label: "ui.state", show: Show::Badge("ui.sales.invoice_state.") },
    ColumnView { key: "customer", label: "ui.sales.customer", show: Show::Text },
    ColumnView { key: "invoice_date", label: "ui.sales.invoice_date", show: Show::Text },
    ColumnView { key: "due_date", label: "ui.sales.due_date", show: Show::Text },
    ColumnView { key: "total", label: "ui.sales.total", show: Show::Amount },
    ColumnView { key: "paid", label: "ui.sales.paid", show: Show::Text },
];

const INVOICE_STATES: [&str; 4] = ["draft", "posted", "paid", "cancelled"];
const KINDS: [&str; 2] = ["invoice", "credit_note"];
const EINVOICE_KINDS: [&str; 2] = ["special", "ordinary"];

fn choices(page: &Page, prefix: &str, codes: &[&str]) -> Vec<(String, String)> {
    codes.iter().map(|c| (c.to_string(), page.t(&format!("{prefix}{c}")))).collect()
}

fn invoice_rows(tx: &mut Tx<'_>, ctx: &Ctx, query: &ListQuery) -> Result<ListPage> {
    Ok(money_columns(sales::list_invoices(tx, ctx, query)?, &INVOICE_LIST, &["total", "paid"], None))
}

pub async fn invoices(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let view = ListView {
        key: "sales.invoices",
        title: "ui.sales.invoices",
        base: "/sales/invoices",
        spec: &INVOICE_LIST,
        columns: INVOICE_COLUMNS,
        filters: vec![
            FilterField { key: "number", label: "ui.sales.number", input: FilterInput::Text },
            FilterField {
                key: "kind",
                label: "ui.sales.kind",
                input: FilterInput::Choice(choices(&page, "ui.sales.kind.", &KINDS)),
            },
            FilterField {
                key: "state",
                label: "ui.state",
                input: FilterInput::Choice(choices(&page, "ui.sales.invoice_state.", &INVOICE_STATES)),
            },
        ],
        bulk: vec![],
        new_href: None,
    };
    list::handle(&state, &page, view, ListParams::parse(query.as_deref()), invoice_rows).await
}

/// What is still to be paid, in the invoice's currency (minor units).
fn open_minor(invoice: &Invoice) -> i64 {
    let currency = Currency::from_code(&invoice.currency).unwrap_or(Currency::CNY);
    let minor = |text: &str| Money::parse(text, currency).map(|m| m.minor()).unwrap_or(0);
    minor(&invoice.total) - minor(&invoice.paid)
}

/// What went wrong on the invoice page, and which form it belongs to.
enum Problem<'a> {
    Action(&'a Error),
    EInvoice(&'a Error, &'a FormData),
    Payment(&'a Error, &'a FormData),
}

fn invoice_page(page: &Page, invoice: &Invoice, problem: Option<Problem>, ok: Option<&str>) -> Response {
    let id = invoice.id.to_string();
    let currency = Currency::from_code(&invoice.currency).unwrap_or(Currency::CNY);
    let open = open_minor(invoice);
    let has = |action: &str| invoice.actions.iter().any(|a| a == action);
    let (action_error, einvoice, payment) = match &problem {
        Some(Problem::Action(e)) => (Some(*e), None, None),
        Some(Problem::EInvoice(e, f)) => (None, Some((*e, *f)), None),
        Some(Problem::Payment(e, f)) => (None, None, Some((*e, *f))),
        None => (None, None, None),
    };
    let einvoice_error = einvoice.map(|(e, _)| e);
    let payment_error = payment.map(|(e, _)| e);
    // What was typed in a refused form, else what is stored.
    let typed_einvoice = |name: &str, stored: &str| einvoice.map(|(_, f)| f.text(name)).unwrap_or(stored.to_string());
    let default_amount = if invoice.currency == "CNY" && open > 0 {
        Money::from_minor(open, currency).to_string()
    } else {
        String::new()
    };
    let typed_payment =
        |name: &str, default: &str| payment.map(|(_, f)| f.text(name)).unwrap_or_else(|| default.to_string());
    let draft = invoice.state == "draft";
    let payable = page.may(ledger::permissions::PAYMENT) && invoice.state == "posted" && invoice.kind == "invoice";
    let title = format!(
        "{} {}",
        page.t(&format!("ui.sales.kind.{}", invoice.kind)),
        invoice.number.clone().unwrap_or_else(|| page.t("ui.sales.draft_invoice"))
    );
    let loose = |error: Option<&Error>, shown: &[&str]| -> Vec<String> {
        super::sales::other_messages(page, error, &|f: &str| shown.contains(&f))
    };
    let body = html! {
        h1 { (title) " " (form::badge(page, "ui.sales.invoice_state.", &invoice.state)) }
        (flash(page, ok, None))
        (form::form_error(page, action_error))
        dl.facts {
            dt { (page.t("ui.sales.customer")) } dd { (invoice.customer_name) }
            @if invoice.state != "draft" { (super::ledger::voucher_link(page, "sales.invoice", &id)) }
            @if let (Some(order), Some(number)) = (&invoice.order_id, &invoice.order_number) {
                dt { (page.t("ui.sales.order")) }
                dd { @if page.may(ORDER_READ) { a href=(format!("/sales/orders/{order}")) { (number) } } @else { (number) } }
            }
            dt { (page.t("ui.sales.invoice_date")) } dd { (invoice.invoice_date) }
            dt { (page.t("ui.sales.due_date")) } dd { (invoice.due_date) }
            dt { (page.t("ui.sales.currency")) } dd { (invoice.currency) }
            dt { (page.t("ui.sales.untaxed")) } dd { (invoice.untaxed) }
            dt { (page.t("ui.sales.tax")) } dd { (invoice.tax) }
            dt { (page.t("ui.sales.total")) } dd { strong { (invoice.total) } }
            dt { (page.t("ui.sales.paid")) } dd { (invoice.paid) }
            @if matches!(invoice.state.as_str(), "posted" | "paid") {
                dt { (page.t("ui.sales.open")) } dd { (Money::from_minor(open, currency).to_string()) }
            }
        }
        p { a.button href=(format!("/api/v1/sales/invoices/{id}/pdf")) { (page.t("ui.sales.print_pdf")) } }
        table.list {
            caption.sr-only { (page.t("ui.sales.lines")) }
            thead { tr {
                th { "#" } th { (page.t("ui.sales.product")) } th.num { (page.t("ui.sales.quantity")) }
                th.num { (page.t("ui.sales.unit_price")) } th.num { (page.t("ui.sales.discount")) } th { (page.t("ui.sales.tax_code")) }
                th.num { (page.t("ui.sales.untaxed")) } th.num { (page.t("ui.sales.tax")) } th.num { (page.t("ui.sales.total")) }
            } }
            tbody {
                @for l in &invoice.lines {
                    tr {
                        td { (l.seq) } td { (l.product_code) " " (l.description) } td.num { (l.quantity) }
                        td.num { (l.unit_price) } td.num { (l.discount) "%" } td { (l.tax_code) " (" (l.tax_rate) "%)" }
                        td.num { (l.untaxed) } td.num { (l.tax) } td.num { (l.total) }
                    }
                }
                tr.total {
                    td colspan="6" { strong { (page.t("ui.sales.sum")) } }
                    td.num { strong { (invoice.untaxed) } } td.num { strong { (invoice.tax) } } td.num { strong { (invoice.total) } }
                }
            }
        }
        @if has("post") || has("cancel") {
            form.actions method="post" action=(format!("/sales/invoices/{id}/act")) {
                input type="hidden" name="_csrf" value=(page.csrf());
                @if has("post") { button.primary type="submit" name="action" value="post" { (page.t("ui.sales.act.post")) } " " }
                @if has("cancel") { button.danger type="submit" name="action" value="cancel" data-confirm=(page.t("ui.sales.cancel_invoice_confirm")) { (page.t("ui.sales.act.cancel_invoice")) } }
            }
        }
        section.panel aria-labelledby="einvoice-title" {
            h2 #einvoice-title { (page.t("ui.sales.einvoice")) }
            dl.facts {
                dt { (page.t("ui.sales.einvoice_kind")) } dd { (page.t(&format!("ui.sales.einvoice_kind.{}", invoice.einvoice_kind))) }
                dt { (page.t("ui.sales.einvoice_number")) } dd { (invoice.einvoice_number.clone().unwrap_or_else(|| "—".into())) }
                @if let Some(at) = &invoice.einvoice_issued_at { dt { (page.t("ui.sales.einvoice_issued_at")) } dd { (at.replace('T', " ").chars().take(16).collect::<String>()) } }
                dt { (page.t("ui.sales.buyer_name")) } dd { (invoice.buyer_name) }
                dt { (page.t("ui.sales.buyer_tax_id")) } dd { (invoice.buyer_tax_id) }
                dt { (page.t("ui.sales.buyer_address_phone")) } dd { (invoice.buyer_address_phone) }
                dt { (page.t("ui.sales.buyer_bank_account")) } dd { (invoice.buyer_bank_account) }
            }
            @if has("einvoice") {
                @let shown: &[&str] = if draft {
                    &["einvoice_kind", "buyer_name", "buyer_tax_id", "buyer_address_phone", "buyer_bank_account"]
                } else { &["einvoice_kind", "einvoice_number"] };
                form method="post" action=(format!("/sales/invoices/{id}/einvoice")) {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    @if let Some(error) = einvoice_error { @if error.fields().is_empty() { (form::form_error(page, Some(error))) } }
                    @for message in loose(einvoice_error, shown) { div.flash.error role="alert" { (message) } }
                    div.form-grid {
                        @let kind = typed_einvoice("einvoice_kind", &invoice.einvoice_kind);
                        @let message = field_message(page, einvoice_error, "einvoice_kind");
                        div.field.invalid[message.is_some()] {
                            label for="field-einvoice_kind" { (page.t("ui.sales.einvoice_kind")) }
                            select #field-einvoice_kind name="einvoice_kind" {
                                @for (code, label) in choices(page, "ui.sales.einvoice_kind.", &EINVOICE_KINDS) {
                                    option value=(code) selected[code == kind] { (label) }
                                }
                            }
                            @if let Some(message) = message { span.error role="alert" { (message) } }
                        }
                        @if draft {
                            (text_field(page, "buyer_name", "ui.sales.buyer_name", "text", &typed_einvoice("buyer_name", &invoice.buyer_name), None, einvoice_error))
                            (text_field(page, "buyer_tax_id", "ui.sales.buyer_tax_id", "text", &typed_einvoice("buyer_tax_id", &invoice.buyer_tax_id), None, einvoice_error))
                            (text_field(page, "buyer_address_phone", "ui.sales.buyer_address_phone", "text", &typed_einvoice("buyer_address_phone", &invoice.buyer_address_phone), None, einvoice_error))
                            (text_field(page, "buyer_bank_account", "ui.sales.buyer_bank_account", "text", &typed_einvoice("buyer_bank_account", &invoice.buyer_bank_account), None, einvoice_error))
                        } @else {
                            (text_field(page, "einvoice_number", "ui.sales.einvoice_number_hint", "text", &typed_einvoice("einvoice_number", &invoice.einvoice_number.clone().unwrap_or_default()), None, einvoice_error))
                        }
                    }
                    p { button type="submit" { (page.t("ui.sales.einvoice_save")) } }
                }
            }
        }
        @if payable {
            section.panel aria-labelledby="payment-title" {
                h2 #payment-title { (page.t("ui.sales.payment")) }
                form method="post" action=(format!("/sales/invoices/{id}/payment")) {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    @if let Some(error) = payment_error { @if error.fields().is_empty() { (form::form_error(page, Some(error))) } }
                    @for message in loose(payment_error, &["amount", "date", "account"]) { div.flash.error role="alert" { (message) } }
                    div.form-grid {
                        (text_field(page, "amount", "ui.sales.payment_amount", "text", &typed_payment("amount", &default_amount), None, payment_error))
                        (text_field(page, "date", "ui.sales.payment_date", "date", &typed_payment("date", ""), None, payment_error))
                        (text_field(page, "account", "ui.sales.payment_account", "text", &typed_payment("account", ""), Some("accounts"), payment_error))
                        (text_field(page, "reference", "ui.sales.payment_reference", "text", &typed_payment("reference", ""), None, payment_error))
                    }
                    p.meta { (page.t("ui.sales.payment_hint")) }
                    p { button.primary type="submit" { (page.t("ui.sales.act.register_payment")) } }
                }
            }
        }
    };
    let mut response = shell(page, &title, body);
    if let Some(Problem::Action(e) | Problem::EInvoice(e, _) | Problem::Payment(e, _)) = problem {
        *response.status_mut() = status_of(e);
    }
    response
}

async fn load(state: &AppState, page: &Page, id: InvoiceId) -> std::result::Result<Invoice, ApiError> {
    let ctx = page.ctx(state);
    state.blocking(move |state| state.db.read(|tx| sales::get_invoice(tx, &ctx, id))).await
}

/// After a refused form: the invoice again with the problem beside the form.
async fn refused(state: &AppState, page: &Page, id: InvoiceId, problem: Problem<'_>) -> Response {
    match load(state, page, id).await {
        Ok(invoice) => invoice_page(page, &invoice, Some(problem), None),
        Err(e) => e.into_response(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(id) = InvoiceId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "sales.invoice_not_found");
    };
    let ok = query_param(query.as_deref(), "ok");
    match load(&state, &page, id).await {
        Ok(invoice) => invoice_page(&page, &invoice, None, ok.as_deref()),
        Err(error) => error_page_for(&page, status_of(&error.0), &error.0),
    }
}

/// Post or cancel a draft.
pub async fn act(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = InvoiceId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "sales.invoice_not_found");
    };
    let action = form.text("action");
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| match action.as_str() {
                "post" => sales::post_invoice(tx, &ctx, id),
                "cancel" => sales::cancel_invoice(tx, &ctx, id),
                other => Err(Error::bad_request("sales.invoice_state")
                    .with_param("state", "?")
                    .with_param("action", other.to_string())),
            })
        })
        .await;
    match result {
        Ok(_) => see_other(&format!("/sales/invoices/{id}"), Some("ui.saved")),
        Err(error) => refused(&state, &page, id, Problem::Action(&error.0)).await,
    }
}

/// The 数电票 fields: the buyer while a draft, the platform's number once posted.
pub async fn einvoice(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = InvoiceId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "sales.invoice_not_found");
    };
    let text = |name: &str| Some(form.text(name));
    let kind = Some(form.text("einvoice_kind")).filter(|k| !k.is_empty());
    let buyer = EInvoiceInput {
        einvoice_kind: kind.clone(),
        einvoice_number: None,
        buyer_name: text("buyer_name"),
        buyer_tax_id: text("buyer_tax_id"),
        buyer_address_phone: text("buyer_address_phone"),
        buyer_bank_account: text("buyer_bank_account"),
    };
    let issued = EInvoiceInput {
        einvoice_kind: kind,
        einvoice_number: text("einvoice_number").filter(|n| !n.is_empty()),
        buyer_name: None,
        buyer_tax_id: None,
        buyer_address_phone: None,
        buyer_bank_account: None,
    };
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| {
                let current = sales::get_invoice(tx, &ctx, id)?;
                let input = if current.state == "draft" { &buyer } else { &issued };
                sales::set_einvoice(tx, &ctx, id, input)
            })
        })
        .await;
    match result {
        Ok(_) => see_other(&format!("/sales/invoices/{id}"), Some("ui.saved")),
        Err(error) => refused(&state, &page, id, Problem::EInvoice(&error.0, &form)).await,
    }
}

/// 登记收款: a receipt from the customer matched against this invoice.
pub async fn payment(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = InvoiceId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "sales.invoice_not_found");
    };
    let opt = |name: &str| Some(form.text(name)).filter(|v| !v.is_empty());
    let (amount, date, account, reference) = (form.text("amount"), opt("date"), opt("account"), form.text("reference"));
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| {
                let invoice = sales::get_invoice(tx, &ctx, id)?;
                if invoice.state != "posted" || invoice.kind != "invoice" {
                    return Err(Error::conflict("sales.invoice_state")
                        .with_param("state", invoice.state)
                        .with_param("action", "payment"));
                }
                ledger::register_payment(
                    tx,
                    &ctx,
                    &PaymentInput {
                        direction: Direction::Receipt,
                        partner_id: invoice.customer_id,
                        amount,
                        date,
                        account,
                        reference,
                        documents: vec![DocRef::new("sales.invoice", id)],
                        currency: None,
                        rate: None,
                        method: None,
                    },
                )
            })
        })
        .await;
    match result {
        Ok(_) => see_other(&format!("/sales/invoices/{id}"), Some("ui.sales.payment_registered")),
        Err(error) => refused(&state, &page, id, Problem::Payment(&error.0, &form)).await,
    }
}

//! CRM in the web client, contracts (合同): a new contract for a customer with its payment
//! milestones, and the contract page — terms, milestones with the invoices that bill them,
//! activation and termination, and the record's history, comments and attachments.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use crm::contract::{Contract, ContractId, ContractInput, MilestoneInput};
use crm::permissions::WRITE;
use kernel::Error;
use maud::html;

use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::form::{self, Field, Input};
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, flash, shell};

/// Milestone rows offered on a new contract.
const MILESTONE_ROWS: usize = 4;

fn new_page(page: &Page, form: Option<&FormData>, error: Option<&Error>) -> Response {
    let value = |name: &str| form.map(|f| f.text(name)).unwrap_or_default();
    let cell = |name: &str, i: usize| form.and_then(|f| f.all(name).get(i).cloned()).unwrap_or_default();
    let fields = vec![
        Field::new("name", "ui.crm.contract_name", Input::Text, value("name")).required(),
        Field::new("customer", "ui.crm.customer_code", Input::Text, value("customer")).required(),
        Field::new("amount", "ui.crm.amount", Input::Decimal, value("amount")).required(),
        Field::new("start_date", "ui.crm.start_date", Input::Date, value("start_date")).required(),
        Field::new("end_date", "ui.crm.end_date", Input::Date, value("end_date")).required(),
        Field::new("terms", "ui.crm.terms", Input::TextArea, value("terms")),
    ];
    let body = html! {
        h1 { (page.t("ui.crm.new_contract")) }
        (form::form_error(page, error))
        form.panel method="post" action="/crm/contracts/new" {
            input type="hidden" name="_csrf" value=(page.csrf());
            input type="hidden" name="opportunity_id" value=(value("opportunity_id"));
            (form::fields(page, &fields, error))
            h2 { (page.t("ui.crm.milestones")) }
            table.list {
                thead { tr { th { (page.t("ui.crm.milestone")) } th { (page.t("ui.crm.due_date")) } th.num { (page.t("ui.crm.amount")) } } }
                tbody {
                    @for i in 0..MILESTONE_ROWS {
                        tr {
                            td { input type="text" name="m_name" value=(cell("m_name", i)) aria-label=(page.t("ui.crm.milestone")); }
                            td { input type="date" name="m_due" value=(cell("m_due", i)) aria-label=(page.t("ui.crm.due_date")); }
                            td { input type="text" inputmode="decimal" name="m_amount" value=(cell("m_amount", i)) aria-label=(page.t("ui.crm.amount")); }
                        }
                    }
                }
            }
            // Problems with the milestones as a whole or a row of them, beside the table.
            @if let Some(error) = error {
                @for f in error.fields().iter().filter(|f| f.field.starts_with("milestones")) {
                    p.error role="alert" { (page.t_with(f.code, &f.params)) }
                }
            }
            p { button.primary type="submit" { (page.t("ui.save")) } }
        }
    };
    let mut response = shell(page, &page.t("ui.crm.new_contract"), body);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub async fn new_form(page: Page, RawQuery(query): RawQuery) -> Response {
    let prefill: Vec<(String, String)> = ["customer", "opportunity_id", "name", "amount"]
        .iter()
        .filter_map(|k| query_param(query.as_deref(), k).map(|v| (k.to_string(), v)))
        .collect();
    new_page(&page, Some(&FormData(prefill)), None)
}

pub async fn create(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let (names, dues, amounts) = (form.all("m_name"), form.all("m_due"), form.all("m_amount"));
    let milestones = (0..names.len())
        .filter(|&i| !names[i].trim().is_empty() || !amounts.get(i).map(|a| a.trim().is_empty()).unwrap_or(true))
        .map(|i| MilestoneInput {
            name: names[i].clone(),
            due_date: dues.get(i).cloned().unwrap_or_default(),
            amount: amounts.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    let input = ContractInput {
        name: form.text("name"),
        customer: form.text("customer"),
        opportunity_id: Some(form.text("opportunity_id")).filter(|o| !o.is_empty()),
        amount: form.text("amount"),
        start_date: form.text("start_date"),
        end_date: form.text("end_date"),
        terms: form.text("terms"),
        milestones,
    };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| crm::contract::create_contract(tx, &ctx, &input))).await {
        Ok(contract) => see_other(&format!("/crm/contracts/{}", contract.id), Some("ui.saved")),
        Err(error) => new_page(&page, Some(&form), Some(&error.0)),
    }
}

struct Loaded {
    contract: Contract,
    history: Vec<kernel::audit::AuditEntry>,
    comments: Vec<office::Comment>,
    attachments: Vec<kernel::attachment::Attachment>,
}

async fn load(state: &AppState, page: &Page, id: ContractId) -> Result<Loaded, crate::problem::ApiError> {
    let ctx = page.ctx(state);
    state
        .blocking(move |state| {
            state.db.read(|tx| {
                let contract = crm::contract::get_contract(tx, &ctx, id)?;
                let key = contract.id.clone();
                Ok(Loaded {
                    history: kernel::audit::history(tx, &ctx, "crm.contract", &key, 50)?,
                    comments: office::list_comments(tx, &ctx, "crm.contract", &key)?,
                    attachments: state.attachments.list(tx, &ctx, "crm.contract", &key)?,
                    contract,
                })
            })
        })
        .await
}

fn contract_page(page: &Page, data: &Loaded, ok: Option<&str>, error: Option<&Error>) -> Response {
    let c = &data.contract;
    let may = page.may(WRITE);
    let body = html! {
        div.record {
            div {
                h1 { (c.number) " " (c.name) " " (form::badge(page, "ui.crm.contract_state.", &c.state)) }
                (flash(page, ok, None))
                (form::form_error(page, error))
                dl.facts {
                    dt { (page.t("ui.crm.customer")) } dd { a href=(format!("/parties/{}/360", c.partner_id)) { (page.t("ui.crm.customer_360")) } }
                    dt { (page.t("ui.crm.amount")) } dd { "¥" (c.amount) }
                    dt { (page.t("ui.crm.paid")) } dd { "¥" (c.paid) }
                    @if let Some(approval) = &c.approval {
                        dt { (page.t("ui.approvals.title")) }
                        dd { a href=(format!("/office/approvals/{}", approval.request_id)) { (approval.number) } " " (form::badge(page, "ui.approvals.state.", &approval.state)) }
                    }
                    dt { (page.t("ui.crm.start_date")) } dd { (c.start_date) }
                    dt { (page.t("ui.crm.end_date")) } dd { (c.end_date) }
                    dt { (page.t("ui.crm.terms")) } dd { (c.terms) }
                    @if let Some(o) = &c.opportunity_id { dt { (page.t("ui.crm.opportunity")) } dd { a href=(format!("/crm/opportunities/{o}")) { (page.t("ui.inventory.open")) } } }
                }
                section.panel {
                    h2 { (page.t("ui.crm.milestones")) }
                    table.list {
                        thead { tr { th { "#" } th { (page.t("ui.crm.milestone")) } th { (page.t("ui.crm.due_date")) } th.num { (page.t("ui.crm.amount")) } th { (page.t("ui.crm.invoice")) } } }
                        tbody { @for m in &c.milestones { tr {
                            td { (m.seq) } td { (m.name) } td { (m.due_date) } td.num { (m.amount) }
                            td {
                                @if let Some(invoice) = &m.invoice_id {
                                    a href=(format!("/sales/invoices/{invoice}")) { (m.invoice_state.clone().unwrap_or_default()) }
                                } @else if may {
                                    form.inline method="post" action=(format!("/crm/contracts/{}/milestones", c.id)) {
                                        input type="hidden" name="_csrf" value=(page.csrf());
                                        input type="hidden" name="milestone_id" value=(m.id);
                                        input type="text" name="invoice" required placeholder=(page.t("ui.crm.invoice_number")) aria-label=(page.t("ui.crm.invoice_number"));
                                        " " button type="submit" { (page.t("ui.crm.link_invoice")) }
                                    }
                                }
                            }
                        } } }
                    }
                }
                @if may && (c.state == "draft" || c.state == "active") {
                    form.actions method="post" action=(format!("/crm/contracts/{}/act", c.id)) {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        @if c.state == "draft" && !c.approval.as_ref().is_some_and(|a| a.pending()) { button.primary type="submit" name="action" value="activate" { (page.t("ui.crm.activate")) } " " }
                        input type="text" name="reason" placeholder=(page.t("ui.crm.lost_reason")) aria-label=(page.t("ui.crm.lost_reason"));
                        " " button type="submit" name="action" value="terminate" data-confirm=(page.t("ui.crm.terminate_confirm")) { (page.t("ui.crm.terminate")) }
                    }
                }
            }
            div { (form::side_panel(page, "crm.contract", &c.id, &data.history, &data.comments, &data.attachments)) }
        }
    };
    let mut response = shell(page, &c.name, body);
    if error.is_some() {
        *response.status_mut() = StatusCode::CONFLICT;
    }
    response
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(id) = ContractId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "crm.contract_not_found");
    };
    let ok = query_param(query.as_deref(), "ok");
    match load(&state, &page, id).await {
        Ok(data) => contract_page(&page, &data, ok.as_deref(), None),
        Err(e) => error_page_for(&page, StatusCode::NOT_FOUND, &e.0),
    }
}

async fn after(
    state: &AppState,
    page: &Page,
    id: ContractId,
    result: Result<Contract, crate::problem::ApiError>,
) -> Response {
    match result {
        Ok(_) => see_other(&format!("/crm/contracts/{id}"), Some("ui.saved")),
        Err(error) => match load(state, page, id).await {
            Ok(data) => contract_page(page, &data, None, Some(&error.0)),
            Err(e) => error_page_for(page, StatusCode::NOT_FOUND, &e.0),
        },
    }
}

pub async fn act(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = ContractId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "crm.contract_not_found");
    };
    let (action, reason) = (form.text("action"), form.text("reason"));
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| match action.as_str() {
                "activate" => crm::contract::activate(tx, &ctx, id),
                _ => crm::contract::terminate(tx, &ctx, id, &reason),
            })
        })
        .await;
    after(&state, &page, id, result).await
}

pub async fn link(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = ContractId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "crm.contract_not_found");
    };
    let (milestone, invoice) = (form.text("milestone_id"), form.text("invoice"));
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| state.db.write(|tx| crm::contract::link_invoice(tx, &ctx, id, &milestone, &invoice)))
        .await;
    after(&state, &page, id, result).await
}

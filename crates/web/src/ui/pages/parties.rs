//! Customers and suppliers: the list, the form (with its contacts and bank accounts, the
//! duplicates it resembles and a merge button), and payment terms. Imports are on the import
//! page (`imports.rs`).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::Error;
use maud::{Markup, html};
use party::permissions::{CUSTOMER_WRITE, MERGE, SUPPLIER_WRITE};
use party::{BankAccount, Contact, PARTY_LIST, Party, PartyId, PartyInput, PartyKind};

use super::{FormData, see_other};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::ui::form::{self, Field, Input};
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, flash, shell};
use crate::ui::list::{self, ColumnView, FilterField, FilterInput, ListParams, ListView, Show};

const COLUMNS: &[ColumnView] = &[
    ColumnView { key: "code", label: "ui.party.code", show: Show::Link },
    ColumnView { key: "display_name", label: "ui.party.name", show: Show::Text },
    ColumnView { key: "kind", label: "ui.party.kind", show: Show::Badge("ui.party.kind.") },
    ColumnView { key: "group_code", label: "ui.party.group", show: Show::Text },
    ColumnView { key: "grade", label: "ui.party.grade", show: Show::Text },
    ColumnView { key: "city", label: "ui.party.city", show: Show::Text },
    ColumnView { key: "owner", label: "ui.party.owner", show: Show::Text },
    ColumnView { key: "state", label: "ui.state", show: Show::Badge("ui.user.state.") },
];

fn kinds(page: &Page) -> Vec<(String, String)> {
    ["customer", "supplier", "both"].iter().map(|k| (k.to_string(), page.t(&format!("ui.party.kind.{k}")))).collect()
}

fn may_write(page: &Page) -> bool {
    page.may(CUSTOMER_WRITE) || page.may(SUPPLIER_WRITE)
}

pub async fn list(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let view = ListView {
        key: "party.parties",
        title: "ui.parties",
        base: "/parties",
        spec: &PARTY_LIST,
        columns: COLUMNS,
        filters: vec![
            FilterField { key: "name", label: "ui.party.name_starts", input: FilterInput::Text },
            FilterField { key: "kind", label: "ui.party.kind", input: FilterInput::Choice(kinds(&page)) },
            FilterField { key: "grade", label: "ui.party.grade", input: FilterInput::Text },
        ],
        bulk: vec![],
        new_href: may_write(&page).then_some("/parties/new"),
    };
    list::handle(&state, &page, view, ListParams::parse(query.as_deref()), party::list_parties).await
}

struct Loaded {
    party: Option<Party>,
    duplicates: Vec<party::DuplicateHint>,
    history: Vec<kernel::audit::AuditEntry>,
    comments: Vec<office::Comment>,
    attachments: Vec<kernel::attachment::Attachment>,
}

fn input_of(party: &Party) -> PartyInput {
    PartyInput {
        code: party.code.clone(),
        name: party.name.clone(),
        kind: party.kind,
        uscc: party.uscc.clone(),
        phone: party.phone.clone(),
        mobile: party.mobile.clone(),
        email: party.email.clone(),
        ..PartyInput::default()
    }
}

async fn load(state: &AppState, page: &Page, id: Option<PartyId>) -> Result<Loaded, ApiError> {
    let ctx = page.ctx(state);
    state
        .blocking(move |state| {
            let vault = state.keys.vault()?;
            state.db.read(|tx| {
                let Some(id) = id else {
                    return Ok(Loaded {
                        party: None,
                        duplicates: vec![],
                        history: vec![],
                        comments: vec![],
                        attachments: vec![],
                    });
                };
                let party = party::get_party(tx, &ctx, &vault, id)?;
                let duplicates = if party.masked || !party.active {
                    vec![]
                } else {
                    party::find_duplicates(tx, &ctx, &vault, &input_of(&party), Some(id))?
                };
                let key = id.to_string();
                Ok(Loaded {
                    party: Some(party),
                    duplicates,
                    history: kernel::audit::history(tx, &ctx, "party.party", &key, 50)?,
                    comments: office::list_comments(tx, &ctx, "party.party", &key)?,
                    attachments: state.attachments.list(tx, &ctx, "party.party", &key)?,
                })
            })
        })
        .await
}

fn party_page(
    page: &Page,
    data: &Loaded,
    values: Option<&FormData>,
    error: Option<&Error>,
    ok: Option<&str>,
) -> Response {
    let party = data.party.as_ref();
    let readonly = !may_write(page) || party.is_some_and(|p| p.masked || !p.active);
    let value =
        |name: &str, current: Option<String>| values.map(|f| f.text(name)).unwrap_or(current.unwrap_or_default());
    let text = |name: &'static str, label: &'static str, current: Option<String>| {
        Field::new(name, label, Input::Text, value(name, current)).readonly(readonly)
    };
    let fields = vec![
        text("code", "ui.party.code", party.map(|p| p.code.clone())).required(),
        text("name", "ui.party.name", party.map(|p| p.name.clone())).required(),
        Field::new(
            "kind",
            "ui.party.kind",
            Input::Select(kinds(page)),
            value("kind", party.map(|p| p.kind.code().to_string()).or(Some("customer".into()))),
        )
        .required()
        .readonly(readonly),
        text("uscc", "ui.party.uscc", party.and_then(|p| p.uscc.clone())),
        text("group_code", "ui.party.group", party.map(|p| p.group_code.clone())),
        text("grade", "ui.party.grade", party.map(|p| p.grade.clone())),
        text("tags", "ui.party.tags", party.map(|p| p.tags.join(", "))),
        text("source", "ui.party.source", party.map(|p| p.source.clone())),
        Field::new(
            "credit_limit",
            "ui.party.credit_limit",
            Input::Decimal,
            value("credit_limit", party.map(|p| p.credit_limit.clone())),
        )
        .readonly(readonly),
        text("currency", "ui.party.currency", party.map(|p| p.currency.clone()).or(Some("CNY".into()))),
        text("phone", "ui.party.phone", party.and_then(|p| p.phone.clone())),
        text("mobile", "ui.party.mobile", party.and_then(|p| p.mobile.clone())),
        Field::new("email", "ui.party.email", Input::Email, value("email", party.and_then(|p| p.email.clone())))
            .readonly(readonly),
        text("country", "ui.party.country", party.map(|p| p.country.clone()).or(Some("CN".into()))),
        text("province", "ui.party.province", party.map(|p| p.province.clone())),
        text("city", "ui.party.city", party.map(|p| p.city.clone())),
        text("district", "ui.party.district", party.map(|p| p.district.clone())),
        text("address", "ui.party.address", party.and_then(|p| p.address.clone())),
        text("postal_code", "ui.party.postal_code", party.map(|p| p.postal_code.clone())),
        Field::new("note", "ui.party.note", Input::TextArea, value("note", party.map(|p| p.note.clone())))
            .readonly(readonly),
    ];
    let title = party.map(|p| format!("{} {}", p.code, p.name)).unwrap_or_else(|| page.t("ui.party.new"));
    let action = party.map(|p| format!("/parties/{}", p.id)).unwrap_or_else(|| "/parties/new".into());
    let body = html! {
        h1 {
            (title)
            @if let Some(p) = party {
                (form::badge(page, "ui.party.kind.", p.kind.code()))
                (form::badge(page, "ui.user.state.", if p.active { "active" } else { "inactive" }))
            }
        }
        (flash(page, ok, None))
        @if party.is_some_and(|p| p.masked) { div.flash.error role="status" { (page.t("ui.party.masked")) } }
        @if !data.duplicates.is_empty() {
            div.flash.error role="alert" {
                strong { (page.t("ui.party.duplicates")) }
                ul {
                    @for d in &data.duplicates {
                        li {
                            a href=(format!("/parties/{}", d.party_id)) { (d.name) } " (" (page.t(&format!("ui.party.match.{}", d.matched_on))) ")"
                            @if page.may(MERGE) {
                                @if let Some(p) = party {
                                    form method="post" action=(format!("/parties/{}/merge", p.id)) {
                                        input type="hidden" name="_csrf" value=(page.csrf());
                                        input type="hidden" name="remove" value=(d.party_id);
                                        button type="submit" data-confirm=(page.t("ui.party.merge_confirm")) { (page.t("ui.party.merge")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        div.columns-2 {
            form.panel method="post" action=(action) data-save {
                input type="hidden" name="_csrf" value=(page.csrf());
                @if let Some(p) = party { input type="hidden" name="version" value=(p.version); }
                (form::form_error(page, error.filter(|e| e.fields().is_empty())))
                (form::fields(page, &fields, error))
                (contact_rows(page, party, values, readonly))
                (row_errors(page, error, "contacts"))
                (bank_rows(page, party, values, readonly))
                (row_errors(page, error, "bank_accounts"))
                @if !readonly { p { button.primary type="submit" { (page.t("ui.save")) } " " a href="/parties" { (page.t("ui.cancel")) } } }
            }
            @if let Some(p) = party { div { (form::side_panel(page, "party.party", &p.id.to_string(), &data.history, &data.comments, &data.attachments)) } }
        }
    };
    let mut response = shell(page, &page.t("ui.parties"), body);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// The contacts as rows of inputs (one empty row to add another); a row whose name is
/// cleared is removed on save. The radio button marks the primary contact.
fn contact_rows(page: &Page, party: Option<&Party>, values: Option<&FormData>, readonly: bool) -> Markup {
    let mut rows: Vec<Contact> = match values {
        Some(form) => contacts_from(form),
        None => party.map(|p| p.contacts.clone()).unwrap_or_default(),
    };
    if !readonly {
        rows.push(Contact::default());
    }
    let cell = |name: &str, i: usize, value: &str, label: &str| {
        html! { td { input type="text" name=(name) value=(value) aria-label=(format!("{} {}", page.t(label), i + 1)) readonly[readonly]; } }
    };
    html! {
        section #contacts {
            h2 { (page.t("ui.party.contacts")) }
            table.list.edit-rows {
                thead { tr {
                    th { (page.t("ui.party.contact_name")) } th { (page.t("ui.party.contact_title")) } th { (page.t("ui.party.phone")) }
                    th { (page.t("ui.party.contact_mobile")) } th { (page.t("ui.party.contact_email")) } th { (page.t("ui.party.id_card")) } th { (page.t("ui.party.primary")) }
                } }
                tbody {
                    @for (i, c) in rows.iter().enumerate() {
                        tr {
                            (cell("contact_name", i, &c.name, "ui.party.contact_name"))
                            (cell("contact_title", i, &c.title, "ui.party.contact_title"))
                            (cell("contact_phone", i, c.phone.as_deref().unwrap_or_default(), "ui.party.phone"))
                            (cell("contact_mobile", i, c.mobile.as_deref().unwrap_or_default(), "ui.party.contact_mobile"))
                            (cell("contact_email", i, c.email.as_deref().unwrap_or_default(), "ui.party.contact_email"))
                            (cell("contact_id_card", i, c.id_card.as_deref().unwrap_or_default(), "ui.party.id_card"))
                            td { input type="radio" name="contact_primary" value=(i) checked[c.is_primary] disabled[readonly] aria-label=(format!("{} {}", page.t("ui.party.primary"), i + 1)); }
                        }
                    }
                }
            }
            @if !readonly { p.meta { (page.t("ui.party.rows_hint")) } }
        }
    }
}

/// The bank accounts as rows of inputs, like the contacts.
fn bank_rows(page: &Page, party: Option<&Party>, values: Option<&FormData>, readonly: bool) -> Markup {
    let mut rows: Vec<BankAccount> = match values {
        Some(form) => banks_from(form),
        None => party.map(|p| p.bank_accounts.clone()).unwrap_or_default(),
    };
    if !readonly {
        rows.push(BankAccount::default());
    }
    html! {
        section #bank-accounts {
            h2 { (page.t("ui.party.bank_accounts")) }
            table.list.edit-rows {
                thead { tr { th { (page.t("ui.party.bank_name")) } th { (page.t("ui.party.bank_holder")) } th { (page.t("ui.party.bank_account")) } } }
                tbody {
                    @for (i, b) in rows.iter().enumerate() {
                        tr {
                            td { input type="text" name="bank_name" value=(b.bank_name) aria-label=(format!("{} {}", page.t("ui.party.bank_name"), i + 1)) readonly[readonly]; }
                            td { input type="text" name="bank_holder" value=(b.holder) aria-label=(format!("{} {}", page.t("ui.party.bank_holder"), i + 1)) readonly[readonly]; }
                            td { input type="text" name="bank_account" value=(b.account) aria-label=(format!("{} {}", page.t("ui.party.bank_account"), i + 1)) readonly[readonly]; }
                        }
                    }
                }
            }
        }
    }
}

/// The problems of the contact or bank account rows (they have no field of their own).
fn row_errors(page: &Page, error: Option<&Error>, prefix: &str) -> Markup {
    let messages: Vec<String> = error
        .map(|e| {
            e.fields().iter().filter(|f| f.field.starts_with(prefix)).map(|f| page.t_with(f.code, &f.params)).collect()
        })
        .unwrap_or_default();
    html! { @for m in messages { div.flash.error role="alert" { (m) } } }
}

/// The contact rows of a submitted form, skipping rows without a name.
fn contacts_from(form: &FormData) -> Vec<Contact> {
    let column = |name: &str| form.all(name);
    let (names, titles, phones, mobiles, emails, cards) = (
        column("contact_name"),
        column("contact_title"),
        column("contact_phone"),
        column("contact_mobile"),
        column("contact_email"),
        column("contact_id_card"),
    );
    let primary = form.text("contact_primary").parse::<usize>().ok();
    let at = |values: &[String], i: usize| values.get(i).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let mut contacts: Vec<Contact> = (0..names.len())
        .filter_map(|i| {
            Some(Contact {
                name: at(&names, i)?,
                title: at(&titles, i).unwrap_or_default(),
                phone: at(&phones, i),
                mobile: at(&mobiles, i),
                email: at(&emails, i),
                id_card: at(&cards, i),
                is_primary: primary == Some(i),
                ..Contact::default()
            })
        })
        .collect();
    // Someone is always the primary contact when there are contacts.
    if !contacts.is_empty() && !contacts.iter().any(|c| c.is_primary) {
        contacts[0].is_primary = true;
    }
    contacts
}

/// The bank account rows of a submitted form, skipping empty rows.
fn banks_from(form: &FormData) -> Vec<BankAccount> {
    let (names, holders, accounts) = (form.all("bank_name"), form.all("bank_holder"), form.all("bank_account"));
    let at = |values: &[String], i: usize| values.get(i).map(|v| v.trim().to_string()).unwrap_or_default();
    (0..names.len().max(accounts.len()))
        .map(|i| BankAccount {
            bank_name: at(&names, i),
            holder: at(&holders, i),
            account: at(&accounts, i),
            ..BankAccount::default()
        })
        .filter(|b| !(b.bank_name.is_empty() && b.holder.is_empty() && b.account.is_empty()))
        .collect()
}

fn input_from(form: &FormData) -> PartyInput {
    let opt = |name: &str| Some(form.text(name)).filter(|v| !v.is_empty());
    let contacts = contacts_from(form);
    PartyInput {
        code: form.text("code"),
        name: form.text("name"),
        kind: PartyKind::parse(&form.text("kind")).unwrap_or_default(),
        uscc: opt("uscc"),
        group_code: form.text("group_code"),
        grade: form.text("grade"),
        tags: form
            .text("tags")
            .split([',', '，', ';', '；'])
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        owner_id: None,
        source: form.text("source"),
        payment_term: None,
        credit_limit: opt("credit_limit"),
        currency: opt("currency"),
        phone: opt("phone"),
        mobile: opt("mobile"),
        email: opt("email"),
        country: opt("country"),
        province: form.text("province"),
        city: form.text("city"),
        district: form.text("district"),
        address: opt("address"),
        postal_code: form.text("postal_code"),
        note: form.text("note"),
        contacts,
        bank_accounts: banks_from(form),
        version: form.text("version").parse().unwrap_or(0),
    }
}

pub async fn new_form(State(state): State<AppState>, page: Page) -> Response {
    match load(&state, &page, None).await {
        Ok(data) => party_page(&page, &data, None, None, None),
        Err(error) => error.into_response(),
    }
}

pub async fn create(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input = input_from(&form);
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            let vault = state.keys.vault()?;
            state.db.write(|tx| party::create_party(tx, &ctx, &vault, &input))
        })
        .await;
    match result {
        Ok(party) => see_other(&format!("/parties/{}", party.id), Some("ui.saved")),
        Err(error) => match load(&state, &page, None).await {
            Ok(data) => party_page(&page, &data, Some(&form), Some(&error.0), None),
            Err(e) => e.into_response(),
        },
    }
}

pub async fn form(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(id) = PartyId::parse(&id) else { return error_page(&page, StatusCode::NOT_FOUND, "party.not_found") };
    let ok = query_param(query.as_deref(), "ok");
    match load(&state, &page, Some(id)).await {
        Ok(data) => party_page(&page, &data, None, None, ok.as_deref()),
        Err(error) => error_page_for(&page, StatusCode::NOT_FOUND, &error.0),
    }
}

pub async fn save(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = PartyId::parse(&id) else { return error_page(&page, StatusCode::NOT_FOUND, "party.not_found") };
    let input = input_from(&form);
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            let vault = state.keys.vault()?;
            state.db.write(|tx| party::update_party(tx, &ctx, &vault, id, &input))
        })
        .await;
    match result {
        Ok(_) => see_other(&format!("/parties/{id}"), Some("ui.saved")),
        Err(error) => match load(&state, &page, Some(id)).await {
            Ok(data) => party_page(&page, &data, Some(&form), Some(&error.0), None),
            Err(e) => e.into_response(),
        },
    }
}

pub async fn merge(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let (Ok(kept), Ok(removed)) = (PartyId::parse(&id), PartyId::parse(&form.text("remove"))) else {
        return error_page(&page, StatusCode::NOT_FOUND, "party.not_found");
    };
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            let vault = state.keys.vault()?;
            state.db.write(|tx| party::merge_parties(tx, &ctx, &vault, kept, removed))
        })
        .await;
    match result {
        Ok(_) => see_other(&format!("/parties/{kept}"), Some("ui.party.merged")),
        Err(error) => error_page_for(&page, StatusCode::CONFLICT, &error.0),
    }
}

fn terms_page(
    page: &Page,
    terms: &[party::PaymentTerm],
    values: Option<&FormData>,
    error: Option<&Error>,
    ok: Option<&str>,
) -> Response {
    let value = |name: &str| values.map(|f| f.text(name)).unwrap_or_default();
    let body = html! {
        h1 { (page.t("ui.party.terms")) }
        (flash(page, ok, None))
        table.list {
            thead { tr { th { (page.t("ui.party.code")) } th { (page.t("ui.party.name")) } th.num { (page.t("ui.party.term_days")) } th { (page.t("ui.party.term_eom")) } } }
            tbody { @for t in terms { tr { td { (t.code) } td { (t.name) } td.num { (t.days) } td { (if t.end_of_month { "✓" } else { "" }) } } } }
        }
        @if page.may(party::permissions::TERM_WRITE) {
            form.panel method="post" action="/parties/terms" {
                input type="hidden" name="_csrf" value=(page.csrf());
                (form::form_error(page, error.filter(|e| e.fields().is_empty())))
                (form::fields(page, &[
                    Field::new("code", "ui.party.code", Input::Text, value("code")).required(),
                    Field::new("name", "ui.party.name", Input::Text, value("name")).required(),
                    Field::new("days", "ui.party.term_days", Input::Decimal, value("days")).required(),
                    Field::new("end_of_month", "ui.party.term_eom", Input::Select(vec![("0".into(), page.t("ui.party.term_from_invoice")), ("1".into(), page.t("ui.party.term_eom"))]), value("end_of_month")),
                ], error))
                p { button.primary type="submit" { (page.t("ui.save")) } }
            }
        }
    };
    let mut response = shell(page, &page.t("ui.party.terms"), body);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

async fn load_terms(state: &AppState, page: &Page) -> Result<Vec<party::PaymentTerm>, ApiError> {
    let ctx = page.ctx(state);
    state.blocking(move |state| state.db.read(|tx| party::list_terms(tx, &ctx))).await
}

pub async fn terms(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let ok = query_param(query.as_deref(), "ok");
    match load_terms(&state, &page).await {
        Ok(terms) => terms_page(&page, &terms, None, None, ok.as_deref()),
        Err(error) => error.into_response(),
    }
}

pub async fn add_term(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let days = form.text("days").parse::<i64>();
    let result = match days {
        Ok(days) => {
            let term = party::PaymentTerm {
                code: form.text("code"),
                name: form.text("name"),
                days,
                end_of_month: form.text("end_of_month") == "1",
            };
            let ctx = page.ctx(&state);
            state.blocking(move |state| state.db.write(|tx| party::create_term(tx, &ctx, &term))).await
        }
        Err(_) => Err(ApiError(Error::field("days", "party.payment_term_invalid"))),
    };
    match result {
        Ok(_) => see_other("/parties/terms", Some("ui.saved")),
        Err(error) => match load_terms(&state, &page).await {
            Ok(terms) => terms_page(&page, &terms, Some(&form), Some(&error.0), None),
            Err(e) => e.into_response(),
        },
    }
}

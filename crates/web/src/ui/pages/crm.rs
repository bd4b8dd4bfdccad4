//! CRM in the web client, leads and activities: the lead list (own leads for a salesperson),
//! a new lead with the duplicate warning, the lead page with its score and the factors behind
//! it, qualification and loss, and the activities (沟通记录) recorded on leads, opportunities and
//! customers, with the follow-up page a reminder links to.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use crm::lead::{Duplicate, LEAD_LIST};
use crm::permissions::WRITE;
use crm::{Activity, ActivityId, ActivityInput, Lead, LeadId, LeadInput, QualifyInput};
use kernel::Error;
use maud::{Markup, html};

use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::form::{self, Field, Input};
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, flash, shell};
use crate::ui::list::{self, ColumnView, FilterField, FilterInput, ListParams, ListView, Show};

const COLUMNS: &[ColumnView] = &[
    ColumnView { key: "contact_name", label: "ui.crm.contact_name", show: Show::Link },
    ColumnView { key: "organization", label: "ui.crm.organization", show: Show::Text },
    ColumnView { key: "source", label: "ui.crm.source", show: Show::Badge("ui.crm.source.") },
    ColumnView { key: "industry", label: "ui.crm.industry", show: Show::Text },
    ColumnView { key: "region", label: "ui.crm.region", show: Show::Text },
    ColumnView { key: "state", label: "ui.state", show: Show::Badge("ui.crm.lead_state.") },
    ColumnView { key: "created_at", label: "ui.crm.created_at", show: Show::Time },
];

const SOURCES: [&str; 6] = ["manual", "web", "import", "referral", "exhibition", "phone"];
const SIZES: [&str; 3] = ["small", "medium", "large"];

fn choices(page: &Page, prefix: &str, codes: &[&str]) -> Vec<(String, String)> {
    codes.iter().map(|c| (c.to_string(), page.t(&format!("{prefix}{c}")))).collect()
}

pub async fn leads(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let view = ListView {
        key: "crm.leads",
        title: "ui.crm.leads",
        base: "/crm/leads",
        spec: &LEAD_LIST,
        columns: COLUMNS,
        filters: vec![
            FilterField {
                key: "state",
                label: "ui.state",
                input: FilterInput::Choice(choices(&page, "ui.crm.lead_state.", &["new", "qualified", "lost"])),
            },
            FilterField {
                key: "source",
                label: "ui.crm.source",
                input: FilterInput::Choice(choices(&page, "ui.crm.source.", &SOURCES)),
            },
            FilterField { key: "industry", label: "ui.crm.industry", input: FilterInput::Text },
            FilterField { key: "region", label: "ui.crm.region", input: FilterInput::Text },
        ],
        bulk: vec![],
        new_href: page.may(WRITE).then_some("/crm/leads/new"),
    };
    list::handle(&state, &page, view, ListParams::parse(query.as_deref()), crm::lead::list_leads).await
}

fn lead_fields(page: &Page, form: Option<&FormData>) -> Vec<Field> {
    let value = |name: &str| form.map(|f| f.text(name)).unwrap_or_default();
    vec![
        Field::new("contact_name", "ui.crm.contact_name", Input::Text, value("contact_name")).required(),
        Field::new("organization", "ui.crm.organization", Input::Text, value("organization")),
        Field::new("phone", "ui.crm.phone", Input::Text, value("phone")),
        Field::new("email", "ui.crm.email", Input::Email, value("email")),
        Field::new(
            "source",
            "ui.crm.source",
            Input::Select(choices(page, "ui.crm.source.", &SOURCES)),
            value("source"),
        ),
        Field::new("industry", "ui.crm.industry", Input::Text, value("industry")),
        Field::new("region", "ui.crm.region", Input::Text, value("region")),
        Field::new("size", "ui.crm.size", Input::Select(choices(page, "ui.crm.size.", &SIZES)), value("size")),
        Field::new("note", "ui.crm.note", Input::TextArea, value("note")),
    ]
}

fn new_page(page: &Page, form: Option<&FormData>, error: Option<&Error>) -> Response {
    let body = html! {
        h1 { (page.t("ui.crm.new_lead")) }
        (form::form_error(page, error))
        form.panel method="post" action="/crm/leads/new" {
            input type="hidden" name="_csrf" value=(page.csrf());
            (form::fields(page, &lead_fields(page, form), error))
            p { button.primary type="submit" { (page.t("ui.save")) } }
        }
    };
    let mut response = shell(page, &page.t("ui.crm.new_lead"), body);
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
    let input = LeadInput {
        contact_name: form.text("contact_name"),
        organization: form.text("organization"),
        email: optional("email"),
        phone: optional("phone"),
        source: form.text("source"),
        industry: form.text("industry"),
        region: form.text("region"),
        size: form.text("size"),
        note: form.text("note"),
        owner_id: None,
    };
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            let vault = state.keys.vault()?;
            state.db.write(|tx| crm::create_lead(tx, &ctx, &vault, &input))
        })
        .await;
    match result {
        // Possible duplicates are shown on the lead's page, where the salesperson decides.
        Ok(created) => {
            let warn = if created.duplicates.is_empty() { "ui.saved" } else { "ui.crm.duplicates_found" };
            see_other(&format!("/crm/leads/{}", created.lead.id), Some(warn))
        }
        Err(error) => new_page(&page, Some(&form), Some(&error.0)),
    }
}

/// The activities of a lead, an opportunity or a customer, newest first, with the form to add one.
pub fn timeline(page: &Page, activities: &[Activity], about: (&str, &str), back: &str) -> Markup {
    html! {
        section.panel {
            h2 { (page.t("ui.crm.activities")) }
            @if page.may(WRITE) {
                form.inline method="post" action="/crm/activities" {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    input type="hidden" name=(about.0) value=(about.1);
                    input type="hidden" name="back" value=(back);
                    select name="kind" aria-label=(page.t("ui.crm.kind")) {
                        @for k in crm::activity::KINDS { option value=(k) { (page.t(&format!("ui.crm.kind.{k}"))) } }
                    }
                    " " input type="text" name="subject" required placeholder=(page.t("ui.crm.subject")) aria-label=(page.t("ui.crm.subject"));
                    " " input type="text" name="outcome" placeholder=(page.t("ui.crm.outcome")) aria-label=(page.t("ui.crm.outcome"));
                    " " input type="text" name="next_step" placeholder=(page.t("ui.crm.next_step")) aria-label=(page.t("ui.crm.next_step"));
                    " " input type="datetime-local" name="due_at" aria-label=(page.t("ui.crm.due_at")) title=(page.t("ui.crm.due_at"));
                    " " button type="submit" { (page.t("ui.crm.record")) }
                }
            }
            ol.timeline {
                @for a in activities {
                    li {
                        span.badge { (page.t(&format!("ui.crm.kind.{}", a.kind))) } " "
                        a href=(format!("/crm/activities/{}", a.id)) { (a.subject) }
                        @if !a.outcome.is_empty() { " — " (a.outcome) }
                        @if !a.next_step.is_empty() { " → " (a.next_step) }
                        div.meta {
                            (a.created_at.replace('T', " ").chars().take(16).collect::<String>()) " · " (a.created_by)
                            @if let Some(due) = &a.due_at { " · " (page.t("ui.crm.due_at")) " " (due.replace('T', " ")) @if !a.done { " ⏰" } }
                        }
                    }
                }
            }
        }
    }
}

fn duplicates_panel(page: &Page, duplicates: &[Duplicate]) -> Markup {
    html! {
        @if !duplicates.is_empty() {
            div.flash.error role="status" {
                (page.t("ui.crm.duplicates_found"))
                ul { @for d in duplicates {
                    li {
                        @if d.kind == "customer" { a href=(format!("/parties/{}", d.id)) { (d.name) } } @else { a href=(format!("/crm/leads/{}", d.id)) { (d.name) } }
                        " (" (page.t(&format!("ui.crm.dup.{}", d.kind))) "，" (page.t(&format!("ui.crm.dup_on.{}", d.matched_on))) ")"
                    }
                } }
            }
        }
    }
}

fn lead_page(
    page: &Page,
    lead: &Lead,
    extra: (&[Duplicate], Option<&crm::scoring::Score>, &[Activity]),
    error: Option<&Error>,
    ok: Option<&str>,
) -> Response {
    let (duplicates, score, activities) = extra;
    let body = html! {
        h1 { (lead.contact_name) " " @if !lead.organization.is_empty() { "· " (lead.organization) " " } (form::badge(page, "ui.crm.lead_state.", &lead.state)) }
        (flash(page, ok, None))
        (form::form_error(page, error))
        (duplicates_panel(page, duplicates))
        dl.facts {
            dt { (page.t("ui.crm.phone")) } dd { (lead.phone.clone().unwrap_or_default()) }
            dt { (page.t("ui.crm.email")) } dd { (lead.email.clone().unwrap_or_default()) }
            dt { (page.t("ui.crm.source")) } dd { (page.t(&format!("ui.crm.source.{}", lead.source))) }
            dt { (page.t("ui.crm.industry")) } dd { (lead.industry) }
            dt { (page.t("ui.crm.region")) } dd { (lead.region) }
            dt { (page.t("ui.crm.size")) } dd { (lead.size) }
            dt { (page.t("ui.crm.note")) } dd { (lead.note) }
            @if let Some(reason) = &lead.lost_reason { dt { (page.t("ui.crm.lost_reason")) } dd { (reason) } }
            @if let Some(p) = &lead.partner_id { dt { (page.t("ui.crm.customer")) } dd { a href=(format!("/parties/{p}/360")) { (page.t("ui.crm.customer_360")) } } }
            @if let Some(o) = &lead.opportunity_id { dt { (page.t("ui.crm.opportunity")) } dd { a href=(format!("/crm/opportunities/{o}")) { (page.t("ui.inventory.open")) } } }
        }
        @if let Some(score) = score {
            section.panel {
                h2 { (page.t("ui.crm.score")) " " strong { (score.probability) " %" } }
                table.list {
                    thead { tr { th { (page.t("ui.crm.factor")) } th { (page.t("ui.crm.value")) } th.num { (page.t("ui.crm.weight")) } } }
                    tbody { @for f in &score.factors { tr { td { (page.t(&format!("ui.crm.feature.{}", f.feature))) } td { (f.value) } td.num.red[f.weight < 0.0] { (format!("{:+.2}", f.weight)) } } } }
                }
            }
        }
        @if lead.state == "new" && page.may(WRITE) {
            section.panel {
                form.inline method="post" action=(format!("/crm/leads/{}/qualify", lead.id)) {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    input type="text" name="customer" data-lookup="customers" placeholder=(page.t("ui.crm.existing_customer")) aria-label=(page.t("ui.crm.existing_customer"));
                    " " input type="text" inputmode="decimal" name="expected_revenue" placeholder=(page.t("ui.crm.expected_revenue")) aria-label=(page.t("ui.crm.expected_revenue"));
                    " " input type="date" name="expected_close" aria-label=(page.t("ui.crm.expected_close"));
                    " " button.primary type="submit" { (page.t("ui.crm.qualify")) }
                }
                form.inline method="post" action=(format!("/crm/leads/{}/lose", lead.id)) {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    input type="text" name="reason" required placeholder=(page.t("ui.crm.lost_reason")) aria-label=(page.t("ui.crm.lost_reason"));
                    " " button type="submit" { (page.t("ui.crm.lose")) }
                }
            }
        }
        (timeline(page, activities, ("lead_id", &lead.id), &format!("/crm/leads/{}", lead.id)))
    };
    let mut response = shell(page, &lead.contact_name, body);
    if error.is_some() {
        *response.status_mut() = StatusCode::CONFLICT;
    }
    response
}

async fn show_lead(state: &AppState, page: &Page, id: LeadId, error: Option<&Error>, ok: Option<&str>) -> Response {
    let ctx = page.ctx(state);
    let loaded = state
        .blocking(move |state| {
            let vault = state.keys.vault()?;
            state.db.write(|tx| {
                let lead = crm::get_lead(tx, &ctx, &vault, id)?;
                let input = LeadInput {
                    contact_name: lead.contact_name.clone(),
                    organization: lead.organization.clone(),
                    ..LeadInput::default()
                };
                let duplicates: Vec<Duplicate> = crm::lead::find_duplicates(tx, &ctx, &vault, &input)?
                    .into_iter()
                    .filter(|d| d.id != lead.id && Some(&d.id) != lead.partner_id.as_ref())
                    .collect();
                let score = if lead.state == "new" { crm::scoring::score_lead(tx, &ctx, id).ok() } else { None };
                let activities = crm::activity::activities_of(tx, &ctx, "lead_id", &lead.id)?;
                Ok((lead, duplicates, score, activities))
            })
        })
        .await;
    match loaded {
        Ok((lead, duplicates, score, activities)) => {
            lead_page(page, &lead, (&duplicates, score.as_ref(), &activities), error, ok)
        }
        Err(e) => error_page_for(page, StatusCode::NOT_FOUND, &e.0),
    }
}

pub async fn lead(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(id) = LeadId::parse(&id) else { return error_page(&page, StatusCode::NOT_FOUND, "crm.lead_not_found") };
    let ok = query_param(query.as_deref(), "ok");
    show_lead(&state, &page, id, None, ok.as_deref()).await
}

pub async fn qualify(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = LeadId::parse(&id) else { return error_page(&page, StatusCode::NOT_FOUND, "crm.lead_not_found") };
    let optional = |name: &str| Some(form.text(name)).filter(|v| !v.is_empty());
    let input = QualifyInput {
        customer: optional("customer"),
        expected_revenue: optional("expected_revenue"),
        expected_close: optional("expected_close"),
        ..QualifyInput::default()
    };
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            let vault = state.keys.vault()?;
            state.db.write(|tx| crm::qualify(tx, &ctx, &vault, id, &input))
        })
        .await;
    match result {
        Ok(opportunity) => see_other(&format!("/crm/opportunities/{}", opportunity.id), Some("ui.crm.qualified")),
        Err(error) => show_lead(&state, &page, id, Some(&error.0), None).await,
    }
}

pub async fn lose(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = LeadId::parse(&id) else { return error_page(&page, StatusCode::NOT_FOUND, "crm.lead_not_found") };
    let reason = form.text("reason");
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            let vault = state.keys.vault()?;
            state.db.write(|tx| crm::lead::mark_lost(tx, &ctx, &vault, id, &reason))
        })
        .await;
    match result {
        Ok(_) => see_other(&format!("/crm/leads/{id}"), Some("ui.saved")),
        Err(error) => show_lead(&state, &page, id, Some(&error.0), None).await,
    }
}

/// Records an activity from a timeline's form and goes back to the page it was on.
pub async fn record(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let optional = |name: &str| Some(form.text(name)).filter(|v| !v.is_empty());
    let input = ActivityInput {
        kind: form.text("kind"),
        subject: form.text("subject"),
        outcome: form.text("outcome"),
        next_step: form.text("next_step"),
        customer: optional("customer"),
        lead_id: optional("lead_id"),
        opportunity_id: optional("opportunity_id"),
        due_at: optional("due_at"),
        owner_id: None,
    };
    let back = super::safe_back(form.get("back"), "/crm/leads");
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| crm::record_activity(tx, &ctx, &input))).await {
        Ok(_) => see_other(&back, Some("ui.saved")),
        Err(error) => error_page(
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            error.0.fields().first().map(|f| f.code).unwrap_or(error.0.code()),
        ),
    }
}

/// One activity (where a follow-up reminder leads), with the form to complete it.
/// The caller's follow-ups still to do, soonest first; those due today or earlier are marked
/// (the home page's "follow-ups due" number links here).
pub async fn follow_ups(State(state): State<AppState>, page: Page) -> Response {
    let ctx = page.ctx(&state);
    let today = kernel::clock::format_date(ctx.today());
    let listed = state.blocking(move |state| state.db.read(|tx| crm::activity::my_follow_ups(tx, &ctx))).await;
    let activities = match listed {
        Ok(a) => a,
        Err(e) => return error_page_for(&page, StatusCode::FORBIDDEN, &e.0),
    };
    let body = html! {
        h1 { (page.t("ui.crm.follow_ups")) }
        table.list {
            thead { tr {
                th { (page.t("ui.crm.subject")) }
                th { (page.t("ui.crm.kind")) }
                th { (page.t("ui.crm.due_at")) }
            } }
            tbody {
                @for a in &activities {
                    @let due = a.due_at.clone().unwrap_or_default();
                    tr.overdue[!due.is_empty() && due.get(..10).unwrap_or(&due) <= today.as_str()] {
                        td { a href=(format!("/crm/activities/{}", a.id)) { (a.subject) } }
                        td { (page.t(&format!("ui.crm.kind.{}", a.kind))) }
                        td { (due.replace('T', " ")) }
                    }
                }
                @if activities.is_empty() { tr { td colspan="3" { (page.t("ui.crm.no_follow_ups")) } } }
            }
        }
    };
    shell(&page, &page.t("ui.crm.follow_ups"), body)
}

pub async fn activity(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(id) = ActivityId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "crm.activity_not_found");
    };
    let ctx = page.ctx(&state);
    let activity =
        match state.blocking(move |state| state.db.read(|tx| crm::activity::get_activity(tx, &ctx, id))).await {
            Ok(a) => a,
            Err(e) => return error_page_for(&page, StatusCode::NOT_FOUND, &e.0),
        };
    let ok = query_param(query.as_deref(), "ok");
    let body = html! {
        h1 { (page.t(&format!("ui.crm.kind.{}", activity.kind))) " · " (activity.subject) }
        (flash(&page, ok.as_deref(), None))
        dl.facts {
            dt { (page.t("ui.crm.outcome")) } dd { (activity.outcome) }
            dt { (page.t("ui.crm.next_step")) } dd { (activity.next_step) }
            @if let Some(due) = &activity.due_at { dt { (page.t("ui.crm.due_at")) } dd { (due.replace('T', " ")) } }
            @if let Some(p) = &activity.partner_id { dt { (page.t("ui.crm.customer")) } dd { a href=(format!("/parties/{p}/360")) { (page.t("ui.crm.customer_360")) } } }
            @if let Some(l) = &activity.lead_id { dt { (page.t("ui.crm.lead")) } dd { a href=(format!("/crm/leads/{l}")) { (page.t("ui.inventory.open")) } } }
            @if let Some(o) = &activity.opportunity_id { dt { (page.t("ui.crm.opportunity")) } dd { a href=(format!("/crm/opportunities/{o}")) { (page.t("ui.inventory.open")) } } }
            dt { (page.t("ui.crm.created_at")) } dd { (activity.created_at.replace('T', " ").chars().take(16).collect::<String>()) " · " (activity.created_by) }
        }
        @if !activity.done && page.may(WRITE) {
            form.inline method="post" action=(format!("/crm/activities/{}/complete", activity.id)) {
                input type="hidden" name="_csrf" value=(page.csrf());
                input type="text" name="outcome" placeholder=(page.t("ui.crm.outcome")) aria-label=(page.t("ui.crm.outcome"));
                " " input type="text" name="next_step" placeholder=(page.t("ui.crm.next_step")) aria-label=(page.t("ui.crm.next_step"));
                " " button.primary type="submit" { (page.t("ui.crm.complete")) }
            }
        }
    };
    shell(&page, &activity.subject, body)
}

pub async fn complete(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = ActivityId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "crm.activity_not_found");
    };
    let input = crm::activity::CompleteInput { outcome: form.text("outcome"), next_step: form.text("next_step") };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| crm::complete_activity(tx, &ctx, id, &input))).await {
        Ok(_) => see_other(&format!("/crm/activities/{id}"), Some("ui.saved")),
        Err(error) => error_page_for(&page, StatusCode::CONFLICT, &error.0),
    }
}

//! 公告: the caller's announcements (unread first in weight, must-read ones marked), one
//! announcement with its "I have read it" button, and for publishers the form to publish and
//! each announcement's receipts.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use kernel::Error;
use maud::html;
use office::announcement::{Announcement, AnnouncementInput, Audience, Receipts};
use office::permissions::ANNOUNCEMENT_PUBLISH;

use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::form::{self, Field, Input};
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page_for, flash, shell};

const HOME: &str = "/office/announcements";

fn list_page(
    page: &Page,
    items: &[Announcement],
    ok: Option<&str>,
    form_data: Option<&FormData>,
    error: Option<&Error>,
) -> Response {
    let value = |name: &str| form_data.map(|f| f.text(name)).unwrap_or_default();
    let audiences: Vec<(String, String)> = [Audience::All, Audience::Department, Audience::Role]
        .into_iter()
        .map(|a| (a.code().to_string(), page.t(&format!("ui.announcements.audience.{}", a.code()))))
        .collect();
    let body = html! {
        h1 { (page.t("ui.announcements.title")) }
        (flash(page, ok, None))
        div.approval-cards {
            @for a in items {
                article.approval-card.unread[a.read_at.is_none()] {
                    h2 { a href=(format!("{HOME}/{}", a.id)) { (a.title) } @if a.must_read { " " span.badge.review { (page.t("ui.announcements.must_read")) } } }
                    p.meta { (a.author) " · " (a.published_at.replace('T', " ").chars().take(16).collect::<String>())
                        @if a.read_at.is_none() { " · " strong { (page.t("ui.announcements.unread")) } } }
                }
            }
        }
        @if items.is_empty() { p.meta { (page.t("ui.announcements.none")) } }
        @if page.may(ANNOUNCEMENT_PUBLISH) {
            section.panel {
                h2 { (page.t("ui.announcements.publish")) }
                (form::form_error(page, error))
                form method="post" action=(HOME) {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    (form::fields(page, &[
                        Field::new("title", "ui.announcements.field_title", Input::Text, value("title")).required(),
                        Field::new("body", "ui.announcements.field_body", Input::TextArea, value("body")).required(),
                        Field::new("audience", "ui.announcements.audience", Input::Select(audiences), value("audience")),
                        Field::new("audience_code", "ui.announcements.audience_code", Input::Text, value("audience_code")),
                    ], error))
                    p { label { input type="checkbox" name="must_read" value="1" checked[!value("must_read").is_empty()]; " " (page.t("ui.announcements.must_read")) } }
                    p { button.primary type="submit" { (page.t("ui.announcements.publish")) } }
                }
            }
        }
    };
    let mut response = shell(page, &page.t("ui.announcements.title"), body);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub async fn list(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.read(|tx| office::announcement::mine(tx, &ctx, 100))).await {
        Ok(items) => list_page(&page, &items, query_param(query.as_deref(), "ok").as_deref(), None, None),
        Err(error) => error_page_for(&page, StatusCode::FORBIDDEN, &error.0),
    }
}

pub async fn publish(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input = AnnouncementInput {
        title: form.text("title"),
        body: form.text("body"),
        audience: Audience::parse(&form.text("audience")).unwrap_or(Audience::All),
        audience_code: form.text("audience_code"),
        must_read: form.get("must_read").is_some(),
    };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| office::announcement::publish(tx, &ctx, &input))).await {
        Ok(published) => see_other(&format!("{HOME}/{}", published.id), Some("ui.announcements.published")),
        Err(error) => {
            let ctx = page.ctx(&state);
            let items = state
                .blocking(move |state| state.db.read(|tx| office::announcement::mine(tx, &ctx, 100)))
                .await
                .unwrap_or_default();
            list_page(&page, &items, None, Some(&form), Some(&error.0))
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let ctx = page.ctx(&state);
    let publisher = page.may(ANNOUNCEMENT_PUBLISH);
    let loaded = state
        .blocking(move |state| {
            state.db.write(|tx| {
                let announcement = office::announcement::read(tx, &ctx, &id)?;
                let receipts: Option<Receipts> =
                    if publisher { Some(office::announcement::receipts(tx, &ctx, &id)?) } else { None };
                Ok((announcement, receipts))
            })
        })
        .await;
    let (a, receipts) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return error_page_for(&page, StatusCode::NOT_FOUND, &error.0),
    };
    let body = html! {
        p { a href=(HOME) { "← " (page.t("ui.announcements.title")) } }
        h1 { (a.title) @if a.must_read { " " span.badge.review { (page.t("ui.announcements.must_read")) } } }
        (flash(&page, query_param(query.as_deref(), "ok").as_deref(), None))
        p.meta { (a.author) " · " (a.published_at.replace('T', " ").chars().take(16).collect::<String>()) " · " (page.t(&format!("ui.announcements.audience.{}", a.audience))) " " (a.audience_code) }
        section.panel.announcement-body { @for line in a.body.lines() { p { (line) } } }
        @if a.must_read {
            @match &a.acknowledged_at {
                Some(at) => { p.meta { (page.t("ui.announcements.acknowledged")) " " (at.replace('T', " ").chars().take(16).collect::<String>()) } },
                None => {
                    form.actions method="post" action=(format!("{HOME}/{}/acknowledge", a.id)) {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        button.primary type="submit" { (page.t("ui.announcements.acknowledge")) }
                    }
                },
            }
        }
        @if let Some(r) = &receipts {
            section.panel {
                h2 { (page.t("ui.announcements.receipts")) }
                p { (page.t_with("ui.announcements.receipt_counts", &[("addressed", r.addressed.to_string()), ("read", r.read.to_string()), ("acknowledged", r.acknowledged.to_string())])) }
                @if !r.unread.is_empty() { p.meta { (page.t("ui.announcements.unread_by")) " " (r.unread.join("、")) } }
            }
        }
    };
    shell(&page, &a.title, body)
}

pub async fn acknowledge(State(state): State<AppState>, page: Page, Path(id): Path<String>) -> Response {
    let ctx = page.ctx(&state);
    let wanted = id.clone();
    match state.blocking(move |state| state.db.write(|tx| office::announcement::acknowledge(tx, &ctx, &wanted))).await {
        Ok(_) => see_other(&format!("{HOME}/{id}"), Some("ui.announcements.thanks")),
        Err(error) => error_page_for(&page, StatusCode::CONFLICT, &error.0),
    }
}

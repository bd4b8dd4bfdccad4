//! 日程: the caller's meetings of the next two weeks by day, with accept/decline and cancel; the
//! form to schedule one (a room booked twice is refused with who has it); the rooms; and the
//! secret address of the caller's feed for a phone's calendar. The feed itself is served here
//! too, to calendar apps that send nothing but its address.

use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kernel::Error;
use maud::html;
use office::calendar::{Meeting, MeetingInput, Room, china_time};
use office::permissions::ROOM_MANAGE;

use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::form::{self, Field, Input};
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page_for, flash, shell};

const HOME: &str = "/office/calendar";

struct Loaded {
    meetings: Vec<Meeting>,
    rooms: Vec<Room>,
}

async fn load(state: &AppState, page: &Page) -> Result<Loaded, crate::problem::ApiError> {
    let ctx = page.ctx(state);
    state
        .blocking(move |state| {
            state.db.read(|tx| {
                Ok(Loaded {
                    meetings: office::calendar::my_meetings(tx, &ctx, ctx.today(), 14)?,
                    rooms: office::calendar::list_rooms(tx, &ctx)?,
                })
            })
        })
        .await
}

fn calendar_page(
    page: &Page,
    data: &Loaded,
    ok: Option<&str>,
    sent: Option<&FormData>,
    error: Option<&Error>,
    feed: Option<&str>,
) -> Response {
    let value = |name: &str| sent.map(|f| f.text(name)).unwrap_or_default();
    let me = page.principal.username.clone();
    let rooms: Vec<(String, String)> = std::iter::once((String::new(), page.t("ui.calendar.no_room")))
        .chain(data.rooms.iter().map(|r| (r.code.clone(), format!("{} {}（{}人）", r.code, r.name, r.capacity))))
        .collect();
    let body = html! {
        h1 { (page.t("ui.calendar.title")) }
        (flash(page, ok, None))
        @if data.meetings.is_empty() { p.meta { (page.t("ui.calendar.none")) } }
        div.approval-cards {
            @for m in &data.meetings {
                article.approval-card.meeting {
                    h2 { (m.title) }
                    p { (china_time(&m.starts_at)) " – " (china_time(&m.ends_at).chars().skip(11).collect::<String>()) }
                    p.meta { (m.room.clone().unwrap_or(m.location.clone())) " · " (page.t("ui.calendar.organizer")) " " (m.organizer) }
                    p.meta { @for (who, answer) in &m.invitees { (who) " (" (page.t(&format!("ui.calendar.answer.{answer}"))) ") " } }
                    @if m.organizer == me {
                        form.inline method="post" action=(format!("{HOME}/{}/cancel", m.id)) {
                            input type="hidden" name="_csrf" value=(page.csrf());
                            button.danger type="submit" data-confirm=(page.t("ui.calendar.cancel_confirm")) { (page.t("ui.calendar.cancel")) }
                        }
                    } @else {
                        form.inline method="post" action=(format!("{HOME}/{}/respond", m.id)) {
                            input type="hidden" name="_csrf" value=(page.csrf());
                            button.primary type="submit" name="accept" value="1" { (page.t("ui.calendar.accept")) } " "
                            button type="submit" name="accept" value="0" { (page.t("ui.calendar.decline")) }
                        }
                    }
                }
            }
        }
        section.panel {
            h2 { (page.t("ui.calendar.schedule")) }
            (form::form_error(page, error))
            form method="post" action=(HOME) {
                input type="hidden" name="_csrf" value=(page.csrf());
                (form::fields(page, &[
                    Field::new("title", "ui.calendar.field_title", Input::Text, value("title")).required(),
                    Field::new("starts_at", "ui.calendar.starts_at", Input::Text, value("starts_at")).required(),
                    Field::new("ends_at", "ui.calendar.ends_at", Input::Text, value("ends_at")).required(),
                    Field::new("room", "ui.calendar.room", Input::Select(rooms), value("room")),
                    Field::new("location", "ui.calendar.location", Input::Text, value("location")),
                    Field::new("invitees", "ui.calendar.invitees", Input::Text, value("invitees")),
                ], error))
                p.meta { (page.t("ui.calendar.time_hint")) }
                p { button.primary type="submit" { (page.t("ui.calendar.schedule")) } }
            }
        }
        section.panel {
            h2 { (page.t("ui.calendar.rooms")) }
            ul { @for r in &data.rooms { li { (r.code) " " (r.name) " · " (r.capacity) } } }
            @if page.may(ROOM_MANAGE) {
                form.inline method="post" action=(format!("{HOME}/rooms")) {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    input type="text" name="code" placeholder=(page.t("ui.calendar.room_code")) aria-label=(page.t("ui.calendar.room_code")) required;
                    " " input type="text" name="name" placeholder=(page.t("ui.calendar.room_name")) aria-label=(page.t("ui.calendar.room_name")) required;
                    " " input type="text" inputmode="numeric" name="capacity" placeholder=(page.t("ui.calendar.capacity")) aria-label=(page.t("ui.calendar.capacity")) size="4";
                    " " button type="submit" { (page.t("ui.calendar.add_room")) }
                }
            }
        }
        section.panel {
            h2 { (page.t("ui.calendar.feed")) }
            p.meta { (page.t("ui.calendar.feed_hint")) }
            @if let Some(path) = feed { p { code.feed-url { (path) } } }
            form.inline method="post" action=(format!("{HOME}/feed")) {
                input type="hidden" name="_csrf" value=(page.csrf());
                button type="submit" { (page.t("ui.calendar.new_feed")) }
            }
        }
    };
    let mut response = shell(page, &page.t("ui.calendar.title"), body);
    if let Some(e) = error {
        *response.status_mut() = if e.code() == "office.calendar.room_taken" {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
    }
    response
}

pub async fn show(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    match load(&state, &page).await {
        Ok(data) => calendar_page(&page, &data, query_param(query.as_deref(), "ok").as_deref(), None, None, None),
        Err(e) => error_page_for(&page, StatusCode::FORBIDDEN, &e.0),
    }
}

pub async fn schedule(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input = MeetingInput {
        title: form.text("title"),
        starts_at: form.text("starts_at"),
        ends_at: form.text("ends_at"),
        room: Some(form.text("room")).filter(|r| !r.is_empty()),
        location: form.text("location"),
        note: String::new(),
        invitees: form.text("invitees").split([',', '，', ' ']).map(str::to_string).collect(),
    };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| office::calendar::schedule(tx, &ctx, &input))).await {
        Ok(_) => see_other(HOME, Some("ui.calendar.scheduled")),
        Err(error) => match load(&state, &page).await {
            Ok(data) => calendar_page(&page, &data, None, Some(&form), Some(&error.0), None),
            Err(e) => error_page_for(&page, StatusCode::FORBIDDEN, &e.0),
        },
    }
}

pub async fn save_room(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let room =
        Room { code: form.text("code"), name: form.text("name"), capacity: form.text("capacity").parse().unwrap_or(0) };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| office::calendar::save_room(tx, &ctx, &room))).await {
        Ok(_) => see_other(HOME, Some("ui.saved")),
        Err(error) => error_page_for(&page, StatusCode::UNPROCESSABLE_ENTITY, &error.0),
    }
}

pub async fn respond(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let accept = form.get("accept") == Some("1");
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| office::calendar::respond(tx, &ctx, &id, accept))).await {
        Ok(_) => see_other(HOME, Some("ui.saved")),
        Err(error) => error_page_for(&page, StatusCode::NOT_FOUND, &error.0),
    }
}

pub async fn cancel(State(state): State<AppState>, page: Page, Path(id): Path<String>) -> Response {
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| office::calendar::cancel(tx, &ctx, &id))).await {
        Ok(_) => see_other(HOME, Some("ui.calendar.cancelled")),
        Err(error) => error_page_for(&page, StatusCode::CONFLICT, &error.0),
    }
}

pub async fn new_feed(State(state): State<AppState>, page: Page) -> Response {
    let ctx = page.ctx(&state);
    let secret = match state.blocking(move |state| state.db.write(|tx| office::calendar::new_feed(tx, &ctx))).await {
        Ok(secret) => secret,
        Err(error) => return error_page_for(&page, StatusCode::FORBIDDEN, &error.0),
    };
    match load(&state, &page).await {
        Ok(data) => calendar_page(&page, &data, None, None, None, Some(&format!("/calendar/feed/{secret}.ics"))),
        Err(e) => error_page_for(&page, StatusCode::FORBIDDEN, &e.0),
    }
}

/// The iCalendar feed behind a secret address (`/calendar/feed/<secret>.ics`), for calendar apps.
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let secret = file.trim_end_matches(".ics").to_string();
    let now = state.clock.now();
    match state.blocking(move |state| state.db.read(|tx| office::calendar::feed(tx, &secret, now))).await {
        Ok(ics) => ([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], ics).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

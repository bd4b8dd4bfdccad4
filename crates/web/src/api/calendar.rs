//! The calendar over the API: meeting rooms, meetings (a room cannot be booked twice), answers,
//! cancellation, free/busy of colleagues, and a secret feed address for a phone's calendar.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use office::calendar::{self, Busy, Meeting, MeetingInput, Room};
use office::permissions::ROOM_MANAGE;
use serde::{Deserialize, Serialize};
use utoipa_axum::routes;

use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/calendar/rooms", tag = "office", responses((status = 200, body = Vec<Room>)))]
async fn list_rooms(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<Vec<Room>>, ApiError> {
    state.read(&caller, calendar::list_rooms).await.map(Json)
}

/// Add or change a meeting room (by code).
#[utoipa::path(post, path = "/api/v1/calendar/rooms", tag = "office", request_body = Room,
    responses((status = 200, body = Room), (status = 422, body = Problem)))]
async fn save_room(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(room): ApiJson<Room>,
) -> Result<Json<Room>, ApiError> {
    state.write(&caller, move |tx, ctx, _| calendar::save_room(tx, ctx, &room)).await.map(Json)
}

/// Schedule a meeting; a room already booked then answers 409 `office.calendar.room_taken`.
#[utoipa::path(post, path = "/api/v1/calendar/meetings", tag = "office", request_body = MeetingInput,
    responses((status = 201, body = Meeting), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn schedule(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<MeetingInput>,
) -> Result<(StatusCode, Json<Meeting>), ApiError> {
    let meeting = state.write(&caller, move |tx, ctx, _| calendar::schedule(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(meeting)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct MeetingsQuery {
    /// First day (Beijing), today by default.
    from: Option<String>,
    /// How many days, 14 by default.
    days: Option<i64>,
}

/// The caller's meetings (organised or accepted/pending invitations).
#[utoipa::path(get, path = "/api/v1/calendar/meetings", tag = "office", params(MeetingsQuery),
    responses((status = 200, body = Vec<Meeting>), (status = 422, body = Problem)))]
async fn my_meetings(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<MeetingsQuery>,
) -> Result<Json<Vec<Meeting>>, ApiError> {
    state
        .read(&caller, move |tx, ctx| {
            let from = match query.from.as_deref() {
                Some(day) => kernel::clock::parse_date(day)
                    .map_err(|_| kernel::Error::field("from", "kernel.date.invalid").with_param("value", day))?,
                None => ctx.today(),
            };
            calendar::my_meetings(tx, ctx, from, query.days.unwrap_or(14).clamp(1, 366))
        })
        .await
        .map(Json)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"accept": true}))]
struct Answer {
    accept: bool,
}

/// An invitee accepts or declines.
#[utoipa::path(post, path = "/api/v1/calendar/meetings/{id}/respond", tag = "office", params(("id" = String, Path)),
    request_body = Answer, responses((status = 200, body = Meeting), (status = 404, body = Problem)))]
async fn respond(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(answer): ApiJson<Answer>,
) -> Result<Json<Meeting>, ApiError> {
    state.write(&caller, move |tx, ctx, _| calendar::respond(tx, ctx, &id, answer.accept)).await.map(Json)
}

/// The organiser cancels; the room is free again.
#[utoipa::path(post, path = "/api/v1/calendar/meetings/{id}/cancel", tag = "office", params(("id" = String, Path)),
    responses((status = 200, body = Meeting), (status = 409, body = Problem)))]
async fn cancel(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Meeting>, ApiError> {
    state.write(&caller, move |tx, ctx, _| calendar::cancel(tx, ctx, &id)).await.map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct BusyQuery {
    /// Logins, comma-separated.
    users: String,
    from: String,
    to: String,
}

/// When colleagues are busy (times only).
#[utoipa::path(get, path = "/api/v1/calendar/busy", tag = "office", params(BusyQuery),
    responses((status = 200, body = Vec<Busy>), (status = 422, body = Problem)))]
async fn busy(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<BusyQuery>,
) -> Result<Json<Vec<Busy>>, ApiError> {
    let users: Vec<String> = query.users.split(',').map(str::to_string).collect();
    state.read(&caller, move |tx, ctx| calendar::free_busy(tx, ctx, &users, &query.from, &query.to)).await.map(Json)
}

#[derive(Serialize, utoipa::ToSchema)]
struct Feed {
    /// The address to subscribe to (keep it secret: it is all a calendar app sends).
    path: String,
}

/// A new secret feed address of the caller's meetings (an earlier one stops working).
#[utoipa::path(post, path = "/api/v1/calendar/feed", tag = "office", responses((status = 200, body = Feed)))]
async fn new_feed(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<Feed>, ApiError> {
    let secret = state.write(&caller, |tx, ctx, _| calendar::new_feed(tx, ctx)).await?;
    Ok(Json(Feed { path: format!("/calendar/feed/{secret}.ics") }))
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Authenticated, routes!(list_rooms))
        .routes(Access::Permission(ROOM_MANAGE), routes!(save_room))
        .routes(Access::Authenticated, routes!(schedule))
        .routes(Access::Authenticated, routes!(my_meetings))
        .routes(Access::Authenticated, routes!(respond))
        .routes(Access::Authenticated, routes!(cancel))
        .routes(Access::Authenticated, routes!(busy))
        .routes(Access::Authenticated, routes!(new_feed))
}

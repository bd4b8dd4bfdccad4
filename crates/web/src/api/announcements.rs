//! Announcements over the API: publish (to everyone, a department or a role), the caller's
//! announcements, reading one (its receipt says read), acknowledging a must-read one, and the
//! publisher's receipts.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use office::announcement::{self, Announcement, AnnouncementInput, Receipts};
use office::permissions::ANNOUNCEMENT_PUBLISH;
use utoipa_axum::routes;

use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// Publish an announcement; each addressee gets a receipt and a notification.
#[utoipa::path(post, path = "/api/v1/announcements", tag = "office", request_body = AnnouncementInput,
    responses((status = 201, body = Announcement), (status = 422, body = Problem)))]
async fn publish(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<AnnouncementInput>,
) -> Result<(StatusCode, Json<Announcement>), ApiError> {
    let published = state.write(&caller, move |tx, ctx, _| announcement::publish(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(published)))
}

/// The caller's announcements, newest first, with their receipts.
#[utoipa::path(get, path = "/api/v1/announcements", tag = "office", responses((status = 200, body = Vec<Announcement>)))]
async fn mine(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<Vec<Announcement>>, ApiError> {
    state.read(&caller, |tx, ctx| announcement::mine(tx, ctx, 50)).await.map(Json)
}

/// Read one: the caller's receipt says read.
#[utoipa::path(get, path = "/api/v1/announcements/{id}", tag = "office", params(("id" = String, Path)),
    responses((status = 200, body = Announcement), (status = 404, body = Problem)))]
async fn read(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Announcement>, ApiError> {
    state.write(&caller, move |tx, ctx, _| announcement::read(tx, ctx, &id)).await.map(Json)
}

/// "I have read and understood" a must-read announcement.
#[utoipa::path(post, path = "/api/v1/announcements/{id}/acknowledge", tag = "office", params(("id" = String, Path)),
    responses((status = 200, body = Announcement), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn acknowledge(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Announcement>, ApiError> {
    state.write(&caller, move |tx, ctx, _| announcement::acknowledge(tx, ctx, &id)).await.map(Json)
}

/// Who has read and acknowledged it, and who has not read it yet.
#[utoipa::path(get, path = "/api/v1/announcements/{id}/receipts", tag = "office", params(("id" = String, Path)),
    responses((status = 200, body = Receipts), (status = 404, body = Problem)))]
async fn receipts(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Receipts>, ApiError> {
    state.read(&caller, move |tx, ctx| announcement::receipts(tx, ctx, &id)).await.map(Json)
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Permission(ANNOUNCEMENT_PUBLISH), routes!(publish))
        .routes(Access::Authenticated, routes!(mine))
        .routes(Access::Authenticated, routes!(read))
        .routes(Access::Authenticated, routes!(acknowledge))
        .routes(Access::Permission(ANNOUNCEMENT_PUBLISH), routes!(receipts))
}

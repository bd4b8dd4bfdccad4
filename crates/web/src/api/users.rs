//! Users of the current company.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kernel::identity::permissions::{USER_MANAGE, USER_READ};
use kernel::identity::{self, NewUser, User, UserFilter, UserId, UserUpdate};
use kernel::page::{Page, PageRequest};
use serde::Deserialize;
use utoipa_axum::routes;

use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// List the members of the current company, by username.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserFilter, PageRequest),
    responses((status = 200, body = Page<User>)))]
async fn list_users(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(filter): ApiQuery<UserFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<User>>, ApiError> {
    state.read(&caller, move |tx, ctx| identity::list_users(tx, ctx, &filter, &page)).await.map(Json)
}

/// Create a user in the current company.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = User), (status = 422, body = Problem)))]
async fn create_user(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let user = state.write(&caller, move |tx, ctx, _| identity::create_user(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// One user of the current company.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = User), (status = 404, body = Problem)))]
async fn get_user(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<UserId>,
) -> Result<Json<User>, ApiError> {
    state.read(&caller, move |tx, ctx| identity::get_user(tx, ctx, id)).await.map(Json)
}

/// Update a user; send the `version` you read.
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)), request_body = UserUpdate,
    responses((status = 200, body = User), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn update_user(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(input): ApiJson<UserUpdate>,
) -> Result<Json<User>, ApiError> {
    state.write(&caller, move |tx, ctx, _| identity::update_user(tx, ctx, id, &input)).await.map(Json)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "a-new-long-password"}))]
struct PasswordChange {
    password: String,
}

/// Set a user's password; the user's sessions and tokens end.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", params(("id" = String, Path)), request_body = PasswordChange,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn set_password(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(input): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    state.write(&caller, move |tx, ctx, _| identity::set_password(tx, ctx, id, &input.password)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Permission(USER_READ), routes!(list_users))
        .routes(Access::Permission(USER_MANAGE), routes!(create_user))
        .routes(Access::Permission(USER_READ), routes!(get_user))
        .routes(Access::Permission(USER_MANAGE), routes!(update_user))
        .routes(Access::Permission(USER_MANAGE), routes!(set_password))
}

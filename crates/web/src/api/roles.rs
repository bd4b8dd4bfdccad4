//! Roles of the current company and the permissions they grant (the permission matrix).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kernel::identity::permissions::{ROLE_MANAGE, ROLE_READ};
use kernel::identity::{self, NewRole, Role, RoleId, RoleUpdate};
use serde::Serialize;
use utoipa_axum::routes;

use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// All roles of the current company with their permissions.
#[utoipa::path(get, path = "/api/v1/roles", tag = "roles", responses((status = 200, body = Vec<Role>)))]
async fn list_roles(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<Vec<Role>>, ApiError> {
    state.read(&caller, identity::list_roles).await.map(Json)
}

/// Create a role.
#[utoipa::path(post, path = "/api/v1/roles", tag = "roles", request_body = NewRole,
    responses((status = 201, body = Role), (status = 422, body = Problem)))]
async fn create_role(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<NewRole>,
) -> Result<(StatusCode, Json<Role>), ApiError> {
    let role =
        state.write(&caller, move |tx, ctx, state| identity::create_role(tx, ctx, &input, &state.permissions)).await?;
    Ok((StatusCode::CREATED, Json(role)))
}

/// One role.
#[utoipa::path(get, path = "/api/v1/roles/{id}", tag = "roles", params(("id" = String, Path)),
    responses((status = 200, body = Role), (status = 404, body = Problem)))]
async fn get_role(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<RoleId>,
) -> Result<Json<Role>, ApiError> {
    state.read(&caller, move |tx, ctx| identity::get_role(tx, ctx, id)).await.map(Json)
}

/// Update a role's names and permissions; send the `version` you read.
#[utoipa::path(put, path = "/api/v1/roles/{id}", tag = "roles", params(("id" = String, Path)), request_body = RoleUpdate,
    responses((status = 200, body = Role), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn update_role(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<RoleId>,
    ApiJson(input): ApiJson<RoleUpdate>,
) -> Result<Json<Role>, ApiError> {
    state
        .write(&caller, move |tx, ctx, state| identity::update_role(tx, ctx, id, &input, &state.permissions))
        .await
        .map(Json)
}

/// Delete a role that is not one of the defaults.
#[utoipa::path(delete, path = "/api/v1/roles/{id}", tag = "roles", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_role(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<RoleId>,
) -> Result<StatusCode, ApiError> {
    state.write(&caller, move |tx, ctx, _| identity::delete_role(tx, ctx, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
struct PermissionEntry {
    name: String,
    module: String,
    zh: String,
    en: String,
}

/// Every permission this build knows, for the role editor.
#[utoipa::path(get, path = "/api/v1/permissions", tag = "roles", responses((status = 200, body = Vec<PermissionEntry>)))]
async fn list_permissions(State(state): State<AppState>) -> Json<Vec<PermissionEntry>> {
    Json(
        state
            .permissions
            .iter()
            .map(|p| PermissionEntry {
                name: p.permission.name().to_string(),
                module: p.permission.module().to_string(),
                zh: p.zh.to_string(),
                en: p.en.to_string(),
            })
            .collect(),
    )
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Permission(ROLE_READ), routes!(list_roles))
        .routes(Access::Permission(ROLE_MANAGE), routes!(create_role))
        .routes(Access::Permission(ROLE_READ), routes!(get_role))
        .routes(Access::Permission(ROLE_MANAGE), routes!(update_role))
        .routes(Access::Permission(ROLE_MANAGE), routes!(delete_role))
        .routes(Access::Permission(ROLE_READ), routes!(list_permissions))
}

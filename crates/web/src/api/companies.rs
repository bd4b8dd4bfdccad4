//! Companies the caller belongs to.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kernel::identity::permissions::{COMPANY_MANAGE, COMPANY_READ};
use kernel::identity::{self, Company, CompanyId, CompanyUpdate, NewCompany};
use utoipa_axum::routes;

use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// The companies the caller is a member of.
#[utoipa::path(get, path = "/api/v1/companies", tag = "companies", responses((status = 200, body = Vec<Company>)))]
async fn list_companies(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<Vec<Company>>, ApiError> {
    state.read(&caller, identity::list_companies).await.map(Json)
}

/// Create a company; the caller becomes its administrator.
#[utoipa::path(post, path = "/api/v1/companies", tag = "companies", request_body = NewCompany,
    responses((status = 201, body = Company), (status = 422, body = Problem)))]
async fn create_company(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<NewCompany>,
) -> Result<(StatusCode, Json<Company>), ApiError> {
    let company = state
        .write(&caller, move |tx, ctx, state| identity::create_company(tx, ctx, &input, &state.permissions))
        .await?;
    Ok((StatusCode::CREATED, Json(company)))
}

/// One company the caller is a member of.
#[utoipa::path(get, path = "/api/v1/companies/{id}", tag = "companies", params(("id" = String, Path)),
    responses((status = 200, body = Company), (status = 404, body = Problem)))]
async fn get_company(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<CompanyId>,
) -> Result<Json<Company>, ApiError> {
    state.read(&caller, move |tx, ctx| identity::get_company(tx, ctx, id)).await.map(Json)
}

/// Update the current company; send the `version` you read.
#[utoipa::path(put, path = "/api/v1/companies/{id}", tag = "companies", params(("id" = String, Path)), request_body = CompanyUpdate,
    responses((status = 200, body = Company), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn update_company(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<CompanyId>,
    ApiJson(input): ApiJson<CompanyUpdate>,
) -> Result<Json<Company>, ApiError> {
    state.write(&caller, move |tx, ctx, _| identity::update_company(tx, ctx, id, &input)).await.map(Json)
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Permission(COMPANY_READ), routes!(list_companies))
        .routes(Access::Permission(COMPANY_MANAGE), routes!(create_company))
        .routes(Access::Permission(COMPANY_READ), routes!(get_company))
        .routes(Access::Permission(COMPANY_MANAGE), routes!(update_company))
}

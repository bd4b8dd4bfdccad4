//! Logging in from programs: `POST /api/v1/auth/token` trades a username and password for a
//! bearer token; `DELETE` revokes it; `GET /api/v1/me` tells who the token belongs to.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use kernel::identity::{self, ApiToken, CompanyId};
use kernel::{Ctx, Error};
use serde::{Deserialize, Serialize};
use utoipa_axum::routes;

use super::ClientAddress;
use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "admin", "password": "your-password"}))]
struct TokenRequest {
    username: String,
    password: String,
    /// The company to act in; the user's default company when absent.
    company: Option<String>,
}

/// Trade a username and password for a bearer token.
///
/// After 5 failed attempts for one username within 15 minutes, further attempts get 429
/// until the window has passed.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = ApiToken), (status = 401, body = Problem), (status = 429, body = Problem)))]
async fn create_token(
    State(state): State<AppState>,
    address: ClientAddress,
    ApiJson(input): ApiJson<TokenRequest>,
) -> Result<Json<ApiToken>, ApiError> {
    let company = input
        .company
        .as_deref()
        .map(CompanyId::parse)
        .transpose()
        .map_err(|_| Error::field("company", "kernel.company.not_found"))?;
    let token = state
        .blocking(move |state| {
            let user = identity::authenticate(
                &state.db,
                state.clock.as_ref(),
                &state.login_policy,
                &input.username,
                &input.password,
                &address.0,
            )?;
            let clock_ctx =
                Ctx::system(CompanyId(kernel::id::Uuid::nil()), Default::default()).with_clock(state.clock.clone());
            state.db.write(|tx| identity::issue_token(tx, &clock_ctx, user, company, "api", state.settings.token_ttl))
        })
        .await?;
    Ok(Json(token))
}

/// Revoke the bearer token used for this request.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", responses((status = 204)))]
async fn revoke_token(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    if let Some(token) = token {
        state.blocking(move |state| state.db.write(|tx| identity::revoke_token(tx, &token))).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
struct Me {
    user_id: String,
    username: String,
    display_name: String,
    company_id: String,
    locale: String,
    own_records_only: bool,
    permissions: Vec<String>,
}

/// Who the caller is, in which company, with which permissions.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = Me)))]
async fn me(Caller(principal): Caller) -> Json<Me> {
    Json(Me {
        user_id: principal.user.to_string(),
        username: principal.username.clone(),
        display_name: principal.display_name.clone(),
        company_id: principal.company.to_string(),
        locale: principal.locale.tag().to_string(),
        own_records_only: principal.own_records_only,
        permissions: principal.permissions.iter().map(str::to_string).collect(),
    })
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Public, routes!(create_token))
        .routes(Access::Authenticated, routes!(revoke_token))
        .routes(Access::Authenticated, routes!(me))
}

//! Customers and suppliers, and payment terms.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use party::permissions::{CUSTOMER_READ, CUSTOMER_WRITE, MERGE, SUPPLIER_READ, SUPPLIER_WRITE, TERM_WRITE};
use party::{PARTY_LIST, Party, PartyId, PartyInput, PaymentTerm};
use serde::Deserialize;
use utoipa_axum::routes;

use super::listing::{list_query, page_json};
use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

const READ: &[kernel::Permission] = &[CUSTOMER_READ, SUPPLIER_READ];
const WRITE: &[kernel::Permission] = &[CUSTOMER_WRITE, SUPPLIER_WRITE];

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PartyQuery {
    /// Searches name and code.
    q: Option<String>,
    /// Name starts with (index range).
    name: Option<String>,
    /// `customer`, `supplier` or `both`.
    kind: Option<String>,
    group_code: Option<String>,
    grade: Option<String>,
    /// Sort column: code, name, kind, group_code, grade, city, updated_at.
    sort: Option<String>,
    desc: Option<bool>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// Customers and suppliers the caller may see (own customers only for sales roles).
#[utoipa::path(get, path = "/api/v1/parties", tag = "parties", params(PartyQuery), responses((status = 200, body = Object)))]
async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<PartyQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let filters =
        [("name", &query.name), ("kind", &query.kind), ("group_code", &query.group_code), ("grade", &query.grade)];
    let list_query =
        list_query(query.q.clone(), &filters, query.sort.clone(), query.desc, query.cursor.clone(), query.limit);
    let page = state.read(&caller, move |tx, ctx| party::list_parties(tx, ctx, &list_query)).await?;
    Ok(Json(page_json(&PARTY_LIST, page)))
}

/// Create a customer or supplier. Likely duplicates (same credit code, phone or email) come
/// back in `duplicates`.
#[utoipa::path(post, path = "/api/v1/parties", tag = "parties", request_body = PartyInput,
    responses((status = 201, body = Party), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<PartyInput>,
) -> Result<(StatusCode, Json<Party>), ApiError> {
    let party = state
        .write(&caller, move |tx, ctx, state| {
            let vault = state.keys.vault()?;
            party::create_party(tx, ctx, &vault, &input)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(party)))
}

/// One customer or supplier; personal data masked without `party.pii.view`.
#[utoipa::path(get, path = "/api/v1/parties/{id}", tag = "parties", params(("id" = String, Path)),
    responses((status = 200, body = Party), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PartyId>,
) -> Result<Json<Party>, ApiError> {
    let ctx = state.ctx(&caller);
    state
        .blocking(move |state| {
            let vault = state.keys.vault()?;
            state.db.read(|tx| party::get_party(tx, &ctx, &vault, id))
        })
        .await
        .map(Json)
}

/// Replace a party's data (with its contacts and bank accounts); send the `version` you read.
#[utoipa::path(put, path = "/api/v1/parties/{id}", tag = "parties", params(("id" = String, Path)), request_body = PartyInput,
    responses((status = 200, body = Party), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PartyId>,
    ApiJson(input): ApiJson<PartyInput>,
) -> Result<Json<Party>, ApiError> {
    state
        .write(&caller, move |tx, ctx, state| {
            let vault = state.keys.vault()?;
            party::update_party(tx, ctx, &vault, id, &input)
        })
        .await
        .map(Json)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"remove": "01900000-0000-7000-8000-000000000001"}))]
struct MergeRequest {
    /// The duplicate that goes away; its contacts and links move to this party.
    remove: String,
}

/// Merge a duplicate into this party.
#[utoipa::path(post, path = "/api/v1/parties/{id}/merge", tag = "parties", params(("id" = String, Path)), request_body = MergeRequest,
    responses((status = 200, body = Party), (status = 404, body = Problem)))]
async fn merge(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PartyId>,
    ApiJson(input): ApiJson<MergeRequest>,
) -> Result<Json<Party>, ApiError> {
    let removed = PartyId::parse(&input.remove).map_err(|_| kernel::Error::field("remove", "party.not_found"))?;
    state
        .write(&caller, move |tx, ctx, state| {
            let vault = state.keys.vault()?;
            party::merge_parties(tx, ctx, &vault, id, removed)
        })
        .await
        .map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct LookupQuery {
    /// A phone, mobile or email, matched exactly through the blind index.
    contact: String,
}

/// Find parties by an exact phone or email (never stored in clear: matched by keyed hash).
#[utoipa::path(get, path = "/api/v1/parties/lookup", tag = "parties", params(LookupQuery), responses((status = 200, body = Vec<Party>)))]
async fn lookup(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> Result<Json<Vec<Party>>, ApiError> {
    let ctx = state.ctx(&caller);
    state
        .blocking(move |state| {
            let vault = state.keys.vault()?;
            state.db.read(|tx| party::find_by_contact(tx, &ctx, &vault, &query.contact))
        })
        .await
        .map(Json)
}

/// Payment terms.
#[utoipa::path(get, path = "/api/v1/payment-terms", tag = "parties", responses((status = 200, body = Vec<PaymentTerm>)))]
async fn list_terms(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<Vec<PaymentTerm>>, ApiError> {
    state.read(&caller, party::list_terms).await.map(Json)
}

/// Create a payment term ("30 days end of month").
#[utoipa::path(post, path = "/api/v1/payment-terms", tag = "parties", request_body = PaymentTerm,
    responses((status = 201, body = PaymentTerm), (status = 422, body = Problem)))]
async fn create_term(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<PaymentTerm>,
) -> Result<(StatusCode, Json<PaymentTerm>), ApiError> {
    let term = state.write(&caller, move |tx, ctx, _| party::create_term(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(term)))
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Any(READ), routes!(list))
        .routes(Access::Any(WRITE), routes!(create))
        .routes(Access::Any(READ), routes!(lookup))
        .routes(Access::Any(READ), routes!(get))
        .routes(Access::Any(WRITE), routes!(update))
        .routes(Access::Permission(MERGE), routes!(merge))
        .routes(Access::Any(READ), routes!(list_terms))
        .routes(Access::Permission(TERM_WRITE), routes!(create_term))
}

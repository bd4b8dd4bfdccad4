//! Lookups for the pickers: every field that names another record (customer, supplier,
//! product, account, location, lot, work center, user) asks one of these as the user types or
//! scans, and shows code, name and one key figure (a product's on-hand and price, a customer's
//! remaining credit). Each answers from an index (the search index, a code index, or a table
//! of a few hundred rows at most), at most `limit` (default 10) choices.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa_axum::routes;

use crate::access::{Access, ApiRouter};
use crate::extract::{ApiQuery, Caller};
use crate::problem::ApiError;
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct LookupQuery {
    /// What was typed or scanned: any part of the code or name (one character: the start of the code).
    q: Option<String>,
    /// At most this many choices (1–50, default 10).
    limit: Option<u32>,
}

impl LookupQuery {
    fn typed(&self) -> String {
        self.q.clone().unwrap_or_default()
    }

    fn limit(&self) -> u32 {
        self.limit.unwrap_or(10).clamp(1, 50)
    }
}

/// One choice of a picker: what the field takes (`code`), what the user reads (`name`), and
/// the record's key figure where it has one.
#[derive(Serialize, utoipa::ToSchema, Default)]
pub struct Choice {
    pub id: String,
    /// What the field is filled with.
    pub code: String,
    pub name: String,
    /// Products: on hand in the company's own locations, with the unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_hand: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uom: Option<String>,
    /// Products: the list price before VAT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    /// Customers with a credit limit: what they may still order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining_credit: Option<String>,
    /// Something else worth seeing: a party's city, a lot's product, a location's path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Choices {
    pub items: Vec<Choice>,
}

fn answer(items: Vec<Choice>) -> Json<Choices> {
    Json(Choices { items })
}

/// Keeps the choices whose code or name contains what was typed (case-insensitive), for the
/// lists that are small by nature (accounts, locations, work centers).
fn small_list_matches(typed: &str, code: &str, name: &str) -> bool {
    let typed = kernel::search::normalise(typed.trim());
    typed.is_empty()
        || kernel::search::normalise(code).contains(&typed)
        || kernel::search::normalise(name).contains(&typed)
}

/// Products for what was typed or scanned, with on-hand and list price.
#[utoipa::path(get, path = "/api/v1/lookup/products", tag = "lookup", params(LookupQuery), responses((status = 200, body = Choices)))]
async fn products(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> Result<Json<Choices>, ApiError> {
    let items = state
        .read(&caller, move |tx, ctx| {
            let found = product::lookup::lookup_products(tx, ctx, &query.typed(), query.limit())?;
            let ids: Vec<String> = found.iter().map(|p| p.id.clone()).collect();
            let stock = if ctx.may(inventory::permissions::STOCK_READ) {
                inventory::lookup::on_hand_of(tx, ctx, &ids)?
            } else {
                Default::default()
            };
            Ok(found
                .into_iter()
                .map(|p| Choice {
                    on_hand: ctx
                        .may(inventory::permissions::STOCK_READ)
                        .then(|| stock.get(&p.id).copied().unwrap_or(kernel::Quantity::ZERO).trimmed()),
                    price: Some(p.list_price.trimmed()),
                    uom: Some(p.uom),
                    id: p.id,
                    code: p.code,
                    name: p.name,
                    ..Choice::default()
                })
                .collect())
        })
        .await?;
    Ok(answer(items))
}

async fn parties(
    state: AppState,
    caller: kernel::identity::Principal,
    query: LookupQuery,
    side: party::lookup::Side,
) -> Result<Json<Choices>, ApiError> {
    let items = state
        .read(&caller, move |tx, ctx| {
            let found = party::lookup::lookup_parties(tx, ctx, side, &query.typed(), query.limit())?;
            let mut items = Vec::with_capacity(found.len());
            for p in found {
                let remaining = if side == party::lookup::Side::Customers && ctx.may(sales::permissions::ORDER_READ) {
                    sales::remaining_credit(tx, ctx, &p.id)?
                } else {
                    None
                };
                items.push(Choice {
                    remaining_credit: remaining.map(|minor| {
                        kernel::money::with_thousands(
                            &kernel::Money::from_minor(minor, kernel::Currency::CNY).to_string(),
                        )
                    }),
                    detail: Some(p.city).filter(|c| !c.is_empty()),
                    id: p.id,
                    code: p.code,
                    name: p.name,
                    ..Choice::default()
                });
            }
            Ok(items)
        })
        .await?;
    Ok(answer(items))
}

/// Customers for what was typed, with the credit they have left.
#[utoipa::path(get, path = "/api/v1/lookup/customers", tag = "lookup", params(LookupQuery), responses((status = 200, body = Choices)))]
async fn customers(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> Result<Json<Choices>, ApiError> {
    parties(state, caller, query, party::lookup::Side::Customers).await
}

/// Suppliers for what was typed.
#[utoipa::path(get, path = "/api/v1/lookup/suppliers", tag = "lookup", params(LookupQuery), responses((status = 200, body = Choices)))]
async fn suppliers(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> Result<Json<Choices>, ApiError> {
    parties(state, caller, query, party::lookup::Side::Suppliers).await
}

/// Accounts of the chart whose code or name contains what was typed (a chart has hundreds).
#[utoipa::path(get, path = "/api/v1/lookup/accounts", tag = "lookup", params(LookupQuery), responses((status = 200, body = Choices)))]
async fn accounts(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> Result<Json<Choices>, ApiError> {
    let items = state
        .read(&caller, move |tx, ctx| {
            Ok(ledger::account::list_accounts(tx, ctx)?
                .into_iter()
                .filter(|a| small_list_matches(&query.typed(), &a.code, &a.name))
                .take(query.limit() as usize)
                .map(|a| Choice { id: a.id, code: a.code, name: a.name, ..Choice::default() })
                .collect())
        })
        .await?;
    Ok(answer(items))
}

/// Locations whose path or name contains what was typed.
#[utoipa::path(get, path = "/api/v1/lookup/locations", tag = "lookup", params(LookupQuery), responses((status = 200, body = Choices)))]
async fn locations(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> Result<Json<Choices>, ApiError> {
    let items = state
        .read(&caller, move |tx, ctx| {
            Ok(inventory::location::list_locations(tx, ctx)?
                .into_iter()
                .filter(|l| small_list_matches(&query.typed(), &l.path, &l.name))
                .take(query.limit() as usize)
                .map(|l| Choice { id: l.id.to_string(), code: l.path, name: l.name, ..Choice::default() })
                .collect())
        })
        .await?;
    Ok(answer(items))
}

/// Lots whose code starts with what was typed or scanned, with what is on hand of each.
#[utoipa::path(get, path = "/api/v1/lookup/lots", tag = "lookup", params(LookupQuery), responses((status = 200, body = Choices)))]
async fn lots(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> Result<Json<Choices>, ApiError> {
    let items = state
        .read(&caller, move |tx, ctx| {
            Ok(inventory::lookup::lookup_lots(tx, ctx, &query.typed(), query.limit())?
                .into_iter()
                .map(|l| Choice {
                    on_hand: Some(l.on_hand.trimmed()),
                    detail: Some(l.product_code.clone()),
                    name: l.product_code,
                    id: l.id,
                    code: l.code,
                    ..Choice::default()
                })
                .collect())
        })
        .await?;
    Ok(answer(items))
}

/// Work centers whose code or name contains what was typed.
#[utoipa::path(get, path = "/api/v1/lookup/work-centers", tag = "lookup", params(LookupQuery), responses((status = 200, body = Choices)))]
async fn work_centers(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> Result<Json<Choices>, ApiError> {
    let items = state
        .read(&caller, move |tx, ctx| {
            Ok(production::routing::list_work_centers(tx, ctx)?
                .into_iter()
                .filter(|w| small_list_matches(&query.typed(), &w.code, &w.name))
                .take(query.limit() as usize)
                .map(|w| Choice { id: w.id, code: w.code, name: w.name, ..Choice::default() })
                .collect())
        })
        .await?;
    Ok(answer(items))
}

/// Colleagues (active members of the company) whose login or name starts with what was typed:
/// any member may pick a colleague, to assign a task or name an approver.
#[utoipa::path(get, path = "/api/v1/lookup/users", tag = "lookup", params(LookupQuery), responses((status = 200, body = Choices)))]
async fn users(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> Result<Json<Choices>, ApiError> {
    let items = state
        .read(&caller, move |tx, ctx| {
            Ok(kernel::identity::lookup_colleagues(tx, ctx, &query.typed(), query.limit())?
                .into_iter()
                .map(|u| Choice { id: u.id, code: u.username, name: u.display_name, ..Choice::default() })
                .collect())
        })
        .await?;
    Ok(answer(items))
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Permission(product::permissions::PRODUCT_READ), routes!(products))
        .routes(Access::Permission(party::permissions::CUSTOMER_READ), routes!(customers))
        .routes(Access::Permission(party::permissions::SUPPLIER_READ), routes!(suppliers))
        .routes(Access::Permission(ledger::permissions::READ), routes!(accounts))
        .routes(Access::Permission(inventory::permissions::STOCK_READ), routes!(locations))
        .routes(Access::Permission(inventory::permissions::STOCK_READ), routes!(lots))
        .routes(Access::Permission(production::permissions::READ), routes!(work_centers))
        .routes(Access::Authenticated, routes!(users))
}

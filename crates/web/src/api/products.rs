//! Products and their reference data: taxes, currencies and exchange rates, units, categories.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use product::permissions::{PRODUCT_READ, PRODUCT_WRITE, SETUP_READ, SETUP_WRITE};
use product::{
    Category, CurrencyInfo, ExchangeRate, PRODUCT_LIST, PriceList, PriceListId, PriceListItem, Product, ProductId,
    ProductInput, SupplierPrice, Tax, Uom, VariantRequest,
};
use serde::Deserialize;
use utoipa_axum::routes;

use super::listing::{list_query, page_json};
use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ProductQuery {
    /// Searches name, code and barcode.
    q: Option<String>,
    /// Name starts with (index range).
    name: Option<String>,
    kind: Option<String>,
    category: Option<String>,
    barcode: Option<String>,
    sort: Option<String>,
    desc: Option<bool>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// Products, with search, filters and cursor pages.
#[utoipa::path(get, path = "/api/v1/products", tag = "products", params(ProductQuery), responses((status = 200, body = Object)))]
async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ProductQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let filters =
        [("name", &query.name), ("kind", &query.kind), ("category", &query.category), ("barcode", &query.barcode)];
    let list_query =
        list_query(query.q.clone(), &filters, query.sort.clone(), query.desc, query.cursor.clone(), query.limit);
    let page = state.read(&caller, move |tx, ctx| product::list_products(tx, ctx, &list_query)).await?;
    Ok(Json(page_json(&PRODUCT_LIST, page)))
}

/// Create a product.
#[utoipa::path(post, path = "/api/v1/products", tag = "products", request_body = ProductInput,
    responses((status = 201, body = Product), (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<ProductInput>,
) -> Result<(StatusCode, Json<Product>), ApiError> {
    let created = state.write(&caller, move |tx, ctx, _| product::create_product(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One product.
#[utoipa::path(get, path = "/api/v1/products/{id}", tag = "products", params(("id" = String, Path)),
    responses((status = 200, body = Product), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<ProductId>,
) -> Result<Json<Product>, ApiError> {
    state.read(&caller, move |tx, ctx| product::get_product(tx, ctx, id)).await.map(Json)
}

/// Update a product; send the `version` you read.
#[utoipa::path(put, path = "/api/v1/products/{id}", tag = "products", params(("id" = String, Path)), request_body = ProductInput,
    responses((status = 200, body = Product), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<ProductId>,
    ApiJson(input): ApiJson<ProductInput>,
) -> Result<Json<Product>, ApiError> {
    state.write(&caller, move |tx, ctx, _| product::update_product(tx, ctx, id, &input)).await.map(Json)
}

/// VAT rates with their account roles.
#[utoipa::path(get, path = "/api/v1/taxes", tag = "products", responses((status = 200, body = Vec<Tax>)))]
async fn list_taxes(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<Vec<Tax>>, ApiError> {
    state.read(&caller, product::list_taxes).await.map(Json)
}

/// Add a tax rate.
#[utoipa::path(post, path = "/api/v1/taxes", tag = "products", request_body = Tax, responses((status = 201, body = Tax), (status = 422, body = Problem)))]
async fn create_tax(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<Tax>,
) -> Result<(StatusCode, Json<Tax>), ApiError> {
    let tax = state.write(&caller, move |tx, ctx, _| product::create_tax(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(tax)))
}

/// Currencies with their minor units.
#[utoipa::path(get, path = "/api/v1/currencies", tag = "products", responses((status = 200, body = Vec<CurrencyInfo>)))]
async fn list_currencies(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<CurrencyInfo>>, ApiError> {
    state.read(&caller, product::list_currencies).await.map(Json)
}

/// Record an exchange rate from a date on.
#[utoipa::path(post, path = "/api/v1/exchange-rates", tag = "products", request_body = ExchangeRate,
    responses((status = 201, body = ExchangeRate), (status = 422, body = Problem)))]
async fn set_rate(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<ExchangeRate>,
) -> Result<(StatusCode, Json<ExchangeRate>), ApiError> {
    let rate = state.write(&caller, move |tx, ctx, _| product::set_rate(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(rate)))
}

/// Units of measure with their conversion factors.
/// Add an ISO currency to the company's list (with its own minor units).
#[utoipa::path(post, path = "/api/v1/currencies", tag = "products", request_body = CurrencyInfo, responses((status = 201, body = CurrencyInfo), (status = 422, body = Problem)))]
async fn add_currency(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<CurrencyInfo>,
) -> Result<(StatusCode, Json<CurrencyInfo>), ApiError> {
    let added = state.write(&caller, move |tx, ctx, _| product::add_currency(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(added)))
}

#[utoipa::path(get, path = "/api/v1/uoms", tag = "products", responses((status = 200, body = Vec<Uom>)))]
async fn list_uoms(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<Vec<Uom>>, ApiError> {
    state.read(&caller, product::list_uoms).await.map(Json)
}

/// Add a unit of measure.
#[utoipa::path(post, path = "/api/v1/uoms", tag = "products", request_body = Uom, responses((status = 201, body = Uom), (status = 422, body = Problem)))]
async fn create_uom(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<Uom>,
) -> Result<(StatusCode, Json<Uom>), ApiError> {
    let uom = state.write(&caller, move |tx, ctx, _| product::create_uom(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(uom)))
}

/// The category tree, in path order.
#[utoipa::path(get, path = "/api/v1/product-categories", tag = "products", responses((status = 200, body = Vec<Category>)))]
async fn list_categories(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<Category>>, ApiError> {
    state.read(&caller, product::list_categories).await.map(Json)
}

/// Add a category (under a parent, or as a root).
#[utoipa::path(post, path = "/api/v1/product-categories", tag = "products", request_body = Category,
    responses((status = 201, body = Category), (status = 422, body = Problem)))]
async fn create_category(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<Category>,
) -> Result<(StatusCode, Json<Category>), ApiError> {
    let category = state.write(&caller, move |tx, ctx, _| product::create_category(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(category)))
}

/// What the product's suppliers charge, with quantity breaks.
#[utoipa::path(get, path = "/api/v1/products/{id}/suppliers", tag = "products", params(("id" = String, Path)),
    responses((status = 200, body = Vec<SupplierPrice>), (status = 404, body = Problem)))]
async fn list_supplier_prices(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<ProductId>,
) -> Result<Json<Vec<SupplierPrice>>, ApiError> {
    state.read(&caller, move |tx, ctx| product::supplier_prices(tx, ctx, id)).await.map(Json)
}

/// Add or replace a supplier's price break for the product.
#[utoipa::path(post, path = "/api/v1/products/{id}/suppliers", tag = "products", params(("id" = String, Path)), request_body = SupplierPrice,
    responses((status = 201, body = SupplierPrice), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn set_supplier_price(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<ProductId>,
    ApiJson(input): ApiJson<SupplierPrice>,
) -> Result<(StatusCode, Json<SupplierPrice>), ApiError> {
    let saved = state
        .write(&caller, move |tx, ctx, state| {
            product::get_product(tx, ctx, id)?;
            // The supplier must be a supplier of this company, as the caller may see it.
            let vault = state.keys.vault()?;
            let supplier = party::PartyId::parse(&input.supplier_id)
                .ok()
                .and_then(|p| party::get_party(tx, ctx, &vault, p).ok())
                .filter(|p| p.kind != party::PartyKind::Customer && p.active)
                .ok_or_else(|| kernel::Error::field("supplier_id", "product.supplier_unknown"))?;
            product::set_supplier_price(
                tx,
                ctx,
                id,
                &SupplierPrice { supplier_id: supplier.id.to_string(), ..input.clone() },
            )
        })
        .await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// Price lists.
#[utoipa::path(get, path = "/api/v1/price-lists", tag = "pricing", responses((status = 200, body = Vec<PriceList>)))]
async fn list_price_lists(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<PriceList>>, ApiError> {
    state.read(&caller, product::list_price_lists).await.map(Json)
}

/// Create a price list for a customer group (empty for everyone), valid between dates.
#[utoipa::path(post, path = "/api/v1/price-lists", tag = "pricing", request_body = PriceList,
    responses((status = 201, body = PriceList), (status = 422, body = Problem)))]
async fn create_price_list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<PriceList>,
) -> Result<(StatusCode, Json<PriceList>), ApiError> {
    let list = state.write(&caller, move |tx, ctx, _| product::create_price_list(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(list)))
}

/// Add or replace a product's price (from a quantity on) in a price list.
#[utoipa::path(post, path = "/api/v1/price-lists/{id}/items", tag = "pricing", params(("id" = String, Path)), request_body = PriceListItem,
    responses((status = 201, body = PriceListItem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn set_price_list_item(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PriceListId>,
    ApiJson(input): ApiJson<PriceListItem>,
) -> Result<(StatusCode, Json<PriceListItem>), ApiError> {
    let item = state.write(&caller, move |tx, ctx, _| product::set_item(tx, ctx, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct QuoteQuery {
    product_id: String,
    /// The customer's group; empty for general prices only.
    #[serde(default)]
    customer_group: String,
    /// Decimal quantity in the product's unit.
    quantity: String,
    /// YYYY-MM-DD; today when absent.
    date: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct PriceQuote {
    price_list: String,
    unit_price: String,
    price_includes_tax: bool,
    currency: String,
    tax: Option<String>,
    /// The line for the quantity: net, VAT and gross, rounded half-up to the fen per line.
    net: String,
    vat: String,
    gross: String,
}

/// The price a customer group pays for a quantity on a date, with the VAT of the line.
#[utoipa::path(get, path = "/api/v1/price-quote", tag = "pricing", params(QuoteQuery),
    responses((status = 200, body = PriceQuote), (status = 404, body = Problem)))]
async fn price_quote(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<QuoteQuery>,
) -> Result<Json<PriceQuote>, ApiError> {
    let product_id = ProductId::parse(&query.product_id).map_err(|_| kernel::Error::not_found("product.not_found"))?;
    let quantity: kernel::Quantity = query.quantity.parse().map_err(|_: kernel::Error| {
        kernel::Error::field("quantity", "kernel.quantity.invalid").with_param("value", &query.quantity)
    })?;
    state
        .read(&caller, move |tx, ctx| {
            let date = match query.date.as_deref() {
                Some(d) => kernel::clock::parse_date(d)
                    .map_err(|_| kernel::Error::field("date", "kernel.date.invalid").with_param("value", d))?,
                None => ctx.today(),
            };
            let item = product::get_product(tx, ctx, product_id)?;
            let found = product::quote(tx, ctx, product_id, &query.customer_group, quantity, date)?
                .ok_or_else(|| kernel::Error::not_found("product.no_price"))?;
            let setup =
                ctx.for_company(ctx.company(), kernel::PermissionSet::new([product::permissions::SETUP_READ.name()]));
            let rate = match &item.tax {
                Some(code) => product::list_taxes(tx, &setup)?
                    .into_iter()
                    .find(|t| &t.code == code)
                    .map(|t| t.rate_bp)
                    .unwrap_or(0),
                None => 0,
            };
            let currency = kernel::Currency::from_code(&found.currency)?;
            let line = product::vat::line_amounts(quantity, found.price, found.price_includes_tax, rate, currency)?;
            Ok(PriceQuote {
                price_list: found.price_list,
                unit_price: found.price.to_string(),
                price_includes_tax: found.price_includes_tax,
                currency: found.currency,
                tax: item.tax,
                net: line.net.to_string(),
                vat: line.tax.to_string(),
                gross: line.gross.to_string(),
            })
        })
        .await
        .map(Json)
}

/// Create the variants of a product: one per combination of attribute values.
#[utoipa::path(post, path = "/api/v1/products/{id}/variants", tag = "products", params(("id" = String, Path)), request_body = VariantRequest,
    responses((status = 201, body = Vec<Product>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_variants(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<ProductId>,
    ApiJson(input): ApiJson<VariantRequest>,
) -> Result<(StatusCode, Json<Vec<Product>>), ApiError> {
    let variants = state.write(&caller, move |tx, ctx, _| product::create_variants(tx, ctx, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(variants)))
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Permission(PRODUCT_READ), routes!(list))
        .routes(Access::Permission(PRODUCT_WRITE), routes!(create))
        .routes(Access::Permission(PRODUCT_READ), routes!(get))
        .routes(Access::Permission(PRODUCT_WRITE), routes!(update))
        .routes(Access::Permission(SETUP_READ), routes!(list_taxes))
        .routes(Access::Permission(SETUP_WRITE), routes!(create_tax))
        .routes(Access::Permission(SETUP_READ), routes!(list_currencies))
        .routes(Access::Permission(SETUP_WRITE), routes!(add_currency))
        .routes(Access::Permission(SETUP_WRITE), routes!(set_rate))
        .routes(Access::Permission(SETUP_READ), routes!(list_uoms))
        .routes(Access::Permission(SETUP_WRITE), routes!(create_uom))
        .routes(Access::Permission(SETUP_READ), routes!(list_categories))
        .routes(Access::Permission(SETUP_WRITE), routes!(create_category))
        .routes(Access::Permission(PRODUCT_READ), routes!(list_supplier_prices))
        .routes(Access::Permission(PRODUCT_WRITE), routes!(set_supplier_price))
        .routes(Access::Permission(PRODUCT_READ), routes!(list_price_lists))
        .routes(Access::Permission(PRODUCT_WRITE), routes!(create_price_list))
        .routes(Access::Permission(PRODUCT_WRITE), routes!(set_price_list_item))
        .routes(Access::Permission(PRODUCT_READ), routes!(price_quote))
        .routes(Access::Permission(PRODUCT_WRITE), routes!(create_variants))
}

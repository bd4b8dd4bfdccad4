//! Products in the web client: the list (search, filters, exports from the shared list view) and
//! the form, with units, category and tax chosen from the company's reference data.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::Error;
use maud::html;
use product::permissions::PRODUCT_WRITE;
use product::{PRODUCT_LIST, Product, ProductId, ProductInput};

use super::{FormData, see_other};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::ui::form::{self, Field, Input};
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, flash, shell};
use crate::ui::list::{self, ColumnView, FilterField, FilterInput, ListParams, ListView, Show};

const COLUMNS: &[ColumnView] = &[
    ColumnView { key: "code", label: "ui.product.code", show: Show::Link },
    ColumnView { key: "display_name", label: "ui.product.name", show: Show::Text },
    ColumnView { key: "kind", label: "ui.product.kind", show: Show::Badge("ui.product.kind.") },
    ColumnView { key: "category", label: "ui.product.category", show: Show::Text },
    ColumnView { key: "uom", label: "ui.product.uom", show: Show::Text },
    ColumnView { key: "barcode", label: "ui.product.barcode", show: Show::Text },
];

fn kinds(page: &Page) -> Vec<(String, String)> {
    ["stockable", "consumable", "service"]
        .iter()
        .map(|k| (k.to_string(), page.t(&format!("ui.product.kind.{k}"))))
        .collect()
}

pub async fn list(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let view = ListView {
        key: "product.products",
        title: "ui.products",
        base: "/products",
        spec: &PRODUCT_LIST,
        columns: COLUMNS,
        filters: vec![
            FilterField { key: "name", label: "ui.party.name_starts", input: FilterInput::Text },
            FilterField { key: "kind", label: "ui.product.kind", input: FilterInput::Choice(kinds(&page)) },
            FilterField { key: "barcode", label: "ui.product.barcode", input: FilterInput::Text },
        ],
        bulk: vec![],
        new_href: page.may(PRODUCT_WRITE).then_some("/products/new"),
    };
    list::handle(&state, &page, view, ListParams::parse(query.as_deref()), product::list_products).await
}

/// The choices of the form: units, categories and taxes of the company.
struct Choices {
    uoms: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    taxes: Vec<(String, String)>,
}

struct Loaded {
    product: Option<Product>,
    /// Price breaks by supplier, with the supplier's name.
    suppliers: Vec<(String, product::SupplierPrice)>,
    choices: Choices,
    history: Vec<kernel::audit::AuditEntry>,
    comments: Vec<office::Comment>,
    attachments: Vec<kernel::attachment::Attachment>,
}

async fn load(state: &AppState, page: &Page, id: Option<ProductId>) -> Result<Loaded, ApiError> {
    let ctx = page.ctx(state);
    state
        .blocking(move |state| {
            state.db.read(|tx| {
                // Reference data is readable to whoever maintains products.
                let setup = ctx
                    .for_company(ctx.company(), kernel::PermissionSet::new([product::permissions::SETUP_READ.name()]));
                let choices = Choices {
                    uoms: product::list_uoms(tx, &setup)?
                        .into_iter()
                        .map(|u| (u.code.clone(), format!("{} ({})", u.name, u.code)))
                        .collect(),
                    categories: product::list_categories(tx, &setup)?
                        .into_iter()
                        .map(|c| (c.code.clone(), format!("{} ({})", c.name, c.path)))
                        .collect(),
                    taxes: product::list_taxes(tx, &setup)?.into_iter().map(|t| (t.code.clone(), t.name)).collect(),
                };
                let Some(id) = id else {
                    return Ok(Loaded {
                        product: None,
                        suppliers: vec![],
                        choices,
                        history: vec![],
                        comments: vec![],
                        attachments: vec![],
                    });
                };
                let key = id.to_string();
                let prices = product::supplier_prices(tx, &ctx, id)?;
                let supplier_ids: Vec<String> = prices.iter().map(|p| p.supplier_id.clone()).collect();
                let names = party::lookup::names_of(tx, &ctx, &supplier_ids)?;
                let suppliers = prices
                    .into_iter()
                    .map(|p| {
                        (names.get(&p.supplier_id).map(|(_, n)| n.clone()).unwrap_or_else(|| p.supplier_id.clone()), p)
                    })
                    .collect();
                Ok(Loaded {
                    suppliers,
                    product: Some(product::get_product(tx, &ctx, id)?),
                    choices,
                    history: kernel::audit::history(tx, &ctx, "product.product", &key, 50)?,
                    comments: office::list_comments(tx, &ctx, "product.product", &key)?,
                    attachments: state.attachments.list(tx, &ctx, "product.product", &key)?,
                })
            })
        })
        .await
}

fn product_page(
    page: &Page,
    data: &Loaded,
    values: Option<&FormData>,
    error: Option<&Error>,
    ok: Option<&str>,
) -> Response {
    let product = data.product.as_ref();
    let readonly = !page.may(PRODUCT_WRITE);
    let value =
        |name: &str, current: Option<String>| values.map(|f| f.text(name)).unwrap_or(current.unwrap_or_default());
    let select = |name: &'static str, label: &'static str, options: &[(String, String)], current: Option<String>| {
        Field::new(name, label, Input::Select(options.to_vec()), value(name, current)).readonly(readonly)
    };
    let fields = vec![
        Field::new("code", "ui.product.code", Input::Text, value("code", product.map(|p| p.code.clone())))
            .required()
            .readonly(readonly),
        Field::new("name", "ui.product.name", Input::Text, value("name", product.map(|p| p.name.clone())))
            .required()
            .readonly(readonly),
        select("kind", "ui.product.kind", &kinds(page), product.map(|p| p.kind.clone()).or(Some("stockable".into())))
            .required(),
        select("category", "ui.product.category", &data.choices.categories, product.and_then(|p| p.category.clone())),
        select("uom", "ui.product.uom", &data.choices.uoms, product.map(|p| p.uom.clone()).or(Some("pcs".into())))
            .required(),
        select("purchase_uom", "ui.product.purchase_uom", &data.choices.uoms, product.map(|p| p.purchase_uom.clone())),
        select("sales_uom", "ui.product.sales_uom", &data.choices.uoms, product.map(|p| p.sales_uom.clone())),
        Field::new(
            "barcode",
            "ui.product.barcode",
            Input::Text,
            value("barcode", product.and_then(|p| p.barcode.clone())),
        )
        .readonly(readonly),
        select(
            "tax",
            "ui.product.tax",
            &data.choices.taxes,
            product.and_then(|p| p.tax.clone()).or(Some("VAT13".into())),
        ),
        select(
            "costing",
            "ui.product.costing",
            &[
                ("average".into(), page.t("ui.product.costing.average")),
                ("fifo".into(), page.t("ui.product.costing.fifo")),
            ],
            product.map(|p| p.costing.clone()),
        ),
        select(
            "tracking",
            "ui.product.tracking",
            &["none", "lot", "serial"]
                .iter()
                .map(|t| (t.to_string(), page.t(&format!("ui.product.tracking.{t}"))))
                .collect::<Vec<_>>(),
            product.map(|p| p.tracking.clone()),
        ),
        Field::new(
            "shelf_life_days",
            "ui.product.shelf_life",
            Input::Decimal,
            value("shelf_life_days", product.and_then(|p| p.shelf_life_days.map(|d| d.to_string()))),
        )
        .readonly(readonly),
        Field::new(
            "list_price",
            "ui.product.list_price",
            Input::Decimal,
            value("list_price", product.map(|p| p.list_price.clone())),
        )
        .readonly(readonly),
    ];
    let title = product.map(|p| format!("{} {}", p.code, p.name)).unwrap_or_else(|| page.t("ui.product.new"));
    let action = product.map(|p| format!("/products/{}", p.id)).unwrap_or_else(|| "/products/new".into());
    let body = html! {
        h1 { (title) @if let Some(p) = product { (form::badge(page, "ui.product.kind.", &p.kind)) } }
        (flash(page, ok, None))
        div.columns-2 {
            form.panel method="post" action=(action) data-save {
                input type="hidden" name="_csrf" value=(page.csrf());
                @if let Some(p) = product { input type="hidden" name="version" value=(p.version); }
                (form::form_error(page, error.filter(|e| e.fields().is_empty())))
                (form::fields(page, &fields, error))
                @if !readonly { p { button.primary type="submit" { (page.t("ui.save")) } " " a href="/products" { (page.t("ui.cancel")) } } }
            }
            @if let Some(p) = product { div { (form::side_panel(page, "product.product", &p.id.to_string(), &data.history, &data.comments, &data.attachments)) } }
        }
        @if let Some(p) = product {
            section.panel {
                h2 { (page.t("ui.product.suppliers")) }
                table.list {
                    thead { tr { th { (page.t("ui.product.supplier")) } th { (page.t("ui.product.supplier_code")) } th.num { (page.t("ui.product.min_qty")) } th.num { (page.t("ui.product.price")) } th { (page.t("ui.party.currency")) } th.num { (page.t("ui.product.lead_time")) } } }
                    tbody { @for (name, b) in &data.suppliers { tr { td { (name) } td { (b.supplier_code) } td.num { (b.min_qty) } td.num { (b.price) } td { (b.currency) } td.num { (b.lead_time_days) } } } }
                }
                @if !readonly && page.may(party::permissions::SUPPLIER_READ) {
                    form method="post" action=(format!("/products/{}/suppliers", p.id)) {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        (form::fields(page, &[
                            Field::new("supplier_id", "ui.product.supplier", Input::Lookup("suppliers"), "").required(),
                            Field::new("supplier_code", "ui.product.supplier_code", Input::Text, ""),
                            Field::new("min_qty", "ui.product.min_qty", Input::Decimal, "1").required(),
                            Field::new("price", "ui.product.price", Input::Decimal, "").required(),
                            Field::new("currency", "ui.party.currency", Input::Text, "CNY"),
                            Field::new("lead_time_days", "ui.product.lead_time", Input::Decimal, "0"),
                        ], None))
                        p { button type="submit" { (page.t("ui.save")) } }
                    }
                }
            }
            @if !readonly && p.template_id.is_none() {
                section.panel {
                    h2 { (page.t("ui.product.variants")) }
                    form method="post" action=(format!("/products/{}/variants", p.id)) {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        label for="variant-attributes" { (page.t("ui.product.variants_hint")) }
                        textarea #variant-attributes name="attributes" placeholder="颜色: 红, 蓝\n尺码: S, M, L" required {}
                        p { button type="submit" { (page.t("ui.product.make_variants")) } }
                    }
                }
            }
        }
    };
    let mut response = shell(page, &page.t("ui.products"), body);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

fn input_from(form: &FormData) -> Result<ProductInput, Error> {
    let opt = |name: &str| Some(form.text(name)).filter(|v| !v.is_empty());
    let shelf_life_days = opt("shelf_life_days")
        .map(|d| d.parse::<i64>().map_err(|_| Error::field("shelf_life_days", "product.shelf_life_invalid")))
        .transpose()?;
    Ok(ProductInput {
        code: form.text("code"),
        name: form.text("name"),
        kind: form.text("kind"),
        category: opt("category"),
        uom: form.text("uom"),
        purchase_uom: opt("purchase_uom"),
        sales_uom: opt("sales_uom"),
        barcode: opt("barcode"),
        tax: opt("tax"),
        costing: opt("costing"),
        tracking: opt("tracking"),
        shelf_life_days,
        list_price: opt("list_price"),
        version: form.text("version").parse().unwrap_or(0),
    })
}

pub async fn new_form(State(state): State<AppState>, page: Page) -> Response {
    match load(&state, &page, None).await {
        Ok(data) => product_page(&page, &data, None, None, None),
        Err(error) => error.into_response(),
    }
}

pub async fn create(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let ctx = page.ctx(&state);
    let result = match input_from(&form) {
        Ok(input) => state.blocking(move |state| state.db.write(|tx| product::create_product(tx, &ctx, &input))).await,
        Err(e) => Err(ApiError(e)),
    };
    match result {
        Ok(p) => see_other(&format!("/products/{}", p.id), Some("ui.saved")),
        Err(error) => match load(&state, &page, None).await {
            Ok(data) => product_page(&page, &data, Some(&form), Some(&error.0), None),
            Err(e) => e.into_response(),
        },
    }
}

pub async fn form(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(id) = ProductId::parse(&id) else { return error_page(&page, StatusCode::NOT_FOUND, "product.not_found") };
    let ok = query_param(query.as_deref(), "ok");
    match load(&state, &page, Some(id)).await {
        Ok(data) => product_page(&page, &data, None, None, ok.as_deref()),
        Err(error) => error_page_for(&page, StatusCode::NOT_FOUND, &error.0),
    }
}

pub async fn save(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = ProductId::parse(&id) else { return error_page(&page, StatusCode::NOT_FOUND, "product.not_found") };
    let ctx = page.ctx(&state);
    let result = match input_from(&form) {
        Ok(input) => {
            state.blocking(move |state| state.db.write(|tx| product::update_product(tx, &ctx, id, &input))).await
        }
        Err(e) => Err(ApiError(e)),
    };
    match result {
        Ok(_) => see_other(&format!("/products/{id}"), Some("ui.saved")),
        Err(error) => match load(&state, &page, Some(id)).await {
            Ok(data) => product_page(&page, &data, Some(&form), Some(&error.0), None),
            Err(e) => e.into_response(),
        },
    }
}

pub async fn add_supplier_price(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let Ok(id) = ProductId::parse(&id) else { return error_page(&page, StatusCode::NOT_FOUND, "product.not_found") };
    let parsed = (form.text("min_qty").parse::<kernel::Quantity>(), form.text("price").parse::<kernel::UnitPrice>());
    let (Ok(min_qty), Ok(price)) = parsed else {
        return error_page(&page, StatusCode::UNPROCESSABLE_ENTITY, "product.price_invalid");
    };
    let input = product::SupplierPrice {
        supplier_id: form.text("supplier_id"),
        supplier_code: form.text("supplier_code"),
        min_qty,
        price,
        currency: form.text("currency"),
        lead_time_days: form.text("lead_time_days").parse().unwrap_or(0),
        min_order_qty: kernel::Quantity::ZERO,
    };
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| {
                // The picker fills the supplier's code; an id (from the API's habits) works too.
                ctx.require(party::permissions::SUPPLIER_READ)?;
                let supplier = party::trading_terms(tx, &ctx, &input.supplier_id)?
                    .filter(|p| p.is_supplier())
                    .ok_or_else(|| Error::field("supplier_id", "product.supplier_unknown"))?;
                product::set_supplier_price(
                    tx,
                    &ctx,
                    id,
                    &product::SupplierPrice { supplier_id: supplier.id.to_string(), ..input },
                )
            })
        })
        .await;
    match result {
        Ok(_) => see_other(&format!("/products/{id}"), Some("ui.saved")),
        Err(error) => error_page(
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            error.0.fields().first().map(|f| f.code).unwrap_or(error.0.code()),
        ),
    }
}

/// `颜色: 红, 蓝` per line → attributes.
fn attributes_from(text: &str) -> Vec<product::Attribute> {
    text.lines()
        .filter_map(|line| {
            let (name, values) = line.split_once([':', '：'])?;
            let values: Vec<String> =
                values.split([',', '，', '、']).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
            Some(product::Attribute { name: name.trim().to_string(), values })
        })
        .collect()
}

pub async fn make_variants(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let Ok(id) = ProductId::parse(&id) else { return error_page(&page, StatusCode::NOT_FOUND, "product.not_found") };
    let request = product::VariantRequest { attributes: attributes_from(&form.text("attributes")) };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| product::create_variants(tx, &ctx, id, &request))).await {
        Ok(made) => see_other(
            &format!(
                "/products?q={}",
                made.first().map(|p| p.code.split('-').next().unwrap_or_default().to_string()).unwrap_or_default()
            ),
            Some("ui.saved"),
        ),
        Err(error) => error_page(
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            error.0.fields().first().map(|f| f.code).unwrap_or(error.0.code()),
        ),
    }
}

//! The pages of the web client, each file one area; `mount` lists every page with its access.

mod announcements;
mod approval_flows;
mod approvals;
mod auth;
mod bank;
mod calendar;
mod collab;
mod company;
mod crm;
mod crm_contracts;
mod crm_pipeline;
mod crm_setup;
mod first_steps;
mod home;
mod imports;
mod inventory;
mod inventory_reports;
mod inventory_setup;
mod ledger;
mod ledger_reports;
mod mrp;
mod opening;
mod parties;
mod product_setup;
mod production;
mod production_setup;
mod products;
mod purchasing;
mod purchasing_bills;
mod purchasing_sourcing;
mod sales;
mod sales_invoices;
mod scanner;
mod settings;
mod shop_floor;
mod tasks;

use ::crm::permissions as cp;
use ::inventory::permissions as ip;
use ::ledger::permissions as lp;
use ::production::permissions as mp;
use ::purchasing::permissions as pup;
use ::sales::permissions as sp;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::{FromRequest, Request};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::identity::permissions as kp;
use office::permissions as op;
use party::permissions as pp;
use product::permissions as prp;

use super::guard::{UiRouter, url_pairs};
use crate::access::Access;
use crate::state::AppState;

/// A submitted form as name/value pairs (checkbox groups repeat a name).
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().trim().to_string()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let bytes = Bytes::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        Ok(FormData(url_pairs(&String::from_utf8_lossy(&bytes))))
    }
}

/// Where to go back to: only paths of this site.
pub fn safe_back(target: Option<&str>, fallback: &str) -> String {
    match target {
        Some(t) if t.starts_with('/') && !t.starts_with("//") && !t.contains('\\') => t.to_string(),
        _ => fallback.to_string(),
    }
}

/// Post/redirect/get: back to a page with a message code.
pub fn see_other(target: &str, ok: Option<&str>) -> Response {
    let location = match ok {
        Some(code) if target.contains('?') => format!("{target}&ok={code}"),
        Some(code) => format!("{target}?ok={code}"),
        None => target.to_string(),
    };
    let mut response = Redirect::to(&location).into_response();
    response.headers_mut().insert("cache-control", HeaderValue::from_static("no-store"));
    response
}

/// Who may open the import page (each type then asks for its own permission).
const TRANSFER_READ: &[kernel::Permission] =
    &[pp::CUSTOMER_READ, pp::SUPPLIER_READ, prp::PRODUCT_READ, prp::SETUP_READ];
const TRANSFER_WRITE: &[kernel::Permission] =
    &[pp::CUSTOMER_WRITE, pp::SUPPLIER_WRITE, prp::PRODUCT_WRITE, prp::SETUP_WRITE];

pub fn mount(state: &AppState) -> axum::Router<AppState> {
    use Access::{Authenticated, Permission as P, Public};
    UiRouter::new(state.clone())
        .page("/login", Public, get(auth::login_form).post(auth::login))
        .page("/logout", Authenticated, post(auth::logout))
        .page("/ui/locale", Authenticated, post(auth::set_locale))
        .page("/ui/company", Authenticated, post(auth::switch_company))
        .page("/preferences", Authenticated, get(auth::preferences))
        .page("/", Authenticated, get(home::dashboard))
        .page("/search", Authenticated, get(collab::search))
        .page("/notifications", Authenticated, get(collab::notifications))
        .page("/notifications/{id}", Authenticated, post(collab::open_notification))
        .page("/ui/columns", Authenticated, post(collab::save_columns))
        .page("/ui/filters", Authenticated, post(collab::save_filter))
        .page("/ui/filters/delete", Authenticated, post(collab::delete_filter))
        .page("/comments", P(op::COMMENT_WRITE), post(collab::add_comment))
        .page(
            "/attachments",
            Authenticated,
            // Room for the largest accepted file plus the multipart envelope.
            post(collab::upload).layer(DefaultBodyLimit::max(state.attachments.max_bytes + 1_048_576)),
        )
        .page("/attachments/{id}", Authenticated, get(collab::download))
        .page("/settings/users", P(kp::USER_READ), get(settings::users))
        .page("/settings/users/bulk", P(kp::USER_MANAGE), post(settings::users_bulk))
        .page("/settings/users/new", P(kp::USER_MANAGE), get(settings::user_new).post(settings::user_create))
        .page("/settings/users/{id}", P(kp::USER_READ), get(settings::user_form).post(settings::user_save))
        .page("/settings/roles", P(kp::ROLE_READ), get(settings::roles))
        .page("/settings/roles/matrix", P(kp::ROLE_MANAGE), post(settings::roles_matrix_save))
        .page("/settings/companies", P(kp::COMPANY_READ), get(settings::companies).post(settings::company_create))
        .page("/settings/company", P(kp::COMPANY_READ), get(company::show).post(company::save))
        .page("/first-steps/demo", P(kp::COMPANY_MANAGE), post(first_steps::create_demo))
        .page("/first-steps/{code}/done", P(kp::COMPANY_MANAGE), post(first_steps::mark_done))
        .page("/settings/audit", P(kp::AUDIT_READ), get(settings::audit))
        .page("/settings/outbox", P(kp::OUTBOX_READ), get(settings::outbox))
        .page("/settings/outbox/bulk", P(kp::OUTBOX_MANAGE), post(settings::outbox_bulk))
        .page("/parties", Access::Any(&[pp::CUSTOMER_READ, pp::SUPPLIER_READ]), get(parties::list))
        .page(
            "/parties/new",
            Access::Any(&[pp::CUSTOMER_WRITE, pp::SUPPLIER_WRITE]),
            get(parties::new_form).post(parties::create),
        )
        .page("/imports", Access::Any(TRANSFER_READ), get(imports::show))
        .page(
            "/imports/run",
            Access::Any(TRANSFER_WRITE),
            post(imports::run).layer(DefaultBodyLimit::max(64 * 1_048_576)),
        )
        .page("/imports/template", Access::Any(TRANSFER_READ), get(imports::template))
        .page("/imports/export", Access::Any(TRANSFER_READ), get(imports::export))
        .page(
            "/parties/terms",
            Access::Any(&[pp::CUSTOMER_READ, pp::SUPPLIER_READ]),
            get(parties::terms).post(parties::add_term),
        )
        .page(
            "/parties/{id}",
            Access::Any(&[pp::CUSTOMER_READ, pp::SUPPLIER_READ]),
            get(parties::form).post(parties::save),
        )
        .page("/parties/{id}/merge", P(pp::MERGE), post(parties::merge))
        .page("/products", P(prp::PRODUCT_READ), get(products::list))
        .page("/products/setup", P(prp::SETUP_READ), get(product_setup::show))
        .page("/products/setup/categories", P(prp::SETUP_WRITE), post(product_setup::add_category))
        .page("/products/setup/price-lists", P(prp::PRODUCT_WRITE), post(product_setup::add_price_list))
        .page("/products/setup/rates", P(prp::SETUP_WRITE), post(product_setup::add_rate))
        .page("/products/setup/currencies", P(prp::SETUP_WRITE), post(product_setup::add_currency))
        .page("/products/setup/uoms", P(prp::SETUP_WRITE), post(product_setup::add_uom))
        .page("/products/new", P(prp::PRODUCT_WRITE), get(products::new_form).post(products::create))
        .page("/products/{id}", P(prp::PRODUCT_READ), get(products::form).post(products::save))
        .page("/products/{id}/suppliers", P(prp::PRODUCT_WRITE), post(products::add_supplier_price))
        .page("/products/{id}/variants", P(prp::PRODUCT_WRITE), post(products::make_variants))
        .page("/inventory/pickings", P(ip::STOCK_READ), get(inventory::pickings))
        .page("/inventory/pickings/new", P(ip::STOCK_MOVE), get(inventory::new_form).post(inventory::create))
        .page("/inventory/pickings/{id}", P(ip::STOCK_READ), get(inventory::show))
        .page("/inventory/pickings/{id}/act", Access::Any(&[ip::STOCK_MOVE, ip::STOCK_COUNT]), post(inventory::act))
        .page("/inventory/stock", P(ip::STOCK_READ), get(inventory_reports::stock))
        .page("/inventory/summary", P(ip::VALUATION_READ), get(inventory_reports::summary))
        .page("/inventory/ledger", P(ip::VALUATION_READ), get(inventory_reports::ledger))
        .page("/inventory/lots", P(ip::STOCK_READ), get(inventory_reports::lots))
        .page("/inventory/replenishment", P(ip::STOCK_READ), get(inventory_reports::replenishment))
        .page("/inventory/setup", P(ip::STOCK_READ), get(inventory_setup::show))
        .page("/inventory/setup/warehouses", P(ip::SETUP), post(inventory_setup::add_warehouse))
        .page("/inventory/setup/locations", P(ip::SETUP), post(inventory_setup::add_location))
        .page("/inventory/setup/reorder", P(ip::SETUP), post(inventory_setup::set_rule))
        .page(
            "/inventory/scan",
            Access::Any(&[ip::STOCK_MOVE, ip::STOCK_COUNT]),
            get(scanner::show).post(scanner::scan),
        )
        .page("/finance/vouchers", P(lp::READ), get(ledger::vouchers))
        .page("/finance/vouchers/new", P(lp::PREPARE), get(ledger::new_form).post(ledger::create))
        .page("/finance/vouchers/of", P(lp::READ), get(ledger::voucher_of))
        .page("/finance/vouchers/{id}", P(lp::READ), get(ledger::show))
        .page("/finance/vouchers/{id}/act", Access::Any(&[lp::REVIEW, lp::POST]), post(ledger::act))
        .page("/finance/vouchers/{id}/pdf", P(lp::READ), get(ledger_reports::voucher_pdf))
        .page("/crm/leads", P(cp::READ), get(crm::leads))
        .page("/crm/leads/new", P(cp::WRITE), get(crm::new_form).post(crm::create))
        .page("/crm/leads/{id}", P(cp::READ), get(crm::lead))
        .page("/crm/leads/{id}/qualify", P(cp::WRITE), post(crm::qualify))
        .page("/crm/leads/{id}/lose", P(cp::WRITE), post(crm::lose))
        .page("/crm/activities", P(cp::WRITE), post(crm::record))
        .page("/crm/follow-ups", P(cp::READ), get(crm::follow_ups))
        .page("/crm/activities/{id}", P(cp::READ), get(crm::activity))
        .page("/crm/activities/{id}/complete", P(cp::WRITE), post(crm::complete))
        .page("/crm/pipeline", P(cp::READ), get(crm_pipeline::board))
        .page("/crm/opportunities/{id}", P(cp::READ), get(crm_pipeline::opportunity))
        .page("/crm/opportunities/{id}/move", P(cp::WRITE), post(crm_pipeline::move_to))
        .page("/crm/opportunities/{id}/act", P(cp::WRITE), post(crm_pipeline::act))
        .page("/crm/opportunities/{id}/quotation", P(cp::WRITE), post(crm_pipeline::quotation))
        .page("/crm/report", P(cp::READ), get(crm_pipeline::report))
        .page("/crm/setup", P(cp::READ), get(crm_setup::show))
        .page("/crm/setup/stages", P(cp::SETUP), post(crm_setup::stage))
        .page("/crm/setup/teams", P(cp::SETUP), post(crm_setup::team))
        .page("/crm/setup/rules", P(cp::SETUP), post(crm_setup::rule))
        .page("/crm/setup/lifecycle", P(cp::SETUP), post(crm_setup::lifecycle))
        .page("/crm/contracts/new", P(cp::WRITE), get(crm_contracts::new_form).post(crm_contracts::create))
        .page("/crm/contracts/{id}", P(cp::READ), get(crm_contracts::show))
        .page("/crm/contracts/{id}/act", P(cp::WRITE), post(crm_contracts::act))
        .page("/crm/contracts/{id}/milestones", P(cp::WRITE), post(crm_contracts::link))
        .page("/parties/{id}/360", P(cp::READ), get(crm_pipeline::customer_360))
        .page("/finance/bank", P(lp::READ), get(bank::show))
        .page("/finance/bank/import", P(lp::PAYMENT), post(bank::import))
        .page("/finance/bank/auto-match", P(lp::PAYMENT), post(bank::auto_match))
        .page("/finance/bank/lines/{id}", P(lp::PAYMENT), post(bank::settle_line))
        .page("/finance/opening", P(lp::READ), get(opening::show))
        .page("/finance/opening/start", P(lp::POST), post(opening::set_start))
        .page("/finance/opening/balances", P(lp::POST), post(opening::add_balance))
        .page("/finance/opening/balances/{id}/delete", P(lp::POST), post(opening::delete_balance))
        .page("/finance/opening/items", P(lp::POST), post(opening::add_item))
        .page("/finance/opening/items/{id}/delete", P(lp::POST), post(opening::delete_item))
        .page("/finance/opening/stock", P(ip::STOCK_COUNT), post(opening::add_stock))
        .page("/finance/opening/stock/{id}/delete", P(ip::STOCK_COUNT), post(opening::delete_stock))
        .page("/finance/opening/end", P(lp::POST), post(opening::end))
        .page("/finance/opening/reopen", P(lp::REOPEN), post(opening::reopen))
        .page("/finance/trial-balance", P(lp::READ), get(ledger_reports::trial_balance))
        .page("/finance/trial-balance/dimension", P(lp::READ), get(ledger_reports::dimension_balance))
        .page("/finance/books/account", P(lp::READ), get(ledger_reports::account_book))
        .page("/finance/books/journal", P(lp::READ), get(ledger_reports::journal_book))
        .page("/finance/books/general", P(lp::READ), get(ledger_reports::general_book))
        .page("/finance/statements/{kind}", P(lp::READ), get(ledger_reports::statement))
        .page("/sales/orders", P(sp::ORDER_READ), get(sales::orders))
        .page("/sales/orders/new", P(sp::ORDER_WRITE), get(sales::new_form).post(sales::create))
        .page("/sales/orders/{id}", P(sp::ORDER_READ), get(sales::show))
        .page("/sales/orders/{id}/edit", P(sp::ORDER_WRITE), get(sales::edit_form).post(sales::update))
        .page(
            "/sales/orders/{id}/act",
            Access::Any(&[sp::ORDER_WRITE, sp::ORDER_CONFIRM, sp::ORDER_CANCEL, sp::INVOICE_WRITE]),
            post(sales::act),
        )
        .page("/sales/orders/{id}/return", P(sp::RETURN), post(sales::create_return))
        .page("/sales/invoices", P(sp::INVOICE_READ), get(sales_invoices::invoices))
        .page("/sales/invoices/{id}", P(sp::INVOICE_READ), get(sales_invoices::show))
        .page("/sales/invoices/{id}/act", P(sp::INVOICE_WRITE), post(sales_invoices::act))
        .page("/sales/invoices/{id}/einvoice", P(sp::INVOICE_WRITE), post(sales_invoices::einvoice))
        .page("/sales/invoices/{id}/payment", P(lp::PAYMENT), post(sales_invoices::payment))
        .page("/purchasing/orders", P(pup::ORDER_READ), get(purchasing::orders))
        .page("/purchasing/orders/new", P(pup::ORDER_WRITE), get(purchasing::new_form).post(purchasing::create))
        .page("/purchasing/orders/{id}", P(pup::ORDER_READ), get(purchasing::show))
        .page(
            "/purchasing/orders/{id}/act",
            Access::Any(&[pup::ORDER_CONFIRM, pup::ORDER_CANCEL]),
            post(purchasing::act),
        )
        .page("/purchasing/orders/{id}/bill", P(pup::BILL_WRITE), post(purchasing::bill))
        .page("/purchasing/orders/{id}/return", P(pup::RETURN), post(purchasing::create_return))
        .page("/purchasing/bills", P(pup::BILL_READ), get(purchasing_bills::bills))
        .page("/purchasing/bills/{id}", P(pup::BILL_READ), get(purchasing_bills::show))
        .page(
            "/purchasing/bills/{id}/act",
            Access::Any(&[pup::BILL_WRITE, pup::BILL_RELEASE]),
            post(purchasing_bills::act),
        )
        .page("/purchasing/bills/{id}/payment", P(lp::PAYMENT), post(purchasing_bills::payment))
        .page(
            "/purchasing/requisitions/from-replenishment",
            P(pup::REQUISITION_WRITE),
            post(purchasing_sourcing::from_replenishment),
        )
        .page(
            "/purchasing/requisitions/{id}",
            Access::Any(&[pup::REQUISITION_WRITE, pup::ORDER_READ]),
            get(purchasing_sourcing::requisition),
        )
        .page(
            "/purchasing/requisitions/{id}/act",
            Access::Any(&[pup::REQUISITION_APPROVE, pup::ORDER_WRITE]),
            post(purchasing_sourcing::requisition_act),
        )
        .page(
            "/purchasing/rfqs/new",
            P(pup::RFQ_WRITE),
            get(purchasing_sourcing::rfq_new_form).post(purchasing_sourcing::rfq_create),
        )
        .page("/purchasing/rfqs/{id}", P(pup::RFQ_WRITE), get(purchasing_sourcing::rfq))
        .page("/purchasing/rfqs/{id}/quote", P(pup::RFQ_WRITE), post(purchasing_sourcing::quote))
        .page("/purchasing/rfqs/{id}/award", P(pup::ORDER_WRITE), post(purchasing_sourcing::award))
        .page("/settings/approvals", P(op::APPROVAL_MANAGE), get(approval_flows::list))
        .page(
            "/settings/approvals/{kind}",
            P(op::APPROVAL_MANAGE),
            get(approval_flows::form).post(approval_flows::save),
        )
        .page("/office/calendar", Authenticated, get(calendar::show).post(calendar::schedule))
        .page("/office/calendar/rooms", P(op::ROOM_MANAGE), post(calendar::save_room))
        .page("/office/calendar/feed", Authenticated, post(calendar::new_feed))
        .page("/office/calendar/{id}/respond", Authenticated, post(calendar::respond))
        .page("/office/calendar/{id}/cancel", Authenticated, post(calendar::cancel))
        .page("/calendar/feed/{file}", Public, get(calendar::feed))
        .page("/office/announcements", Authenticated, get(announcements::list).post(announcements::publish))
        .page("/office/announcements/{id}", Authenticated, get(announcements::show))
        .page("/office/announcements/{id}/acknowledge", Authenticated, post(announcements::acknowledge))
        .page("/office/approvals", Authenticated, get(approvals::inbox))
        .page("/office/approvals/bulk", Authenticated, post(approvals::bulk))
        .page("/office/approvals/tasks/{task}/decide", Authenticated, post(approvals::decide))
        .page("/office/approvals/{id}", Authenticated, get(approvals::show))
        .page("/office/approvals/{id}/withdraw", Authenticated, post(approvals::withdraw))
        .page("/office/tasks", P(op::TASK_READ), get(tasks::list))
        .page("/office/tasks/bulk", P(op::TASK_WRITE), post(tasks::bulk))
        .page("/office/tasks/board", P(op::TASK_READ), get(tasks::board))
        .page("/office/tasks/new", P(op::TASK_WRITE), get(tasks::new_form).post(tasks::create))
        .page("/office/tasks/{id}", P(op::TASK_READ), get(tasks::form).post(tasks::save))
        .page("/office/tasks/{id}/act", P(op::TASK_READ), post(tasks::act))
        .page("/office/tasks/{id}/move", P(op::TASK_READ), post(tasks::move_to))
        .page("/production/work-orders", P(mp::READ), get(production::work_orders))
        .page("/production/work-orders/new", P(mp::WORK), get(production::new_form).post(production::create))
        .page("/production/work-orders/{id}", P(mp::READ), get(production::show))
        .page("/production/work-orders/{id}/act", P(mp::WORK), post(production::act))
        .page("/production/work-orders/{id}/issue", P(mp::WORK), post(production::issue))
        .page("/production/work-orders/{id}/report", P(mp::WORK), post(production::report))
        .page("/production/work-orders/{id}/receive", P(mp::WORK), post(production::receive))
        .page("/production/boms", P(mp::READ), get(production_setup::boms))
        .page("/production/boms/{id}", P(mp::READ), get(production_setup::bom))
        .page("/production/routings", P(mp::READ), get(production_setup::routings))
        .page("/production/mrp", P(mp::READ), get(mrp::planner))
        .page("/production/mrp/run", P(mp::PLAN), post(mrp::run))
        .page("/production/mrp/confirm", P(mp::PLAN), post(mrp::confirm))
        .page("/production/mrp/planned/{id}", P(mp::READ), get(mrp::planned))
        .page("/production/mrp.css", Public, get(mrp::css))
        .page("/production/capacity", P(mp::READ), get(mrp::capacity))
        .page("/production/planning", P(mp::READ), get(mrp::planning))
        .page("/production/planning/item", P(mp::PLAN), post(mrp::set_item))
        .page("/production/planning/forecast", P(mp::PLAN), post(mrp::add_forecast))
        .page("/shop/tablet", P(mp::READ), get(shop_floor::tablet))
        .page("/shop/tablet/start", P(mp::WORK), post(shop_floor::start))
        .page("/shop/tablet/pause", P(mp::WORK), post(shop_floor::pause))
        .page("/shop/tablet/report", P(mp::WORK), post(shop_floor::report))
        .page("/shop/board", P(mp::READ), get(shop_floor::board))
        .page("/shop/shop.css", Public, get(shop_floor::css))
        .page("/shop/shop.js", Public, get(shop_floor::js))
        .into_router()
}

/// The answer to a kanban card moved to another column (task board, CRM pipeline): the card's id
/// and new stage as JSON to the script (a problem with its translated title when refused), or a
/// redirect back to `board` for a plain form.
pub fn move_answer(
    page: &crate::ui::guard::Page,
    result: Result<(String, String), crate::problem::ApiError>,
    wants_json: bool,
    board: &str,
) -> Response {
    use axum::http::StatusCode;
    match (result, wants_json) {
        (Ok((id, stage)), true) => axum::Json(serde_json::json!({"id": id, "stage": stage})).into_response(),
        (Ok(_), false) => see_other(board, Some("ui.saved")),
        (Err(error), true) => {
            let status = StatusCode::from_u16(error.0.kind().http_status()).unwrap_or(StatusCode::CONFLICT);
            let title = page.t_with(error.0.code(), error.0.params());
            (status, axum::Json(serde_json::json!({"code": error.0.code(), "title": title}))).into_response()
        }
        (Err(error), false) => crate::ui::layout::error_page_for(page, StatusCode::CONFLICT, &error.0),
    }
}

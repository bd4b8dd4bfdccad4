//! The ledger: the chart of accounts, vouchers and their lifecycle, the vouchers of a source
//! document, and the trial balance (科目余额表).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kernel::id::DocRef;
use ledger::account::SubAccountInput;
use ledger::balance::TrialBalance;
use ledger::period::PeriodState;
use ledger::permissions::{CHART, CLOSE, POST, PREPARE, READ, REOPEN, REVIEW};
use ledger::{Account, Voucher, VoucherId, VoucherInput};
use serde::Deserialize;
use utoipa_axum::routes;

use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// The company's chart of accounts, by code.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "ledger", responses((status = 200, body = Vec<Account>)))]
async fn list_accounts(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<Vec<Account>>, ApiError> {
    state.read(&caller, ledger::list_accounts).await.map(Json)
}

/// Add a sub-account (its parent stops taking postings).
#[utoipa::path(post, path = "/api/v1/accounts", tag = "ledger", request_body = SubAccountInput,
    responses((status = 201, body = Account), (status = 422, body = Problem)))]
async fn create_sub_account(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<SubAccountInput>,
) -> Result<(StatusCode, Json<Account>), ApiError> {
    let created = state.write(&caller, move |tx, ctx, _| ledger::account::create_sub_account(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"dimensions": ["customer", "project"]}))]
struct DimensionsInput {
    dimensions: Vec<String>,
}

/// Set the dimensions (辅助核算) every line on an account must name.
#[utoipa::path(put, path = "/api/v1/accounts/{code}/dimensions", tag = "ledger", params(("code" = String, Path)),
    request_body = DimensionsInput, responses((status = 200, body = Account), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn set_dimensions(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<DimensionsInput>,
) -> Result<Json<Account>, ApiError> {
    state
        .write(&caller, move |tx, ctx, _| ledger::account::set_dimensions(tx, ctx, &code, &input.dimensions))
        .await
        .map(Json)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"template": "enterprise"}))]
struct TemplateInput {
    /// `small` (小企业会计准则) or `enterprise` (企业会计准则).
    template: String,
}

/// Choose the chart template, while the company has no vouchers yet.
#[utoipa::path(put, path = "/api/v1/ledger/template", tag = "ledger", request_body = TemplateInput,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn choose_template(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<TemplateInput>,
) -> Result<StatusCode, ApiError> {
    state.write(&caller, move |tx, ctx, _| ledger::account::choose_template(tx, ctx, &input.template)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Prepare a voucher (draft).
#[utoipa::path(post, path = "/api/v1/vouchers", tag = "ledger", request_body = VoucherInput,
    responses((status = 201, body = Voucher), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_voucher(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<VoucherInput>,
) -> Result<(StatusCode, Json<Voucher>), ApiError> {
    let created = state.write(&caller, move |tx, ctx, _| ledger::create_voucher(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One voucher with its lines.
#[utoipa::path(get, path = "/api/v1/vouchers/{id}", tag = "ledger", params(("id" = String, Path)),
    responses((status = 200, body = Voucher), (status = 404, body = Problem)))]
async fn get_voucher(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<VoucherId>,
) -> Result<Json<Voucher>, ApiError> {
    state.read(&caller, move |tx, ctx| ledger::get_voucher(tx, ctx, id)).await.map(Json)
}

/// The voucher printed (记账凭证 layout, A4, amount in capitals, signatures).
#[utoipa::path(get, path = "/api/v1/vouchers/{id}/pdf", tag = "ledger", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = Problem)))]
async fn voucher_pdf(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<VoucherId>,
) -> Result<axum::response::Response, ApiError> {
    let (file, bytes) = state.read(&caller, move |tx, ctx| crate::printing::voucher_pdf(tx, ctx, id)).await?;
    Ok(crate::download::attachment(bytes, crate::download::PDF, &file))
}

/// Review a draft (the reviewer must not be the preparer).
#[utoipa::path(post, path = "/api/v1/vouchers/{id}/review", tag = "ledger", params(("id" = String, Path)),
    responses((status = 200, body = Voucher), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn review(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<VoucherId>,
) -> Result<Json<Voucher>, ApiError> {
    state.write(&caller, move |tx, ctx, _| ledger::review(tx, ctx, id)).await.map(Json)
}

/// Post a reviewed voucher.
#[utoipa::path(post, path = "/api/v1/vouchers/{id}/post", tag = "ledger", params(("id" = String, Path)),
    responses((status = 200, body = Voucher), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn post(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<VoucherId>,
) -> Result<Json<Voucher>, ApiError> {
    state.write(&caller, move |tx, ctx, _| ledger::post(tx, ctx, id)).await.map(Json)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"date": "2026-11-30"}))]
struct ReverseInput {
    date: String,
}

/// Reverse a posted voucher with a red-ink voucher (the answer).
#[utoipa::path(post, path = "/api/v1/vouchers/{id}/reverse", tag = "ledger", params(("id" = String, Path)), request_body = ReverseInput,
    responses((status = 201, body = Voucher), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn reverse(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<VoucherId>,
    ApiJson(input): ApiJson<ReverseInput>,
) -> Result<(StatusCode, Json<Voucher>), ApiError> {
    let red = state.write(&caller, move |tx, ctx, _| ledger::reverse(tx, ctx, id, &input.date)).await?;
    Ok((StatusCode::CREATED, Json(red)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SourceQuery {
    /// e.g. `inventory.picking`
    kind: String,
    id: String,
}

/// The vouchers made from a source document (drill-down from a document to its postings).
#[utoipa::path(get, path = "/api/v1/vouchers", tag = "ledger", params(SourceQuery), responses((status = 200, body = Vec<Voucher>)))]
async fn vouchers_of(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<SourceQuery>,
) -> Result<Json<Vec<Voucher>>, ApiError> {
    let source = DocRef::new(query.kind, query.id);
    state.read(&caller, move |tx, ctx| ledger::voucher::vouchers_of(tx, ctx, &source)).await.map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PeriodQuery {
    /// YYYY-MM
    period: String,
}

/// 科目余额表: opening, the period's debit and credit, and closing per account.
#[utoipa::path(get, path = "/api/v1/trial-balance", tag = "ledger", params(PeriodQuery),
    responses((status = 200, body = TrialBalance), (status = 422, body = Problem)))]
async fn trial_balance(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Json<TrialBalance>, ApiError> {
    state.read(&caller, move |tx, ctx| ledger::trial_balance(tx, ctx, &query.period)).await.map(Json)
}

/// Carry the month's profit and loss into 本年利润 (in December, the year's into 利润分配) and
/// close it.
#[utoipa::path(post, path = "/api/v1/periods/{period}/close", tag = "ledger", params(("period" = String, Path)),
    responses((status = 200, body = PeriodState), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn close_period(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(period): ApiPath<String>,
) -> Result<Json<PeriodState>, ApiError> {
    state.write(&caller, move |tx, ctx, _| ledger::period::close_period(tx, ctx, &period)).await.map(Json)
}

/// Open the latest closed month again (反结账; audited).
#[utoipa::path(post, path = "/api/v1/periods/{period}/reopen", tag = "ledger", params(("period" = String, Path)),
    responses((status = 200, body = PeriodState), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reopen_period(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(period): ApiPath<String>,
) -> Result<Json<PeriodState>, ApiError> {
    state.write(&caller, move |tx, ctx, _| ledger::period::reopen_period(tx, ctx, &period)).await.map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct BookQuery {
    /// Account code (its sub-accounts included).
    account: Option<String>,
    /// Periods, YYYY-MM.
    from: Option<String>,
    to: Option<String>,
    period: Option<String>,
    year: Option<i32>,
    /// 明细账 in pages: lines to show and where to start (all lines without `limit`).
    limit: Option<i64>,
    offset: Option<i64>,
}

/// 明细账: an account's posted lines between two periods with the running balance.
#[utoipa::path(get, path = "/api/v1/books/account", tag = "ledger", params(BookQuery),
    responses((status = 200, body = ledger::books::AccountLedger), (status = 422, body = Problem)))]
async fn account_ledger(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<BookQuery>,
) -> Result<Json<ledger::books::AccountLedger>, ApiError> {
    let account = query.account.unwrap_or_default();
    let from = query.from.or(query.period.clone()).unwrap_or_default();
    let to = query.to.or(query.period).unwrap_or_else(|| from.clone());
    state
        .read(&caller, move |tx, ctx| match query.limit {
            Some(limit) => {
                ledger::books::account_ledger_page(tx, ctx, &account, &from, &to, query.offset.unwrap_or(0), limit)
            }
            None => ledger::books::account_ledger(tx, ctx, &account, &from, &to),
        })
        .await
        .map(Json)
}

/// 序时账: every posted line of a period in voucher order.
#[utoipa::path(get, path = "/api/v1/books/journal", tag = "ledger", params(BookQuery),
    responses((status = 200, body = Vec<ledger::books::BookLine>), (status = 422, body = Problem)))]
async fn journal(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<BookQuery>,
) -> Result<Json<Vec<ledger::books::BookLine>>, ApiError> {
    let period = query.period.unwrap_or_default();
    state.read(&caller, move |tx, ctx| ledger::books::journal(tx, ctx, &period)).await.map(Json)
}

/// 总账: an account's opening and each month's debit, credit and balance for a year.
#[utoipa::path(get, path = "/api/v1/books/general", tag = "ledger", params(BookQuery),
    responses((status = 200, body = Object), (status = 422, body = Problem)))]
async fn general_ledger(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<BookQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let account = query.account.unwrap_or_default();
    let year = query.year.unwrap_or_else(|| state.clock.now().year());
    let (opening, months) =
        state.read(&caller, move |tx, ctx| ledger::books::general_ledger(tx, ctx, &account, year)).await?;
    Ok(Json(serde_json::json!({"opening": opening, "months": months})))
}

/// 资产负债表 at the end of a month (会小企01表): closing and start-of-year columns.
#[utoipa::path(get, path = "/api/v1/statements/balance-sheet", tag = "ledger", params(PeriodQuery),
    responses((status = 200, body = ledger::statements::Statement), (status = 422, body = Problem)))]
async fn balance_sheet(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Json<ledger::statements::Statement>, ApiError> {
    state.read(&caller, move |tx, ctx| ledger::statements::balance_sheet(tx, ctx, &query.period)).await.map(Json)
}

/// 现金流量表 of a month (会小企03表, direct method): this month and year to date.
#[utoipa::path(get, path = "/api/v1/statements/cash-flow", tag = "ledger", params(PeriodQuery),
    responses((status = 200, body = ledger::statements::Statement), (status = 422, body = Problem)))]
async fn cash_flow(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Json<ledger::statements::Statement>, ApiError> {
    state.read(&caller, move |tx, ctx| ledger::cash_flow::cash_flow(tx, ctx, &query.period)).await.map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
struct DimensionQuery {
    /// Account code (its sub-accounts included).
    account: String,
    /// YYYY-MM
    period: String,
    /// customer, supplier, employee, department, project or product.
    dimension: String,
}

/// 辅助核算余额表: one account's opening, period and closing balances per customer, supplier,
/// employee, department, project or product.
#[utoipa::path(get, path = "/api/v1/trial-balance/dimension", tag = "ledger", params(DimensionQuery),
    responses((status = 200, body = ledger::dimension_balance::DimensionBalance), (status = 422, body = Problem)))]
async fn dimension_balance(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<DimensionQuery>,
) -> Result<Json<ledger::dimension_balance::DimensionBalance>, ApiError> {
    state
        .read(&caller, move |tx, ctx| {
            ledger::dimension_balance::dimension_balance(tx, ctx, &query.account, &query.period, &query.dimension)
        })
        .await
        .map(Json)
}

/// 利润表 of a month (会小企02表): this month and year to date.
#[utoipa::path(get, path = "/api/v1/statements/income", tag = "ledger", params(PeriodQuery),
    responses((status = 200, body = ledger::statements::Statement), (status = 422, body = Problem)))]
async fn income_statement(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Json<ledger::statements::Statement>, ApiError> {
    state.read(&caller, move |tx, ctx| ledger::statements::income_statement(tx, ctx, &query.period)).await.map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct OpenQuery {
    /// `receivable`, `payable`, `advance_received`, `prepayment`…
    role: String,
    partner: Option<String>,
    /// For aging: the day to age to (YYYY-MM-DD).
    date: Option<String>,
}

/// What is still open (unsettled) on a partner account, for one partner or all.
#[utoipa::path(get, path = "/api/v1/open-items", tag = "ledger", params(OpenQuery),
    responses((status = 200, body = Vec<ledger::open_items::OpenItem>), (status = 422, body = Problem)))]
async fn open_items(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<OpenQuery>,
) -> Result<Json<Vec<ledger::open_items::OpenItem>>, ApiError> {
    state
        .read(&caller, move |tx, ctx| ledger::open_items::open_items(tx, ctx, &query.role, query.partner.as_deref()))
        .await
        .map(Json)
}

/// Aging of what is open: 0–30, 31–60, 61–90 and over 90 days, per partner.
#[utoipa::path(get, path = "/api/v1/aging", tag = "ledger", params(OpenQuery),
    responses((status = 200, body = Vec<ledger::open_items::AgingRow>), (status = 422, body = Problem)))]
async fn aging(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<OpenQuery>,
) -> Result<Json<Vec<ledger::open_items::AgingRow>>, ApiError> {
    let date =
        query.date.clone().unwrap_or_else(|| kernel::clock::format_date(kernel::clock::china_date(state.clock.now())));
    state.read(&caller, move |tx, ctx| ledger::open_items::aging(tx, ctx, &query.role, &date)).await.map(Json)
}

/// The statement of account (对账单) of one partner.
#[utoipa::path(get, path = "/api/v1/statement-of-account", tag = "ledger", params(OpenQuery),
    responses((status = 200, body = Vec<ledger::open_items::StatementLine>), (status = 422, body = Problem)))]
async fn statement_of_account(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<OpenQuery>,
) -> Result<Json<Vec<ledger::open_items::StatementLine>>, ApiError> {
    let partner = query.partner.clone().unwrap_or_default();
    state
        .read(&caller, move |tx, ctx| ledger::open_items::statement_of_account(tx, ctx, &query.role, &partner))
        .await
        .map(Json)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "receivable"}))]
struct AutoInput {
    role: String,
}

/// Match open items automatically (same amount and reference first, then oldest first).
#[utoipa::path(post, path = "/api/v1/reconcile/auto", tag = "ledger", request_body = AutoInput,
    responses((status = 200, body = Object), (status = 422, body = Problem)))]
async fn auto_reconcile(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<AutoInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let made = state.write(&caller, move |tx, ctx, _| ledger::open_items::auto_reconcile(tx, ctx, &input.role)).await?;
    Ok(Json(serde_json::json!({"matches": made})))
}

/// Match two lines by hand.
#[utoipa::path(post, path = "/api/v1/reconcile", tag = "ledger", request_body = ledger::open_items::ManualMatch,
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reconcile(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<ledger::open_items::ManualMatch>,
) -> Result<StatusCode, ApiError> {
    state.write(&caller, move |tx, ctx, _| ledger::open_items::reconcile(tx, ctx, &input)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// VAT summary of a month: output tax, input tax, transferred out, carried credit, payable.
#[utoipa::path(get, path = "/api/v1/vat-summary", tag = "ledger", params(PeriodQuery),
    responses((status = 200, body = ledger::vat::VatSummary), (status = 422, body = Problem)))]
async fn vat_summary(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Json<ledger::vat::VatSummary>, ApiError> {
    state.read(&caller, move |tx, ctx| ledger::vat::vat_summary(tx, ctx, &query.period)).await.map(Json)
}

/// Import a bank statement (CSV or XLSX, base64) through a column mapping; every bad cell is
/// reported with its row and column and nothing is stored; numbered lines already imported are
/// skipped.
#[utoipa::path(post, path = "/api/v1/bank-statements", tag = "ledger", request_body = ledger::bank::StatementInput,
    responses((status = 201, body = ledger::bank::Statement), (status = 422, body = Problem)))]
async fn import_statement(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<ledger::bank::StatementInput>,
) -> Result<(StatusCode, Json<ledger::bank::Statement>), ApiError> {
    let created = state.write(&caller, move |tx, ctx, _| ledger::bank::import_statement(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// A bank statement with the state of each line.
#[utoipa::path(get, path = "/api/v1/bank-statements/{id}", tag = "ledger", params(("id" = String, Path)),
    responses((status = 200, body = ledger::bank::Statement), (status = 404, body = Problem)))]
async fn get_statement(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<ledger::bank::StatementId>,
) -> Result<Json<ledger::bank::Statement>, ApiError> {
    state.read(&caller, move |tx, ctx| ledger::bank::get_statement(tx, ctx, id)).await.map(Json)
}

/// Match the statement's open lines with open invoices and bills (by the number in the
/// reference, else the counterparty's only open document of that amount): each match registers
/// the receipt or payment.
#[utoipa::path(post, path = "/api/v1/bank-statements/{id}/auto-match", tag = "ledger", params(("id" = String, Path)),
    responses((status = 200, body = ledger::bank::ReconcileReport), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn auto_match(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<ledger::bank::StatementId>,
) -> Result<Json<ledger::bank::ReconcileReport>, ApiError> {
    state
        .write(&caller, move |tx, ctx, _| {
            ledger::bank::get_statement(tx, ctx, id)?;
            ledger::bank::auto_match(tx, ctx, Some(id))
        })
        .await
        .map(Json)
}

/// Settle one open bank line by hand: a partner's receipt or payment (with the documents it
/// pays), or booked to an account (bank charges, interest).
#[utoipa::path(post, path = "/api/v1/bank-lines/{id}/match", tag = "ledger", params(("id" = String, Path)), request_body = ledger::bank::LineMatch,
    responses((status = 200, body = ledger::bank::BankLine), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn match_line(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<kernel::id::Uuid>,
    ApiJson(input): ApiJson<ledger::bank::LineMatch>,
) -> Result<Json<ledger::bank::BankLine>, ApiError> {
    state.write(&caller, move |tx, ctx, _| ledger::bank::match_line(tx, ctx, &id.to_string(), &input)).await.map(Json)
}

/// Imported bank statements, newest first.
#[utoipa::path(get, path = "/api/v1/bank-statements", tag = "ledger",
    responses((status = 200, body = Vec<ledger::bank::StatementSummary>)))]
async fn list_statements(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<ledger::bank::StatementSummary>>, ApiError> {
    state.read(&caller, ledger::bank::list_statements).await.map(Json)
}

/// Bank lines still to reconcile, oldest first.
#[utoipa::path(get, path = "/api/v1/bank-lines", tag = "ledger", responses((status = 200, body = Vec<ledger::bank::BankLine>)))]
async fn open_bank_lines(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<ledger::bank::BankLine>>, ApiError> {
    state.read(&caller, ledger::bank::open_bank_lines).await.map(Json)
}

/// The posting rules: which account takes a role's automatic postings for a product category,
/// warehouse, tax code or payment method.
#[utoipa::path(get, path = "/api/v1/posting-rules", tag = "ledger",
    responses((status = 200, body = Vec<ledger::posting_rule::PostingRule>)))]
async fn list_posting_rules(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<ledger::posting_rule::PostingRule>>, ApiError> {
    state.read(&caller, ledger::posting_rule::list_rules).await.map(Json)
}

/// Add a posting rule, or point the rule of the same role, kind and key at another account.
#[utoipa::path(post, path = "/api/v1/posting-rules", tag = "ledger", request_body = ledger::posting_rule::PostingRuleInput,
    responses((status = 201, body = ledger::posting_rule::PostingRule), (status = 422, body = Problem)))]
async fn set_posting_rule(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<ledger::posting_rule::PostingRuleInput>,
) -> Result<(StatusCode, Json<ledger::posting_rule::PostingRule>), ApiError> {
    let rule = state.write(&caller, move |tx, ctx, _| ledger::posting_rule::set_rule(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(rule)))
}

/// Remove a posting rule (the role's own account takes its postings again).
#[utoipa::path(delete, path = "/api/v1/posting-rules/{id}", tag = "ledger", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_posting_rule(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state.write(&caller, move |tx, ctx, _| ledger::posting_rule::delete_rule(tx, ctx, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Month-end revaluation of open foreign-currency receivables and payables (期末汇兑损益调整),
/// reversed on the next month's first day.
#[utoipa::path(post, path = "/api/v1/periods/{period}/revalue", tag = "ledger", params(("period" = String, Path)),
    request_body = ledger::revaluation::RevaluationInput,
    responses((status = 200, body = ledger::revaluation::Revaluation), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn revalue(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(period): ApiPath<String>,
    ApiJson(input): ApiJson<ledger::revaluation::RevaluationInput>,
) -> Result<Json<ledger::revaluation::Revaluation>, ApiError> {
    state.write(&caller, move |tx, ctx, _| ledger::revaluation::revalue(tx, ctx, &period, &input)).await.map(Json)
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Permission(READ), routes!(list_accounts))
        .routes(Access::Permission(CHART), routes!(create_sub_account))
        .routes(Access::Permission(CHART), routes!(set_dimensions))
        .routes(Access::Permission(CHART), routes!(choose_template))
        .routes(Access::Permission(PREPARE), routes!(create_voucher))
        .routes(Access::Permission(READ), routes!(vouchers_of))
        .routes(Access::Permission(READ), routes!(get_voucher))
        .routes(Access::Permission(REVIEW), routes!(review))
        .routes(Access::Permission(POST), routes!(post))
        .routes(Access::Permission(POST), routes!(reverse))
        .routes(Access::Permission(READ), routes!(trial_balance))
        .routes(Access::Permission(READ), routes!(account_ledger))
        .routes(Access::Permission(READ), routes!(journal))
        .routes(Access::Permission(READ), routes!(general_ledger))
        .routes(Access::Permission(READ), routes!(balance_sheet))
        .routes(Access::Permission(READ), routes!(open_items))
        .routes(Access::Permission(READ), routes!(vat_summary))
        .routes(Access::Permission(READ), routes!(aging))
        .routes(Access::Permission(READ), routes!(statement_of_account))
        .routes(Access::Permission(POST), routes!(auto_reconcile))
        .routes(Access::Permission(POST), routes!(reconcile))
        .routes(Access::Permission(READ), routes!(income_statement))
        .routes(Access::Permission(READ), routes!(cash_flow))
        .routes(Access::Permission(READ), routes!(dimension_balance))
        .routes(Access::Permission(READ), routes!(voucher_pdf))
        .routes(Access::Permission(READ), routes!(list_posting_rules))
        .routes(Access::Permission(CLOSE), routes!(revalue))
        .routes(Access::Permission(CHART), routes!(set_posting_rule))
        .routes(Access::Permission(CHART), routes!(delete_posting_rule))
        .routes(Access::Permission(CLOSE), routes!(close_period))
        .routes(Access::Permission(REOPEN), routes!(reopen_period))
        .routes(Access::Permission(ledger::permissions::PAYMENT), routes!(import_statement))
        .routes(Access::Permission(READ), routes!(get_statement))
        .routes(Access::Permission(ledger::permissions::PAYMENT), routes!(auto_match))
        .routes(Access::Permission(ledger::permissions::PAYMENT), routes!(match_line))
        .routes(Access::Permission(READ), routes!(list_statements))
        .routes(Access::Permission(READ), routes!(open_bank_lines))
}

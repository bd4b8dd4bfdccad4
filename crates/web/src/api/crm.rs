//! CRM: leads (with the duplicate check, qualification, scoring), the public web-to-lead form,
//! opportunities and the pipeline board, activities and follow-ups, customer 360, and the
//! pipeline reports and forecast.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use crm::activity::CompleteInput;
use crm::lead::{LEAD_LIST, LeadCreated, WebLeadInput};
use crm::opportunity::{MoveInput, OPPORTUNITY_LIST, QuotationInput};
use crm::permissions::{READ, SETUP, WRITE};
use crm::stage::{Stage, StageInput};
use crm::{
    Activity, ActivityId, ActivityInput, Lead, LeadId, LeadInput, Opportunity, OpportunityId, OpportunityInput,
    QualifyInput,
};
use serde::Deserialize;
use utoipa_axum::routes;

use super::listing::{list_query, page_json};
use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller, ClientAddr};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct LeadQuery {
    /// Searches contact and organisation.
    q: Option<String>,
    state: Option<String>,
    source: Option<String>,
    industry: Option<String>,
    region: Option<String>,
    sort: Option<String>,
    desc: Option<bool>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// Leads (a salesperson under the default role sees own ones).
#[utoipa::path(get, path = "/api/v1/crm/leads", tag = "crm", params(LeadQuery), responses((status = 200, body = Object)))]
async fn list_leads(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<LeadQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let filters =
        [("state", &query.state), ("source", &query.source), ("industry", &query.industry), ("region", &query.region)];
    let list_query =
        list_query(query.q.clone(), &filters, query.sort.clone(), query.desc, query.cursor.clone(), query.limit);
    let page = state.read(&caller, move |tx, ctx| crm::lead::list_leads(tx, ctx, &list_query)).await?;
    Ok(Json(page_json(&LEAD_LIST, page)))
}

/// Record a lead; the answer lists the leads and customers it may duplicate.
#[utoipa::path(post, path = "/api/v1/crm/leads", tag = "crm", request_body = LeadInput,
    responses((status = 201, body = LeadCreated), (status = 422, body = Problem)))]
async fn create_lead(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<LeadInput>,
) -> Result<(StatusCode, Json<LeadCreated>), ApiError> {
    let created =
        state.write(&caller, move |tx, ctx, state| crm::create_lead(tx, ctx, &*state.keys.vault()?, &input)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/crm/leads/{id}", tag = "crm", params(("id" = String, Path)),
    responses((status = 200, body = Lead), (status = 404, body = Problem)))]
async fn get_lead(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<LeadId>,
) -> Result<Json<Lead>, ApiError> {
    let ctx = state.ctx(&caller);
    state
        .blocking(move |state| {
            let vault = state.keys.vault()?;
            state.db.read(|tx| crm::get_lead(tx, &ctx, &vault, id))
        })
        .await
        .map(Json)
}

/// Qualify (转化): the lead becomes a customer with its contact (or joins an existing customer)
/// and an opportunity in the first stage.
#[utoipa::path(post, path = "/api/v1/crm/leads/{id}/qualify", tag = "crm", params(("id" = String, Path)),
    request_body = QualifyInput,
    responses((status = 201, body = Opportunity), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn qualify(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<LeadId>,
    ApiJson(input): ApiJson<QualifyInput>,
) -> Result<(StatusCode, Json<Opportunity>), ApiError> {
    let opportunity =
        state.write(&caller, move |tx, ctx, state| crm::qualify(tx, ctx, &*state.keys.vault()?, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(opportunity)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "预算不足"}))]
struct ReasonInput {
    #[serde(default)]
    reason: String,
}

/// Mark a lead lost, with the reason.
#[utoipa::path(post, path = "/api/v1/crm/leads/{id}/lose", tag = "crm", params(("id" = String, Path)),
    request_body = ReasonInput,
    responses((status = 200, body = Lead), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn lose_lead(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<LeadId>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> Result<Json<Lead>, ApiError> {
    state
        .write(&caller, move |tx, ctx, state| crm::lead::mark_lost(tx, ctx, &*state.keys.vault()?, id, &input.reason))
        .await
        .map(Json)
}

/// The lead's score and the factors that raised or lowered it.
#[utoipa::path(get, path = "/api/v1/crm/leads/{id}/score", tag = "crm", params(("id" = String, Path)),
    responses((status = 200, body = crm::scoring::Score), (status = 404, body = Problem)))]
async fn score_lead(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<LeadId>,
) -> Result<Json<crm::scoring::Score>, ApiError> {
    // Scoring may train the first model, so it writes.
    state.write(&caller, move |tx, ctx, _| crm::scoring::score_lead(tx, ctx, id)).await.map(Json)
}

/// Retrain the scoring model on the company's won and lost history and rescore the new leads.
#[utoipa::path(post, path = "/api/v1/crm/scoring/train", tag = "crm",
    responses((status = 200, body = crm::scoring::Training)))]
async fn train(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<crm::scoring::Training>, ApiError> {
    state.write(&caller, move |tx, ctx, _| crm::scoring::train(tx, ctx)).await.map(Json)
}

/// The client a public request comes from: the proxy's forwarded address, else the socket's.
fn client_key(headers: &HeaderMap, connected: Option<std::net::SocketAddr>) -> String {
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .or_else(|| connected.map(|a| a.ip().to_string()))
        .unwrap_or_else(|| "unknown".into())
}

/// The public web-to-lead form of a company (no login): rate-limited per client, with a
/// honeypot field (`website`) that people leave empty.
#[utoipa::path(post, path = "/api/v1/public/{company}/leads", tag = "crm", params(("company" = String, Path)),
    request_body = WebLeadInput,
    responses((status = 202), (status = 404, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn web_lead(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientAddr(connected): ClientAddr,
    ApiPath(company): ApiPath<String>,
    ApiJson(input): ApiJson<WebLeadInput>,
) -> Result<StatusCode, ApiError> {
    let client = client_key(&headers, connected);
    let permissions = kernel::permission::PermissionSet::new([WRITE.name(), READ.name()]);
    let clock = state.clock.clone();
    state
        .blocking(move |state| {
            let vault = state.keys.vault()?;
            state.db.write(|tx| {
                let id: Option<String> = tx
                    .query_opt("select id from kernel_company where code = $1 and active = 1", &[&company])?
                    .map(|r| r.get(0))
                    .transpose()?;
                let id = id.ok_or_else(|| kernel::Error::not_found("crm.customer_not_found"))?;
                let company = kernel::identity::CompanyId::parse(&id)?;
                let ctx = kernel::Ctx::system(company, permissions).with_clock(clock);
                crm::lead::submit_web_lead(tx, &ctx, &vault, &client, &input)
            })
        })
        .await?;
    Ok(StatusCode::ACCEPTED)
}

/// The pipeline's stages in order.
#[utoipa::path(get, path = "/api/v1/crm/stages", tag = "crm", responses((status = 200, body = Vec<Stage>)))]
async fn list_stages(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<Vec<Stage>>, ApiError> {
    // The default stages are made on first use.
    state.write(&caller, move |tx, ctx, _| crm::stage::list_stages(tx, ctx)).await.map(Json)
}

/// Add a stage, or rename and re-weight the stage with that code.
#[utoipa::path(post, path = "/api/v1/crm/stages", tag = "crm", request_body = StageInput,
    responses((status = 201, body = Stage), (status = 422, body = Problem)))]
async fn save_stage(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<StageInput>,
) -> Result<(StatusCode, Json<Stage>), ApiError> {
    let stage = state.write(&caller, move |tx, ctx, _| crm::stage::save_stage(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(stage)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct OpportunityQuery {
    q: Option<String>,
    stage: Option<String>,
    state: Option<String>,
    partner_id: Option<String>,
    /// `2026-01-01..2026-12-31`
    expected_close: Option<String>,
    sort: Option<String>,
    desc: Option<bool>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// Opportunities (own ones under the default sales role).
#[utoipa::path(get, path = "/api/v1/crm/opportunities", tag = "crm", params(OpportunityQuery),
    responses((status = 200, body = Object)))]
async fn list_opportunities(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<OpportunityQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let filters = [
        ("stage", &query.stage),
        ("state", &query.state),
        ("partner_id", &query.partner_id),
        ("expected_close", &query.expected_close),
    ];
    let list_query =
        list_query(query.q.clone(), &filters, query.sort.clone(), query.desc, query.cursor.clone(), query.limit);
    let page = state.read(&caller, move |tx, ctx| crm::opportunity::list_opportunities(tx, ctx, &list_query)).await?;
    Ok(Json(page_json(&OPPORTUNITY_LIST, page)))
}

#[utoipa::path(post, path = "/api/v1/crm/opportunities", tag = "crm", request_body = OpportunityInput,
    responses((status = 201, body = Opportunity), (status = 422, body = Problem)))]
async fn create_opportunity(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<OpportunityInput>,
) -> Result<(StatusCode, Json<Opportunity>), ApiError> {
    let created = state.write(&caller, move |tx, ctx, _| crm::create_opportunity(tx, ctx, &input, None)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/crm/opportunities/{id}", tag = "crm", params(("id" = String, Path)),
    responses((status = 200, body = Opportunity), (status = 404, body = Problem)))]
async fn get_opportunity(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<OpportunityId>,
) -> Result<Json<Opportunity>, ApiError> {
    state.read(&caller, move |tx, ctx| crm::get_opportunity(tx, ctx, id)).await.map(Json)
}

/// Move an open opportunity to another stage (the kanban drag).
#[utoipa::path(post, path = "/api/v1/crm/opportunities/{id}/move", tag = "crm", params(("id" = String, Path)),
    request_body = MoveInput,
    responses((status = 200, body = Opportunity), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn move_opportunity(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<OpportunityId>,
    ApiJson(input): ApiJson<MoveInput>,
) -> Result<Json<Opportunity>, ApiError> {
    state.write(&caller, move |tx, ctx, _| crm::opportunity::move_stage(tx, ctx, id, &input)).await.map(Json)
}

/// Mark an opportunity won.
#[utoipa::path(post, path = "/api/v1/crm/opportunities/{id}/won", tag = "crm", params(("id" = String, Path)),
    responses((status = 200, body = Opportunity), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn win(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<OpportunityId>,
) -> Result<Json<Opportunity>, ApiError> {
    state.write(&caller, move |tx, ctx, _| crm::opportunity::close(tx, ctx, id, true, "")).await.map(Json)
}

/// Mark an opportunity lost, with the reason.
#[utoipa::path(post, path = "/api/v1/crm/opportunities/{id}/lost", tag = "crm", params(("id" = String, Path)),
    request_body = ReasonInput,
    responses((status = 200, body = Opportunity), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn lose(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<OpportunityId>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> Result<Json<Opportunity>, ApiError> {
    state.write(&caller, move |tx, ctx, _| crm::opportunity::close(tx, ctx, id, false, &input.reason)).await.map(Json)
}

/// A quotation (draft sales order) for the opportunity's customer; confirming it wins the
/// opportunity.
#[utoipa::path(post, path = "/api/v1/crm/opportunities/{id}/quotation", tag = "crm", params(("id" = String, Path)),
    request_body = QuotationInput,
    responses((status = 201, body = sales::SalesOrder), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn quotation(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<OpportunityId>,
    ApiJson(input): ApiJson<QuotationInput>,
) -> Result<(StatusCode, Json<sales::SalesOrder>), ApiError> {
    let order = state.write(&caller, move |tx, ctx, _| crm::opportunity::create_quotation(tx, ctx, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(order)))
}

/// The kanban board: per stage the count, expected and weighted revenue, and the first cards.
#[utoipa::path(get, path = "/api/v1/crm/pipeline", tag = "crm", params(crm::pipeline::BoardQuery),
    responses((status = 200, body = Vec<crm::pipeline::Column>)))]
async fn pipeline(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<crm::pipeline::BoardQuery>,
) -> Result<Json<Vec<crm::pipeline::Column>>, ApiError> {
    state.write(&caller, move |tx, ctx, _| crm::pipeline::board(tx, ctx, &query)).await.map(Json)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct Forecast {
    /// Per salesperson (with their team) and month.
    by_owner: Vec<crm::pipeline::ForecastRow>,
    /// Per team and month.
    by_team: Vec<crm::pipeline::TeamForecast>,
}

/// The weighted forecast of open opportunities by salesperson, team and month of expected close.
#[utoipa::path(get, path = "/api/v1/crm/forecast", tag = "crm", responses((status = 200, body = Forecast)))]
async fn forecast(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<Forecast>, ApiError> {
    let by_owner = state.read(&caller, crm::pipeline::forecast).await?;
    let by_team = crm::pipeline::forecast_by_team(&by_owner);
    Ok(Json(Forecast { by_owner, by_team }))
}

/// Pipeline by stage and owner, win rate, average sales cycle, activities per salesperson and
/// the lead-to-order funnel.
#[utoipa::path(get, path = "/api/v1/crm/report", tag = "crm", responses((status = 200, body = crm::pipeline::CrmReport)))]
async fn report(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<crm::pipeline::CrmReport>, ApiError> {
    state.write(&caller, move |tx, ctx, _| crm::pipeline::report(tx, ctx)).await.map(Json)
}

/// Record an activity (call, visit, meeting, email, WeChat, note) or schedule a follow-up.
#[utoipa::path(post, path = "/api/v1/crm/activities", tag = "crm", request_body = ActivityInput,
    responses((status = 201, body = Activity), (status = 422, body = Problem)))]
async fn record_activity(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<ActivityInput>,
) -> Result<(StatusCode, Json<Activity>), ApiError> {
    let activity = state.write(&caller, move |tx, ctx, _| crm::record_activity(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(activity)))
}

/// The caller's follow-ups still to do, soonest first.
#[utoipa::path(get, path = "/api/v1/crm/activities", tag = "crm", responses((status = 200, body = Vec<Activity>)))]
async fn my_follow_ups(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<Vec<Activity>>, ApiError> {
    state.read(&caller, crm::activity::my_follow_ups).await.map(Json)
}

#[utoipa::path(get, path = "/api/v1/crm/activities/{id}", tag = "crm", params(("id" = String, Path)),
    responses((status = 200, body = Activity), (status = 404, body = Problem)))]
async fn get_activity(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<ActivityId>,
) -> Result<Json<Activity>, ApiError> {
    state.read(&caller, move |tx, ctx| crm::activity::get_activity(tx, ctx, id)).await.map(Json)
}

/// Mark a follow-up done with its outcome and next step.
#[utoipa::path(post, path = "/api/v1/crm/activities/{id}/complete", tag = "crm", params(("id" = String, Path)),
    request_body = CompleteInput,
    responses((status = 200, body = Activity), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn complete_activity(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<ActivityId>,
    ApiJson(input): ApiJson<CompleteInput>,
) -> Result<Json<Activity>, ApiError> {
    state.write(&caller, move |tx, ctx, _| crm::complete_activity(tx, ctx, id, &input)).await.map(Json)
}

/// Customer 360: the customer, contacts, timeline, opportunities, quotations, orders,
/// deliveries, invoices, payments, open balance, lifetime value, last purchase and average order.
#[utoipa::path(get, path = "/api/v1/parties/{id}/360", tag = "crm", params(("id" = String, Path)),
    responses((status = 200, body = crm::customer360::Customer360), (status = 404, body = Problem)))]
async fn customer_360(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<crm::customer360::Customer360>, ApiError> {
    let ctx = state.ctx(&caller);
    state
        .blocking(move |state| {
            let vault = state.keys.vault()?;
            state.db.read(|tx| crm::customer360::customer_360(tx, &ctx, &vault, &id))
        })
        .await
        .map(Json)
}

/// Sales teams with their managers and members.
#[utoipa::path(get, path = "/api/v1/crm/teams", tag = "crm", responses((status = 200, body = Vec<crm::team::Team>)))]
async fn list_teams(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<crm::team::Team>>, ApiError> {
    state.read(&caller, crm::team::list_teams).await.map(Json)
}

/// Create a team, or replace the manager and members of the team with that code.
#[utoipa::path(post, path = "/api/v1/crm/teams", tag = "crm", request_body = crm::team::TeamInput,
    responses((status = 201, body = crm::team::Team), (status = 422, body = Problem)))]
async fn save_team(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<crm::team::TeamInput>,
) -> Result<(StatusCode, Json<crm::team::Team>), ApiError> {
    let team = state.write(&caller, move |tx, ctx, _| crm::team::save_team(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(team)))
}

/// The assignment rules, in the order they are tried.
#[utoipa::path(get, path = "/api/v1/crm/assignment-rules", tag = "crm",
    responses((status = 200, body = Vec<crm::team::AssignmentRule>)))]
async fn list_rules(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<crm::team::AssignmentRule>>, ApiError> {
    state.read(&caller, crm::team::list_rules).await.map(Json)
}

/// Add an assignment rule: new leads without an owner go to the team's members in turn.
#[utoipa::path(post, path = "/api/v1/crm/assignment-rules", tag = "crm", request_body = crm::team::RuleInput,
    responses((status = 201, body = crm::team::AssignmentRule), (status = 422, body = Problem)))]
async fn save_rule(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<crm::team::RuleInput>,
) -> Result<(StatusCode, Json<crm::team::AssignmentRule>), ApiError> {
    let rule = state.write(&caller, move |tx, ctx, _| crm::team::save_rule(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(rule)))
}

/// Write a contract (draft) with its payment milestones.
#[utoipa::path(post, path = "/api/v1/crm/contracts", tag = "crm", request_body = crm::contract::ContractInput,
    responses((status = 201, body = crm::contract::Contract), (status = 422, body = Problem)))]
async fn create_contract(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<crm::contract::ContractInput>,
) -> Result<(StatusCode, Json<crm::contract::Contract>), ApiError> {
    let contract = state.write(&caller, move |tx, ctx, _| crm::contract::create_contract(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(contract)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ContractQuery {
    /// The customer's id or code.
    customer: String,
}

/// A customer's contracts.
#[utoipa::path(get, path = "/api/v1/crm/contracts", tag = "crm", params(ContractQuery),
    responses((status = 200, body = Vec<crm::contract::Contract>)))]
async fn list_contracts(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ContractQuery>,
) -> Result<Json<Vec<crm::contract::Contract>>, ApiError> {
    state
        .read(&caller, move |tx, ctx| {
            let customer = party::trading_terms(tx, ctx, &query.customer)?.map(|t| t.id).unwrap_or_default();
            crm::contract::contracts_of(tx, ctx, &customer)
        })
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/v1/crm/contracts/{id}", tag = "crm", params(("id" = String, Path)),
    responses((status = 200, body = crm::contract::Contract), (status = 404, body = Problem)))]
async fn get_contract(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<crm::contract::ContractId>,
) -> Result<Json<crm::contract::Contract>, ApiError> {
    state.read(&caller, move |tx, ctx| crm::contract::get_contract(tx, ctx, id)).await.map(Json)
}

/// Activate a draft contract (the approval hook may refuse).
#[utoipa::path(post, path = "/api/v1/crm/contracts/{id}/activate", tag = "crm", params(("id" = String, Path)),
    responses((status = 200, body = crm::contract::Contract), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn activate_contract(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<crm::contract::ContractId>,
) -> Result<Json<crm::contract::Contract>, ApiError> {
    state.write(&caller, move |tx, ctx, _| crm::contract::activate(tx, ctx, id)).await.map(Json)
}

/// Terminate a contract, with the reason.
#[utoipa::path(post, path = "/api/v1/crm/contracts/{id}/terminate", tag = "crm", params(("id" = String, Path)),
    request_body = ReasonInput,
    responses((status = 200, body = crm::contract::Contract), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn terminate_contract(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<crm::contract::ContractId>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> Result<Json<crm::contract::Contract>, ApiError> {
    state.write(&caller, move |tx, ctx, _| crm::contract::terminate(tx, ctx, id, &input.reason)).await.map(Json)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"milestone_id": "0193…", "invoice_id": "0193…"}))]
struct MilestoneLink {
    milestone_id: String,
    invoice_id: String,
}

/// Tie a payment milestone to the sales invoice that bills it.
#[utoipa::path(post, path = "/api/v1/crm/contracts/{id}/milestones", tag = "crm", params(("id" = String, Path)),
    request_body = MilestoneLink,
    responses((status = 200, body = crm::contract::Contract), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn link_milestone(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<crm::contract::ContractId>,
    ApiJson(input): ApiJson<MilestoneLink>,
) -> Result<Json<crm::contract::Contract>, ApiError> {
    state
        .write(&caller, move |tx, ctx, _| {
            crm::contract::link_invoice(tx, ctx, id, &input.milestone_id, &input.invoice_id)
        })
        .await
        .map(Json)
}

/// Customers per lifecycle stage, with the thresholds.
#[utoipa::path(get, path = "/api/v1/crm/lifecycle", tag = "crm", responses((status = 200, body = crm::lifecycle::LifecycleSummary)))]
async fn lifecycle(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<crm::lifecycle::LifecycleSummary>, ApiError> {
    state.read(&caller, crm::lifecycle::summary).await.map(Json)
}

/// Set the lifecycle thresholds (days).
#[utoipa::path(put, path = "/api/v1/crm/lifecycle", tag = "crm", request_body = crm::lifecycle::Thresholds,
    responses((status = 200, body = crm::lifecycle::Thresholds), (status = 422, body = Problem)))]
async fn set_lifecycle(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<crm::lifecycle::Thresholds>,
) -> Result<Json<crm::lifecycle::Thresholds>, ApiError> {
    state.write(&caller, move |tx, ctx, _| crm::lifecycle::set_thresholds(tx, ctx, &input)).await.map(Json)
}

/// Record a satisfaction answer (CSAT 1–5 or NPS 0–10); answers the customer's standing.
#[utoipa::path(post, path = "/api/v1/crm/satisfaction", tag = "crm", request_body = crm::lifecycle::SatisfactionInput,
    responses((status = 201, body = crm::lifecycle::Satisfaction), (status = 422, body = Problem)))]
async fn satisfaction(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<crm::lifecycle::SatisfactionInput>,
) -> Result<(StatusCode, Json<crm::lifecycle::Satisfaction>), ApiError> {
    let answer = state.write(&caller, move |tx, ctx, _| crm::lifecycle::record_satisfaction(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Permission(READ), routes!(list_leads))
        .routes(Access::Permission(WRITE), routes!(create_lead))
        .routes(Access::Permission(READ), routes!(get_lead))
        .routes(Access::Permission(WRITE), routes!(qualify))
        .routes(Access::Permission(WRITE), routes!(lose_lead))
        .routes(Access::Permission(READ), routes!(score_lead))
        .routes(Access::Permission(WRITE), routes!(train))
        .routes(Access::Public, routes!(web_lead))
        .routes(Access::Permission(READ), routes!(list_stages))
        .routes(Access::Permission(SETUP), routes!(save_stage))
        .routes(Access::Permission(READ), routes!(list_opportunities))
        .routes(Access::Permission(WRITE), routes!(create_opportunity))
        .routes(Access::Permission(READ), routes!(get_opportunity))
        .routes(Access::Permission(WRITE), routes!(move_opportunity))
        .routes(Access::Permission(WRITE), routes!(win))
        .routes(Access::Permission(WRITE), routes!(lose))
        .routes(Access::Permission(WRITE), routes!(quotation))
        .routes(Access::Permission(READ), routes!(pipeline))
        .routes(Access::Permission(READ), routes!(forecast))
        .routes(Access::Permission(READ), routes!(report))
        .routes(Access::Permission(WRITE), routes!(record_activity))
        .routes(Access::Permission(READ), routes!(my_follow_ups))
        .routes(Access::Permission(READ), routes!(get_activity))
        .routes(Access::Permission(WRITE), routes!(complete_activity))
        .routes(Access::Permission(READ), routes!(customer_360))
        .routes(Access::Permission(READ), routes!(list_teams))
        .routes(Access::Permission(SETUP), routes!(save_team))
        .routes(Access::Permission(READ), routes!(list_rules))
        .routes(Access::Permission(SETUP), routes!(save_rule))
        .routes(Access::Permission(WRITE), routes!(create_contract))
        .routes(Access::Permission(READ), routes!(list_contracts))
        .routes(Access::Permission(READ), routes!(get_contract))
        .routes(Access::Permission(WRITE), routes!(activate_contract))
        .routes(Access::Permission(WRITE), routes!(terminate_contract))
        .routes(Access::Permission(WRITE), routes!(link_milestone))
        .routes(Access::Permission(READ), routes!(lifecycle))
        .routes(Access::Permission(SETUP), routes!(set_lifecycle))
        .routes(Access::Permission(WRITE), routes!(satisfaction))
}

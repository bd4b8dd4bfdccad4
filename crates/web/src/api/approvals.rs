//! The approval engine over the API: flows per document kind, the organisation they walk, the
//! caller's inbox, one request with its timeline, decisions, withdrawal and delegations.
//! Deciding needs no permission of its own: the engine checks that the caller is the task's
//! approver.

use axum::Json;
use axum::extract::State;
use office::approval::{self, Decision, Delegation, Flow, FlowInput, InboxItem, RequestView};
use office::org::{Department, Placement};
use office::permissions::APPROVAL_MANAGE;
use serde::Deserialize;
use utoipa_axum::routes;

use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// Every saved flow, current versions.
#[utoipa::path(get, path = "/api/v1/approvals/flows", tag = "office", responses((status = 200, body = Vec<Flow>)))]
async fn list_flows(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<Vec<Flow>>, ApiError> {
    state.read(&caller, approval::list_flows).await.map(Json)
}

/// The flow of a document kind (`purchasing.order`), or null when none was saved.
#[utoipa::path(get, path = "/api/v1/approvals/flows/{kind}", tag = "office", params(("kind" = String, Path)),
    responses((status = 200, body = Option<Flow>)))]
async fn get_flow(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(kind): ApiPath<String>,
) -> Result<Json<Option<Flow>>, ApiError> {
    state.read(&caller, move |tx, ctx| approval::get_flow(tx, ctx, &kind)).await.map(Json)
}

/// Save the flow of a document kind as a new version (requests in flight keep theirs). A step
/// that could name nobody is refused.
#[utoipa::path(put, path = "/api/v1/approvals/flows/{kind}", tag = "office", params(("kind" = String, Path)),
    request_body = FlowInput, responses((status = 200, body = Flow), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn save_flow(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(kind): ApiPath<String>,
    ApiJson(input): ApiJson<FlowInput>,
) -> Result<Json<Flow>, ApiError> {
    state.write(&caller, move |tx, ctx, _| approval::save_flow(tx, ctx, &kind, &input)).await.map(Json)
}

#[utoipa::path(get, path = "/api/v1/org/departments", tag = "office", responses((status = 200, body = Vec<Department>)))]
async fn list_departments(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<Department>>, ApiError> {
    state.read(&caller, office::org::list_departments).await.map(Json)
}

/// Create or change a department (by code): name, parent, head.
#[utoipa::path(post, path = "/api/v1/org/departments", tag = "office", request_body = Department,
    responses((status = 200, body = Department), (status = 422, body = Problem)))]
async fn save_department(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<Department>,
) -> Result<Json<Department>, ApiError> {
    state.write(&caller, move |tx, ctx, _| office::org::save_department(tx, ctx, &input)).await.map(Json)
}

/// Place a member (by login) in a department under a manager.
#[utoipa::path(put, path = "/api/v1/org/members/{login}", tag = "office", params(("login" = String, Path)),
    request_body = Placement, responses((status = 200, body = Placement), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn place_member(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(login): ApiPath<String>,
    ApiJson(input): ApiJson<Placement>,
) -> Result<Json<Placement>, ApiError> {
    state.write(&caller, move |tx, ctx, _| office::org::place_member(tx, ctx, &login, &input)).await.map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct InboxQuery {
    /// todo (待办, the default), done (已办), mine (我发起的) or cc (抄送我的).
    r#box: Option<String>,
    /// The `at` of the last item of the previous page.
    before: Option<String>,
    limit: Option<u32>,
}

/// The caller's inbox, newest first.
#[utoipa::path(get, path = "/api/v1/approvals/inbox", tag = "office", params(InboxQuery),
    responses((status = 200, body = Vec<InboxItem>), (status = 400, body = Problem)))]
async fn inbox(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<InboxQuery>,
) -> Result<Json<Vec<InboxItem>>, ApiError> {
    let which = match query.r#box.as_deref() {
        None => approval::inbox::Box::Todo,
        Some(code) => approval::inbox::Box::parse(code)
            .ok_or_else(|| ApiError(kernel::Error::bad_request("office.approval.box_unknown")))?,
    };
    state
        .read(&caller, move |tx, ctx| {
            approval::inbox(tx, ctx, which, query.before.as_deref(), query.limit.unwrap_or(50))
        })
        .await
        .map(Json)
}

/// One request: steps, each approver's decision, the timeline, and the caller's task.
#[utoipa::path(get, path = "/api/v1/approvals/requests/{id}", tag = "office", params(("id" = String, Path)),
    responses((status = 200, body = RequestView), (status = 404, body = Problem)))]
async fn get_request(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RequestView>, ApiError> {
    state.read(&caller, move |tx, ctx| approval::get_request(tx, ctx, &id)).await.map(Json)
}

/// Decide one of the caller's tasks: approve, reject, return, transfer or add an approver.
#[utoipa::path(post, path = "/api/v1/approvals/tasks/{id}/decide", tag = "office", params(("id" = String, Path)),
    request_body = Decision,
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn decide(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(decision): ApiJson<Decision>,
) -> Result<Json<RequestView>, ApiError> {
    state
        .write_then_read(
            &caller,
            move |tx, ctx, _| {
                let request: String = tx
                    .query_opt(
                        "select request_id from office_approval_task where id = $1 and company_id = $2",
                        &[&id, &ctx.company()],
                    )?
                    .ok_or_else(|| kernel::Error::not_found("office.approval.not_found"))?
                    .get(0)?;
                approval::decide(tx, ctx, &id, &decision)?;
                Ok(request)
            },
            |tx, ctx, request| approval::get_request(tx, ctx, &request),
        )
        .await
        .map(Json)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"comment": "金额有误，改后重新提交"}))]
struct WithdrawInput {
    #[serde(default)]
    comment: String,
}

/// The submitter takes a pending request back.
#[utoipa::path(post, path = "/api/v1/approvals/requests/{id}/withdraw", tag = "office", params(("id" = String, Path)),
    request_body = WithdrawInput,
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn withdraw(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<WithdrawInput>,
) -> Result<Json<RequestView>, ApiError> {
    let read = id.clone();
    state
        .write_then_read(
            &caller,
            move |tx, ctx, _| approval::withdraw(tx, ctx, &id, &input.comment),
            move |tx, ctx, ()| approval::get_request(tx, ctx, &read),
        )
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/v1/approvals/delegations", tag = "office", responses((status = 200, body = Vec<Delegation>)))]
async fn list_delegations(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<Delegation>>, ApiError> {
    state.read(&caller, approval::list_delegations).await.map(Json)
}

/// While away: from one date to another, new approval tasks go to the delegate.
#[utoipa::path(post, path = "/api/v1/approvals/delegations", tag = "office", request_body = Delegation,
    responses((status = 200, body = Delegation), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn add_delegation(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<Delegation>,
) -> Result<Json<Delegation>, ApiError> {
    state.write(&caller, move |tx, ctx, _| approval::add_delegation(tx, ctx, &input)).await.map(Json)
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Authenticated, routes!(list_flows))
        .routes(Access::Authenticated, routes!(get_flow))
        .routes(Access::Permission(APPROVAL_MANAGE), routes!(save_flow))
        .routes(Access::Authenticated, routes!(list_departments))
        .routes(Access::Permission(APPROVAL_MANAGE), routes!(save_department))
        .routes(Access::Permission(APPROVAL_MANAGE), routes!(place_member))
        .routes(Access::Authenticated, routes!(inbox))
        .routes(Access::Authenticated, routes!(get_request))
        .routes(Access::Authenticated, routes!(decide))
        .routes(Access::Authenticated, routes!(withdraw))
        .routes(Access::Authenticated, routes!(list_delegations))
        .routes(Access::Authenticated, routes!(add_delegation))
}

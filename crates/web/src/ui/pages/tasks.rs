//! Office tasks: the list, the kanban board (drag, or the keyboard-friendly move buttons), and
//! the task form with its state badge, its state-machine buttons, timeline and attachments.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kernel::{Error, Quantity};
use maud::html;
use office::permissions::TASK_WRITE;
use office::{BoardColumn, NewTask, TASK_LIST, Task, TaskAction, TaskId, TaskStage, TaskUpdate};

use super::{FormData, see_other};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::ui::form::{self, Field, Input};
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, flash, shell};
use crate::ui::list::{self, BulkAction, ColumnView, FilterField, FilterInput, ListParams, ListView, Show};

const COLUMNS: &[ColumnView] = &[
    ColumnView { key: "number", label: "ui.task.number", show: Show::Link },
    ColumnView { key: "title", label: "ui.task.title", show: Show::Text },
    ColumnView { key: "stage", label: "ui.state", show: Show::Badge("ui.task.stage.") },
    ColumnView { key: "assignee", label: "ui.task.assignee", show: Show::Text },
    ColumnView { key: "due_date", label: "ui.task.due_date", show: Show::Text },
    ColumnView { key: "estimate_hours", label: "ui.task.estimate", show: Show::Quantity },
    ColumnView { key: "updated_at", label: "ui.updated_at", show: Show::Time },
];

fn stage_choices(page: &Page) -> Vec<(String, String)> {
    TaskStage::ALL.iter().map(|s| (s.code().to_string(), page.t(&format!("ui.task.stage.{}", s.code())))).collect()
}

pub async fn list(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let write = page.may(TASK_WRITE);
    let view = ListView {
        key: "office.tasks",
        title: "ui.tasks.list",
        base: "/office/tasks",
        spec: &TASK_LIST,
        columns: COLUMNS,
        filters: vec![
            FilterField { key: "stage", label: "ui.state", input: FilterInput::Choice(stage_choices(&page)) },
            FilterField { key: "assignee", label: "ui.task.assignee", input: FilterInput::Text },
        ],
        bulk: if write {
            vec![
                BulkAction { code: "start", label: "ui.task.action.start" },
                BulkAction { code: "reopen", label: "ui.task.action.reopen" },
            ]
        } else {
            vec![]
        },
        new_href: write.then_some("/office/tasks/new"),
    };
    list::handle(&state, &page, view, ListParams::parse(query.as_deref()), office::list_tasks).await
}

pub async fn bulk(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let Some(action) = form.get("action").and_then(TaskAction::parse) else { return see_other("/office/tasks", None) };
    let ids: Vec<TaskId> = form.all("ids").iter().filter_map(|id| TaskId::parse(id).ok()).collect();
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| {
                for id in &ids {
                    // Tasks whose stage does not allow the action are left as they are.
                    let task = office::get_task(tx, &ctx, *id)?;
                    if task.stage.after(action).is_some() {
                        office::act(tx, &ctx, *id, action)?;
                    }
                }
                Ok(())
            })
        })
        .await;
    match result {
        Ok(()) => see_other("/office/tasks", Some("ui.saved")),
        Err(error) => error_page_for(&page, StatusCode::CONFLICT, &error.0),
    }
}

pub async fn board(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let ctx = page.ctx(&state);
    let columns = match state.blocking(move |state| state.db.read(|tx| office::board(tx, &ctx, 200))).await {
        Ok(c) => c,
        Err(error) => return error.into_response(),
    };
    let ok = query_param(query.as_deref(), "ok");
    let write = page.may(TASK_WRITE);
    let body = html! {
        h1 { (page.t("ui.tasks.board")) }
        (flash(&page, ok.as_deref(), None))
        div.toolbar { @if write { a.button.primary href="/office/tasks/new" data-new { "+ " (page.t("ui.new")) } } span.grow {} span { (page.t("ui.kanban.hint")) } }
        div.board {
            @for BoardColumn { stage, count, estimate_sum: sum, cards } in &columns {
                section.column data-stage=(stage.code()) aria-label=(page.t(&format!("ui.task.stage.{}", stage.code()))) {
                    header {
                        span { (page.t(&format!("ui.task.stage.{}", stage.code()))) " (" (count) ")" }
                        span.sum title=(page.t("ui.task.estimate")) { "Σ " (trim(*sum)) " h" }
                    }
                    @for task in cards {
                        article.card draggable[write] data-id=(task.id) data-move=(format!("/office/tasks/{}/move", task.id)) {
                            a href=(format!("/office/tasks/{}", task.id)) { (task.number) " " (task.title) }
                            div.meta { (task.assignee_name.clone().unwrap_or_default()) @if let Some(due) = &task.due_date { " · " (due) } }
                            @if write {
                                div.moves {
                                    @for action in task.stage.allowed_actions() {
                                        @if page.may(action.permission()) {
                                            form method="post" action=(format!("/office/tasks/{}/act", task.id)) {
                                                input type="hidden" name="_csrf" value=(page.csrf());
                                                input type="hidden" name="back" value="board";
                                                button type="submit" name="action" value=(action.code()) { (page.t(&format!("ui.task.action.{}", action.code()))) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    shell(&page, &page.t("ui.tasks.board"), body)
}

fn trim(q: Quantity) -> String {
    q.to_string().trim_end_matches('0').trim_end_matches('.').to_string()
}

struct TaskData {
    task: Option<Task>,
    history: Vec<kernel::audit::AuditEntry>,
    comments: Vec<office::Comment>,
    attachments: Vec<kernel::attachment::Attachment>,
}

async fn load(state: &AppState, page: &Page, id: Option<TaskId>) -> Result<TaskData, ApiError> {
    let ctx = page.ctx(state);
    state
        .blocking(move |state| {
            state.db.read(|tx| {
                let Some(id) = id else {
                    return Ok(TaskData { task: None, history: vec![], comments: vec![], attachments: vec![] });
                };
                let key = id.to_string();
                Ok(TaskData {
                    task: Some(office::get_task(tx, &ctx, id)?),
                    history: kernel::audit::history(tx, &ctx, "office.task", &key, 50)?,
                    comments: office::list_comments(tx, &ctx, "office.task", &key)?,
                    attachments: state.attachments.list(tx, &ctx, "office.task", &key)?,
                })
            })
        })
        .await
}

fn task_page(
    page: &Page,
    data: &TaskData,
    values: Option<&FormData>,
    error: Option<&Error>,
    ok: Option<&str>,
) -> Response {
    let task = data.task.as_ref();
    // A finished task is read-only until reopened.
    let readonly = !page.may(TASK_WRITE) || task.is_some_and(|t| t.stage == TaskStage::Done);
    let value = |name: &str, current: String| values.map(|f| f.text(name)).unwrap_or(current);
    let fields = vec![
        Field::new(
            "title",
            "ui.task.title",
            Input::Text,
            value("title", task.map(|t| t.title.clone()).unwrap_or_default()),
        )
        .required()
        .readonly(readonly),
        Field::new(
            "assignee_id",
            "ui.task.assignee",
            Input::Lookup("users"),
            value("assignee_id", task.and_then(|t| t.assignee_username.clone()).unwrap_or_default()),
        )
        .readonly(readonly),
        Field::new(
            "due_date",
            "ui.task.due_date",
            Input::Date,
            value("due_date", task.and_then(|t| t.due_date.clone()).unwrap_or_default()),
        )
        .readonly(readonly),
        Field::new(
            "estimate_hours",
            "ui.task.estimate",
            Input::Decimal,
            value("estimate_hours", task.map(|t| trim(t.estimate_hours)).unwrap_or_default()),
        )
        .readonly(readonly),
        Field::new(
            "description",
            "ui.task.description",
            Input::TextArea,
            value("description", task.map(|t| t.description.clone()).unwrap_or_default()),
        )
        .readonly(readonly),
    ];
    let title = task.map(|t| format!("{} {}", t.number, t.title)).unwrap_or_else(|| page.t("ui.task.new"));
    let actions: Vec<(&'static str, &'static str, kernel::Permission)> = task
        .map(|t| t.stage.allowed_actions().map(|a| (a.code(), action_label(a), a.permission())).collect())
        .unwrap_or_default();
    let action_url = task.map(|t| format!("/office/tasks/{}", t.id)).unwrap_or_else(|| "/office/tasks/new".into());
    let body = html! {
        h1 { (title) @if let Some(t) = task { (form::badge(page, "ui.task.stage.", t.stage.code())) } }
        (flash(page, ok, None))
        div.columns-2 {
            div {
                @if let Some(t) = task { (form::actions(page, &format!("/office/tasks/{}/act", t.id), &actions)) }
                form.panel method="post" action=(action_url) data-save {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    @if let Some(t) = task { input type="hidden" name="version" value=(t.version); }
                    (form::form_error(page, error.filter(|e| e.fields().is_empty())))
                    (form::fields(page, &fields, error))
                    @if !readonly { p { button.primary type="submit" { (page.t("ui.save")) } " " a href="/office/tasks" { (page.t("ui.cancel")) } } }
                }
            }
            @if let Some(t) = task { div { (form::side_panel(page, "office.task", &t.id.to_string(), &data.history, &data.comments, &data.attachments)) } }
        }
    };
    let mut response = shell(page, &page.t("ui.tasks.list"), body);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

fn action_label(action: TaskAction) -> &'static str {
    match action {
        TaskAction::Start => "ui.task.action.start",
        TaskAction::Submit => "ui.task.action.submit",
        TaskAction::Approve => "ui.task.action.approve",
        TaskAction::Reject => "ui.task.action.reject",
        TaskAction::Reopen => "ui.task.action.reopen",
    }
}

fn estimate(form: &FormData) -> Result<Option<Quantity>, Error> {
    let text = form.text("estimate_hours");
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<Quantity>().map(Some).map_err(|_| Error::field("estimate_hours", "office.task.estimate_invalid"))
}

pub async fn new_form(State(state): State<AppState>, page: Page) -> Response {
    match load(&state, &page, None).await {
        Ok(data) => task_page(&page, &data, None, None, None),
        Err(error) => error.into_response(),
    }
}

pub async fn create(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let ctx = page.ctx(&state);
    let parsed = estimate(&form).map(|estimate_hours| NewTask {
        title: form.text("title"),
        description: form.text("description"),
        assignee_id: Some(form.text("assignee_id")),
        due_date: Some(form.text("due_date")),
        estimate_hours,
    });
    let result = match parsed {
        Ok(input) => state.blocking(move |state| state.db.write(|tx| office::create_task(tx, &ctx, &input))).await,
        Err(e) => Err(ApiError(e)),
    };
    match result {
        Ok(task) => see_other(&format!("/office/tasks/{}", task.id), Some("ui.saved")),
        Err(error) => match load(&state, &page, None).await {
            Ok(data) => task_page(&page, &data, Some(&form), Some(&error.0), None),
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
    let Ok(id) = TaskId::parse(&id) else { return error_page(&page, StatusCode::NOT_FOUND, "office.task.not_found") };
    let ok = query_param(query.as_deref(), "ok");
    match load(&state, &page, Some(id)).await {
        Ok(data) => task_page(&page, &data, None, None, ok.as_deref()),
        Err(error) => error_page_for(&page, StatusCode::NOT_FOUND, &error.0),
    }
}

pub async fn save(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = TaskId::parse(&id) else { return error_page(&page, StatusCode::NOT_FOUND, "office.task.not_found") };
    let ctx = page.ctx(&state);
    let parsed = estimate(&form).map(|estimate_hours| TaskUpdate {
        title: Some(form.text("title")),
        description: Some(form.text("description")),
        assignee_id: Some(form.text("assignee_id")),
        due_date: Some(form.text("due_date")),
        estimate_hours,
        version: form.text("version").parse().unwrap_or(0),
    });
    let result = match parsed {
        Ok(input) => state.blocking(move |state| state.db.write(|tx| office::update_task(tx, &ctx, id, &input))).await,
        Err(e) => Err(ApiError(e)),
    };
    match result {
        Ok(_) => see_other(&format!("/office/tasks/{id}"), Some("ui.saved")),
        Err(error) => match load(&state, &page, Some(id)).await {
            Ok(data) => task_page(&page, &data, Some(&form), Some(&error.0), None),
            Err(e) => e.into_response(),
        },
    }
}

/// A state-machine action from the form's buttons or the board's move buttons.
pub async fn act(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let (Ok(id), Some(action)) = (TaskId::parse(&id), form.get("action").and_then(TaskAction::parse)) else {
        return error_page(&page, StatusCode::NOT_FOUND, "office.task.not_found");
    };
    if !page.may(action.permission()) {
        return error_page(&page, StatusCode::FORBIDDEN, "auth.forbidden");
    }
    let ctx = page.ctx(&state);
    let back = if form.get("back") == Some("board") {
        "/office/tasks/board".to_string()
    } else {
        format!("/office/tasks/{id}")
    };
    match state.blocking(move |state| state.db.write(|tx| office::act(tx, &ctx, id, action))).await {
        Ok(_) => see_other(&back, Some("ui.saved")),
        Err(error) => error_page_for(&page, StatusCode::CONFLICT, &error.0),
    }
}

/// Dragging a card to a column: the move is the state-machine action leading there, if any.
/// Answers JSON to the script (problem on refusal), or redirects a plain form.
pub async fn move_to(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    let wants_json = headers.get(header::ACCEPT).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let target = form.get("stage").and_then(TaskStage::parse);
    let ctx = page.ctx(&state);
    let result = match (TaskId::parse(&id), target) {
        (Ok(id), Some(target)) => {
            state
                .blocking(move |state| {
                    state.db.write(|tx| {
                        let task = office::get_task(tx, &ctx, id)?;
                        if task.stage == target {
                            return Ok(task);
                        }
                        let action = task.stage.action_to(target).ok_or_else(|| {
                            Error::conflict("office.task.transition")
                                .with_param("from", task.stage.code())
                                .with_param("action", target.code())
                        })?;
                        ctx.require(action.permission())?;
                        office::act(tx, &ctx, id, action)
                    })
                })
                .await
        }
        _ => Err(ApiError(Error::not_found("office.task.not_found"))),
    };
    let moved = result.map(|task| (task.id.to_string(), task.stage.code().to_string()));
    super::move_answer(&page, moved, wants_json, "/office/tasks/board")
}

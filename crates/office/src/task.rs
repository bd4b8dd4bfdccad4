//! Tasks: a title, an assignee, a due date, an estimate, moving through stages on a kanban
//! board. The stages and the moves between them are one state machine; the board's columns,
//! the form's buttons and the API's allowed moves all derive from `TaskStage::after`.

use kernel::db::{Row, Tx};
use kernel::id::DocRef;
use kernel::identity::UserId;
use kernel::listing::{Filter, ListPage, ListQuery, ListSpec, col};
use kernel::sequence::{DocType, next_number};
use kernel::{Ctx, Error, Quantity, Result, audit};
use serde::{Deserialize, Serialize};

use crate::notification::notify;
use crate::permissions::{TASK_APPROVE, TASK_READ, TASK_WRITE};

kernel::define_id!(
    /// A task.
    TaskId
);

pub const TASK_NUMBERS: DocType = DocType { code: "office.task", prefix: "T" };

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStage {
    Todo,
    Doing,
    Review,
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskAction {
    Start,
    Submit,
    Approve,
    Reject,
    Reopen,
}

impl TaskStage {
    pub const ALL: [TaskStage; 4] = [TaskStage::Todo, TaskStage::Doing, TaskStage::Review, TaskStage::Done];

    pub fn code(self) -> &'static str {
        match self {
            TaskStage::Todo => "todo",
            TaskStage::Doing => "doing",
            TaskStage::Review => "review",
            TaskStage::Done => "done",
        }
    }

    pub fn parse(code: &str) -> Option<TaskStage> {
        TaskStage::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The whole lifecycle: which action leads where. Anything else is refused.
    pub fn after(self, action: TaskAction) -> Option<TaskStage> {
        use TaskAction::*;
        use TaskStage::*;
        match (self, action) {
            (Todo, Start) => Some(Doing),
            (Doing, Submit) => Some(Review),
            (Review, Approve) => Some(Done),
            (Review, Reject) => Some(Doing),
            (Done | Doing | Review, Reopen) => Some(Todo),
            _ => None,
        }
    }

    pub fn allowed_actions(self) -> impl Iterator<Item = TaskAction> {
        TaskAction::ALL.into_iter().filter(move |a| self.after(*a).is_some())
    }

    /// The action that moves a task from this stage to `target` (dragging on the board).
    pub fn action_to(self, target: TaskStage) -> Option<TaskAction> {
        self.allowed_actions().find(|a| self.after(*a) == Some(target))
    }
}

impl TaskAction {
    pub const ALL: [TaskAction; 5] =
        [TaskAction::Start, TaskAction::Submit, TaskAction::Approve, TaskAction::Reject, TaskAction::Reopen];

    pub fn code(self) -> &'static str {
        match self {
            TaskAction::Start => "start",
            TaskAction::Submit => "submit",
            TaskAction::Approve => "approve",
            TaskAction::Reject => "reject",
            TaskAction::Reopen => "reopen",
        }
    }

    pub fn parse(code: &str) -> Option<TaskAction> {
        TaskAction::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The permission needed to take this action.
    pub fn permission(self) -> kernel::Permission {
        match self {
            TaskAction::Approve => TASK_APPROVE,
            _ => TASK_WRITE,
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Task {
    #[schema(value_type = String)]
    pub id: TaskId,
    pub number: String,
    pub title: String,
    pub description: String,
    pub stage: TaskStage,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    /// The assignee's login: what the assignee picker shows and takes.
    pub assignee_username: Option<String>,
    pub due_date: Option<String>,
    /// Hours, as a decimal string.
    #[schema(value_type = String)]
    pub estimate_hours: Quantity,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "准备季度盘点", "description": "A 仓全部库位", "due_date": "2026-12-31", "estimate_hours": "6"}))]
pub struct NewTask {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub assignee_id: Option<String>,
    pub due_date: Option<String>,
    #[schema(value_type = Option<String>)]
    pub estimate_hours: Option<Quantity>,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "准备季度盘点", "version": 1}))]
pub struct TaskUpdate {
    pub title: Option<String>,
    pub description: Option<String>,
    /// Empty string clears the assignee.
    pub assignee_id: Option<String>,
    /// Empty string clears the due date.
    pub due_date: Option<String>,
    #[schema(value_type = Option<String>)]
    pub estimate_hours: Option<Quantity>,
    pub version: i64,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskFilter {
    pub q: Option<String>,
    pub stage: Option<String>,
    pub assignee_id: Option<String>,
}

/// A task by its number or title.
pub static TASK_SEARCH: kernel::search::SearchIndex = kernel::search::SearchIndex {
    kind: "office.task",
    source: "select t.id, t.company_id, t.number, t.title from office_task t",
    id: "t.id",
};

/// The task list: what the web client's list view and the API show.
pub const TASK_LIST: ListSpec = ListSpec {
    from: "office_task t left join kernel_user u on u.id = t.assignee_id",
    id: "t.id",
    company: "t.company_id",
    columns: &[
        col("number", "t.number", true, Filter::Prefix),
        col("title", "t.title", true, Filter::Prefix),
        col("stage", "t.stage", true, Filter::Equals),
        col("assignee", "coalesce(u.display_name, '')", true, Filter::Prefix),
        col("due_date", "coalesce(t.due_date, '')", true, Filter::Prefix),
        col("estimate_hours", "t.estimate_hours", true, Filter::None),
        col("updated_at", "t.updated_at", true, Filter::None),
        col("assignee_id", "coalesce(t.assignee_id, '')", false, Filter::Equals),
        col("open", "case when t.stage <> 'done' then 'yes' else 'no' end", false, Filter::Equals),
    ],
    search: &["t.title", "t.number", "t.description"],
    index: Some(&TASK_SEARCH),
    default_sort: "updated_at",
    default_desc: true,
};

const COLUMNS: &str = "t.id, t.number, t.title, t.description, t.stage, t.assignee_id, u.display_name, t.due_date,
    t.estimate_hours, t.created_at, t.updated_at, t.version, u.username";

fn task_from(row: &Row) -> Result<Task> {
    let stage: String = row.get(4)?;
    Ok(Task {
        id: row.get(0)?,
        number: row.get(1)?,
        title: row.get(2)?,
        description: row.get(3)?,
        stage: TaskStage::parse(&stage).ok_or_else(|| Error::internal(format!("unknown stage {stage}")))?,
        assignee_id: row.get(5)?,
        assignee_name: row.get(6)?,
        due_date: row.get(7)?,
        estimate_hours: row.get(8)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
        version: row.get(11)?,
        assignee_username: row.get(12)?,
    })
}

fn validate_title(title: &str) -> Result<String> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(Error::field("title", "office.task.title_invalid"));
    }
    Ok(title.to_string())
}

fn validate_due(due: Option<&str>) -> Result<Option<String>> {
    match due.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(None),
        Some(d) => kernel::clock::parse_date(d)
            .map(|date| Some(kernel::clock::format_date(date)))
            .map_err(|_| Error::field("due_date", "kernel.date.invalid").with_param("value", d)),
    }
}

fn validate_estimate(estimate: Option<Quantity>) -> Result<Quantity> {
    let estimate = estimate.unwrap_or(Quantity::ZERO);
    if estimate.is_negative() || estimate > Quantity::from_scaled(10_000 * Quantity::ONE) {
        return Err(Error::field("estimate_hours", "office.task.estimate_invalid"));
    }
    Ok(estimate)
}

/// The assignee named by user id or by login (what the picker fills in), who must be a member
/// of the company.
fn validate_assignee(tx: &mut Tx<'_>, ctx: &Ctx, assignee: Option<&str>) -> Result<Option<UserId>> {
    let Some(text) = assignee.map(str::trim).filter(|a| !a.is_empty()) else { return Ok(None) };
    let unknown = || Error::field("assignee_id", "office.task.assignee_unknown");
    let column = if UserId::parse(text).is_ok() { "u.id" } else { "u.username" };
    let found: Option<String> = tx
        .query_opt(
            &format!(
                "select u.id from kernel_user u join kernel_membership m on m.user_id = u.id
                 where {column} = $1 and m.company_id = $2"
            ),
            &[&text, &ctx.company()],
        )?
        .map(|row| row.get(0))
        .transpose()?;
    let id = found.ok_or_else(unknown)?;
    Ok(Some(UserId::parse(&id).map_err(|_| unknown())?))
}

pub fn get_task(tx: &mut Tx<'_>, ctx: &Ctx, id: TaskId) -> Result<Task> {
    ctx.require(TASK_READ)?;
    let row = tx
        .query_opt(
            &format!("select {COLUMNS} from office_task t left join kernel_user u on u.id = t.assignee_id where t.company_id = $1 and t.id = $2"),
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("office.task.not_found"))?;
    task_from(&row)
}

pub fn create_task(tx: &mut Tx<'_>, ctx: &Ctx, input: &NewTask) -> Result<Task> {
    ctx.require(TASK_WRITE)?;
    let title = validate_title(&input.title)?;
    let due = validate_due(input.due_date.as_deref())?;
    let estimate = validate_estimate(input.estimate_hours)?;
    let assignee = validate_assignee(tx, ctx, input.assignee_id.as_deref())?;
    let id = TaskId::new();
    let number = next_number(tx, ctx, TASK_NUMBERS, ctx.today(), &DocRef::new("office.task", id))?;
    let now = ctx.now_text();
    tx.execute(
        "insert into office_task (id, company_id, number, title, description, stage, assignee_id, due_date, estimate_hours, created_at, created_by, updated_at, version)
         values ($1, $2, $3, $4, $5, 'todo', $6, $7, $8, $9, $10, $9, 1)",
        &[&id, &ctx.company(), &number, &title, &input.description.trim(), &assignee, &due, &estimate, &now, &ctx.actor().label()],
    )?;
    audit::record(
        tx,
        ctx,
        "office.task.create",
        "office.task",
        &id,
        serde_json::json!({"number": number, "title": title}),
    )?;
    if let Some(user) = assignee.filter(|u| Some(*u) != ctx.actor().user()) {
        notify(tx, ctx, user, &format!("{number} {title}"), &format!("/office/tasks/{id}"))?;
    }
    get_task(tx, ctx, id)
}

pub fn update_task(tx: &mut Tx<'_>, ctx: &Ctx, id: TaskId, input: &TaskUpdate) -> Result<Task> {
    ctx.require(TASK_WRITE)?;
    let current = get_task(tx, ctx, id)?;
    if current.stage == TaskStage::Done {
        // A finished task is read-only until reopened.
        return Err(Error::conflict("office.task.transition").with_param("from", "done").with_param("action", "edit"));
    }
    let title = match &input.title {
        Some(t) => validate_title(t)?,
        None => current.title.clone(),
    };
    let description = input.description.clone().unwrap_or(current.description.clone());
    let due = match &input.due_date {
        Some(d) => validate_due(Some(d))?,
        None => current.due_date.clone(),
    };
    let estimate = match input.estimate_hours {
        Some(e) => validate_estimate(Some(e))?,
        None => current.estimate_hours,
    };
    let assignee = match &input.assignee_id {
        Some(a) => validate_assignee(tx, ctx, Some(a))?,
        None => current.assignee_id.as_deref().map(UserId::parse).transpose()?,
    };
    let changed = tx.execute(
        "update office_task set title = $1, description = $2, due_date = $3, estimate_hours = $4, assignee_id = $5,
         updated_at = $6, version = version + 1 where company_id = $7 and id = $8 and version = $9",
        &[
            &title,
            &description.trim(),
            &due,
            &estimate,
            &assignee,
            &ctx.now_text(),
            &ctx.company(),
            &id,
            &input.version,
        ],
    )?;
    if changed == 0 {
        return Err(Error::conflict("kernel.version_conflict"));
    }
    audit::record(
        tx,
        ctx,
        "office.task.update",
        "office.task",
        &id,
        serde_json::json!({"title": [current.title, title], "due_date": [current.due_date, due], "estimate_hours": [current.estimate_hours, estimate]}),
    )?;
    if let Some(user) =
        assignee.filter(|u| Some(u.to_string()) != current.assignee_id && Some(*u) != ctx.actor().user())
    {
        notify(tx, ctx, user, &format!("{} {}", current.number, title), &format!("/office/tasks/{id}"))?;
    }
    get_task(tx, ctx, id)
}

/// Applies an action of the state machine; a guarded write, so a concurrent move is a conflict.
pub fn act(tx: &mut Tx<'_>, ctx: &Ctx, id: TaskId, action: TaskAction) -> Result<Task> {
    ctx.require(action.permission())?;
    let task = get_task(tx, ctx, id)?;
    let target = task.stage.after(action).ok_or_else(|| {
        Error::conflict("office.task.transition")
            .with_param("from", task.stage.code())
            .with_param("action", action.code())
    })?;
    let changed = tx.execute(
        "update office_task set stage = $1, updated_at = $2, version = version + 1 where company_id = $3 and id = $4 and stage = $5",
        &[&target.code(), &ctx.now_text(), &ctx.company(), &id, &task.stage.code()],
    )?;
    if changed == 0 {
        return Err(Error::conflict("kernel.version_conflict"));
    }
    audit::record(
        tx,
        ctx,
        &format!("office.task.{}", action.code()),
        "office.task",
        &id,
        serde_json::json!({"stage": [task.stage, target]}),
    )?;
    get_task(tx, ctx, id)
}

/// Lists tasks through the shared list spec (search, filters, sort, cursor).
pub fn list_tasks(tx: &mut Tx<'_>, ctx: &Ctx, query: &ListQuery) -> Result<ListPage> {
    ctx.require(TASK_READ)?;
    TASK_LIST.fetch(tx, ctx, query, None)
}

/// One column of the kanban board.
#[derive(Clone, Debug)]
pub struct BoardColumn {
    pub stage: TaskStage,
    /// All tasks in the stage, not only the cards shown.
    pub count: i64,
    pub estimate_sum: Quantity,
    /// The most recently moved tasks.
    pub cards: Vec<Task>,
}

/// The board: per stage, the count, the summed estimate, and the most recently moved cards.
pub fn board(tx: &mut Tx<'_>, ctx: &Ctx, per_column: i64) -> Result<Vec<BoardColumn>> {
    ctx.require(TASK_READ)?;
    let totals = tx.query(
        "select stage, count(*), coalesce(sum(estimate_hours), 0) from office_task where company_id = $1 group by stage",
        &[&ctx.company()],
    )?;
    let mut columns = Vec::new();
    for stage in TaskStage::ALL {
        let (count, sum) = totals
            .iter()
            .find(|r| r.get::<String>(0).ok().as_deref() == Some(stage.code()))
            .map(|r| Ok::<_, Error>((r.get::<i64>(1)?, r.get::<Quantity>(2)?)))
            .transpose()?
            .unwrap_or((0, Quantity::ZERO));
        let cards = tx
            .query(
                &format!(
                    "select {COLUMNS} from office_task t left join kernel_user u on u.id = t.assignee_id
                     where t.company_id = $1 and t.stage = $2 order by t.updated_at desc limit $3"
                ),
                &[&ctx.company(), &stage.code(), &per_column],
            )?
            .iter()
            .map(task_from)
            .collect::<Result<Vec<_>>>()?;
        columns.push(BoardColumn { stage, count, estimate_sum: sum, cards });
    }
    Ok(columns)
}

/// Count of tasks per stage, for dashboards.
pub fn count_by_stage(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<(TaskStage, i64)>> {
    let rows =
        tx.query("select stage, count(*) from office_task where company_id = $1 group by stage", &[&ctx.company()])?;
    Ok(TaskStage::ALL
        .into_iter()
        .map(|stage| {
            let n = rows
                .iter()
                .find(|r| r.get::<String>(0).ok().as_deref() == Some(stage.code()))
                .and_then(|r| r.get(1).ok())
                .unwrap_or(0);
            (stage, n)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lifecycle_is_one_table() {
        assert_eq!(TaskStage::Todo.after(TaskAction::Start), Some(TaskStage::Doing));
        assert_eq!(TaskStage::Todo.after(TaskAction::Approve), None);
        assert_eq!(TaskStage::Review.action_to(TaskStage::Done), Some(TaskAction::Approve));
        assert_eq!(TaskStage::Todo.action_to(TaskStage::Done), None);
        assert_eq!(TaskStage::Done.allowed_actions().collect::<Vec<_>>(), vec![TaskAction::Reopen]);
        assert_eq!(TaskAction::Approve.permission(), TASK_APPROVE);
    }
}

//! Office collaboration (layer 2): tasks moved across a kanban board, comments with @mentions on
//! any record, and the notifications that mentions and assignments produce.
//!
//! Calls only the kernel. Emits no events yet; the approval engine will live here too.

pub mod comment;
pub mod notification;
pub mod permissions;
pub mod task;

pub use comment::{Comment, add_comment, list_comments};
pub use notification::{Notification, list_notifications, mark_read, notify, unread_count};
pub use task::{
    BoardColumn, NewTask, TASK_LIST, Task, TaskAction, TaskFilter, TaskId, TaskStage, TaskUpdate, act, board,
    count_by_stage, create_task, get_task, list_tasks, update_task,
};

/// The office module's migrations.
pub const MIGRATIONS: kernel::db::ModuleMigrations =
    kernel::db::ModuleMigrations { module: "office", migrations: &[kernel::migration!(20261126010000, "office")] };

pub const MESSAGES: &[kernel::i18n::Message] = &[
    kernel::msg!("office.task.not_found", "任务不存在", "Task not found"),
    kernel::msg!(
        "office.task.title_invalid",
        "任务标题不能为空，最多 200 个字符",
        "Task title must be 1 to 200 characters"
    ),
    kernel::msg!(
        "office.task.transition",
        "任务当前为「{from}」，不能执行「{action}」",
        "The task is {from}; cannot {action}"
    ),
    kernel::msg!("office.task.assignee_unknown", "负责人不是本公司用户", "The assignee is not a user of this company"),
    kernel::msg!("office.task.estimate_invalid", "预计工时无效", "Invalid estimate"),
    kernel::msg!("office.comment.empty", "评论不能为空，最多 5000 个字符", "A comment must be 1 to 5000 characters"),
    kernel::msg!("office.notification.not_found", "通知不存在", "Notification not found"),
];
pub use task::TASK_SEARCH;

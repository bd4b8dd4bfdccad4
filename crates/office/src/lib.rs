//! Office collaboration (layer 2): the approval engine every document uses, the organisation it
//! walks (departments, managers), announcements with read receipts, a calendar with meeting
//! rooms, tasks moved across a kanban board, comments with @mentions on
//! any record, and the notifications that mentions, assignments and approvals produce.
//!
//! Calls only the kernel. Emits `approval::ApprovalDecided` when a request ends.

pub mod announcement;
pub mod approval;
pub mod calendar;
pub mod comment;
pub mod notification;
pub mod org;
pub mod permissions;
pub mod task;

pub use comment::{Comment, add_comment, list_comments};
pub use notification::{Notification, list_notifications, mark_read, notify, unread_count};
pub use task::{
    BoardColumn, NewTask, TASK_LIST, Task, TaskAction, TaskFilter, TaskId, TaskStage, TaskUpdate, act, board,
    count_by_stage, create_task, get_task, list_tasks, update_task,
};

/// The office module's migrations.
pub const MIGRATIONS: kernel::db::ModuleMigrations = kernel::db::ModuleMigrations {
    module: "office",
    migrations: &[
        kernel::migration!(20261126010000, "office"),
        kernel::migration!(20261208010000, "approval"),
        kernel::migration!(20261208020000, "announcement"),
        kernel::migration!(20261208030000, "calendar"),
    ],
};

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
    kernel::msg!("office.approval.pending", "单据正在审批中，审批结束前不能继续", "The document is awaiting approval"),
    kernel::msg!("office.approval.not_found", "审批不存在", "Approval request not found"),
    kernel::msg!(
        "office.approval.box_unknown",
        "未知的审批箱：应为 todo、done、mine 或 cc",
        "Unknown box: todo, done, mine or cc"
    ),
    kernel::msg!("office.approval.not_pending", "该审批已处理，不能再次审批", "This approval has already been decided"),
    kernel::msg!("office.approval.not_approver", "您不是该审批的当前审批人", "You are not an approver of this step"),
    kernel::msg!("office.approval.not_submitter", "只有发起人可以撤回", "Only the submitter can withdraw"),
    kernel::msg!("office.approval.nobody", "审批步骤「{step}」找不到审批人", "Nobody can approve the step {step}"),
    kernel::msg!(
        "office.approval.return_step",
        "只能退回到之前的步骤",
        "A request can only be returned to an earlier step"
    ),
    kernel::msg!(
        "office.approval.seat_invalid",
        "不能转交或加签给发起人、自己或本步骤已有的审批人",
        "Not to the submitter, yourself or an approver of this step"
    ),
    kernel::msg!(
        "office.flow.kind_unknown",
        "该单据类型不支持审批：{kind}",
        "No approvals for documents of kind {kind}"
    ),
    kernel::msg!("office.flow.name_invalid", "名称不能为空", "A name is required"),
    kernel::msg!("office.flow.no_steps", "审批流至少需要一个步骤", "A flow needs at least one step"),
    kernel::msg!("office.flow.nobody", "步骤「{step}」没有可审批的人", "The step {step} names nobody who can approve"),
    kernel::msg!(
        "office.flow.chain_alone",
        "连续多级主管须单独成为一个步骤",
        "A manager chain must be a step of its own"
    ),
    kernel::msg!("office.flow.role_unknown", "角色不存在：{role}", "Unknown role: {role}"),
    kernel::msg!("office.flow.level_invalid", "主管层级应为 1 到 20", "Manager levels are 1 to 20"),
    kernel::msg!("office.flow.timeout_invalid", "超时应为整数小时", "The timeout is a whole number of hours"),
    kernel::msg!(
        "office.flow.condition_invalid",
        "条件无效：大小比较需要数字",
        "Invalid condition: comparing sizes needs a number"
    ),
    kernel::msg!(
        "office.org.user_unknown",
        "用户不是本公司的有效成员：{user}",
        "Not an active member of this company: {user}"
    ),
    kernel::msg!("office.org.department_unknown", "部门不存在：{code}", "Unknown department: {code}"),
    kernel::msg!("office.org.department_invalid", "部门编码和名称不能为空", "A department needs a code and a name"),
    kernel::msg!("office.org.department_loop", "上级部门不能是自己或下级部门", "A department cannot be under itself"),
    kernel::msg!(
        "office.org.manager_loop",
        "上级不能是本人或其下属",
        "A manager cannot be the member or one of their reports"
    ),
    kernel::msg!(
        "office.delegation.dates",
        "日期无效：结束日期不能早于开始日期",
        "Invalid dates: the end cannot be before the start"
    ),
    kernel::msg!("office.announcement.not_found", "公告不存在", "Announcement not found"),
    kernel::msg!("office.calendar.time_invalid", "时间格式应为 2026-12-10T09:00", "Times look like 2026-12-10T09:00"),
    kernel::msg!("office.calendar.ends_before_start", "结束时间须晚于开始时间", "The end must be after the start"),
    kernel::msg!(
        "office.calendar.title_invalid",
        "会议主题不能为空，最多 200 个字符",
        "A title of 1 to 200 characters"
    ),
    kernel::msg!("office.calendar.room_invalid", "会议室编码和名称不能为空", "A room needs a code and a name"),
    kernel::msg!("office.calendar.room_unknown", "会议室不存在：{room}", "Unknown room: {room}"),
    kernel::msg!(
        "office.calendar.room_taken",
        "{room} 在 {from} 至 {to} 已被「{meeting}」预订",
        "{room} is booked from {from} to {to} for {meeting}"
    ),
    kernel::msg!("office.calendar.meeting_not_found", "会议不存在", "Meeting not found"),
    kernel::msg!(
        "office.calendar.not_cancellable",
        "只有组织者可以取消未取消的会议",
        "Only the organiser cancels a scheduled meeting"
    ),
    kernel::msg!("office.calendar.feed_unknown", "日历订阅地址无效", "Unknown calendar address"),
    kernel::msg!(
        "office.announcement.title_invalid",
        "标题不能为空，最多 200 个字符",
        "A title of 1 to 200 characters"
    ),
    kernel::msg!("office.announcement.body_invalid", "正文不能为空", "The text is required"),
    kernel::msg!("office.announcement.not_must_read", "该公告不需要确认", "This announcement needs no acknowledgement"),
];
pub use task::TASK_SEARCH;

//! Who may do what in the office module.

use kernel::perm;
use kernel::permission::{Permission, PermissionInfo};

pub const TASK_READ: Permission = Permission("office.task.read");
pub const TASK_WRITE: Permission = Permission("office.task.write");
/// Moving a task from review to done.
pub const TASK_APPROVE: Permission = Permission("office.task.approve");
pub const COMMENT_WRITE: Permission = Permission("office.comment.write");
/// Approval flows, the organisation, anyone's delegations; decides where a step finds nobody.
pub const APPROVAL_MANAGE: Permission = Permission("office.approval.manage");
/// Publishing announcements and seeing who has read them.
pub const ANNOUNCEMENT_PUBLISH: Permission = Permission("office.announcement.publish");
/// Adding and changing meeting rooms.
pub const ROOM_MANAGE: Permission = Permission("office.room.manage");

pub const PERMISSIONS: &[PermissionInfo] = &[
    perm!(TASK_READ, "查看任务", "View tasks"),
    perm!(TASK_WRITE, "创建和推进任务", "Create and move tasks"),
    perm!(TASK_APPROVE, "验收任务", "Approve reviewed tasks"),
    perm!(COMMENT_WRITE, "发表评论", "Write comments"),
    perm!(APPROVAL_MANAGE, "管理审批流和组织架构", "Manage approval flows and the organisation"),
    perm!(ANNOUNCEMENT_PUBLISH, "发布公告", "Publish announcements"),
    perm!(ROOM_MANAGE, "管理会议室", "Manage meeting rooms"),
];

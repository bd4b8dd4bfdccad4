//! Who may see and maintain production data.

use kernel::perm;
use kernel::permission::{Permission, PermissionInfo};

pub const READ: Permission = Permission("production.data.read");
/// Maintain BOMs, work centers and routings (工程数据).
pub const ENGINEER: Permission = Permission("production.data.write");

pub const PERMISSIONS: &[PermissionInfo] = &[
    perm!(READ, "查看物料清单、工作中心与工艺路线", "View BOMs, work centers and routings"),
    perm!(ENGINEER, "维护物料清单、工作中心与工艺路线", "Maintain BOMs, work centers and routings"),
];

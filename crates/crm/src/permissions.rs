//! Who may see and work leads, opportunities and activities, and who configures the pipeline.
//! Under the default sales and CRM roles "own records only" applies: a salesperson sees the
//! leads, opportunities and activities they own.

use kernel::perm;
use kernel::permission::{Permission, PermissionInfo};

pub const READ: Permission = Permission("crm.record.read");
/// Create and work leads, opportunities and activities.
pub const WRITE: Permission = Permission("crm.record.write");
/// Configure the pipeline stages.
pub const SETUP: Permission = Permission("crm.setup.write");

pub const PERMISSIONS: &[PermissionInfo] = &[
    perm!(READ, "查看线索、商机与跟进记录", "View leads, opportunities and activities"),
    perm!(WRITE, "维护线索、商机与跟进记录", "Work leads, opportunities and activities"),
    perm!(SETUP, "配置销售阶段", "Configure the pipeline stages"),
];

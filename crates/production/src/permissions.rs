//! Who may see and maintain production data.

use kernel::perm;
use kernel::permission::{Permission, PermissionInfo};

pub const READ: Permission = Permission("production.data.read");
/// Maintain BOMs, work centers and routings (工程数据).
pub const ENGINEER: Permission = Permission("production.data.write");

/// Make and run work orders: issue materials, report jobs, receive finished goods.
pub const WORK: Permission = Permission("production.order.write");

/// Run MRP, keep planning data and forecasts, confirm planned orders (计划员).
pub const PLAN: Permission = Permission("production.plan.write");

pub const PERMISSIONS: &[PermissionInfo] = &[
    perm!(WORK, "生产工单：领料、报工、完工入库", "Work orders: issue, report jobs, receive"),
    perm!(
        PLAN,
        "物料需求计划：运行、维护预测与计划参数、确认计划订单",
        "MRP: run, forecasts and planning data, confirm planned orders"
    ),
    perm!(READ, "查看物料清单、工作中心与工艺路线", "View BOMs, work centers and routings"),
    perm!(ENGINEER, "维护物料清单、工作中心与工艺路线", "Maintain BOMs, work centers and routings"),
];

//! Who may see stock, move it, count it and change the warehouse set-up.

use kernel::perm;
use kernel::permission::{Permission, PermissionInfo};

pub const STOCK_READ: Permission = Permission("inventory.stock.read");
/// Create, reserve, validate and cancel stock documents.
pub const STOCK_MOVE: Permission = Permission("inventory.stock.move");
/// Stock counts post their variances.
pub const STOCK_COUNT: Permission = Permission("inventory.stock.count");
/// Warehouses, locations, reorder rules, negative-stock allowances.
pub const SETUP: Permission = Permission("inventory.setup.write");
/// Stock values and valuation layers.
pub const VALUATION_READ: Permission = Permission("inventory.valuation.read");

pub const PERMISSIONS: &[PermissionInfo] = &[
    perm!(STOCK_READ, "查看库存", "View stock"),
    perm!(STOCK_MOVE, "办理出入库", "Receive, deliver and transfer stock"),
    perm!(STOCK_COUNT, "盘点", "Count stock"),
    perm!(SETUP, "维护仓库、库位、补货规则", "Maintain warehouses, locations and reorder rules"),
    perm!(VALUATION_READ, "查看存货价值", "View stock values"),
];

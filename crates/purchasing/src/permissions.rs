//! Who may ask for goods, ask suppliers for prices, order, bill and send goods back.

use kernel::perm;
use kernel::permission::{Permission, PermissionInfo};

pub const REQUISITION_WRITE: Permission = Permission("purchasing.requisition.write");
pub const REQUISITION_APPROVE: Permission = Permission("purchasing.requisition.approve");
pub const RFQ_WRITE: Permission = Permission("purchasing.rfq.write");
pub const ORDER_READ: Permission = Permission("purchasing.order.read");
pub const ORDER_WRITE: Permission = Permission("purchasing.order.write");
pub const ORDER_CONFIRM: Permission = Permission("purchasing.order.confirm");
pub const ORDER_CANCEL: Permission = Permission("purchasing.order.cancel");
pub const BILL_READ: Permission = Permission("purchasing.bill.read");
pub const BILL_WRITE: Permission = Permission("purchasing.bill.write");
/// Release a bill that failed the three-way match for payment.
pub const BILL_RELEASE: Permission = Permission("purchasing.bill.release");
pub const RETURN: Permission = Permission("purchasing.return.write");
/// The three-way match tolerances.
pub const SETUP: Permission = Permission("purchasing.setup.write");

pub const PERMISSIONS: &[PermissionInfo] = &[
    perm!(REQUISITION_WRITE, "提交请购单", "Write purchase requisitions"),
    perm!(REQUISITION_APPROVE, "审批请购单", "Approve purchase requisitions"),
    perm!(RFQ_WRITE, "询价与比价", "Request and compare quotations"),
    perm!(ORDER_READ, "查看采购订单", "View purchase orders"),
    perm!(ORDER_WRITE, "编制采购订单", "Write purchase orders"),
    perm!(ORDER_CONFIRM, "确认采购订单", "Confirm purchase orders"),
    perm!(ORDER_CANCEL, "取消采购订单", "Cancel purchase orders"),
    perm!(BILL_READ, "查看供应商发票", "View vendor bills"),
    perm!(BILL_WRITE, "登记供应商发票", "Enter vendor bills"),
    perm!(BILL_RELEASE, "放行三单不符的发票", "Release bills that failed the match"),
    perm!(RETURN, "办理采购退货", "Return goods to suppliers"),
    perm!(SETUP, "设置三单匹配容差", "Set the match tolerances"),
];

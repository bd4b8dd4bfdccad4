//! Who may see the books, prepare, review and post vouchers, and change the chart.

use kernel::perm;
use kernel::permission::{Permission, PermissionInfo};

pub const READ: Permission = Permission("ledger.voucher.read");
/// Prepare vouchers (drafts).
pub const PREPARE: Permission = Permission("ledger.voucher.prepare");
/// Review vouchers prepared by someone else.
pub const REVIEW: Permission = Permission("ledger.voucher.review");
/// Post reviewed vouchers, and reverse posted ones with red ink.
pub const POST: Permission = Permission("ledger.voucher.post");
pub const CHART: Permission = Permission("ledger.account.write");
/// Carry profit and loss forward and close a month.
pub const CLOSE: Permission = Permission("ledger.period.close");
/// Open a closed month again (反结账).
pub const REOPEN: Permission = Permission("ledger.period.reopen");
/// Register receipts from customers and payments to suppliers.
pub const PAYMENT: Permission = Permission("ledger.payment.register");

pub const PERMISSIONS: &[PermissionInfo] = &[
    perm!(READ, "查看凭证与账簿", "View vouchers and books"),
    perm!(PREPARE, "制单", "Prepare vouchers"),
    perm!(REVIEW, "审核凭证", "Review vouchers"),
    perm!(POST, "记账与红字冲销", "Post and reverse vouchers"),
    perm!(CHART, "维护会计科目", "Maintain the chart of accounts"),
    perm!(CLOSE, "结转损益与结账", "Carry P&L forward and close months"),
    perm!(REOPEN, "反结账", "Reopen closed months"),
    perm!(PAYMENT, "登记收款与付款", "Register receipts and payments"),
];

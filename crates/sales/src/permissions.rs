//! Who may quote, sell, deliver against orders, invoice and take goods back.

use kernel::perm;
use kernel::permission::{Permission, PermissionInfo};

pub const ORDER_READ: Permission = Permission("sales.order.read");
/// Write quotations and draft orders, send them.
pub const ORDER_WRITE: Permission = Permission("sales.order.write");
pub const ORDER_CONFIRM: Permission = Permission("sales.order.confirm");
pub const ORDER_CANCEL: Permission = Permission("sales.order.cancel");
/// Confirm an order that takes the customer over the credit limit.
pub const CREDIT_OVERRIDE: Permission = Permission("sales.credit.override");
pub const INVOICE_READ: Permission = Permission("sales.invoice.read");
/// Draft and post invoices and credit notes.
pub const INVOICE_WRITE: Permission = Permission("sales.invoice.write");
/// Take goods back from a customer (RMA).
pub const RETURN: Permission = Permission("sales.return.write");

pub const PERMISSIONS: &[PermissionInfo] = &[
    perm!(ORDER_READ, "查看报价单与销售订单", "View quotations and sales orders"),
    perm!(ORDER_WRITE, "编制报价单与销售订单", "Write quotations and sales orders"),
    perm!(ORDER_CONFIRM, "确认销售订单", "Confirm sales orders"),
    perm!(ORDER_CANCEL, "取消销售订单", "Cancel sales orders"),
    perm!(CREDIT_OVERRIDE, "超信用额度放行", "Release orders over the credit limit"),
    perm!(INVOICE_READ, "查看销售发票", "View sales invoices"),
    perm!(INVOICE_WRITE, "开具销售发票与红字发票", "Issue invoices and credit notes"),
    perm!(RETURN, "办理销售退货", "Take goods back from customers"),
];

//! Who may see and change customers and suppliers, and who sees personal data unmasked.

use kernel::perm;
use kernel::permission::{Permission, PermissionInfo};

pub const CUSTOMER_READ: Permission = Permission("party.customer.read");
pub const CUSTOMER_WRITE: Permission = Permission("party.customer.write");
pub const SUPPLIER_READ: Permission = Permission("party.supplier.read");
pub const SUPPLIER_WRITE: Permission = Permission("party.supplier.write");
/// Phones, emails, ID numbers, bank accounts and detailed addresses in clear; without it they
/// are shown masked (138****1234).
pub const PII_VIEW: Permission = Permission("party.pii.view");
pub const MERGE: Permission = Permission("party.party.merge");
pub const TERM_WRITE: Permission = Permission("party.term.write");

pub const PERMISSIONS: &[PermissionInfo] = &[
    perm!(CUSTOMER_READ, "查看客户", "View customers"),
    perm!(CUSTOMER_WRITE, "维护客户", "Create and edit customers"),
    perm!(SUPPLIER_READ, "查看供应商", "View suppliers"),
    perm!(SUPPLIER_WRITE, "维护供应商", "Create and edit suppliers"),
    perm!(PII_VIEW, "查看个人敏感信息（明文）", "See personal data unmasked"),
    perm!(MERGE, "合并重复的客户/供应商", "Merge duplicate parties"),
    perm!(TERM_WRITE, "维护付款条件", "Manage payment terms"),
];

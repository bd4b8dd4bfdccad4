//! Who may see and maintain products and their reference data.

use kernel::perm;
use kernel::permission::{Permission, PermissionInfo};

pub const PRODUCT_READ: Permission = Permission("product.product.read");
pub const PRODUCT_WRITE: Permission = Permission("product.product.write");
/// Taxes, currencies and rates, units, categories.
pub const SETUP_READ: Permission = Permission("product.setup.read");
pub const SETUP_WRITE: Permission = Permission("product.setup.write");

pub const PERMISSIONS: &[PermissionInfo] = &[
    perm!(PRODUCT_READ, "查看产品", "View products"),
    perm!(PRODUCT_WRITE, "维护产品", "Create and edit products"),
    perm!(SETUP_READ, "查看税率、币种、单位、分类", "View taxes, currencies, units and categories"),
    perm!(SETUP_WRITE, "维护税率、币种、汇率、单位、分类", "Maintain taxes, currencies, rates, units and categories"),
];

//! Permissions are named capabilities (`sales.order.confirm`); roles are data: sets of them.
//!
//! Each module declares its permissions as constants plus a `PERMISSIONS` table with a label
//! in both languages; the server gathers the tables into the registry that the role editor
//! and the default roles use. A service starts with `ctx.require(PERM)?`.

use std::collections::BTreeSet;

use serde::Serialize;

/// A named capability, `module.entity.action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Permission(pub &'static str);

impl Permission {
    pub fn name(&self) -> &'static str {
        self.0
    }

    /// The module that owns it (`sales` for `sales.order.confirm`).
    pub fn module(&self) -> &'static str {
        self.0.split('.').next().unwrap_or(self.0)
    }
}

/// A permission with its description, for the role editor.
#[derive(Clone, Copy, Debug)]
pub struct PermissionInfo {
    pub permission: Permission,
    pub zh: &'static str,
    pub en: &'static str,
}

/// Shorthand for permission tables: `perm!(CONST, "中文", "English")`.
#[macro_export]
macro_rules! perm {
    ($permission:expr, $zh:expr, $en:expr) => {
        $crate::permission::PermissionInfo { permission: $permission, zh: $zh, en: $en }
    };
}

/// The permissions a caller holds in the current company.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PermissionSet {
    /// Shared: every request's principal and context carry the set, and cloning it is a count.
    names: std::sync::Arc<BTreeSet<String>>,
}

impl PermissionSet {
    pub fn new<I, S>(names: I) -> PermissionSet
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        PermissionSet { names: std::sync::Arc::new(names.into_iter().map(Into::into).collect()) }
    }

    pub fn contains(&self, permission: Permission) -> bool {
        self.names.contains(permission.0)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A default role: a code, names, and the patterns of the permissions it holds. A pattern is
/// an exact name, a prefix ending in `.*` (`sales.*`), or `*.read` for every read permission.
#[derive(Clone, Copy, Debug)]
pub struct RoleTemplate {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub patterns: &'static [&'static str],
    /// Whether the role sees only the records it owns where a module has owners
    /// (a salesperson sees own customers).
    pub own_records_only: bool,
}

impl RoleTemplate {
    pub fn matches(&self, permission: Permission) -> bool {
        self.patterns.iter().any(|pattern| pattern_matches(pattern, permission.0))
    }
}

pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('.').collect();
    let name: Vec<&str> = name.split('.').collect();
    segments_match(&pattern, &name)
}

/// `*` stands for one or more whole segments: `sales.*`, `*.read`, `party.*.read`.
fn segments_match(pattern: &[&str], name: &[&str]) -> bool {
    match (pattern.first(), name.first()) {
        (None, None) => true,
        (None, Some(_)) | (Some(_), None) => false,
        (Some(&"*"), Some(_)) => (1..=name.len()).any(|taken| segments_match(&pattern[1..], &name[taken..])),
        (Some(p), Some(n)) => p == n && segments_match(&pattern[1..], &name[1..]),
    }
}

/// The default roles of a new company (ARCHITECTURE §6). Modules add permissions under their
/// prefix; the patterns pick them up without this list changing.
pub const DEFAULT_ROLES: &[RoleTemplate] = &[
    RoleTemplate { code: "admin", zh: "管理员", en: "Administrator", patterns: &["*"], own_records_only: false },
    RoleTemplate {
        code: "sales",
        zh: "销售",
        en: "Sales",
        patterns: &[
            "sales.*",
            "party.*.read",
            "party.pii.view",
            "party.customer.*",
            "product.*.read",
            "inventory.*.read",
            "crm.*",
            "office.task.read",
            "office.task.write",
            "office.comment.*",
        ],
        own_records_only: true,
    },
    RoleTemplate {
        code: "purchasing",
        zh: "采购",
        en: "Purchasing",
        patterns: &[
            "purchasing.*",
            "party.*.read",
            "party.pii.view",
            "party.supplier.*",
            "product.*.read",
            "inventory.*.read",
            "office.task.read",
            "office.task.write",
            "office.comment.*",
        ],
        own_records_only: false,
    },
    RoleTemplate {
        code: "warehouse",
        zh: "仓库",
        en: "Warehouse",
        patterns: &[
            "inventory.*",
            "product.*.read",
            "party.*.read",
            "office.task.read",
            "office.task.write",
            "office.comment.*",
        ],
        own_records_only: false,
    },
    RoleTemplate {
        code: "production",
        zh: "生产",
        en: "Production",
        patterns: &[
            "production.*",
            "inventory.*.read",
            "product.*.read",
            "office.task.read",
            "office.task.write",
            "office.comment.*",
        ],
        own_records_only: false,
    },
    RoleTemplate {
        code: "finance",
        zh: "财务",
        en: "Finance",
        patterns: &[
            "ledger.*",
            "party.*.read",
            "party.pii.view",
            "product.*.read",
            "sales.*.read",
            "purchasing.*.read",
            "office.task.read",
            "office.task.write",
            "office.comment.*",
        ],
        own_records_only: false,
    },
    RoleTemplate { code: "hr", zh: "人事", en: "HR", patterns: &["hr.*", "office.*"], own_records_only: false },
    RoleTemplate {
        code: "crm",
        zh: "客户关系",
        en: "CRM",
        patterns: &[
            "crm.*",
            "marketing.*",
            "party.*.read",
            "party.pii.view",
            "party.customer.*",
            "sales.*.read",
            "office.task.read",
            "office.task.write",
            "office.comment.*",
        ],
        own_records_only: true,
    },
    RoleTemplate {
        code: "support",
        zh: "客服",
        en: "Support",
        patterns: &[
            "support.*",
            "party.*.read",
            "party.pii.view",
            "sales.*.read",
            "product.*.read",
            "office.task.read",
            "office.task.write",
            "office.comment.*",
        ],
        own_records_only: false,
    },
    RoleTemplate { code: "readonly", zh: "只读", en: "Read-only", patterns: &["*.read"], own_records_only: false },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(pattern_matches("sales.*", "sales.order.confirm"));
        assert!(!pattern_matches("sales.*", "salesx.order"));
        assert!(pattern_matches("*.read", "ledger.voucher.read"));
        assert!(pattern_matches("party.*.read", "party.customer.read"));
        assert!(!pattern_matches("party.*.read", "party.customer.write"));
        assert!(pattern_matches("*", "anything"));
        assert!(!pattern_matches("kernel.user.read", "kernel.user.manage"));
    }
}

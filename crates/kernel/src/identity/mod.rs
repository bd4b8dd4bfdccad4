//! Identity and access: companies, users, roles, and how a caller proves who it is (browser
//! sessions, API bearer tokens), with login throttling. Every business row carries the
//! `company_id` of a company defined here.

mod bootstrap;
mod colleague;
mod company;
mod password;
mod principal_cache;
mod role;
mod session;
mod throttle;
mod user;

pub use bootstrap::{Bootstrapped, bootstrap, generate_password};
pub use colleague::{Colleague, lookup_colleagues};
pub use company::{
    Company, CompanyCreated, CompanyUpdate, NewCompany, create_company, get_company, list_companies, update_company,
};
pub use password::{hash_password, verify_password};
pub use principal_cache::{TTL as PRINCIPAL_TTL, security_changed};
pub use role::{
    NewRole, Role, RoleUpdate, create_role, delete_role, get_role, list_roles, load_permissions, update_role,
};
pub use session::{
    ApiToken, Principal, Session, create_session, delete_session, issue_token, new_secret, remembered_session,
    remembered_token, resolve_session, resolve_token, revoke_token, set_session_locale, switch_company, token_hash,
};
pub use throttle::{LoginPolicy, authenticate};
pub use user::{
    NewUser, USER_LIST, User, UserFilter, UserUpdate, add_to_company, create_user, find_user_by_username, get_user,
    list_users, set_active, set_password, set_roles, update_user,
};

crate::define_id!(
    /// A company (法人/公司): the unit of books, stock and numbering.
    CompanyId
);
crate::define_id!(
    /// A person who logs in.
    UserId
);
crate::define_id!(
    /// A named set of permissions within one company.
    RoleId
);

/// The permissions of the kernel's own screens and endpoints.
pub mod permissions {
    use crate::perm;
    use crate::permission::{Permission, PermissionInfo};

    pub const COMPANY_READ: Permission = Permission("kernel.company.read");
    pub const COMPANY_MANAGE: Permission = Permission("kernel.company.manage");
    pub const USER_READ: Permission = Permission("kernel.user.read");
    pub const USER_MANAGE: Permission = Permission("kernel.user.manage");
    pub const ROLE_READ: Permission = Permission("kernel.role.read");
    pub const ROLE_MANAGE: Permission = Permission("kernel.role.manage");
    pub const AUDIT_READ: Permission = Permission("kernel.audit.read");
    pub const OUTBOX_READ: Permission = Permission("kernel.outbox.read");
    pub const OUTBOX_MANAGE: Permission = Permission("kernel.outbox.manage");

    pub const PERMISSIONS: &[PermissionInfo] = &[
        perm!(COMPANY_READ, "查看公司", "View companies"),
        perm!(COMPANY_MANAGE, "管理公司", "Manage companies"),
        perm!(USER_READ, "查看用户", "View users"),
        perm!(USER_MANAGE, "管理用户", "Manage users"),
        perm!(ROLE_READ, "查看角色", "View roles"),
        perm!(ROLE_MANAGE, "管理角色与权限", "Manage roles and permissions"),
        perm!(AUDIT_READ, "查看审计日志", "View the audit log"),
        perm!(OUTBOX_READ, "查看消息发送队列", "View the outbox"),
        perm!(OUTBOX_MANAGE, "重试消息发送", "Retry outbox messages"),
    ];
}

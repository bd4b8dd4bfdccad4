//! Tiangong's kernel (layer 0): what every module stands on.
//!
//! - exact numbers: `Money`, `UnitPrice`, `Quantity`, `Currency` (`money`)
//! - typed UUIDv7 ids and `DocRef` links between documents (`id`)
//! - `Ctx`: actor, company, permissions, clock, language (`ctx`, `clock`, `permission`)
//! - one `Error` with stable codes, translated by `i18n`
//! - storage over SQLite and PostgreSQL with one SQL text per query (`db`)
//! - the in-transaction event `bus`, the transactional `outbox`, the hash-chained `audit` log,
//!   gapless document numbering (`sequence`), cursor pagination (`page`), invariants
//! - identity and access: companies, users, roles, sessions, tokens (`identity`)
//!
//! The kernel imports no other Tiangong crate.

pub mod attachment;
pub mod audit;
pub mod bus;
pub mod clock;
pub mod crypto;
pub mod ctx;
pub mod db;
pub mod error;
pub mod i18n;
pub mod id;
pub mod identity;
pub mod import;
pub mod invariant;
pub mod listing;
pub mod messages;
pub mod money;
pub mod outbox;
pub mod page;
pub mod permission;
pub mod search;
pub mod sequence;
pub mod uscc;

pub use ctx::{Actor, Ctx};
pub use error::{Error, ErrorKind, FieldError, Result};
pub use money::{Currency, Money, Quantity, UnitPrice};
pub use permission::{Permission, PermissionInfo, PermissionSet};

/// The kernel's migrations, applied first.
pub const MIGRATIONS: db::ModuleMigrations = db::ModuleMigrations {
    module: "kernel",
    migrations: &[
        migration!(20261126000100, "identity"),
        migration!(20261126000200, "audit_numbering"),
        migration!(20261126000300, "outbox_idempotency"),
        migration!(20261126000400, "attachment"),
        migration!(20261207000100, "company_details"),
    ],
};

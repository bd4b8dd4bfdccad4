//! `Ctx`: who is acting, for which company, with which permissions, at what time, in which
//! language. Every service takes one; every query is scoped by `ctx.company()`.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::clock::{Clock, SystemClock, format_timestamp};
use crate::i18n::Locale;
use crate::identity::{CompanyId, UserId};
use crate::permission::{Permission, PermissionSet};
use crate::{Error, Result};

/// Who performs an operation: a person, or the system itself (workers, reactions, migrations),
/// which the audit log records as such.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    User(UserId),
    System,
}

impl Actor {
    /// The value stored in `created_by` and the audit log.
    pub fn label(&self) -> String {
        match self {
            Actor::User(id) => id.to_string(),
            Actor::System => "system".to_string(),
        }
    }

    pub fn user(&self) -> Option<UserId> {
        match self {
            Actor::User(id) => Some(*id),
            Actor::System => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Ctx {
    actor: Actor,
    company: CompanyId,
    permissions: Arc<PermissionSet>,
    /// Whether the caller's roles restrict it to records it owns (see `RoleTemplate`).
    own_records_only: bool,
    clock: Arc<dyn Clock>,
    locale: Locale,
}

impl Ctx {
    pub fn new(actor: Actor, company: CompanyId, permissions: PermissionSet) -> Ctx {
        Ctx {
            actor,
            company,
            permissions: Arc::new(permissions),
            own_records_only: false,
            clock: Arc::new(SystemClock),
            locale: Locale::default(),
        }
    }

    /// The system acting for a company with every permission (reactions, workers, CLI).
    pub fn system(company: CompanyId, all: PermissionSet) -> Ctx {
        Ctx::new(Actor::System, company, all)
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Ctx {
        self.clock = clock;
        self
    }

    pub fn with_locale(mut self, locale: Locale) -> Ctx {
        self.locale = locale;
        self
    }

    pub fn with_own_records_only(mut self, own_only: bool) -> Ctx {
        self.own_records_only = own_only;
        self
    }

    /// The same caller acting in another company (used right after creating a company).
    pub fn for_company(&self, company: CompanyId, permissions: PermissionSet) -> Ctx {
        Ctx { company, permissions: Arc::new(permissions), ..self.clone() }
    }

    /// The same caller also holding `granted`, for a step that a permission it does hold
    /// already covers (confirming a sales order creates its delivery without the salesperson
    /// holding the warehouse's permission to move stock).
    pub fn with_granted(&self, granted: &[Permission]) -> Ctx {
        if granted.iter().all(|p| self.may(*p)) {
            return self.clone();
        }
        let names = self.permissions.iter().map(str::to_string).chain(granted.iter().map(|p| p.0.to_string()));
        Ctx { permissions: Arc::new(PermissionSet::new(names)), ..self.clone() }
    }

    pub fn actor(&self) -> Actor {
        self.actor
    }

    pub fn company(&self) -> CompanyId {
        self.company
    }

    pub fn permissions(&self) -> &PermissionSet {
        &self.permissions
    }

    pub fn own_records_only(&self) -> bool {
        self.own_records_only
    }

    pub fn locale(&self) -> Locale {
        self.locale
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// `now()` in storage form.
    pub fn now_text(&self) -> String {
        format_timestamp(self.clock.now())
    }

    /// Today's date in China (business dates are Beijing dates).
    pub fn today(&self) -> time::Date {
        crate::clock::china_date(self.clock.now())
    }

    pub fn may(&self, permission: Permission) -> bool {
        self.actor == Actor::System || self.permissions.contains(permission)
    }

    /// The first line of every service: deny unless the permission is held.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(Error::forbidden("auth.permission_denied").with_param("permission", permission.0))
        }
    }
}

//! A short memory of who stands behind a bearer token or a session cookie.
//!
//! Without it every API request opens a read transaction and reads the token or session, the
//! user, the membership and the role permissions (about 200 rows for an administrator) before
//! doing its work. A busy integration sends many requests a second with the same token, so the
//! answer is kept here:
//!
//! - an entry lives at most [`TTL`] and never past the credential's own expiry;
//! - any change to identity made through this process (roles and their permissions, a user's
//!   roles, active flag, password or language, sessions, tokens, memberships) forgets every
//!   entry at once ([`security_changed`]), so on one server a change counts from the next
//!   request, as without the memory; and since the change is only committed a moment later,
//!   nothing is remembered for [`TTL`] after it (a request reading meanwhile would still see
//!   the old rows);
//! - another app server sharing the database forgets its entries after [`TTL`]: a revoked
//!   token, a deactivated user or a withdrawn permission holds everywhere within two seconds.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use super::Principal;

/// How long a resolved credential is trusted without reading the database again.
pub const TTL: Duration = Duration::from_secs(2);

/// Entries kept at most; past it the memory starts afresh (a burst of one-off credentials).
const CAPACITY: usize = 10_000;

static EPOCH: AtomicU64 = AtomicU64::new(0);
static LAST_CHANGE: Mutex<Option<Instant>> = Mutex::new(None);
static ENTRIES: LazyLock<Mutex<HashMap<String, Entry>>> = LazyLock::new(Default::default);

struct Entry {
    epoch: u64,
    stored: Instant,
    /// The credential's expiry, as stored (`format_timestamp`), compared with the caller's clock.
    expires_at: String,
    principal: Principal,
}

/// Forgets every remembered credential: call it in any write that changes who may do what.
pub fn security_changed() {
    EPOCH.fetch_add(1, Ordering::SeqCst);
    *LAST_CHANGE.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    ENTRIES.lock().unwrap_or_else(|p| p.into_inner()).clear();
}

/// The key a credential is remembered under: its kind and the hash of its secret.
pub(super) fn key(kind: &str, secret_hash: &str) -> String {
    format!("{kind}:{secret_hash}")
}

/// The current epoch: read it before reading the database, and hand it to [`remember`].
pub(super) fn epoch() -> u64 {
    EPOCH.load(Ordering::SeqCst)
}

/// The principal remembered under `key`, if still fresh and unexpired at `now`.
pub(super) fn recall(key: &str, now: &str) -> Option<Principal> {
    let entries = ENTRIES.lock().unwrap_or_else(|p| p.into_inner());
    let entry = entries.get(key)?;
    let fresh = entry.epoch == epoch() && entry.stored.elapsed() < TTL && entry.expires_at.as_str() >= now;
    fresh.then(|| entry.principal.clone())
}

/// Remembers a principal read while the epoch was `read_at`; nothing if identity changed since,
/// or changed less than [`TTL`] ago (the change may not have been committed when it was read).
pub(super) fn remember(key: String, read_at: u64, expires_at: String, principal: &Principal) {
    let changed_lately = LAST_CHANGE.lock().unwrap_or_else(|p| p.into_inner()).is_some_and(|at| at.elapsed() < TTL);
    let mut entries = ENTRIES.lock().unwrap_or_else(|p| p.into_inner());
    if changed_lately || read_at != epoch() {
        return;
    }
    if entries.len() >= CAPACITY {
        entries.clear();
    }
    entries.insert(key, Entry { epoch: read_at, stored: Instant::now(), expires_at, principal: principal.clone() });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{CompanyId, UserId};

    fn someone() -> Principal {
        Principal {
            user: UserId::new(),
            username: "someone".into(),
            display_name: "Someone".into(),
            company: CompanyId::new(),
            permissions: Default::default(),
            own_records_only: false,
            locale: Default::default(),
            csrf_token: None,
            session_id: None,
        }
    }

    #[test]
    fn a_change_forgets_everything_and_nothing_read_around_it_is_remembered() {
        let far = "9999-12-31T00:00:00.000000Z";
        let read_at = epoch();
        security_changed();
        // Read before the change, stored after it: refused.
        remember(key("token", "a"), read_at, far.into(), &someone());
        assert!(recall(&key("token", "a"), "2026-01-01T00:00:00.000000Z").is_none());
        // Read after the change but while it may still be uncommitted: refused as well.
        remember(key("token", "b"), epoch(), far.into(), &someone());
        assert!(recall(&key("token", "b"), "2026-01-01T00:00:00.000000Z").is_none());
    }
}

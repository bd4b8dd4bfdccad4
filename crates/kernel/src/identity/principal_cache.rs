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
//!   request, as without the memory;
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
    ENTRIES.lock().unwrap_or_else(|p| p.into_inner()).clear();
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

/// Remembers a principal read while the epoch was `read_at`; nothing if identity changed since.
pub(super) fn remember(key: String, read_at: u64, expires_at: String, principal: &Principal) {
    let mut entries = ENTRIES.lock().unwrap_or_else(|p| p.into_inner());
    if read_at != epoch() {
        return;
    }
    if entries.len() >= CAPACITY {
        entries.clear();
    }
    entries.insert(key, Entry { epoch: read_at, stored: Instant::now(), expires_at, principal: principal.clone() });
}

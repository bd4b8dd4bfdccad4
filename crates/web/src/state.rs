//! What every request handler can reach: the database, the message catalogue, the permission
//! registry, the clock and the settings. Business work runs on blocking threads (the storage
//! layer is synchronous), never on the async workers.

use std::sync::Arc;

use kernel::clock::Clock;
use kernel::db::{Db, Tx};
use kernel::i18n::Catalog;
use kernel::identity::{LoginPolicy, Principal};
use kernel::{Ctx, Error, PermissionInfo, Result};

use crate::metrics::Metrics;
use crate::problem::ApiError;

/// Settings of the HTTP face, from `tiangong.toml` / environment.
#[derive(Clone, Debug)]
pub struct WebSettings {
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// How long a browser session lives without logging in again.
    pub session_ttl: time::Duration,
    /// How long an API token from `POST /api/v1/auth/token` is valid.
    pub token_ttl: time::Duration,
    /// Mark cookies `Secure` (set when served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// The addresses (networks) that may read `/metrics`; loopback by default.
    pub metrics_allow: Vec<ipnet::IpNet>,
}

/// Loopback, IPv4 and IPv6: who may read `/metrics` unless configured otherwise.
pub fn loopback_networks() -> Vec<ipnet::IpNet> {
    ["127.0.0.0/8", "::1/128"].iter().filter_map(|n| n.parse().ok()).collect()
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            max_body_bytes: 2 * 1024 * 1024,
            session_ttl: time::Duration::hours(12),
            token_ttl: time::Duration::days(30),
            secure_cookies: false,
            metrics_allow: loopback_networks(),
        }
    }
}

/// Makes the demo company (the binary's `demo` module, which the web client cannot name): its
/// code, to tell whether it exists, and the function that creates it and says what it made.
#[derive(Clone)]
pub struct DemoMaker {
    pub code: &'static str,
    #[allow(clippy::type_complexity)]
    pub create: Arc<dyn Fn(&AppState) -> Result<String> + Send + Sync>,
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub catalog: Arc<Catalog>,
    /// Every permission the build knows, for roles and the permission matrix.
    pub permissions: Arc<Vec<PermissionInfo>>,
    pub clock: Arc<dyn Clock>,
    pub login_policy: LoginPolicy,
    pub settings: WebSettings,
    pub metrics: Arc<Metrics>,
    /// Where attachments are stored and how large they may be.
    pub attachments: kernel::attachment::AttachmentStore,
    /// The keys that protect personal data.
    pub keys: Arc<kernel::crypto::KeySource>,
    /// The first-start home's "create the demo company" button, where the build has one.
    pub demo: Option<DemoMaker>,
}

impl AppState {
    /// The caller's context, with the application clock.
    pub fn ctx(&self, principal: &Principal) -> Ctx {
        principal.ctx().with_clock(self.clock.clone())
    }

    /// Runs blocking work off the async workers.
    pub async fn blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&AppState) -> Result<T> + Send + 'static,
    {
        let state = self.clone();
        tokio::task::spawn_blocking(move || work(&state))
            .await
            .map_err(|e| ApiError::from(Error::internal(e.to_string())))?
            .map_err(ApiError::from)
    }

    /// Runs `work` in a read-only transaction as the caller.
    pub async fn read<T, F>(&self, principal: &Principal, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>, &Ctx) -> Result<T> + Send + 'static,
    {
        let ctx = self.ctx(principal);
        self.blocking(move |state| state.db.read(|tx| work(tx, &ctx))).await
    }

    /// Runs `work` in one read-write transaction as the caller. On SQLite, requests writing at
    /// the same moment share a commit (`Db::write_queued`), so `work` may run twice and must
    /// not touch anything outside the database.
    pub async fn write<T, F>(&self, principal: &Principal, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: Fn(&mut Tx<'_>, &Ctx, &AppState) -> Result<T> + Send + 'static,
    {
        let ctx = self.ctx(principal);
        self.blocking(move |state| {
            let owned = state.clone();
            state.db.write_queued(move |tx| work(tx, &ctx, &owned))
        })
        .await
    }

    /// `write`, then `answer` in a read-only transaction after the commit: the document's view
    /// (its lines, names, allowed actions) is read off the one writer, while the next writes
    /// go on. `work` returns what `answer` needs to find the document.
    pub async fn write_then_read<K, T, W, R>(&self, principal: &Principal, work: W, answer: R) -> Result<T, ApiError>
    where
        K: Send + 'static,
        T: Send + 'static,
        W: Fn(&mut Tx<'_>, &Ctx, &AppState) -> Result<K> + Send + 'static,
        R: FnOnce(&mut Tx<'_>, &Ctx, K) -> Result<T> + Send + 'static,
    {
        let ctx = self.ctx(principal);
        self.blocking(move |state| {
            let (owned, writer_ctx) = (state.clone(), ctx.clone());
            let key = state.db.write_queued(move |tx| work(tx, &writer_ctx, &owned))?;
            state.db.read(|tx| answer(tx, &ctx, key))
        })
        .await
    }
}

//! How a caller proves who it is: browser sessions (an opaque cookie) and API bearer tokens.
//! Only SHA-256 hashes of the secrets are stored, so a copy of the database opens no door.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::Duration;

use super::principal_cache;
use super::role::load_permissions;
use super::{CompanyId, UserId};
use crate::clock::format_timestamp;
use crate::ctx::{Actor, Ctx};
use crate::db::Tx;
use crate::i18n::Locale;
use crate::id::Uuid;
use crate::permission::PermissionSet;
use crate::{Error, Result};

/// A resolved caller: the user, the current company and what the user may do there.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: UserId,
    pub username: String,
    pub display_name: String,
    pub company: CompanyId,
    pub permissions: PermissionSet,
    pub own_records_only: bool,
    pub locale: Locale,
    /// For browser sessions: the token that every form must echo (CSRF protection).
    pub csrf_token: Option<String>,
    /// For browser sessions: the hash that identifies the session row.
    pub session_id: Option<String>,
}

impl Principal {
    pub fn ctx(&self) -> Ctx {
        Ctx::new(Actor::User(self.user), self.company, self.permissions.clone())
            .with_locale(self.locale)
            .with_own_records_only(self.own_records_only)
    }
}

/// A fresh random secret, URL-safe (sessions, API tokens, calendar feed addresses).
pub fn new_secret() -> String {
    let mut bytes = [0_u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a secret.
pub fn token_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new browser session: the cookie value (secret) and its CSRF token.
#[derive(Clone, Debug)]
pub struct Session {
    pub secret: String,
    pub csrf_token: String,
}

fn is_member(tx: &mut Tx<'_>, user: UserId, company: CompanyId) -> Result<bool> {
    let n: i64 =
        tx.scalar("select count(*) from kernel_membership where user_id = $1 and company_id = $2", &[&user, &company])?;
    Ok(n > 0)
}

/// The company a user lands in: the default one if still a member, else the first.
fn landing_company(tx: &mut Tx<'_>, user: UserId) -> Result<CompanyId> {
    let row = tx.query_opt(
        "select m.company_id from kernel_membership m join kernel_user u on u.id = m.user_id
         where m.user_id = $1
         order by case when m.company_id = u.default_company_id then 0 else 1 end, m.created_at limit 1",
        &[&user],
    )?;
    row.ok_or_else(|| Error::forbidden("auth.no_company"))?.get(0)
}

/// Starts a session for a user who has just proved the password. A new secret every time,
/// so a session id planted before login is worthless (session fixation).
pub fn create_session(tx: &mut Tx<'_>, ctx_clock: &Ctx, user: UserId, ttl: Duration) -> Result<Session> {
    let company = landing_company(tx, user)?;
    let secret = new_secret();
    let csrf_token = new_secret();
    let now = ctx_clock.now();
    let locale: String = tx.scalar("select locale from kernel_user where id = $1", &[&user])?;
    tx.execute(
        "insert into kernel_session (id, user_id, company_id, csrf_token, locale, created_at, expires_at, last_seen_at)
         values ($1, $2, $3, $4, $5, $6, $7, $6)",
        &[
            &token_hash(&secret),
            &user,
            &company,
            &csrf_token,
            &locale,
            &format_timestamp(now),
            &format_timestamp(now + ttl),
        ],
    )?;
    Ok(Session { secret, csrf_token })
}

/// Ends a session on the server side (logout): the cookie becomes worthless at once.
pub fn delete_session(tx: &mut Tx<'_>, secret_hash: &str) -> Result<()> {
    tx.execute("delete from kernel_session where id = $1", &[&secret_hash])?;
    principal_cache::security_changed();
    Ok(())
}

/// Moves a session to another company the user belongs to.
pub fn switch_company(tx: &mut Tx<'_>, secret_hash: &str, user: UserId, company: CompanyId) -> Result<()> {
    if !is_member(tx, user, company)? {
        return Err(Error::not_found("kernel.company.not_found"));
    }
    tx.execute(
        "update kernel_session set company_id = $1 where id = $2 and user_id = $3",
        &[&company, &secret_hash, &user],
    )?;
    tx.execute("update kernel_user set default_company_id = $1 where id = $2", &[&company, &user])?;
    principal_cache::security_changed();
    Ok(())
}

fn principal(
    tx: &mut Tx<'_>,
    user: UserId,
    company: CompanyId,
    username: String,
    display_name: String,
    locale: &str,
    scopes: Option<String>,
) -> Result<Principal> {
    let (mut permissions, own_records_only) = load_permissions(tx, user, company)?;
    if let Some(scopes) = scopes.filter(|s| !s.trim().is_empty()) {
        // A scoped token holds at most the listed permissions.
        let allowed: Vec<&str> = scopes.split_whitespace().collect();
        permissions = PermissionSet::new(permissions.iter().filter(|p| allowed.contains(p)).map(str::to_string));
    }
    Ok(Principal {
        user,
        username,
        display_name,
        company,
        permissions,
        own_records_only,
        locale: Locale::parse(locale).unwrap_or_default(),
        csrf_token: None,
        session_id: None,
    })
}

/// The caller behind a session cookie, if the session is alive and the user active.
pub fn resolve_session(tx: &mut Tx<'_>, now: time::OffsetDateTime, secret: &str) -> Result<Option<Principal>> {
    let id = token_hash(secret);
    let now_text = format_timestamp(now);
    let read_at = principal_cache::epoch();
    let row = tx.query_opt(
        "select s.user_id, s.company_id, s.csrf_token, s.expires_at, u.username, u.display_name, s.locale
         from kernel_session s
         join kernel_user u on u.id = s.user_id and u.active = 1
         join kernel_membership m on m.user_id = s.user_id and m.company_id = s.company_id
         where s.id = $1",
        &[&id],
    )?;
    let Some(row) = row else { return Ok(None) };
    let expires_at: String = row.get(3)?;
    if expires_at < now_text {
        return Ok(None);
    }
    let locale: String = row.get(6)?;
    let mut found = principal(tx, row.get(0)?, row.get(1)?, row.get(4)?, row.get(5)?, &locale, None)?;
    found.csrf_token = Some(row.get(2)?);
    let key = principal_cache::key("session", &id);
    found.session_id = Some(id);
    principal_cache::remember(key, read_at, expires_at, &found);
    Ok(Some(found))
}

/// Sets the session's language (the user menu's language switch).
pub fn set_session_locale(tx: &mut Tx<'_>, secret_hash: &str, locale: Locale) -> Result<()> {
    tx.execute("update kernel_session set locale = $1 where id = $2", &[&locale.tag(), &secret_hash])?;
    principal_cache::security_changed();
    Ok(())
}

/// An issued API token; the secret is shown once and never stored.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub token: String,
    pub expires_at: String,
}

/// Issues a bearer token for the user in `company` (or the user's landing company).
pub fn issue_token(
    tx: &mut Tx<'_>,
    ctx_clock: &Ctx,
    user: UserId,
    company: Option<CompanyId>,
    name: &str,
    ttl: Duration,
) -> Result<ApiToken> {
    let company = match company {
        Some(company) if is_member(tx, user, company)? => company,
        Some(_) => return Err(Error::field("company", "kernel.company.not_found")),
        None => landing_company(tx, user)?,
    };
    let secret = format!("tg_{}", new_secret());
    let now = ctx_clock.now();
    let expires_at = format_timestamp(now + ttl);
    tx.execute(
        "insert into kernel_api_token (id, token_hash, user_id, company_id, name, scopes, created_at, expires_at, revoked)
         values ($1, $2, $3, $4, $5, null, $6, $7, 0)",
        &[&Uuid::now_v7(), &token_hash(&secret), &user, &company, &name, &format_timestamp(now), &expires_at],
    )?;
    Ok(ApiToken { token: secret, expires_at })
}

/// The caller behind a bearer token as remembered a moment ago, without reading the database
/// (see `principal_cache`); `None` means "resolve it" (`resolve_token` remembers the answer).
pub fn remembered_token(now: time::OffsetDateTime, secret: &str) -> Option<Principal> {
    principal_cache::recall(&principal_cache::key("token", &token_hash(secret)), &format_timestamp(now))
}

/// The caller behind a session cookie as remembered a moment ago; `None` means "resolve it".
pub fn remembered_session(now: time::OffsetDateTime, secret: &str) -> Option<Principal> {
    principal_cache::recall(&principal_cache::key("session", &token_hash(secret)), &format_timestamp(now))
}

/// The caller behind a bearer token, if valid, unexpired, unrevoked and the user active.
pub fn resolve_token(tx: &mut Tx<'_>, now: time::OffsetDateTime, secret: &str) -> Result<Option<Principal>> {
    let hash = token_hash(secret);
    let now_text = format_timestamp(now);
    let read_at = principal_cache::epoch();
    let row = tx.query_opt(
        "select t.user_id, t.company_id, t.scopes, t.expires_at, u.username, u.display_name, u.locale
         from kernel_api_token t
         join kernel_user u on u.id = t.user_id and u.active = 1
         join kernel_membership m on m.user_id = t.user_id and m.company_id = t.company_id
         where t.token_hash = $1 and t.revoked = 0",
        &[&hash],
    )?;
    let Some(row) = row else { return Ok(None) };
    let expires_at: String = row.get(3)?;
    if expires_at < now_text {
        return Ok(None);
    }
    let locale: String = row.get(6)?;
    let found = principal(tx, row.get(0)?, row.get(1)?, row.get(4)?, row.get(5)?, &locale, row.get(2)?)?;
    principal_cache::remember(principal_cache::key("token", &hash), read_at, expires_at, &found);
    Ok(Some(found))
}

/// Revokes a token by its secret (the caller's own logout from the API).
pub fn revoke_token(tx: &mut Tx<'_>, secret: &str) -> Result<()> {
    tx.execute("update kernel_api_token set revoked = 1 where token_hash = $1", &[&token_hash(secret)])?;
    principal_cache::security_changed();
    Ok(())
}

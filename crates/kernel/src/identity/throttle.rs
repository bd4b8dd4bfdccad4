//! Password login with throttling: after 5 failed attempts for one username within 15
//! minutes, further attempts are refused with 429 until the oldest of them ages out; one
//! address failing 50 times in the window is refused likewise. Failures are kept in the
//! database, so the limit holds across all app servers.

use time::Duration;

use super::UserId;
use super::password::{decoy_hash, verify_password};
use super::user::find_user_by_username;
use crate::clock::{Clock, format_timestamp};
use crate::db::Db;
use crate::id::Uuid;
use crate::{Error, ErrorKind, Result};

#[derive(Clone, Debug)]
pub struct LoginPolicy {
    pub window: Duration,
    pub max_failures_per_user: i64,
    pub max_failures_per_address: i64,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        LoginPolicy { window: Duration::minutes(15), max_failures_per_user: 5, max_failures_per_address: 50 }
    }
}

/// Checks a username and password. Throttled attempts never reach the password check.
pub fn authenticate(
    db: &Db,
    clock: &dyn Clock,
    policy: &LoginPolicy,
    username: &str,
    password: &str,
    address: &str,
) -> Result<UserId> {
    let username = username.trim().to_ascii_lowercase();
    let now = clock.now();
    let since = format_timestamp(now - policy.window);
    let (user_failures, oldest, address_failures) = db.read(|tx| {
        let row = tx.query_one(
            "select count(*), min(at) from (select at from kernel_login_failure where username = $1 and at > $2 order by at desc limit $3) recent",
            &[&username, &since, &policy.max_failures_per_user],
        )?;
        let by_address: i64 =
            tx.scalar("select count(*) from kernel_login_failure where address = $1 and at > $2", &[&address, &since])?;
        Ok((row.get::<i64>(0)?, row.get::<Option<String>>(1)?, by_address))
    })?;
    if user_failures >= policy.max_failures_per_user || address_failures >= policy.max_failures_per_address {
        let retry_after = oldest
            .and_then(|at| crate::clock::parse_timestamp(&at).ok())
            .map(|at| (at + policy.window - now).whole_seconds().max(1))
            .unwrap_or(policy.window.whole_seconds());
        tracing::warn!(%username, %address, user_failures, address_failures, "login throttled");
        return Err(
            Error::new(ErrorKind::TooManyRequests, "auth.login.throttled").with_param("retry_after", retry_after)
        );
    }
    let found = db.read(|tx| find_user_by_username(tx, &username))?;
    let accepted = match &found {
        Some((id, hash, active)) => verify_password(password, hash).then_some((*id, *active)),
        None => {
            verify_password(password, decoy_hash());
            None
        }
    };
    match accepted {
        Some((id, true)) => Ok(id),
        Some((_, false)) => Err(Error::unauthenticated("auth.login.inactive")),
        None => {
            db.write(|tx| {
                tx.execute(
                    "insert into kernel_login_failure (id, username, address, at) values ($1, $2, $3, $4)",
                    &[&Uuid::now_v7(), &username, &address, &format_timestamp(now)],
                )?;
                Ok(())
            })?;
            tracing::info!(%username, %address, "login failed");
            Err(Error::unauthenticated("auth.login.invalid"))
        }
    }
}

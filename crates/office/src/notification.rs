//! Notifications: what a user should look at (mentioned in a comment, assigned a task). Shown
//! in the notification area of the web client.

use kernel::db::{Row, Tx};
use kernel::id::Uuid;
use kernel::identity::UserId;
use kernel::{Ctx, Error, Result};
use serde::Serialize;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: String,
    pub title: String,
    pub link: String,
    pub read: bool,
    pub created_at: String,
}

/// Notifies `user` in the caller's company.
pub fn notify(tx: &mut Tx<'_>, ctx: &Ctx, user: UserId, title: &str, link: &str) -> Result<()> {
    tx.execute(
        "insert into office_notification (id, company_id, user_id, title, link, created_at) values ($1, $2, $3, $4, $5, $6)",
        &[&Uuid::now_v7(), &ctx.company(), &user, &title, &link, &ctx.now_text()],
    )?;
    Ok(())
}

fn from_row(row: &Row) -> Result<Notification> {
    Ok(Notification {
        id: row.get(0)?,
        title: row.get(1)?,
        link: row.get(2)?,
        read: row.get::<Option<String>>(3)?.is_some(),
        created_at: row.get(4)?,
    })
}

/// The caller's latest notifications, unread first.
pub fn list_notifications(tx: &mut Tx<'_>, ctx: &Ctx, limit: i64) -> Result<Vec<Notification>> {
    let Some(user) = ctx.actor().user() else { return Ok(Vec::new()) };
    tx.query(
        "select id, title, link, read_at, created_at from office_notification
         where user_id = $1 and company_id = $2
         order by case when read_at is null then 0 else 1 end, created_at desc limit $3",
        &[&user, &ctx.company(), &limit],
    )?
    .iter()
    .map(from_row)
    .collect()
}

pub fn unread_count(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<i64> {
    let Some(user) = ctx.actor().user() else { return Ok(0) };
    tx.scalar(
        "select count(*) from office_notification where user_id = $1 and company_id = $2 and read_at is null",
        &[&user, &ctx.company()],
    )
}

/// Marks one of the caller's notifications read; returns its link.
pub fn mark_read(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<String> {
    let user = ctx.actor().user().ok_or_else(|| Error::not_found("office.notification.not_found"))?;
    let link: String = tx
        .query_opt(
            "select link from office_notification where id = $1 and user_id = $2 and company_id = $3",
            &[&id, &user, &ctx.company()],
        )?
        .ok_or_else(|| Error::not_found("office.notification.not_found"))?
        .get(0)?;
    tx.execute(
        "update office_notification set read_at = $1 where id = $2 and read_at is null",
        &[&ctx.now_text(), &id],
    )?;
    Ok(link)
}

//! Announcements (公告): published to everyone, a department (and the departments under it) or
//! a role. Each addressee gets a receipt row when it is published (one insert for the whole
//! audience), so "my announcements" is one indexed read and the publisher sees who has read it
//! and, for a must-read one (必读), who has acknowledged it.

use kernel::db::Tx;
use kernel::id::Uuid;
use kernel::identity::UserId;
use kernel::{Ctx, Error, Result, audit};
use serde::{Deserialize, Serialize};

use crate::notification::notify;
use crate::permissions::ANNOUNCEMENT_PUBLISH;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    All,
    Department,
    Role,
}

impl Audience {
    pub fn code(self) -> &'static str {
        match self {
            Audience::All => "all",
            Audience::Department => "department",
            Audience::Role => "role",
        }
    }

    pub fn parse(code: &str) -> Option<Audience> {
        [Audience::All, Audience::Department, Audience::Role].into_iter().find(|a| a.code() == code)
    }
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "春节放假通知", "body": "2月10日至2月17日放假，2月18日上班。", "audience": "all", "must_read": true}))]
pub struct AnnouncementInput {
    pub title: String,
    pub body: String,
    pub audience: Audience,
    /// The department's or role's code (not for everyone).
    #[serde(default)]
    pub audience_code: String,
    #[serde(default)]
    pub must_read: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Announcement {
    pub id: String,
    pub title: String,
    pub body: String,
    pub audience: String,
    pub audience_code: String,
    pub must_read: bool,
    pub author: String,
    pub published_at: String,
    /// The caller's receipt: when they read it and acknowledged it.
    pub read_at: Option<String>,
    pub acknowledged_at: Option<String>,
}

/// Who has read an announcement (for its publisher).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Receipts {
    pub addressed: i64,
    pub read: i64,
    pub acknowledged: i64,
    /// Logins of those who have not read it yet (the first 200).
    pub unread: Vec<String>,
}

/// Publishes an announcement and tells each addressee.
pub fn publish(tx: &mut Tx<'_>, ctx: &Ctx, input: &AnnouncementInput) -> Result<Announcement> {
    ctx.require(ANNOUNCEMENT_PUBLISH)?;
    let author = ctx.actor().user().ok_or_else(|| Error::forbidden("auth.forbidden"))?;
    let (title, body, code) = (input.title.trim(), input.body.trim(), input.audience_code.trim());
    if title.is_empty() || title.chars().count() > 200 {
        return Err(Error::field("title", "office.announcement.title_invalid"));
    }
    if body.is_empty() {
        return Err(Error::field("body", "office.announcement.body_invalid"));
    }
    // The members addressed, as a query the receipts are inserted from.
    let (members, by_code): (&str, bool) = match input.audience {
        Audience::All => (
            "select m.user_id from kernel_membership m join kernel_user u on u.id = m.user_id
                 where m.company_id = $1 and u.active = 1",
            false,
        ),
        Audience::Department => {
            if !crate::org::department_exists(tx, ctx, code)? {
                return Err(Error::field("audience_code", "office.org.department_unknown").with_param("code", code));
            }
            (
                "with recursive tree (id) as (
                  select id from office_department where company_id = $1 and code = $3
                  union all
                  select d.id from office_department d join tree t on d.parent_id = t.id
              )
              select m.user_id from office_member m join kernel_user u on u.id = m.user_id
              where m.company_id = $1 and u.active = 1 and m.department_id in (select id from tree)",
                true,
            )
        }
        Audience::Role => {
            let known: i64 = tx.scalar(
                "select count(*) from kernel_role where company_id = $1 and code = $2",
                &[&ctx.company(), &code],
            )?;
            if known == 0 {
                return Err(Error::field("audience_code", "office.flow.role_unknown").with_param("role", code));
            }
            (
                "select distinct ur.user_id from kernel_user_role ur join kernel_role r on r.id = ur.role_id
              join kernel_user u on u.id = ur.user_id
              where ur.company_id = $1 and r.code = $3 and u.active = 1",
                true,
            )
        }
    };
    let id = Uuid::now_v7().to_string();
    let now = ctx.now_text();
    tx.execute(
        "insert into office_announcement (id, company_id, title, body, audience, audience_code, must_read, addressed, author_id, published_at)
         values ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)",
        &[&id, &ctx.company(), &title, &body, &input.audience.code(), &code, &input.must_read, &author, &now],
    )?;
    let sql = format!(
        "insert into office_announcement_receipt (announcement_id, company_id, user_id)
         select $2, $1, a.user_id from ({members}) a"
    );
    let company = ctx.company();
    let mut params: Vec<&dyn kernel::db::ToValue> = vec![&company, &id];
    if by_code {
        params.push(&code);
    }
    let addressed = tx.execute(&sql, &params)?;
    tx.execute("update office_announcement set addressed = $1 where id = $2", &[&(addressed as i64), &id])?;
    // In-app notifications for up to a few hundred; a larger audience finds it on the page.
    let notified: Vec<UserId> = tx
        .query(
            "select user_id from office_announcement_receipt where announcement_id = $1 and user_id <> $2 limit 500",
            &[&id, &author],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect::<std::result::Result<_, _>>()?;
    let prefix = if input.must_read { "必读公告" } else { "公告" };
    for user in notified {
        notify(tx, ctx, user, &format!("{prefix} {title}"), &format!("/office/announcements/{id}"))?;
    }
    audit::record(
        tx,
        ctx,
        "office.announcement.publish",
        "office.announcement",
        &id,
        serde_json::json!({"audience": input.audience.code(), "code": code, "addressed": addressed, "must_read": input.must_read}),
    )?;
    get(tx, ctx, &id)
}

const SELECT: &str =
    "select a.id, a.title, a.body, a.audience, a.audience_code, a.must_read, u.display_name, a.published_at,
        r.read_at, r.acknowledged_at
     from office_announcement a join kernel_user u on u.id = a.author_id";

fn from_row(r: &kernel::db::Row) -> Result<Announcement> {
    Ok(Announcement {
        id: r.get(0)?,
        title: r.get(1)?,
        body: r.get(2)?,
        audience: r.get(3)?,
        audience_code: r.get(4)?,
        must_read: r.get(5)?,
        author: r.get(6)?,
        published_at: r.get(7)?,
        read_at: r.get(8)?,
        acknowledged_at: r.get(9)?,
    })
}

/// The caller's announcements, newest first (those addressed to them).
pub fn mine(tx: &mut Tx<'_>, ctx: &Ctx, limit: u32) -> Result<Vec<Announcement>> {
    let Some(user) = ctx.actor().user() else { return Ok(Vec::new()) };
    tx.query(
        &format!(
            "{SELECT} join office_announcement_receipt r on r.announcement_id = a.id
             where r.company_id = $1 and r.user_id = $2 order by a.published_at desc limit $3"
        ),
        &[&ctx.company(), &user, &i64::from(limit.clamp(1, 200))],
    )?
    .iter()
    .map(from_row)
    .collect()
}

/// How many must-read announcements the caller has not acknowledged.
pub fn unacknowledged_count(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<i64> {
    let Some(user) = ctx.actor().user() else { return Ok(0) };
    tx.scalar(
        "select count(*) from office_announcement_receipt r join office_announcement a on a.id = r.announcement_id
         where r.company_id = $1 and r.user_id = $2 and a.must_read = 1 and r.acknowledged_at is null",
        &[&ctx.company(), &user],
    )
}

/// One announcement, to an addressee or a publisher.
pub fn get(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<Announcement> {
    let user = ctx.actor().user().map(|u| u.to_string()).unwrap_or_default();
    let found = tx
        .query_opt(
            &format!(
                "{SELECT} left join office_announcement_receipt r on r.announcement_id = a.id and r.user_id = $3
                 where a.company_id = $1 and a.id = $2"
            ),
            &[&ctx.company(), &id, &user],
        )?
        .ok_or_else(|| Error::not_found("office.announcement.not_found"))?;
    let addressed: i64 = tx.scalar(
        "select count(*) from office_announcement_receipt where announcement_id = $1 and user_id = $2",
        &[&id, &user],
    )?;
    if addressed == 0 && !ctx.may(ANNOUNCEMENT_PUBLISH) {
        return Err(Error::not_found("office.announcement.not_found"));
    }
    from_row(&found)
}

/// Opens an announcement: its receipt says read (once).
pub fn read(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<Announcement> {
    let announcement = get(tx, ctx, id)?;
    if let (Some(user), None) = (ctx.actor().user(), &announcement.read_at) {
        tx.execute(
            "update office_announcement_receipt set read_at = $1 where announcement_id = $2 and user_id = $3 and read_at is null",
            &[&ctx.now_text(), &id, &user],
        )?;
    }
    get(tx, ctx, id)
}

/// "I have read and understood" on a must-read announcement.
pub fn acknowledge(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<Announcement> {
    let user = ctx.actor().user().ok_or_else(|| Error::forbidden("auth.forbidden"))?;
    let announcement = get(tx, ctx, id)?;
    if !announcement.must_read {
        return Err(Error::conflict("office.announcement.not_must_read"));
    }
    let now = ctx.now_text();
    let changed = tx.execute(
        "update office_announcement_receipt set acknowledged_at = $1, read_at = coalesce(read_at, $1)
         where announcement_id = $2 and user_id = $3 and acknowledged_at is null",
        &[&now, &id, &user],
    )?;
    if changed == 0 && announcement.acknowledged_at.is_none() {
        return Err(Error::not_found("office.announcement.not_found"));
    }
    if changed > 0 {
        audit::record(tx, ctx, "office.announcement.acknowledge", "office.announcement", &id, serde_json::json!({}))?;
    }
    get(tx, ctx, id)
}

/// Read and acknowledged counts, with who has not read it yet (publishers only).
pub fn receipts(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<Receipts> {
    ctx.require(ANNOUNCEMENT_PUBLISH)?;
    let row = tx
        .query_opt(
            "select a.addressed,
                 (select count(*) from office_announcement_receipt r where r.announcement_id = a.id and r.read_at is not null),
                 (select count(*) from office_announcement_receipt r where r.announcement_id = a.id and r.acknowledged_at is not null)
             from office_announcement a where a.company_id = $1 and a.id = $2",
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("office.announcement.not_found"))?;
    let unread = tx
        .query(
            "select u.username from office_announcement_receipt r join kernel_user u on u.id = r.user_id
             where r.announcement_id = $1 and r.read_at is null order by u.username limit 200",
            &[&id],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect::<std::result::Result<_, _>>()?;
    Ok(Receipts { addressed: row.get(0)?, read: row.get(1)?, acknowledged: row.get(2)?, unread })
}

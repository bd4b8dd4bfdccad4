//! Comments on any record, with @mentions: `@zhangsan` notifies that user (if a member of the
//! company) with a link back to the record.

use kernel::db::Tx;
use kernel::id::Uuid;
use kernel::identity::UserId;
use kernel::{Ctx, Error, Result};
use serde::Serialize;

use crate::notification::notify;
use crate::permissions::COMMENT_WRITE;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Comment {
    pub id: String,
    pub author: String,
    pub body: String,
    pub created_at: String,
    /// Usernames mentioned with `@`.
    pub mentions: Vec<String>,
}

/// The `@username` tokens in a text.
pub fn mentions(body: &str) -> Vec<String> {
    let mut found: Vec<String> = body
        .split(|c: char| c.is_whitespace() || "，,。;；:：()（）".contains(c))
        .filter_map(|word| word.strip_prefix('@'))
        .map(|name| name.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()).to_ascii_lowercase())
        .filter(|name| name.len() >= 2)
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Adds a comment to a record and notifies the mentioned users; `link` leads back to it.
pub fn add_comment(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    subject_kind: &str,
    subject_id: &str,
    body: &str,
    link: &str,
) -> Result<Comment> {
    ctx.require(COMMENT_WRITE)?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 5000 {
        return Err(Error::field("body", "office.comment.empty"));
    }
    let author = ctx.actor().label();
    let id = Uuid::now_v7().to_string();
    let now = ctx.now_text();
    tx.execute(
        "insert into office_comment (id, company_id, subject_kind, subject_id, author_id, body, created_at)
         values ($1, $2, $3, $4, $5, $6, $7)",
        &[&id, &ctx.company(), &subject_kind, &subject_id, &author, &body, &now],
    )?;
    let author_name: String = match ctx.actor().user() {
        Some(user) => tx.scalar("select display_name from kernel_user where id = $1", &[&user])?,
        None => "system".into(),
    };
    let mut notified = Vec::new();
    for username in mentions(body) {
        let member = tx.query_opt(
            "select u.id from kernel_user u join kernel_membership m on m.user_id = u.id
             where u.username = $1 and m.company_id = $2 and u.active = 1",
            &[&username, &ctx.company()],
        )?;
        if let Some(row) = member {
            let user: UserId = row.get(0)?;
            if Some(user) != ctx.actor().user() {
                let excerpt: String = body.chars().take(60).collect();
                notify(tx, ctx, user, &format!("{author_name}: {excerpt}"), link)?;
            }
            notified.push(username);
        }
    }
    kernel::audit::record(
        tx,
        ctx,
        "office.comment.add",
        subject_kind,
        &subject_id,
        serde_json::json!({"comment": id, "mentions": notified}),
    )?;
    Ok(Comment { id, author: author_name, body: body.to_string(), created_at: now, mentions: notified })
}

/// The comments on a record, oldest first.
pub fn list_comments(tx: &mut Tx<'_>, ctx: &Ctx, subject_kind: &str, subject_id: &str) -> Result<Vec<Comment>> {
    tx.query(
        "select c.id, coalesce(u.display_name, c.author_id), c.body, c.created_at
         from office_comment c left join kernel_user u on u.id = c.author_id
         where c.company_id = $1 and c.subject_kind = $2 and c.subject_id = $3 order by c.created_at",
        &[&ctx.company(), &subject_kind, &subject_id],
    )?
    .iter()
    .map(|row| {
        let body: String = row.get(2)?;
        Ok(Comment { id: row.get(0)?, author: row.get(1)?, mentions: mentions(&body), body, created_at: row.get(3)? })
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn finds_mentions_in_chinese_and_english_text() {
        assert_eq!(
            mentions("请 @zhangsan 和 @Li.Si, 看一下 @zhangsan。"),
            vec!["li.si".to_string(), "zhangsan".to_string()]
        );
        assert_eq!(mentions("email a@b.com is not a mention"), Vec::<String>::new());
        assert_eq!(mentions("@x alone is too short"), Vec::<String>::new());
    }
}

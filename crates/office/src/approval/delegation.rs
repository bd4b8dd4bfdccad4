//! Delegation while away (代理审批): from one date to another, a user's new approval tasks — of
//! every kind or of one — go to a delegate, who decides on the user's behalf. Users set their
//! own; approval administrators set anyone's.

use kernel::db::Tx;
use kernel::id::Uuid;
use kernel::{Ctx, Error, Result, audit};
use serde::{Deserialize, Serialize};

use crate::org::member_id;
use crate::permissions::APPROVAL_MANAGE;

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"delegate": "li", "from_date": "2026-12-10", "to_date": "2026-12-20"}))]
pub struct Delegation {
    /// Whose approvals (login); the caller when left out.
    #[serde(default)]
    pub user: Option<String>,
    pub delegate: String,
    /// One kind (`purchasing.order`), or every kind when left out.
    #[serde(default)]
    pub doc_kind: Option<String>,
    pub from_date: String,
    pub to_date: String,
}

pub fn add_delegation(tx: &mut Tx<'_>, ctx: &Ctx, input: &Delegation) -> Result<Delegation> {
    let me = ctx.actor().user().ok_or_else(|| Error::forbidden("auth.forbidden"))?;
    let user = match input.user.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(login) => {
            let user = member_id(tx, ctx, login)?
                .ok_or_else(|| Error::field("user", "office.org.user_unknown").with_param("user", login))?;
            if user != me {
                ctx.require(APPROVAL_MANAGE)?;
            }
            user
        }
        None => me,
    };
    let delegate = member_id(tx, ctx, &input.delegate)?
        .ok_or_else(|| Error::field("delegate", "office.org.user_unknown").with_param("user", &input.delegate))?;
    if delegate == user {
        return Err(Error::field("delegate", "office.approval.seat_invalid"));
    }
    let from = kernel::clock::parse_date(&input.from_date)
        .map_err(|_| Error::field("from_date", "office.delegation.dates"))?;
    let to =
        kernel::clock::parse_date(&input.to_date).map_err(|_| Error::field("to_date", "office.delegation.dates"))?;
    if to < from {
        return Err(Error::field("to_date", "office.delegation.dates"));
    }
    let kind = input.doc_kind.as_deref().map(str::trim).filter(|k| !k.is_empty());
    tx.execute(
        "insert into office_delegation (id, company_id, user_id, delegate_id, doc_kind, from_date, to_date, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &Uuid::now_v7(),
            &ctx.company(),
            &user,
            &delegate,
            &kind,
            &kernel::clock::format_date(from),
            &kernel::clock::format_date(to),
            &ctx.now_text(),
        ],
    )?;
    audit::record(
        tx,
        ctx,
        "office.delegation.add",
        "kernel.user",
        &user,
        serde_json::json!({"delegate": delegate.to_string(), "kind": kind, "from": input.from_date, "to": input.to_date}),
    )?;
    Ok(input.clone())
}

/// The caller's delegations (all of the company's for an approval administrator).
pub fn list_delegations(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Delegation>> {
    let me = ctx.actor().user().map(|u| u.to_string()).unwrap_or_default();
    let whose = if ctx.may(APPROVAL_MANAGE) { "" } else { "and (g.user_id = $2 or g.delegate_id = $2)" };
    let sql = format!(
        "select u.username, d.username, g.doc_kind, g.from_date, g.to_date from office_delegation g
         join kernel_user u on u.id = g.user_id join kernel_user d on d.id = g.delegate_id
         where g.company_id = $1 {whose} order by g.from_date desc"
    );
    let everyone = whose.is_empty();
    let company = ctx.company();
    let params: Vec<&dyn kernel::db::ToValue> = if everyone { vec![&company] } else { vec![&company, &me] };
    tx.query(&sql, &params)?
        .iter()
        .map(|r| {
            Ok(Delegation {
                user: r.get(0)?,
                delegate: r.get(1)?,
                doc_kind: r.get(2)?,
                from_date: r.get(3)?,
                to_date: r.get(4)?,
            })
        })
        .collect()
}

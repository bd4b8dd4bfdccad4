//! Finding the people behind a flow's approvers: named users, the members of a role, department
//! heads and the submitter's managers, then who stands in for whom (delegation while away).
//! When a step finds nobody — no manager recorded, only the submitter — the approval
//! administrators (holders of `office.approval.manage`) decide instead, so no request is stuck.

use kernel::db::Tx;
use kernel::identity::UserId;
use kernel::{Ctx, Error, Result};

use super::flow::Approver;
use crate::org;
use crate::permissions::APPROVAL_MANAGE;

/// An approver as the flow is saved: the users it names now, or "found per request".
pub enum Resolved {
    Users(Vec<UserId>),
    Dynamic,
}

fn role_members(tx: &mut Tx<'_>, ctx: &Ctx, role: &str) -> Result<Option<Vec<UserId>>> {
    let found =
        tx.query_opt("select id from kernel_role where company_id = $1 and code = $2", &[&ctx.company(), &role])?;
    let Some(found) = found else { return Ok(None) };
    let role_id: String = found.get(0)?;
    let users = tx
        .query(
            "select u.id from kernel_user_role ur join kernel_user u on u.id = ur.user_id
             join kernel_membership m on m.user_id = u.id and m.company_id = ur.company_id
             where ur.role_id = $1 and ur.company_id = $2 and u.active = 1 order by u.username",
            &[&role_id, &ctx.company()],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect::<std::result::Result<_, _>>()?;
    Ok(Some(users))
}

/// The approval administrators of the caller's company.
pub fn administrators(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<UserId>> {
    let users = tx
        .query(
            "select distinct u.id, u.username from kernel_user_role ur join kernel_role_permission rp on rp.role_id = ur.role_id
             join kernel_user u on u.id = ur.user_id
             join kernel_membership m on m.user_id = u.id and m.company_id = ur.company_id
             where ur.company_id = $1 and rp.permission = $2 and u.active = 1 order by u.username",
            &[&ctx.company(), &APPROVAL_MANAGE.name()],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect::<std::result::Result<_, _>>()?;
    Ok(users)
}

/// What an approver names when the flow is saved; an unknown user, role or department is an
/// error at `at`.
pub fn statically(tx: &mut Tx<'_>, ctx: &Ctx, approver: &Approver, at: &str) -> Result<Resolved> {
    match approver {
        Approver::User { user } => match org::member_id(tx, ctx, user)? {
            Some(id) => Ok(Resolved::Users(vec![id])),
            None => Err(Error::field(format!("{at}.user"), "office.org.user_unknown").with_param("user", user)),
        },
        Approver::Role { role } => match role_members(tx, ctx, role)? {
            Some(users) => Ok(Resolved::Users(users)),
            None => Err(Error::field(format!("{at}.role"), "office.flow.role_unknown").with_param("role", role)),
        },
        Approver::DepartmentHead { department: Some(code) } => {
            if !org::department_exists(tx, ctx, code)? {
                return Err(
                    Error::field(format!("{at}.department"), "office.org.department_unknown").with_param("code", code)
                );
            }
            Ok(Resolved::Dynamic)
        }
        Approver::Manager { level } | Approver::ManagerChain { levels: level } => {
            if *level == 0 || usize::from(*level) > org::MAX_CHAIN {
                return Err(Error::field(format!("{at}.level"), "office.flow.level_invalid"));
            }
            Ok(Resolved::Dynamic)
        }
        Approver::DepartmentHead { department: None } => Ok(Resolved::Dynamic),
    }
}

/// The users an approver names for a request by `submitter`, the submitter left out (no one
/// approves their own request).
pub fn for_request(tx: &mut Tx<'_>, ctx: &Ctx, approver: &Approver, submitter: UserId) -> Result<Vec<UserId>> {
    let users = match approver {
        Approver::User { user } => org::member_id(tx, ctx, user)?.into_iter().collect(),
        Approver::Role { role } => role_members(tx, ctx, role)?.unwrap_or_default(),
        Approver::DepartmentHead { department } => {
            org::department_head(tx, ctx, department.as_deref(), submitter)?.into_iter().collect()
        }
        Approver::Manager { level } | Approver::ManagerChain { levels: level } => {
            let chain = org::manager_chain(tx, ctx, submitter, usize::from(*level))?;
            chain.get(usize::from(*level) - 1).copied().into_iter().collect()
        }
    };
    Ok(users.into_iter().filter(|u| *u != submitter).collect())
}

/// Who decides in `approver`'s place today for `kind`: the delegate of a delegation in force,
/// followed along (a delegate away delegates too), or the approver.
pub fn delegate_of(tx: &mut Tx<'_>, ctx: &Ctx, approver: UserId, kind: &str) -> Result<Option<UserId>> {
    let today = kernel::clock::format_date(ctx.today());
    let mut at = approver;
    let mut seen = vec![approver];
    for _ in 0..org::MAX_CHAIN {
        let next: Option<UserId> = tx
            .query_opt(
                "select delegate_id from office_delegation
                 where company_id = $1 and user_id = $2 and from_date <= $3 and to_date >= $3
                   and (doc_kind is null or doc_kind = $4)
                 order by created_at desc limit 1",
                &[&ctx.company(), &at, &today, &kind],
            )?
            .map(|r| r.get(0))
            .transpose()?;
        match next {
            Some(delegate) if !seen.contains(&delegate) => {
                seen.push(delegate);
                at = delegate;
            }
            _ => break,
        }
    }
    Ok((at != approver).then_some(at))
}

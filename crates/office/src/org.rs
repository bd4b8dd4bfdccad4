//! The organisation approvals walk: departments as a tree with a head each, and every member's
//! department and manager. HR's employees (later) stand on these same rows; approval flows name
//! "the head of 采购部" or "the submitter's manager two levels up" and find them here.

use kernel::db::Tx;
use kernel::id::Uuid;
use kernel::identity::UserId;
use kernel::{Ctx, Error, Result, audit};
use serde::{Deserialize, Serialize};

use crate::permissions::APPROVAL_MANAGE;

/// The longest manager chain walked: deeper is a loop in the data, not an organisation.
pub const MAX_CHAIN: usize = 20;

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "PUR", "name": "采购部", "parent": "HQ", "head": "wang"}))]
pub struct Department {
    pub code: String,
    pub name: String,
    /// Code of the parent department; none for a top one.
    #[serde(default)]
    pub parent: Option<String>,
    /// Login of the head (负责人).
    #[serde(default)]
    pub head: Option<String>,
}

/// A member's place: department code and manager's login.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"department": "PUR", "manager": "wang"}))]
pub struct Placement {
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub manager: Option<String>,
}

/// The id of an active member of the caller's company by login (or id).
pub fn member_id(tx: &mut Tx<'_>, ctx: &Ctx, login: &str) -> Result<Option<UserId>> {
    let login = login.trim();
    let column = if Uuid::parse_str(login).is_ok() { "u.id" } else { "u.username" };
    tx.query_opt(
        &format!(
            "select u.id from kernel_user u join kernel_membership m on m.user_id = u.id
             where m.company_id = $1 and {column} = $2 and u.active = 1"
        ),
        &[&ctx.company(), &login],
    )?
    .map(|r| r.get(0))
    .transpose()
}

fn department_id(tx: &mut Tx<'_>, ctx: &Ctx, code: &str) -> Result<Option<String>> {
    tx.query_opt(
        "select id from office_department where company_id = $1 and code = $2",
        &[&ctx.company(), &code.trim()],
    )?
    .map(|r| r.get(0))
    .transpose()
}

/// Creates or changes a department (by code).
pub fn save_department(tx: &mut Tx<'_>, ctx: &Ctx, input: &Department) -> Result<Department> {
    ctx.require(APPROVAL_MANAGE)?;
    let (code, name) = (input.code.trim(), input.name.trim());
    if code.is_empty() || name.is_empty() {
        return Err(Error::field("code", "office.org.department_invalid"));
    }
    let parent = match input.parent.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) if p == code => return Err(Error::field("parent", "office.org.department_loop")),
        Some(p) => Some(
            department_id(tx, ctx, p)?
                .ok_or_else(|| Error::field("parent", "office.org.department_unknown").with_param("code", p))?,
        ),
        None => None,
    };
    let head = match input.head.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        Some(h) => Some(
            member_id(tx, ctx, h)?
                .ok_or_else(|| Error::field("head", "office.org.user_unknown").with_param("user", h))?,
        ),
        None => None,
    };
    match department_id(tx, ctx, code)? {
        Some(id) => {
            // A parent below this department would make the tree a loop.
            if let Some(parent) = &parent {
                let mut at = Some(parent.clone());
                for _ in 0..MAX_CHAIN {
                    let Some(current) = at else { break };
                    if current == id {
                        return Err(Error::field("parent", "office.org.department_loop"));
                    }
                    at = tx
                        .query_opt("select parent_id from office_department where id = $1", &[&current])?
                        .map(|r| r.get::<Option<String>>(0))
                        .transpose()?
                        .flatten();
                }
            }
            tx.execute(
                "update office_department set name = $1, parent_id = $2, head_id = $3 where id = $4",
                &[&name, &parent, &head, &id],
            )?;
        }
        None => {
            tx.execute(
                "insert into office_department (id, company_id, code, name, parent_id, head_id) values ($1, $2, $3, $4, $5, $6)",
                &[&Uuid::now_v7(), &ctx.company(), &code, &name, &parent, &head],
            )?;
        }
    }
    audit::record(tx, ctx, "office.department.save", "office.department", &code, serde_json::json!({"name": name}))?;
    Ok(input.clone())
}

pub fn list_departments(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Department>> {
    tx.query(
        "select d.code, d.name, p.code, u.username from office_department d
         left join office_department p on p.id = d.parent_id left join kernel_user u on u.id = d.head_id
         where d.company_id = $1 order by d.code",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| Ok(Department { code: r.get(0)?, name: r.get(1)?, parent: r.get(2)?, head: r.get(3)? }))
    .collect()
}

/// Places a member in a department under a manager. A manager chain that comes back to the
/// member is refused.
pub fn place_member(tx: &mut Tx<'_>, ctx: &Ctx, login: &str, placement: &Placement) -> Result<Placement> {
    ctx.require(APPROVAL_MANAGE)?;
    let user = member_id(tx, ctx, login)?
        .ok_or_else(|| Error::not_found("office.org.user_unknown").with_param("user", login))?;
    let department = match placement.department.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(
            department_id(tx, ctx, d)?
                .ok_or_else(|| Error::field("department", "office.org.department_unknown").with_param("code", d))?,
        ),
        None => None,
    };
    let manager = match placement.manager.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => {
            let manager = member_id(tx, ctx, m)?
                .ok_or_else(|| Error::field("manager", "office.org.user_unknown").with_param("user", m))?;
            if manager == user || manager_chain(tx, ctx, manager, MAX_CHAIN)?.contains(&user) {
                return Err(Error::field("manager", "office.org.manager_loop"));
            }
            Some(manager)
        }
        None => None,
    };
    tx.execute(
        "insert into office_member (company_id, user_id, department_id, manager_id) values ($1, $2, $3, $4)
         on conflict (company_id, user_id) do update set department_id = excluded.department_id, manager_id = excluded.manager_id",
        &[&ctx.company(), &user, &department, &manager],
    )?;
    audit::record(
        tx,
        ctx,
        "office.member.place",
        "kernel.user",
        &user,
        serde_json::json!({"department": placement.department, "manager": placement.manager}),
    )?;
    Ok(placement.clone())
}

/// The member's managers, nearest first, at most `levels` of them: one recursive query, cut
/// where the chain would come back on itself.
pub fn manager_chain(tx: &mut Tx<'_>, ctx: &Ctx, user: UserId, levels: usize) -> Result<Vec<UserId>> {
    let levels = levels.min(MAX_CHAIN) as i64;
    let found = tx.query(
        "with recursive chain (user_id, depth) as (
             select manager_id, 1 from office_member where company_id = $1 and user_id = $2 and manager_id is not null
             union all
             select m.manager_id, c.depth + 1 from office_member m join chain c on m.user_id = c.user_id
             where m.company_id = $1 and m.manager_id is not null and c.depth < $3
         )
         select user_id from chain order by depth",
        &[&ctx.company(), &user, &levels],
    )?;
    let mut chain = Vec::new();
    for row in found.iter() {
        let manager: UserId = row.get(0)?;
        if manager == user || chain.contains(&manager) {
            break;
        }
        chain.push(manager);
    }
    Ok(chain)
}

/// The head of a department given by code, or of the member's own department when none is
/// given (walking up to the parent when a department has no head).
pub fn department_head(tx: &mut Tx<'_>, ctx: &Ctx, department: Option<&str>, member: UserId) -> Result<Option<UserId>> {
    let mut at: Option<String> = match department {
        Some(code) => department_id(tx, ctx, code)?,
        None => tx
            .query_opt(
                "select department_id from office_member where company_id = $1 and user_id = $2",
                &[&ctx.company(), &member],
            )?
            .map(|r| r.get::<Option<String>>(0))
            .transpose()?
            .flatten(),
    };
    for _ in 0..MAX_CHAIN {
        let Some(id) = at else { return Ok(None) };
        let row = tx
            .query_opt("select head_id, parent_id from office_department where id = $1", &[&id])?
            .ok_or_else(|| Error::internal("department vanished"))?;
        let (head, parent): (Option<UserId>, Option<String>) = (row.get(0)?, row.get(1)?);
        // Heads do not approve their own requests: the head's head does.
        match head {
            Some(head) if head != member || department.is_some() => return Ok(Some(head)),
            _ => at = parent,
        }
    }
    Ok(None)
}

/// Whether a department with this code exists in the caller's company.
pub fn department_exists(tx: &mut Tx<'_>, ctx: &Ctx, code: &str) -> Result<bool> {
    Ok(department_id(tx, ctx, code)?.is_some())
}

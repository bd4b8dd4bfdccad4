//! Roles are data: a named set of permissions within one company, seeded from the default
//! templates when the company is created and editable in the permission matrix afterwards.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::permissions::{ROLE_MANAGE, ROLE_READ};
use super::{CompanyId, RoleId, UserId};
use crate::audit;
use crate::ctx::Ctx;
use crate::db::{Row, Tx};
use crate::permission::{DEFAULT_ROLES, PermissionInfo, PermissionSet};
use crate::{Error, Result};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Role {
    #[schema(value_type = String)]
    pub id: RoleId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Members see only the records they own where a module has owners.
    pub own_records_only: bool,
    /// One of the default roles (its code cannot change; it can still be edited).
    pub builtin: bool,
    pub permissions: Vec<String>,
    pub version: i64,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "sales_manager", "name_zh": "销售经理", "name_en": "Sales manager", "permissions": ["kernel.user.read"], "own_records_only": false}))]
pub struct NewRole {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub permissions: Vec<String>,
    #[serde(default)]
    pub own_records_only: bool,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name_zh": "销售经理", "permissions": ["kernel.user.read"], "version": 1}))]
pub struct RoleUpdate {
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub permissions: Option<Vec<String>>,
    pub own_records_only: Option<bool>,
    pub version: i64,
}

/// Creates the default roles in a new company; returns the administrator role.
pub(crate) fn seed_default_roles(tx: &mut Tx<'_>, ctx: &Ctx, known: &[PermissionInfo]) -> Result<RoleId> {
    let mut admin = None;
    for template in DEFAULT_ROLES {
        let id = RoleId::new();
        insert_role(tx, ctx, id, template.code, template.zh, template.en, template.own_records_only, true)?;
        let granted = known.iter().map(|info| info.permission).filter(|p| template.matches(*p));
        for permission in granted {
            tx.execute(
                "insert into kernel_role_permission (role_id, permission) values ($1, $2)",
                &[&id, &permission.name()],
            )?;
        }
        if template.code == "admin" {
            admin = Some(id);
        }
    }
    admin.ok_or_else(|| Error::internal("the default roles have no admin"))
}

#[allow(clippy::too_many_arguments)]
fn insert_role(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    id: RoleId,
    code: &str,
    name_zh: &str,
    name_en: &str,
    own_records_only: bool,
    builtin: bool,
) -> Result<()> {
    let now = ctx.now_text();
    tx.execute(
        "insert into kernel_role (id, company_id, code, name_zh, name_en, own_records_only, builtin, created_at, created_by, updated_at, version)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, 1)",
        &[&id, &ctx.company(), &code, &name_zh, &name_en, &own_records_only, &builtin, &now, &ctx.actor().label()],
    )?;
    Ok(())
}

/// The effective permissions of a user in a company: the union over the user's roles.
/// The user is restricted to own records only when every role says so.
pub fn load_permissions(tx: &mut Tx<'_>, user: UserId, company: CompanyId) -> Result<(PermissionSet, bool)> {
    let rows = tx.query(
        "select r.id, r.own_records_only, rp.permission
         from kernel_user_role ur
         join kernel_role r on r.id = ur.role_id
         left join kernel_role_permission rp on rp.role_id = r.id
         where ur.user_id = $1 and ur.company_id = $2",
        &[&user, &company],
    )?;
    let mut names = BTreeSet::new();
    let mut any_role = false;
    let mut all_own_only = true;
    for row in &rows {
        any_role = true;
        all_own_only &= row.get::<bool>(1)?;
        if let Some(permission) = row.get::<Option<String>>(2)? {
            names.insert(permission);
        }
    }
    Ok((PermissionSet::new(names), any_role && all_own_only))
}

fn validate_permissions(requested: &[String], known: &[PermissionInfo]) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for name in requested {
        if !known.iter().any(|info| info.permission.name() == name) {
            return Err(Error::field("permissions", "kernel.role.permission_unknown").with_param("permission", name));
        }
        out.insert(name.clone());
    }
    Ok(out)
}

fn validate_text(field: &'static str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > 100 {
        return Err(Error::field(field, "kernel.role.name_invalid"));
    }
    Ok(value.to_string())
}

fn role_from(row: &Row, permissions: Vec<String>) -> Result<Role> {
    Ok(Role {
        id: row.get(0)?,
        code: row.get(1)?,
        name_zh: row.get(2)?,
        name_en: row.get(3)?,
        own_records_only: row.get(4)?,
        builtin: row.get(5)?,
        permissions,
        version: row.get(6)?,
    })
}

const COLUMNS: &str = "id, code, name_zh, name_en, own_records_only, builtin, version";

pub fn list_roles(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Role>> {
    ctx.require(ROLE_READ)?;
    let rows = tx.query(
        &format!("select {COLUMNS} from kernel_role where company_id = $1 order by builtin desc, code"),
        &[&ctx.company()],
    )?;
    let mut by_role: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    for row in tx.query(
        "select rp.role_id, rp.permission from kernel_role_permission rp join kernel_role r on r.id = rp.role_id
         where r.company_id = $1 order by rp.permission",
        &[&ctx.company()],
    )? {
        by_role.entry(row.get(0)?).or_default().push(row.get(1)?);
    }
    rows.iter().map(|row| role_from(row, by_role.remove(&row.get::<String>(0)?).unwrap_or_default())).collect()
}

pub fn get_role(tx: &mut Tx<'_>, ctx: &Ctx, id: RoleId) -> Result<Role> {
    ctx.require(ROLE_READ)?;
    let row = tx
        .query_opt(
            &format!("select {COLUMNS} from kernel_role where company_id = $1 and id = $2"),
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("kernel.role.not_found").with_param("role", id))?;
    let permissions = tx
        .query("select permission from kernel_role_permission where role_id = $1 order by permission", &[&id])?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<Vec<String>>>()?;
    role_from(&row, permissions)
}

pub fn create_role(tx: &mut Tx<'_>, ctx: &Ctx, input: &NewRole, known: &[PermissionInfo]) -> Result<Role> {
    ctx.require(ROLE_MANAGE)?;
    let code = input.code.trim();
    if code.is_empty() || code.len() > 50 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return Err(Error::field("code", "kernel.role.code_invalid"));
    }
    let name_zh = validate_text("name_zh", &input.name_zh)?;
    let name_en = validate_text("name_en", &input.name_en)?;
    let permissions = validate_permissions(&input.permissions, known)?;
    let taken: i64 =
        tx.scalar("select count(*) from kernel_role where company_id = $1 and code = $2", &[&ctx.company(), &code])?;
    if taken > 0 {
        return Err(Error::field("code", "kernel.role.code_taken"));
    }
    let id = RoleId::new();
    insert_role(tx, ctx, id, code, &name_zh, &name_en, input.own_records_only, false)?;
    for permission in &permissions {
        tx.execute("insert into kernel_role_permission (role_id, permission) values ($1, $2)", &[&id, permission])?;
    }
    audit::record(
        tx,
        ctx,
        "kernel.role.create",
        "kernel.role",
        &id,
        serde_json::json!({"code": code, "permissions": permissions}),
    )?;
    get_role(tx, ctx, id)
}

pub fn update_role(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    id: RoleId,
    input: &RoleUpdate,
    known: &[PermissionInfo],
) -> Result<Role> {
    ctx.require(ROLE_MANAGE)?;
    let current = get_role(tx, ctx, id)?;
    let name_zh = match &input.name_zh {
        Some(v) => validate_text("name_zh", v)?,
        None => current.name_zh.clone(),
    };
    let name_en = match &input.name_en {
        Some(v) => validate_text("name_en", v)?,
        None => current.name_en.clone(),
    };
    let own_only = input.own_records_only.unwrap_or(current.own_records_only);
    let changed = tx.execute(
        "update kernel_role set name_zh = $1, name_en = $2, own_records_only = $3, updated_at = $4, version = version + 1
         where company_id = $5 and id = $6 and version = $7",
        &[&name_zh, &name_en, &own_only, &ctx.now_text(), &ctx.company(), &id, &input.version],
    )?;
    if changed == 0 {
        return Err(Error::conflict("kernel.version_conflict"));
    }
    let mut change = serde_json::json!({"name_zh": name_zh, "name_en": name_en, "own_records_only": own_only});
    if let Some(requested) = &input.permissions {
        let permissions = validate_permissions(requested, known)?;
        tx.execute("delete from kernel_role_permission where role_id = $1", &[&id])?;
        for permission in &permissions {
            tx.execute("insert into kernel_role_permission (role_id, permission) values ($1, $2)", &[&id, permission])?;
        }
        let before: BTreeSet<String> = current.permissions.into_iter().collect();
        change["granted"] = serde_json::json!(permissions.difference(&before).collect::<Vec<_>>());
        change["revoked"] = serde_json::json!(before.difference(&permissions).collect::<Vec<_>>());
    }
    audit::record(tx, ctx, "kernel.role.update", "kernel.role", &id, change)?;
    super::security_changed();
    get_role(tx, ctx, id)
}

/// Deletes a role that is not a default one; its members simply lose it.
pub fn delete_role(tx: &mut Tx<'_>, ctx: &Ctx, id: RoleId) -> Result<()> {
    ctx.require(ROLE_MANAGE)?;
    let role = get_role(tx, ctx, id)?;
    if role.builtin {
        return Err(Error::conflict("kernel.role.builtin"));
    }
    tx.execute("delete from kernel_user_role where role_id = $1", &[&id])?;
    tx.execute("delete from kernel_role_permission where role_id = $1", &[&id])?;
    tx.execute("delete from kernel_role where company_id = $1 and id = $2", &[&ctx.company(), &id])?;
    super::security_changed();
    audit::record(tx, ctx, "kernel.role.delete", "kernel.role", &id, serde_json::json!({"code": role.code}))?;
    Ok(())
}

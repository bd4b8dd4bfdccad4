//! Users: people who log in. A user is global (one login), member of one or more companies,
//! with roles per company. Lists and lookups only ever show members of the caller's company.

use serde::{Deserialize, Serialize};

use super::company::add_member;
use super::password::hash_password;
use super::permissions::{USER_MANAGE, USER_READ};
use super::{RoleId, UserId};
use crate::audit;
use crate::ctx::Ctx;
use crate::db::{Row, Tx};
use crate::i18n::Locale;
use crate::page::{Page, PageRequest, decode_cursor};
use crate::{Error, Result};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct User {
    #[schema(value_type = String)]
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    /// `zh-CN` or `en`.
    pub locale: String,
    pub active: bool,
    /// Codes of the user's roles in the current company.
    pub roles: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "zhangsan", "display_name": "张三", "password": "s3cret-pass", "roles": ["sales"]}))]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub password: String,
    pub locale: Option<String>,
    /// Role codes in the current company.
    #[serde(default)]
    pub roles: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "张三", "active": true, "version": 1}))]
pub struct UserUpdate {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub locale: Option<String>,
    pub active: Option<bool>,
    /// Replaces the user's roles in the current company.
    pub roles: Option<Vec<String>>,
    /// The version read; a stale version is refused with 409.
    pub version: i64,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Matches the start of the username or display name.
    pub q: Option<String>,
}

const COLUMNS: &str =
    "u.id, u.username, u.display_name, u.email, u.locale, u.active, u.created_at, u.updated_at, u.version";

fn user_from(row: &Row, roles: Vec<String>) -> Result<User> {
    Ok(User {
        id: row.get(0)?,
        username: row.get(1)?,
        display_name: row.get(2)?,
        email: row.get(3)?,
        locale: row.get(4)?,
        active: row.get(5)?,
        roles,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
        version: row.get(8)?,
    })
}

fn validate_username(username: &str) -> Result<String> {
    let username = username.trim();
    let valid =
        (2..=64).contains(&username.len()) && username.chars().all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c));
    if !valid {
        return Err(Error::field("username", "kernel.user.username_invalid"));
    }
    Ok(username.to_ascii_lowercase())
}

fn validate_display_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::field("display_name", "kernel.user.display_name_invalid"));
    }
    Ok(name.to_string())
}

fn validate_email(email: Option<&str>) -> Result<Option<String>> {
    match email.map(str::trim).filter(|e| !e.is_empty()) {
        None => Ok(None),
        Some(e) if e.len() <= 254 && e.split_once('@').is_some_and(|(a, b)| !a.is_empty() && b.contains('.')) => {
            Ok(Some(e.to_string()))
        }
        Some(_) => Err(Error::field("email", "kernel.user.email_invalid")),
    }
}

fn validate_locale(locale: Option<&str>) -> Result<Locale> {
    match locale {
        None => Ok(Locale::default()),
        Some(tag) => match tag {
            "zh-CN" => Ok(Locale::ZhCn),
            "en" => Ok(Locale::En),
            _ => Err(Error::field("locale", "kernel.user.locale_invalid")),
        },
    }
}

fn role_ids(tx: &mut Tx<'_>, ctx: &Ctx, codes: &[String]) -> Result<Vec<RoleId>> {
    let mut ids = Vec::with_capacity(codes.len());
    for code in codes {
        let id = tx
            .query_opt("select id from kernel_role where company_id = $1 and code = $2", &[&ctx.company(), code])?
            .ok_or_else(|| Error::field("roles", "kernel.role.not_found").with_param("role", code))?
            .get(0)?;
        ids.push(id);
    }
    Ok(ids)
}

fn roles_of(tx: &mut Tx<'_>, ctx: &Ctx, user: UserId) -> Result<Vec<String>> {
    tx.query(
        "select r.code from kernel_user_role ur join kernel_role r on r.id = ur.role_id
         where ur.user_id = $1 and ur.company_id = $2 order by r.code",
        &[&user, &ctx.company()],
    )?
    .iter()
    .map(|row| row.get(0))
    .collect()
}

/// Creates a user as a member of the caller's company with the given roles.
pub fn create_user(tx: &mut Tx<'_>, ctx: &Ctx, input: &NewUser) -> Result<User> {
    ctx.require(USER_MANAGE)?;
    let username = validate_username(&input.username)?;
    let display_name = validate_display_name(&input.display_name)?;
    let email = validate_email(input.email.as_deref())?;
    let locale = validate_locale(input.locale.as_deref())?;
    let roles = role_ids(tx, ctx, &input.roles)?;
    let taken: i64 = tx.scalar("select count(*) from kernel_user where username = $1", &[&username])?;
    if taken > 0 {
        return Err(Error::field("username", "kernel.user.username_taken"));
    }
    let password_hash = hash_password(&input.password)?;
    let id = UserId::new();
    let now = ctx.now_text();
    tx.execute(
        "insert into kernel_user (id, username, display_name, email, password_hash, locale, active, default_company_id, created_at, created_by, updated_at, version)
         values ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $8, 1)",
        &[&id, &username, &display_name, &email, &password_hash, &locale.tag(), &ctx.company(), &now, &ctx.actor().label()],
    )?;
    add_member(tx, ctx, id)?;
    for role in &roles {
        tx.execute(
            "insert into kernel_user_role (user_id, company_id, role_id) values ($1, $2, $3)",
            &[&id, &ctx.company(), role],
        )?;
    }
    audit::record(
        tx,
        ctx,
        "kernel.user.create",
        "kernel.user",
        &id,
        serde_json::json!({"username": username, "roles": input.roles}),
    )?;
    get_user(tx, ctx, id)
}

/// Members of the caller's company, by username.
pub fn list_users(tx: &mut Tx<'_>, ctx: &Ctx, filter: &UserFilter, page: &PageRequest) -> Result<Page<User>> {
    ctx.require(USER_READ)?;
    let after = match page.cursor.as_deref() {
        Some(cursor) => decode_cursor(cursor)?,
        None => String::new(),
    };
    let prefix = filter.q.as_deref().unwrap_or("").trim().to_lowercase();
    let pattern = format!("{}%", prefix.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let rows = tx.query(
        &format!(
            "select {COLUMNS} from kernel_user u join kernel_membership m on m.user_id = u.id
             where m.company_id = $1 and u.username > $2
               and (u.username like $3 escape '\\' or lower(u.display_name) like $3 escape '\\')
             order by u.username limit $4"
        ),
        &[&ctx.company(), &after, &pattern, &(i64::from(page.limit()) + 1)],
    )?;
    // Roles of this page's users only, in one query.
    let ids: Vec<String> = rows.iter().map(|row| row.get(0)).collect::<Result<_>>()?;
    let mut roles_by_user: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    if !ids.is_empty() {
        let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
        let company = ctx.company();
        let mut params: Vec<&dyn crate::db::ToValue> = vec![&company];
        params.extend(ids.iter().map(|id| id as &dyn crate::db::ToValue));
        for row in tx.query(
            &format!(
                "select ur.user_id, r.code from kernel_user_role ur join kernel_role r on r.id = ur.role_id
                 where ur.company_id = $1 and ur.user_id in ({}) order by r.code",
                placeholders.join(", ")
            ),
            &params,
        )? {
            roles_by_user.entry(row.get(0)?).or_default().push(row.get(1)?);
        }
    }
    let mut users = rows
        .iter()
        .map(|row| user_from(row, roles_by_user.remove(&row.get::<String>(0)?).unwrap_or_default()))
        .collect::<Result<Vec<_>>>()?;
    Ok(Page::from_overfetch(&mut users, page.limit(), |u| u.username.clone()))
}

/// A member of the caller's company; anyone else is "not found".
pub fn get_user(tx: &mut Tx<'_>, ctx: &Ctx, id: UserId) -> Result<User> {
    ctx.require(USER_READ)?;
    let row = tx
        .query_opt(
            &format!(
                "select {COLUMNS} from kernel_user u join kernel_membership m on m.user_id = u.id
                 where m.company_id = $1 and u.id = $2"
            ),
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("kernel.user.not_found"))?;
    let roles = roles_of(tx, ctx, id)?;
    user_from(&row, roles)
}

/// Finds a user by login name (CLI and login); no company scope.
pub fn find_user_by_username(tx: &mut Tx<'_>, username: &str) -> Result<Option<(UserId, String, bool)>> {
    let row = tx.query_opt(
        "select id, password_hash, active from kernel_user where username = $1",
        &[&username.trim().to_ascii_lowercase()],
    )?;
    row.map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).transpose()
}

pub fn update_user(tx: &mut Tx<'_>, ctx: &Ctx, id: UserId, input: &UserUpdate) -> Result<User> {
    ctx.require(USER_MANAGE)?;
    let current = get_user(tx, ctx, id)?;
    let display_name = match &input.display_name {
        Some(v) => validate_display_name(v)?,
        None => current.display_name.clone(),
    };
    let email = match &input.email {
        Some(v) => validate_email(Some(v))?,
        None => current.email.clone(),
    };
    let locale = match &input.locale {
        Some(v) => validate_locale(Some(v))?.tag().to_string(),
        None => current.locale.clone(),
    };
    let active = input.active.unwrap_or(current.active);
    if !active && ctx.actor().user() == Some(id) {
        return Err(Error::field("active", "kernel.user.cannot_deactivate_self"));
    }
    let changed = tx.execute(
        "update kernel_user set display_name = $1, email = $2, locale = $3, active = $4, updated_at = $5, version = version + 1
         where id = $6 and version = $7",
        &[&display_name, &email, &locale, &active, &ctx.now_text(), &id, &input.version],
    )?;
    if changed == 0 {
        return Err(Error::conflict("kernel.version_conflict"));
    }
    super::security_changed();
    if let Some(roles) = &input.roles {
        replace_roles(tx, ctx, id, roles)?;
    }
    if !active {
        tx.execute("delete from kernel_session where user_id = $1", &[&id])?;
        tx.execute("update kernel_api_token set revoked = 1 where user_id = $1", &[&id])?;
    }
    audit::record(
        tx,
        ctx,
        "kernel.user.update",
        "kernel.user",
        &id,
        serde_json::json!({
            "display_name": [current.display_name, display_name],
            "active": [current.active, active],
            "locale": [current.locale, locale],
            "roles": input.roles,
        }),
    )?;
    get_user(tx, ctx, id)
}

fn replace_roles(tx: &mut Tx<'_>, ctx: &Ctx, id: UserId, codes: &[String]) -> Result<()> {
    let roles = role_ids(tx, ctx, codes)?;
    super::security_changed();
    tx.execute("delete from kernel_user_role where user_id = $1 and company_id = $2", &[&id, &ctx.company()])?;
    for role in &roles {
        tx.execute(
            "insert into kernel_user_role (user_id, company_id, role_id) values ($1, $2, $3)",
            &[&id, &ctx.company(), role],
        )?;
    }
    Ok(())
}

/// Replaces the user's roles in the caller's company (CLI `user roles`).
pub fn set_roles(tx: &mut Tx<'_>, ctx: &Ctx, id: UserId, codes: &[String]) -> Result<User> {
    ctx.require(USER_MANAGE)?;
    get_user(tx, ctx, id)?;
    replace_roles(tx, ctx, id, codes)?;
    audit::record(tx, ctx, "kernel.user.roles", "kernel.user", &id, serde_json::json!({"roles": codes}))?;
    get_user(tx, ctx, id)
}

/// Makes an existing user (of another company) a member of the caller's company with these
/// roles, so that the company switcher offers it: the administrator of the first company joins
/// the demo company this way. A user already a member gets these roles instead of the old.
pub fn add_to_company(tx: &mut Tx<'_>, ctx: &Ctx, id: UserId, codes: &[String]) -> Result<User> {
    ctx.require(USER_MANAGE)?;
    let known: i64 = tx.scalar("select count(*) from kernel_user where id = $1", &[&id])?;
    if known == 0 {
        return Err(Error::not_found("kernel.user.not_found"));
    }
    add_member(tx, ctx, id)?;
    replace_roles(tx, ctx, id, codes)?;
    audit::record(tx, ctx, "kernel.user.join", "kernel.user", &id, serde_json::json!({"roles": codes}))?;
    get_user(tx, ctx, id)
}

/// Sets a new password; every session and token of the user ends.
pub fn set_password(tx: &mut Tx<'_>, ctx: &Ctx, id: UserId, password: &str) -> Result<()> {
    if ctx.actor().user() != Some(id) {
        ctx.require(USER_MANAGE)?;
    }
    get_user(tx, ctx, id)?;
    let hash = hash_password(password)?;
    tx.execute(
        "update kernel_user set password_hash = $1, updated_at = $2, version = version + 1 where id = $3",
        &[&hash, &ctx.now_text(), &id],
    )?;
    tx.execute("delete from kernel_session where user_id = $1", &[&id])?;
    tx.execute("update kernel_api_token set revoked = 1 where user_id = $1", &[&id])?;
    super::security_changed();
    audit::record(tx, ctx, "kernel.user.password", "kernel.user", &id, serde_json::json!({}))?;
    Ok(())
}

/// The users list of the web client.
pub const USER_LIST: crate::listing::ListSpec = crate::listing::ListSpec {
    from: "kernel_user u join kernel_membership m on m.user_id = u.id",
    id: "u.id",
    company: "m.company_id",
    columns: &[
        crate::listing::col("username", "u.username", true, crate::listing::Filter::Prefix),
        crate::listing::col("display_name", "u.display_name", true, crate::listing::Filter::Prefix),
        crate::listing::col("email", "coalesce(u.email, '')", true, crate::listing::Filter::Prefix),
        crate::listing::col(
            "state",
            "case when u.active = 1 then 'active' else 'inactive' end",
            true,
            crate::listing::Filter::Equals,
        ),
        crate::listing::col("created_at", "u.created_at", true, crate::listing::Filter::None),
    ],
    search: &["u.username", "u.display_name", "coalesce(u.email, '')"],
    index: None,
    default_sort: "username",
    default_desc: false,
};

/// Activates or deactivates several users at once (the list's bulk action).
pub fn set_active(tx: &mut Tx<'_>, ctx: &Ctx, ids: &[UserId], active: bool) -> Result<usize> {
    ctx.require(USER_MANAGE)?;
    let mut changed = 0;
    for id in ids {
        let user = get_user(tx, ctx, *id)?;
        if user.active == active {
            continue;
        }
        update_user(
            tx,
            ctx,
            *id,
            &UserUpdate {
                display_name: None,
                email: None,
                locale: None,
                active: Some(active),
                roles: None,
                version: user.version,
            },
        )?;
        changed += 1;
    }
    Ok(changed)
}

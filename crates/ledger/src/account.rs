//! Accounts of a company's chart: found by code for people, by role for postings.

use kernel::db::Tx;
use kernel::{Ctx, Error, Result, audit};
use serde::{Deserialize, Serialize};

use crate::permissions::{CHART, READ};

/// The auxiliary dimensions (辅助核算) an account can require on its lines.
pub const DIMENSIONS: [&str; 6] = ["customer", "supplier", "employee", "department", "project", "product"];

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Account {
    pub id: String,
    pub code: String,
    pub name: String,
    pub category: String,
    pub direction: String,
    pub role: Option<String>,
    pub postable: bool,
    /// Dimensions every line on this account must name.
    pub dimensions: Vec<String>,
}

const COLUMNS: &str = "id, code, name, category, direction, role, postable, dimensions";

fn account_of(r: &kernel::db::Row) -> Result<Account> {
    Ok(Account {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        category: r.get(3)?,
        direction: r.get(4)?,
        role: r.get(5)?,
        postable: r.get(6)?,
        dimensions: r.get::<String>(7)?.split(',').filter(|d| !d.is_empty()).map(str::to_string).collect(),
    })
}

pub fn list_accounts(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Account>> {
    ctx.require(READ)?;
    tx.query(&format!("select {COLUMNS} from ledger_account where company_id = $1 order by code"), &[&ctx.company()])?
        .iter()
        .map(account_of)
        .collect()
}

/// The account that plays `role` in this company's chart.
pub fn by_role(tx: &mut Tx<'_>, ctx: &Ctx, role: &str) -> Result<Account> {
    tx.query_opt(
        &format!("select {COLUMNS} from ledger_account where company_id = $1 and role = $2"),
        &[&ctx.company(), &role],
    )?
    .map(|r| account_of(&r))
    .transpose()?
    .ok_or_else(|| Error::invalid("ledger.role_missing").with_param("role", role))
}

pub fn account_by_id(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<Account> {
    tx.query_opt(
        &format!("select {COLUMNS} from ledger_account where company_id = $1 and id = $2"),
        &[&ctx.company(), &id],
    )?
    .map(|r| account_of(&r))
    .transpose()?
    .ok_or_else(|| Error::invalid("ledger.account_unknown").with_param("code", id))
}

pub fn by_code(tx: &mut Tx<'_>, ctx: &Ctx, code: &str) -> Result<Account> {
    tx.query_opt(
        &format!("select {COLUMNS} from ledger_account where company_id = $1 and code = $2"),
        &[&ctx.company(), &code.trim()],
    )?
    .map(|r| account_of(&r))
    .transpose()?
    .ok_or_else(|| Error::invalid("ledger.account_unknown").with_param("code", code))
}

/// A sub-account under an existing account (multi-level: 222101 under 2221, 22210101 under it).
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"parent": "5602", "code": "560201", "name": "办公费"}))]
pub struct SubAccountInput {
    pub parent: String,
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub dimensions: Vec<String>,
}

/// Adds a sub-account; its parent stops taking postings (refused once the parent has any).
pub fn create_sub_account(tx: &mut Tx<'_>, ctx: &Ctx, input: &SubAccountInput) -> Result<Account> {
    ctx.require(CHART)?;
    let parent = by_code(tx, ctx, &input.parent).map_err(|_| Error::field("parent", "ledger.account_unknown"))?;
    let code = input.code.trim();
    if !code.starts_with(&parent.code) || code.len() <= parent.code.len() || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::field("code", "ledger.sub_code_invalid").with_param("parent", &parent.code));
    }
    if input.name.trim().is_empty() {
        return Err(Error::field("name", "ledger.name_required"));
    }
    if by_code(tx, ctx, code).is_ok() {
        return Err(Error::field("code", "ledger.code_taken"));
    }
    let used: i64 = tx.scalar("select count(*) from ledger_line where account_id = $1", &[&parent.id])?;
    if used > 0 && parent.postable {
        return Err(Error::field("parent", "ledger.parent_has_postings"));
    }
    let dimensions = check_dimensions(&input.dimensions)?;
    let id = kernel::id::Uuid::now_v7().to_string();
    tx.execute(
        "insert into ledger_account (id, company_id, code, name, parent_id, category, direction, dimensions, postable, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9)",
        &[&id, &ctx.company(), &code, &input.name.trim(), &parent.id, &parent.category, &parent.direction, &dimensions, &ctx.now_text()],
    )?;
    tx.execute("update ledger_account set postable = 0 where id = $1", &[&parent.id])?;
    // A role follows the account that takes the postings.
    if let Some(role) = &parent.role {
        tx.execute("update ledger_account set role = null where id = $1", &[&parent.id])?;
        tx.execute("update ledger_account set role = $1 where id = $2", &[role, &id])?;
    }
    audit::record(
        tx,
        ctx,
        "ledger.account.create",
        "ledger.account",
        &code,
        serde_json::json!({"parent": parent.code}),
    )?;
    by_code(tx, ctx, code)
}

fn check_dimensions(dimensions: &[String]) -> Result<String> {
    for d in dimensions {
        if !DIMENSIONS.contains(&d.as_str()) {
            return Err(Error::field("dimensions", "ledger.dimension_unknown").with_param("dimension", d));
        }
    }
    Ok(dimensions.join(","))
}

/// Sets the dimensions an account requires on its lines (辅助核算).
pub fn set_dimensions(tx: &mut Tx<'_>, ctx: &Ctx, code: &str, dimensions: &[String]) -> Result<Account> {
    ctx.require(CHART)?;
    let account = by_code(tx, ctx, code).map_err(|_| Error::not_found("ledger.account_unknown"))?;
    let joined = check_dimensions(dimensions)?;
    tx.execute("update ledger_account set dimensions = $1 where id = $2", &[&joined, &account.id])?;
    audit::record(
        tx,
        ctx,
        "ledger.account.dimensions",
        "ledger.account",
        &account.code,
        serde_json::json!({"dimensions": joined}),
    )?;
    by_code(tx, ctx, code)
}

/// Replaces the chart with another template's, while the company has no vouchers yet (the
/// choice made at company setup).
pub fn choose_template(tx: &mut Tx<'_>, ctx: &Ctx, template: &str) -> Result<()> {
    ctx.require(CHART)?;
    crate::chart::template(template)?;
    let vouchers: i64 = tx.scalar("select count(*) from ledger_voucher where company_id = $1", &[&ctx.company()])?;
    if vouchers > 0 {
        return Err(Error::conflict("ledger.template_in_use"));
    }
    // Children first: an account's parent is deleted after it.
    tx.execute("update ledger_account set parent_id = null where company_id = $1", &[&ctx.company()])?;
    tx.execute("delete from ledger_account where company_id = $1", &[&ctx.company()])?;
    tx.execute("delete from ledger_book where company_id = $1", &[&ctx.company()])?;
    crate::chart::install(tx, ctx, template)?;
    audit::record(
        tx,
        ctx,
        "ledger.template.choose",
        "ledger.book",
        &ctx.company(),
        serde_json::json!({"template": template}),
    )
}

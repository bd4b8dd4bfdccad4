//! Companies: the tenant boundary. Every business row carries a `company_id`; a user sees a
//! company only if a member of it.

use serde::{Deserialize, Serialize};

use super::permissions::{COMPANY_MANAGE, COMPANY_READ};
use super::role::seed_default_roles;
use super::{CompanyId, UserId};
use crate::audit;
use crate::ctx::{Actor, Ctx};
use crate::db::{Row, Tx};
use crate::money::Currency;
use crate::permission::PermissionInfo;
use crate::{Error, Result};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Company {
    #[schema(value_type = String)]
    pub id: CompanyId,
    pub name: String,
    pub code: String,
    pub base_currency: String,
    pub active: bool,
    /// 统一社会信用代码 (or an older taxpayer number); empty until entered.
    pub tax_number: String,
    pub address: String,
    pub phone: String,
    /// 开户行 and 账号, as printed on invoices.
    pub bank_name: String,
    pub bank_account: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "华东贸易有限公司", "code": "HD01", "base_currency": "CNY"}))]
pub struct NewCompany {
    pub name: String,
    /// A short unique code (letters, digits, `-`), used in file names and reports.
    pub code: String,
    /// ISO 4217 code; CNY when absent.
    pub base_currency: Option<String>,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "华东贸易有限公司", "tax_number": "91310000MA1FL8XQ0X", "address": "上海市浦东新区张江路 100 号", "version": 1}))]
pub struct CompanyUpdate {
    pub name: Option<String>,
    pub active: Option<bool>,
    #[serde(default)]
    pub tax_number: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub bank_name: Option<String>,
    #[serde(default)]
    pub bank_account: Option<String>,
    /// The version read; a stale version is refused with 409.
    pub version: i64,
}

const COLUMNS: &str = "id, name, code, base_currency, active, created_at, updated_at, version, tax_number, address, phone, bank_name, bank_account";

fn company_from(row: &Row) -> Result<Company> {
    Ok(Company {
        id: row.get(0)?,
        name: row.get(1)?,
        code: row.get(2)?,
        base_currency: row.get(3)?,
        active: row.get(4)?,
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
        version: row.get(7)?,
        tax_number: row.get(8)?,
        address: row.get(9)?,
        phone: row.get(10)?,
        bank_name: row.get(11)?,
        bank_account: row.get(12)?,
    })
}

/// A taxpayer number: the 18-character 统一社会信用代码 with its check character (GB 32100-2015),
/// or an older 15- or 20-character number; upper-cased. Empty is allowed (not entered yet).
pub fn validate_tax_number(number: &str) -> Result<String> {
    let number = number.trim().to_uppercase();
    let valid = match number.chars().count() {
        0 => true,
        18 => crate::uscc::is_valid(&number),
        15 | 20 => number.chars().all(|c| c.is_ascii_alphanumeric()),
        _ => false,
    };
    if !valid {
        return Err(Error::field("tax_number", "kernel.company.tax_number_invalid").with_param("number", &number));
    }
    Ok(number)
}

fn validate_detail(field: &'static str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(Error::field(field, "kernel.company.detail_too_long").with_param("max", max));
    }
    Ok(value.to_string())
}

fn validate_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Error::field("name", "kernel.company.name_invalid"));
    }
    Ok(name.to_string())
}

fn validate_code(code: &str) -> Result<String> {
    let code = code.trim();
    let valid =
        !code.is_empty() && code.len() <= 32 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(Error::field("code", "kernel.company.code_invalid"));
    }
    Ok(code.to_string())
}

/// A company was created; modules seed their defaults for it (taxes, units, …).
#[derive(Clone, Debug)]
pub struct CompanyCreated {
    pub company: CompanyId,
}

impl crate::bus::Event for CompanyCreated {
    const NAME: &'static str = "kernel.company_created";
}

/// Creates a company with its default roles and audit chain; the creator (if a person)
/// becomes a member with the administrator role. `permissions` is every permission the
/// build knows, from which the default roles are expanded.
pub fn create_company(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    input: &NewCompany,
    permissions: &[PermissionInfo],
) -> Result<Company> {
    ctx.require(COMPANY_MANAGE)?;
    let name = validate_name(&input.name)?;
    let code = validate_code(&input.code)?;
    let currency_code = input.base_currency.as_deref().unwrap_or("CNY");
    let currency = Currency::from_code(currency_code)
        .map_err(|_| Error::field("base_currency", "kernel.currency.unknown").with_param("code", currency_code))?;
    let taken: i64 = tx.scalar("select count(*) from kernel_company where code = $1", &[&code])?;
    if taken > 0 {
        return Err(Error::field("code", "kernel.company.code_taken").with_param("code", &code));
    }
    let id = CompanyId::new();
    let now = ctx.now_text();
    tx.execute(
        "insert into kernel_company (id, name, code, base_currency, active, created_at, created_by, updated_at, version)
         values ($1, $2, $3, $4, 1, $5, $6, $5, 1)",
        &[&id, &name, &code, &currency.code(), &now, &ctx.actor().label()],
    )?;
    audit::start_chain(tx, id)?;
    let in_new = ctx.for_company(id, ctx.permissions().clone());
    let admin_role = seed_default_roles(tx, &in_new, permissions)?;
    if let Actor::User(user) = ctx.actor() {
        add_member(tx, &in_new, user)?;
        tx.execute(
            "insert into kernel_user_role (user_id, company_id, role_id) values ($1, $2, $3)",
            &[&user, &id, &admin_role],
        )?;
    }
    audit::record(
        tx,
        &in_new,
        "kernel.company.create",
        "kernel.company",
        &id,
        serde_json::json!({"name": name, "code": code}),
    )?;
    tx.publish(&in_new, &CompanyCreated { company: id })?;
    load(tx, id)
}

pub(crate) fn add_member(tx: &mut Tx<'_>, ctx: &Ctx, user: UserId) -> Result<()> {
    tx.execute(
        "insert into kernel_membership (user_id, company_id, created_at) values ($1, $2, $3)
         on conflict (user_id, company_id) do nothing",
        &[&user, &ctx.company(), &ctx.now_text()],
    )?;
    Ok(())
}

fn load(tx: &mut Tx<'_>, id: CompanyId) -> Result<Company> {
    let row = tx
        .query_opt(&format!("select {COLUMNS} from kernel_company where id = $1"), &[&id])?
        .ok_or_else(|| Error::not_found("kernel.company.not_found"))?;
    company_from(&row)
}

/// The companies the caller belongs to (for the company switcher).
pub fn list_companies(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Company>> {
    ctx.require(COMPANY_READ)?;
    let rows = match ctx.actor() {
        Actor::User(user) => tx.query(
            &format!(
                "select {COLUMNS} from kernel_company where id in (select company_id from kernel_membership where user_id = $1) order by name"
            ),
            &[&user],
        )?,
        Actor::System => tx.query(&format!("select {COLUMNS} from kernel_company order by name"), &[])?,
    };
    rows.iter().map(company_from).collect()
}

/// A company the caller belongs to; any other is "not found", never "forbidden", so ids of
/// other tenants reveal nothing.
pub fn get_company(tx: &mut Tx<'_>, ctx: &Ctx, id: CompanyId) -> Result<Company> {
    ctx.require(COMPANY_READ)?;
    if let Actor::User(user) = ctx.actor() {
        let member: i64 =
            tx.scalar("select count(*) from kernel_membership where user_id = $1 and company_id = $2", &[&user, &id])?;
        if member == 0 {
            return Err(Error::not_found("kernel.company.not_found"));
        }
    }
    load(tx, id)
}

/// Updates name or active flag, guarded by the version (optimistic locking).
pub fn update_company(tx: &mut Tx<'_>, ctx: &Ctx, id: CompanyId, input: &CompanyUpdate) -> Result<Company> {
    ctx.require(COMPANY_MANAGE)?;
    let current = get_company(tx, ctx, id)?;
    if id != ctx.company() {
        // Changes are made from within the company, so the audit entry lands in its chain.
        return Err(Error::not_found("kernel.company.not_found"));
    }
    let name = match &input.name {
        Some(name) => validate_name(name)?,
        None => current.name.clone(),
    };
    let active = input.active.unwrap_or(current.active);
    let tax_number = match &input.tax_number {
        Some(number) => validate_tax_number(number)?,
        None => current.tax_number.clone(),
    };
    let detail = |field: &'static str, given: &Option<String>, now: &str, max: usize| match given {
        Some(value) => validate_detail(field, value, max),
        None => Ok(now.to_string()),
    };
    let address = detail("address", &input.address, &current.address, 200)?;
    let phone = detail("phone", &input.phone, &current.phone, 40)?;
    let bank_name = detail("bank_name", &input.bank_name, &current.bank_name, 100)?;
    let bank_account = detail("bank_account", &input.bank_account, &current.bank_account, 40)?;
    let changed = tx.execute(
        "update kernel_company set name = $1, active = $2, updated_at = $3, version = version + 1,
             tax_number = $6, address = $7, phone = $8, bank_name = $9, bank_account = $10
         where id = $4 and version = $5",
        &[
            &name,
            &active,
            &ctx.now_text(),
            &id,
            &input.version,
            &tax_number,
            &address,
            &phone,
            &bank_name,
            &bank_account,
        ],
    )?;
    if changed == 0 {
        return Err(Error::conflict("kernel.version_conflict"));
    }
    audit::record(
        tx,
        ctx,
        "kernel.company.update",
        "kernel.company",
        &id,
        serde_json::json!({
            "name": [current.name, name],
            "active": [current.active, active],
            "tax_number": [current.tax_number, tax_number],
            "address": [current.address, address],
            "phone": [current.phone, phone],
            "bank_name": [current.bank_name, bank_name],
            "bank_account": [current.bank_account, bank_account],
        }),
    )?;
    load(tx, id)
}

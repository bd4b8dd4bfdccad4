//! Accounts of a company's chart: found by code for people, by role for postings.

use kernel::db::Tx;
use kernel::{Ctx, Error, Result};
use serde::Serialize;

use crate::permissions::READ;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Account {
    pub id: String,
    pub code: String,
    pub name: String,
    pub category: String,
    pub direction: String,
    pub role: Option<String>,
    pub postable: bool,
}

const COLUMNS: &str = "id, code, name, category, direction, role, postable";

fn account_of(r: &kernel::db::Row) -> Result<Account> {
    Ok(Account {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        category: r.get(3)?,
        direction: r.get(4)?,
        role: r.get(5)?,
        postable: r.get(6)?,
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

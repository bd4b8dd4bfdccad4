//! 科目余额表 (trial balance by account): opening, the period's debit and credit, and closing,
//! per account with parents summing their sub-accounts. Read from the balances kept with each
//! posting, never from the voucher lines.

use std::collections::HashMap;

use kernel::db::Tx;
use kernel::{Ctx, Currency, Error, Money, Result};
use serde::Serialize;

use crate::permissions::READ;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BalanceRow {
    pub code: String,
    pub name: String,
    pub level: usize,
    pub opening_debit: String,
    pub opening_credit: String,
    pub period_debit: String,
    pub period_credit: String,
    pub closing_debit: String,
    pub closing_credit: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TrialBalance {
    pub period: String,
    pub rows: Vec<BalanceRow>,
    /// Sums of the first-level accounts: debit and credit agree on every pair.
    pub totals: BalanceRow,
}

impl BalanceRow {
    /// A row from the opening net balance and the period's debit and credit (fen), each
    /// balance shown on its side.
    pub(crate) fn from_net(
        code: String,
        name: String,
        level: usize,
        opening: i64,
        debit: i64,
        credit: i64,
    ) -> BalanceRow {
        let (od, oc) = sides(opening);
        let (cd, cc) = sides(opening + debit - credit);
        BalanceRow {
            code,
            name,
            level,
            opening_debit: yuan(od),
            opening_credit: yuan(oc),
            period_debit: yuan(debit),
            period_credit: yuan(credit),
            closing_debit: yuan(cd),
            closing_credit: yuan(cc),
        }
    }
}

pub(crate) fn yuan(fen: i64) -> String {
    if fen == 0 { String::new() } else { Money::from_minor(fen, Currency::CNY).to_string() }
}

/// A net balance shown on its side.
fn sides(net: i64) -> (i64, i64) {
    if net >= 0 { (net, 0) } else { (0, -net) }
}

pub fn trial_balance(tx: &mut Tx<'_>, ctx: &Ctx, period: &str) -> Result<TrialBalance> {
    ctx.require(READ)?;
    let period = period.trim();
    if period.len() != 7
        || time::Date::parse(&format!("{period}-01"), &time::format_description::well_known::Iso8601::DATE).is_err()
    {
        return Err(Error::field("period", "ledger.period_invalid"));
    }
    let accounts =
        tx.query("select id, code, name from ledger_account where company_id = $1 order by code", &[&ctx.company()])?;
    // (opening net, period debit, period credit) per account id.
    let mut amounts: HashMap<String, (i64, i64, i64)> = HashMap::new();
    for r in tx.query(
        "select account_id,
                coalesce(sum(case when period < $2 then debit - credit else 0 end), 0),
                coalesce(sum(case when period = $2 then debit else 0 end), 0),
                coalesce(sum(case when period = $2 then credit else 0 end), 0)
         from ledger_balance where company_id = $1 and period <= $2 group by account_id",
        &[&ctx.company(), &period],
    )? {
        amounts.insert(r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?));
    }
    let codes: Vec<(String, String, String)> =
        accounts.iter().map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).collect::<Result<_>>()?;
    let mut rows = Vec::new();
    let mut total = (0i64, 0i64, 0i64, 0i64, 0i64, 0i64);
    for (_, code, name) in &codes {
        // An account's figures are its own and its sub-accounts' (codes it prefixes).
        let (mut opening, mut debit, mut credit) = (0, 0, 0);
        for (id, other, _) in &codes {
            if other.starts_with(code.as_str())
                && let Some((o, d, c)) = amounts.get(id)
            {
                opening += o;
                debit += d;
                credit += c;
            }
        }
        if opening == 0 && debit == 0 && credit == 0 {
            continue;
        }
        let (od, oc) = sides(opening);
        let (cd, cc) = sides(opening + debit - credit);
        let level = codes.iter().filter(|(_, other, _)| other != code && code.starts_with(other.as_str())).count() + 1;
        if level == 1 {
            total = (total.0 + od, total.1 + oc, total.2 + debit, total.3 + credit, total.4 + cd, total.5 + cc);
        }
        rows.push(BalanceRow::from_net(code.clone(), name.clone(), level, opening, debit, credit));
    }
    Ok(TrialBalance {
        period: period.to_string(),
        rows,
        totals: BalanceRow {
            code: String::new(),
            name: "合计".into(),
            level: 0,
            opening_debit: yuan(total.0),
            opening_credit: yuan(total.1),
            period_debit: yuan(total.2),
            period_credit: yuan(total.3),
            closing_debit: yuan(total.4),
            closing_credit: yuan(total.5),
        },
    })
}

/// The balance (debit − credit, fen) of the account playing `role`, all periods.
pub fn role_balance(tx: &mut Tx<'_>, company: &str, role: &str) -> Result<i64> {
    tx.scalar(
        "select coalesce(sum(b.debit - b.credit), 0) from ledger_balance b join ledger_account a on a.id = b.account_id
         where b.company_id = $1 and a.role = $2",
        &[&company, &role],
    )
}

/// The balance (debit − credit, fen) of every stock account: the one playing `inventory` and
/// those posting rules make inventory accounts (a category's raw materials in 1403…).
pub fn stock_accounts_balance(tx: &mut Tx<'_>, company: &str) -> Result<i64> {
    tx.scalar(
        "select coalesce(sum(b.debit - b.credit), 0) from ledger_balance b join ledger_account a on a.id = b.account_id
         where b.company_id = $1 and (a.role = 'inventory' or a.id in (
             select r.account_id from ledger_posting_rule r where r.company_id = $1 and r.role = 'inventory'))",
        &[&company],
    )
}

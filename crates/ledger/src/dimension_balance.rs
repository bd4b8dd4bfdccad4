//! 辅助核算余额表: the trial balance of one account broken down by one of its auxiliary
//! dimensions — receivables per customer, payables per supplier, expenses per department or
//! project, stock accounts per product. Read from the posted lines of the account (and its
//! sub-accounts) through the book index, summed per dimension value in the database.

use kernel::db::Tx;
use kernel::{Ctx, Error, Result};
use serde::Serialize;

use crate::account::by_code;
use crate::balance::BalanceRow;
use crate::permissions::READ;

/// The dimensions a line can carry and the column that holds each.
const DIMENSIONS: &[(&str, &str)] = &[
    ("customer", "partner_id"),
    ("supplier", "partner_id"),
    ("partner", "partner_id"),
    ("employee", "employee_id"),
    ("department", "department"),
    ("project", "project"),
    ("product", "product_id"),
];

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DimensionBalance {
    pub account_code: String,
    pub account_name: String,
    pub dimension: String,
    pub period: String,
    /// One row per value of the dimension (`code` is the value, `name` its name where known;
    /// lines without the dimension come under an empty code).
    pub rows: Vec<BalanceRow>,
    /// Equal to the account's row in the 科目余额表.
    pub totals: BalanceRow,
}

fn row(code: String, name: String, opening: i64, debit: i64, credit: i64) -> BalanceRow {
    BalanceRow::from_net(code, name, 1, opening, debit, credit)
}

/// The balances of account `code` for `period` per value of `dimension`.
pub fn dimension_balance(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    code: &str,
    period: &str,
    dimension: &str,
) -> Result<DimensionBalance> {
    ctx.require(READ)?;
    let (period, _) = crate::statements::check_period(period)?;
    let account = by_code(tx, ctx, code).map_err(|_| Error::field("account", "ledger.account_unknown"))?;
    let Some((_, column)) = DIMENSIONS.iter().find(|(name, _)| *name == dimension) else {
        return Err(Error::field("dimension", "ledger.dimension_unknown").with_param("dimension", dimension));
    };
    let upper = format!("{}\u{10ffff}", account.code);
    let rows = tx.query(
        &format!(
            "select coalesce(l.{column}, ''),
                    coalesce(sum(case when l.period < $4 then l.debit - l.credit else 0 end), 0),
                    coalesce(sum(case when l.period = $4 then l.debit else 0 end), 0),
                    coalesce(sum(case when l.period = $4 then l.credit else 0 end), 0)
             from ledger_line l join ledger_account a on a.id = l.account_id
             where l.company_id = $1 and a.company_id = $1 and a.code >= $2 and a.code < $3
               and l.period <= $4 and l.posted = 1
             group by coalesce(l.{column}, '') order by 1"
        ),
        &[&ctx.company(), &account.code, &upper, &period],
    )?;
    let mut figures: Vec<(String, i64, i64, i64)> =
        rows.iter().map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).collect::<Result<_>>()?;
    figures.retain(|(_, o, d, c)| *o != 0 || *d != 0 || *c != 0);
    let ids: Vec<String> = figures.iter().map(|f| f.0.clone()).filter(|v| !v.is_empty()).collect();
    let names = match *column {
        "partner_id" => party::terms::names_of(tx, ctx, &ids)?,
        "product_id" => product::trade::names_of(tx, ctx, &ids)?,
        _ => Default::default(),
    };
    let mut total = (0, 0, 0);
    let rows = figures
        .into_iter()
        .map(|(value, opening, debit, credit)| {
            total = (total.0 + opening, total.1 + debit, total.2 + credit);
            let (code, name) = names.get(&value).cloned().unwrap_or_else(|| (value.clone(), String::new()));
            row(code, name, opening, debit, credit)
        })
        .collect();
    Ok(DimensionBalance {
        account_code: account.code.clone(),
        account_name: account.name.clone(),
        dimension: dimension.to_string(),
        period,
        rows,
        totals: BalanceRow { level: 0, ..row(String::new(), "合计".into(), total.0, total.1, total.2) },
    })
}

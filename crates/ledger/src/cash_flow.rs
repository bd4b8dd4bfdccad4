//! 现金流量表 (会小企03表), the cash-flow summary, by the direct method: every posted voucher
//! that moves 库存现金, 银行存款 or 其他货币资金 is read line by line, and each of its other lines
//! says where the cash came from or went to by its account (a receivable settled is cash from
//! sales, a payable settled is cash paid for goods, a loan is financing…). Because a voucher
//! balances, the rows add up exactly to the change in cash, so the statement always ties to the
//! balance sheet's 货币资金.

use std::collections::HashMap;

use kernel::db::Tx;
use kernel::{Ctx, Result};

use crate::permissions::READ;
use crate::statements::{Statement, StatementRow, check_period, require_small, yuan};

/// The cash accounts (货币资金): 1001 库存现金, 1002 银行存款, 1012 其他货币资金 and their
/// sub-accounts, the same codes under both templates.
const CASH: [&str; 3] = ["1001", "1002", "1012"];

/// The statement's rows: number, text, and whether the row shows money in (or out) as positive.
const ROWS: &[(u32, &str)] = &[
    (1, "一、经营活动产生的现金流量：销售产成品、商品、提供劳务收到的现金"),
    (2, "收到其他与经营活动有关的现金"),
    (3, "购买原材料、商品、接受劳务支付的现金"),
    (4, "支付的职工薪酬"),
    (5, "支付的税费"),
    (6, "支付其他与经营活动有关的现金"),
    (7, "经营活动产生的现金流量净额"),
    (8, "二、投资活动产生的现金流量：收回短期投资、长期债券投资和长期股权投资收到的现金"),
    (9, "取得投资收益收到的现金"),
    (10, "处置固定资产、无形资产和其他非流动资产收回的现金净额"),
    (11, "短期投资、长期债券投资和长期股权投资支付的现金"),
    (12, "购建固定资产、无形资产和其他非流动资产支付的现金"),
    (13, "投资活动产生的现金流量净额"),
    (14, "三、筹资活动产生的现金流量：取得借款收到的现金"),
    (15, "吸收投资者投资收到的现金"),
    (16, "偿还借款本金支付的现金"),
    (17, "偿还借款利息支付的现金"),
    (18, "分配利润支付的现金"),
    (19, "筹资活动产生的现金流量净额"),
    (20, "四、现金净增加额"),
    (21, "加：期初现金余额"),
    (22, "五、期末现金余额"),
];

/// Rows that show money paid out (positive = out); the others show money received.
const OUTFLOW_ROWS: [u32; 9] = [3, 4, 5, 6, 11, 12, 16, 17, 18];

/// Which row the counterpart of a cash movement belongs to. `inflow` is cash received.
/// Business rule (小企业会计准则 现金流量表 instructions): what is bought and sold in the course
/// of trade is operating, including its VAT; fixed and intangible assets and investments are
/// investing; loans, owners' capital and profit paid out are financing. Refunds stay in the row
/// of what they refund (a customer refund lowers row 1).
fn row_for(code: &str, role: Option<&str>, inflow: bool) -> u32 {
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| code.starts_with(p));
    match role {
        Some("vat.output") => return 1,
        Some("vat.input") => return 3,
        _ => {}
    }
    if starts(&["1121", "1122", "2203", "5001", "5051"]) {
        1
    } else if starts(&["1123", "2201", "2202", "14", "4001", "4101", "5401", "5402"]) {
        3
    } else if starts(&["2211"]) {
        4
    } else if starts(&["2221", "5403", "5801"]) {
        5
    } else if starts(&["1101", "1501", "1511"]) {
        if inflow { 8 } else { 11 }
    } else if starts(&["1131", "1132", "5111"]) {
        if inflow { 9 } else { 11 }
    } else if starts(&["16", "17", "18"]) {
        if inflow { 10 } else { 12 }
    } else if starts(&["2001", "2501", "2701"]) {
        if inflow { 14 } else { 16 }
    } else if starts(&["2231"]) {
        17
    } else if starts(&["3001", "3002"]) {
        15
    } else if starts(&["2232", "3104"]) {
        18
    } else if inflow {
        2
    } else {
        6
    }
}

/// Net cash per row (+ = received) over the periods `from..=to`, and the net change of cash.
fn flows(tx: &mut Tx<'_>, ctx: &Ctx, from: &str, to: &str) -> Result<HashMap<u32, i64>> {
    let company = ctx.company();
    let rows = tx.query(
        "select l.voucher_id, a.code, a.role, l.debit - l.credit
         from ledger_line l join ledger_account a on a.id = l.account_id
         where l.company_id = $1 and l.period >= $2 and l.period <= $3 and l.posted = 1
           and l.voucher_id in (
               select c.voucher_id from ledger_line c join ledger_account ca on ca.id = c.account_id
               where c.company_id = $1 and c.period >= $2 and c.period <= $3 and c.posted = 1
                 and (ca.code like '1001%' or ca.code like '1002%' or ca.code like '1012%'))",
        &[&company, &from, &to],
    )?;
    let mut out: HashMap<u32, i64> = HashMap::new();
    for r in rows {
        let (code, role, net): (String, Option<String>, i64) = (r.get(1)?, r.get(2)?, r.get(3)?);
        if CASH.iter().any(|c| code.starts_with(c)) {
            continue;
        }
        // A counterpart credited brought cash in; debited, it took cash out.
        let cash = -net;
        if cash == 0 {
            continue;
        }
        *out.entry(row_for(&code, role.as_deref(), cash > 0)).or_default() += cash;
    }
    Ok(out)
}

/// Cash on hand (debit − credit of the cash accounts) before `period`.
fn cash_before(tx: &mut Tx<'_>, ctx: &Ctx, period: &str) -> Result<i64> {
    tx.scalar(
        "select coalesce(sum(b.debit - b.credit), 0) from ledger_balance b join ledger_account a on a.id = b.account_id
         where b.company_id = $1 and b.period < $2
           and (a.code like '1001%' or a.code like '1002%' or a.code like '1012%')",
        &[&ctx.company(), &period],
    )
}

/// The 22 rows from the flows per row and the opening cash.
fn figures(flows: &HashMap<u32, i64>, opening: i64) -> HashMap<u32, i64> {
    let get = |row: u32| flows.get(&row).copied().unwrap_or(0);
    let mut out: HashMap<u32, i64> = HashMap::new();
    for (row, _) in ROWS {
        let shown = if OUTFLOW_ROWS.contains(row) { -get(*row) } else { get(*row) };
        out.insert(*row, shown);
    }
    let net = |rows: std::ops::RangeInclusive<u32>| rows.map(get).sum::<i64>();
    out.insert(7, net(1..=6));
    out.insert(13, net(8..=12));
    out.insert(19, net(14..=18));
    let change = net(1..=18);
    out.insert(20, change);
    out.insert(21, opening);
    out.insert(22, opening + change);
    out
}

/// 现金流量表 for `period`: 本月金额 and 本年累计金额.
pub fn cash_flow(tx: &mut Tx<'_>, ctx: &Ctx, period: &str) -> Result<Statement> {
    ctx.require(READ)?;
    require_small(tx, ctx)?;
    let (period, january) = check_period(period)?;
    let month = figures(&flows(tx, ctx, &period, &period)?, cash_before(tx, ctx, &period)?);
    let year = figures(&flows(tx, ctx, &january, &period)?, cash_before(tx, ctx, &january)?);
    let rows = ROWS
        .iter()
        .map(|(row, label)| StatementRow {
            row: *row,
            label: label.to_string(),
            current: yuan(month[row]),
            other: yuan(year[row]),
            // The cash lines themselves are where the opening, change and closing come from.
            accounts: if *row >= 20 { CASH.iter().map(|c| c.to_string()).collect() } else { Vec::new() },
        })
        .collect();
    Ok(Statement { title: "现金流量表（会小企03表）".into(), period, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counterparts_find_their_rows() {
        assert_eq!(row_for("1122", Some("receivable"), true), 1);
        assert_eq!(row_for("22210102", Some("vat.output"), true), 1);
        assert_eq!(row_for("220201", None, false), 3);
        assert_eq!(row_for("1405", Some("inventory"), false), 3);
        assert_eq!(row_for("2211", None, false), 4);
        assert_eq!(row_for("222102", None, false), 5);
        assert_eq!(row_for("1601", None, false), 12);
        assert_eq!(row_for("1601", None, true), 10);
        assert_eq!(row_for("2001", None, true), 14);
        assert_eq!(row_for("2001", None, false), 16);
        assert_eq!(row_for("3001", None, true), 15);
        assert_eq!(row_for("560201", None, false), 6);
        assert_eq!(row_for("5301", None, true), 2);
    }

    #[test]
    fn rows_add_up_to_the_change_in_cash() {
        // Received 1,130 from customers, paid 565 to suppliers, 100 wages, borrowed 1,000.
        let flows = HashMap::from([(1, 1130), (3, -565), (4, -100), (14, 1000)]);
        let f = figures(&flows, 50);
        assert_eq!((f[&1], f[&3], f[&4]), (1130, 565, 100));
        assert_eq!(f[&7], 465);
        assert_eq!(f[&19], 1000);
        assert_eq!((f[&20], f[&21], f[&22]), (1465, 50, 1515));
    }
}

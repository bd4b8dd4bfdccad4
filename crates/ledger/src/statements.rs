//! The financial statements in the 小企业会计准则 layouts (china.md §1.6): 资产负债表 (会小企01表,
//! closing and start-of-year columns) and 利润表 (会小企02表, this month and year to date).
//! Each row names the accounts that feed it; totals are sums of rows. Read from the balances.

use std::collections::HashMap;

use kernel::db::Tx;
use kernel::{Ctx, Currency, Error, Money, Result};
use serde::Serialize;

use crate::permissions::READ;

/// How an account feeds a row: its net balance on the row's side, or only a debit (or credit)
/// balance (debit-balance receivables, credit-balance payables, accumulated depreciation).
#[derive(Clone, Copy)]
enum Feed {
    Net(&'static str),
    DebitPart(&'static str),
    CreditPart(&'static str),
}

/// A row: its number, its text, and either feeding accounts or the rows it totals.
struct Spec {
    row: u32,
    label: &'static str,
    feeds: &'static [Feed],
    sum_of: &'static [u32],
}

const fn row(row: u32, label: &'static str, feeds: &'static [Feed]) -> Spec {
    Spec { row, label, feeds, sum_of: &[] }
}

const fn total(row: u32, label: &'static str, sum_of: &'static [u32]) -> Spec {
    Spec { row, label, feeds: &[], sum_of }
}

use Feed::{CreditPart, DebitPart, Net};

/// 资产负债表, assets (debit-side rows).
const ASSETS: &[Spec] = &[
    row(1, "货币资金", &[Net("1001"), Net("1002"), Net("1012")]),
    row(2, "短期投资", &[Net("1101")]),
    row(3, "应收票据", &[Net("1121")]),
    row(4, "应收账款", &[DebitPart("1122"), DebitPart("2203")]),
    row(5, "预付账款", &[DebitPart("1123"), DebitPart("2202")]),
    row(6, "应收股利", &[Net("1131")]),
    row(7, "应收利息", &[Net("1132")]),
    row(8, "其他应收款", &[Net("1221")]),
    row(
        9,
        "存货",
        &[
            Net("1401"),
            Net("1402"),
            Net("1403"),
            Net("1404"),
            Net("1405"),
            Net("1407"),
            Net("1408"),
            Net("1411"),
            Net("1421"),
            Net("4001"),
            Net("4101"),
            Net("4401"),
            Net("4403"),
        ],
    ),
    row(10, "其中：原材料", &[Net("1403"), Net("1404")]),
    row(11, "在产品", &[Net("4001")]),
    row(12, "库存商品", &[Net("1405"), Net("1407")]),
    row(13, "周转材料", &[Net("1411")]),
    row(14, "其他流动资产", &[Net("1901")]),
    total(15, "流动资产合计", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 14]),
    row(16, "长期债券投资", &[Net("1501")]),
    row(17, "长期股权投资", &[Net("1511")]),
    row(18, "固定资产原价", &[Net("1601")]),
    row(19, "减：累计折旧", &[CreditPart("1602")]),
    row(20, "固定资产账面价值", &[Net("1601"), Net("1602")]),
    row(21, "在建工程", &[Net("1604")]),
    row(22, "工程物资", &[Net("1605")]),
    row(23, "固定资产清理", &[Net("1606")]),
    row(24, "生产性生物资产", &[Net("1621"), Net("1622")]),
    row(25, "无形资产", &[Net("1701"), Net("1702")]),
    row(26, "开发支出", &[Net("4301")]),
    row(27, "长期待摊费用", &[Net("1801")]),
    row(28, "其他非流动资产", &[]),
    total(29, "非流动资产合计", &[16, 17, 20, 21, 22, 23, 24, 25, 26, 27, 28]),
    total(30, "资产总计", &[15, 29]),
];

/// 资产负债表, liabilities and equity (credit-side rows).
const LIABILITIES: &[Spec] = &[
    row(31, "短期借款", &[Net("2001")]),
    row(32, "应付票据", &[Net("2201")]),
    row(33, "应付账款", &[CreditPart("2202"), CreditPart("1123")]),
    row(34, "预收账款", &[CreditPart("2203"), CreditPart("1122")]),
    row(35, "应付职工薪酬", &[Net("2211")]),
    row(36, "应交税费", &[Net("2221")]),
    row(37, "应付利息", &[Net("2231")]),
    row(38, "应付利润", &[Net("2232")]),
    row(39, "其他应付款", &[Net("2241")]),
    row(40, "其他流动负债", &[]),
    total(41, "流动负债合计", &[31, 32, 33, 34, 35, 36, 37, 38, 39, 40]),
    row(42, "长期借款", &[Net("2501")]),
    row(43, "长期应付款", &[Net("2701")]),
    row(44, "递延收益", &[Net("2401")]),
    row(45, "其他非流动负债", &[]),
    total(46, "非流动负债合计", &[42, 43, 44, 45]),
    total(47, "负债合计", &[41, 46]),
    row(48, "实收资本（或股本）", &[Net("3001")]),
    row(49, "资本公积", &[Net("3002")]),
    row(50, "盈余公积", &[Net("3101")]),
    // Profit not yet carried forward (the month is not closed) is profit all the same.
    row(51, "未分配利润", &[Net("3103"), Net("3104"), Net("5")]),
    total(52, "所有者权益（或股东权益）合计", &[48, 49, 50, 51]),
    total(53, "负债和所有者权益（或股东权益）总计", &[47, 52]),
];

/// 利润表 (the rows that carry amounts; the 其中 details of taxes and expenses need sub-accounts).
const INCOME: &[Spec] = &[
    row(1, "一、营业收入", &[Net("5001"), Net("5051")]),
    row(2, "减：营业成本", &[Net("5401"), Net("5402")]),
    row(3, "税金及附加", &[Net("5403")]),
    row(11, "销售费用", &[Net("5601")]),
    row(14, "管理费用", &[Net("5602")]),
    row(18, "财务费用", &[Net("5603")]),
    row(20, "加：投资收益（损失以“-”号填列）", &[Net("5111")]),
    row(21, "二、营业利润（亏损以“-”号填列）", &[]),
    row(22, "加：营业外收入", &[Net("5301")]),
    row(24, "减：营业外支出", &[Net("5711")]),
    row(30, "三、利润总额（亏损总额以“-”号填列）", &[]),
    row(31, "减：所得税费用", &[Net("5801")]),
    row(32, "四、净利润（净亏损以“-”号填列）", &[]),
];

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StatementRow {
    pub row: u32,
    pub label: String,
    /// 期末余额 / 本月金额
    pub current: String,
    /// 年初余额 / 本年累计金额
    pub other: String,
    /// The accounts (codes, sub-accounts included) whose balances make the row: where a
    /// drill-down leads. Empty on totals.
    pub accounts: Vec<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Statement {
    pub title: String,
    pub period: String,
    pub rows: Vec<StatementRow>,
}

pub(crate) fn yuan(fen: i64) -> String {
    Money::from_minor(fen, Currency::CNY).to_string()
}

/// Debit − credit per account code, from the balances of the periods `condition` selects ($2, $3).
fn nets(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    condition: &str,
    periods: (&str, &str),
    closing: bool,
) -> Result<HashMap<String, i64>> {
    // `closing`: leave out the carry-forward part (the income statement shows turnover).
    let amount = if closing { "b.debit - b.closing_debit - b.credit + b.closing_credit" } else { "b.debit - b.credit" };
    let mut out = HashMap::new();
    for r in tx.query(
        &format!(
            "select a.code, coalesce(sum({amount}), 0) from ledger_balance b join ledger_account a on a.id = b.account_id
             where b.company_id = $1 and {condition} group by a.code"
        ),
        &[&ctx.company(), &periods.0, &periods.1],
    )? {
        out.insert(r.get::<String>(0)?, r.get::<i64>(1)?);
    }
    Ok(out)
}

/// The net (debit − credit) of every account whose code starts with `prefix`.
fn net_of(nets: &HashMap<String, i64>, prefix: &str) -> i64 {
    nets.iter().filter(|(code, _)| code.starts_with(prefix)).map(|(_, v)| *v).sum()
}

/// A row's amount, on its side (`credit_side` rows show credit balances as positive).
/// The codes of the accounts feeding a row.
fn accounts_of(spec: &Spec) -> Vec<String> {
    spec.feeds
        .iter()
        .map(|feed| match *feed {
            Net(code) | DebitPart(code) | CreditPart(code) => code.to_string(),
        })
        .collect()
}

fn amount(spec: &Spec, nets: &HashMap<String, i64>, credit_side: bool) -> i64 {
    let sign = if credit_side { -1 } else { 1 };
    spec.feeds
        .iter()
        .map(|feed| match *feed {
            Net(code) => sign * net_of(nets, code),
            DebitPart(code) => net_of(nets, code).max(0),
            CreditPart(code) => (-net_of(nets, code)).max(0),
        })
        .sum()
}

fn compute(specs: &[Spec], nets: &HashMap<String, i64>, credit_side: bool, done: &mut HashMap<u32, i64>) {
    for spec in specs {
        let value = if spec.sum_of.is_empty() {
            amount(spec, nets, credit_side)
        } else {
            spec.sum_of.iter().map(|r| done.get(r).copied().unwrap_or(0)).sum()
        };
        done.insert(spec.row, value);
    }
}

pub(crate) fn require_small(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<()> {
    let template: Option<String> = tx
        .query_opt("select template from ledger_book where company_id = $1", &[&ctx.company()])?
        .map(|r| r.get(0))
        .transpose()?;
    if template.as_deref() == Some("small") { Ok(()) } else { Err(Error::invalid("ledger.statement_layout")) }
}

pub(crate) fn check_period(period: &str) -> Result<(String, String)> {
    let period = period.trim();
    if period.len() != 7 || kernel::clock::parse_date(&format!("{period}-01")).is_err() {
        return Err(Error::field("period", "ledger.period_invalid"));
    }
    Ok((period.to_string(), format!("{}-01", &period[..4])))
}

/// 资产负债表 at the end of `period`: 期末余额 and 年初余额 (the end of the year before).
pub fn balance_sheet(tx: &mut Tx<'_>, ctx: &Ctx, period: &str) -> Result<Statement> {
    ctx.require(READ)?;
    require_small(tx, ctx)?;
    let (period, january) = check_period(period)?;
    let closing = nets(tx, ctx, "b.period >= $2 and b.period <= $3", ("0000-00", &period), false)?;
    let opening = nets(tx, ctx, "b.period >= $2 and b.period < $3", ("0000-00", &january), false)?;
    let mut now = HashMap::new();
    let mut then = HashMap::new();
    compute(ASSETS, &closing, false, &mut now);
    compute(LIABILITIES, &closing, true, &mut now);
    compute(ASSETS, &opening, false, &mut then);
    compute(LIABILITIES, &opening, true, &mut then);
    let rows = ASSETS
        .iter()
        .chain(LIABILITIES)
        .map(|s| StatementRow {
            row: s.row,
            label: s.label.to_string(),
            current: yuan(now[&s.row]),
            other: yuan(then[&s.row]),
            accounts: accounts_of(s),
        })
        .collect();
    Ok(Statement { title: "资产负债表（会小企01表）".into(), period, rows })
}

/// 利润表 for `period`: 本月金额 and 本年累计金额, turnover without the carry-forward.
pub fn income_statement(tx: &mut Tx<'_>, ctx: &Ctx, period: &str) -> Result<Statement> {
    ctx.require(READ)?;
    require_small(tx, ctx)?;
    let (period, january) = check_period(period)?;
    let month = nets(tx, ctx, "b.period >= $2 and b.period <= $3", (&period, &period), true)?;
    let year = nets(tx, ctx, "b.period >= $2 and b.period <= $3", (&january, &period), true)?;
    let figures = |nets: &HashMap<String, i64>| -> HashMap<u32, i64> {
        // Income rows are credit-side, cost rows debit-side: each shown positive.
        let mut out: HashMap<u32, i64> = HashMap::new();
        for spec in INCOME {
            let credit_side = matches!(spec.row, 1 | 20 | 22);
            out.insert(spec.row, amount(spec, nets, credit_side));
        }
        let operating = out[&1] - out[&2] - out[&3] - out[&11] - out[&14] - out[&18] + out[&20];
        out.insert(21, operating);
        out.insert(30, operating + out[&22] - out[&24]);
        out.insert(32, out[&30] - out[&31]);
        out
    };
    let (m, y) = (figures(&month), figures(&year));
    let rows = INCOME
        .iter()
        .map(|s| StatementRow {
            row: s.row,
            label: s.label.to_string(),
            current: yuan(m[&s.row]),
            other: yuan(y[&s.row]),
            accounts: accounts_of(s),
        })
        .collect();
    Ok(Statement { title: "利润表（会小企02表）".into(), period, rows })
}

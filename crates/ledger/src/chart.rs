//! Chart of accounts templates: 小企业会计准则 (the default for SMEs) and 企业会计准则. The same
//! code means different accounts under the two (4001 is 生产成本 in one, 实收资本 in the other),
//! so postings never use codes: each account the software needs carries a role
//! (`receivable`, `vat.output`, `inventory` …) and is found by it (china.md §1).

use kernel::db::Tx;
use kernel::{Ctx, Error, Result};

/// One account of a template: code, name, category, normal side, role. A code with a parent's
/// code as prefix (222101 under 2221) is its sub-account.
type Row = (&'static str, &'static str, &'static str, &'static str, Option<&'static str>);

const A: &str = "asset";
const L: &str = "liability";
const E: &str = "equity";
const C: &str = "cost";
const P: &str = "profit_loss";
const DR: &str = "debit";
const CR: &str = "credit";

/// 小企业会计准则 (财会〔2011〕17号): the 66 first-level accounts, with the 应交增值税 columns and
/// the 暂估 sub-account of 应付账款 that postings need.
pub const SMALL: &[Row] = &[
    ("1001", "库存现金", A, DR, Some("cash")),
    ("1002", "银行存款", A, DR, Some("bank")),
    ("1012", "其他货币资金", A, DR, None),
    ("1101", "短期投资", A, DR, None),
    ("1121", "应收票据", A, DR, None),
    ("1122", "应收账款", A, DR, Some("receivable")),
    ("1123", "预付账款", A, DR, Some("prepayment")),
    ("1131", "应收股利", A, DR, None),
    ("1132", "应收利息", A, DR, None),
    ("1221", "其他应收款", A, DR, Some("other_receivable")),
    ("1401", "材料采购", A, DR, None),
    ("1402", "在途物资", A, DR, Some("goods_in_transit")),
    ("1403", "原材料", A, DR, Some("materials")),
    ("1404", "材料成本差异", A, DR, None),
    ("1405", "库存商品", A, DR, Some("inventory")),
    ("1407", "商品进销差价", A, CR, None),
    ("1408", "委托加工物资", A, DR, None),
    ("1411", "周转材料", A, DR, None),
    ("1421", "消耗性生物资产", A, DR, None),
    ("1501", "长期债券投资", A, DR, None),
    ("1511", "长期股权投资", A, DR, None),
    ("1601", "固定资产", A, DR, Some("fixed_assets")),
    ("1602", "累计折旧", A, CR, Some("depreciation")),
    ("1604", "在建工程", A, DR, None),
    ("1605", "工程物资", A, DR, None),
    ("1606", "固定资产清理", A, DR, None),
    ("1621", "生产性生物资产", A, DR, None),
    ("1622", "生产性生物资产累计折旧", A, CR, None),
    ("1701", "无形资产", A, DR, None),
    ("1702", "累计摊销", A, CR, None),
    ("1801", "长期待摊费用", A, DR, None),
    ("1901", "待处理财产损溢", A, DR, Some("pending_loss")),
    ("2001", "短期借款", L, CR, None),
    ("2201", "应付票据", L, CR, None),
    ("2202", "应付账款", L, CR, None),
    ("220201", "应付账款—一般", L, CR, Some("payable")),
    ("220202", "应付账款—暂估", L, CR, Some("payable.accrued")),
    ("2203", "预收账款", L, CR, Some("advance_received")),
    ("2211", "应付职工薪酬", L, CR, Some("payroll_payable")),
    ("2221", "应交税费", L, CR, None),
    ("222101", "应交增值税", L, CR, None),
    ("22210101", "进项税额", L, CR, Some("vat.input")),
    ("22210102", "销项税额", L, CR, Some("vat.output")),
    ("22210103", "进项税额转出", L, CR, Some("vat.input_transfer")),
    ("22210104", "转出未交增值税", L, CR, Some("vat.transfer_out")),
    ("222102", "未交增值税", L, CR, Some("vat.unpaid")),
    ("222103", "应交个人所得税", L, CR, Some("iit_payable")),
    ("222104", "其他应交税费", L, CR, None),
    ("2231", "应付利息", L, CR, None),
    ("2232", "应付利润", L, CR, None),
    ("2241", "其他应付款", L, CR, Some("other_payable")),
    ("2401", "递延收益", L, CR, None),
    ("2501", "长期借款", L, CR, None),
    ("2701", "长期应付款", L, CR, None),
    ("3001", "实收资本", E, CR, Some("capital")),
    ("3002", "资本公积", E, CR, None),
    ("3101", "盈余公积", E, CR, None),
    ("3103", "本年利润", E, CR, Some("current_year_profit")),
    ("3104", "利润分配", E, CR, Some("retained_earnings")),
    ("4001", "生产成本", C, DR, Some("production_cost")),
    ("4101", "制造费用", C, DR, Some("overhead")),
    ("4301", "研发支出", C, DR, None),
    ("4401", "工程施工", C, DR, None),
    ("4403", "机械作业", C, DR, None),
    ("5001", "主营业务收入", P, CR, Some("revenue")),
    ("5051", "其他业务收入", P, CR, None),
    ("5111", "投资收益", P, CR, None),
    ("5301", "营业外收入", P, CR, Some("non_operating_income")),
    ("5401", "主营业务成本", P, DR, Some("cogs")),
    ("5402", "其他业务成本", P, DR, None),
    ("5403", "税金及附加", P, DR, Some("surtax")),
    ("5601", "销售费用", P, DR, Some("selling_expense")),
    ("5602", "管理费用", P, DR, Some("admin_expense")),
    ("5603", "财务费用", P, DR, Some("finance_expense")),
    ("5711", "营业外支出", P, DR, Some("non_operating_expense")),
    ("5801", "所得税费用", P, DR, None),
];

/// 企业会计准则 (2006 应用指南), the accounts a manufacturing or trading company needs, with the
/// same roles.
pub const ENTERPRISE: &[Row] = &[
    ("1001", "库存现金", A, DR, Some("cash")),
    ("1002", "银行存款", A, DR, Some("bank")),
    ("1012", "其他货币资金", A, DR, None),
    ("1101", "交易性金融资产", A, DR, None),
    ("1121", "应收票据", A, DR, None),
    ("1122", "应收账款", A, DR, Some("receivable")),
    ("1123", "预付账款", A, DR, Some("prepayment")),
    ("1221", "其他应收款", A, DR, Some("other_receivable")),
    ("1231", "坏账准备", A, CR, None),
    ("1402", "在途物资", A, DR, Some("goods_in_transit")),
    ("1403", "原材料", A, DR, Some("materials")),
    ("1405", "库存商品", A, DR, Some("inventory")),
    ("1406", "发出商品", A, DR, None),
    ("1411", "周转材料", A, DR, None),
    ("1471", "存货跌价准备", A, CR, None),
    ("1511", "长期股权投资", A, DR, None),
    ("1601", "固定资产", A, DR, Some("fixed_assets")),
    ("1602", "累计折旧", A, CR, Some("depreciation")),
    ("1604", "在建工程", A, DR, None),
    ("1701", "无形资产", A, DR, None),
    ("1702", "累计摊销", A, CR, None),
    ("1801", "长期待摊费用", A, DR, None),
    ("1901", "待处理财产损溢", A, DR, Some("pending_loss")),
    ("2001", "短期借款", L, CR, None),
    ("2201", "应付票据", L, CR, None),
    ("2202", "应付账款", L, CR, None),
    ("220201", "应付账款—一般", L, CR, Some("payable")),
    ("220202", "应付账款—暂估", L, CR, Some("payable.accrued")),
    ("2203", "预收账款", L, CR, Some("advance_received")),
    ("2211", "应付职工薪酬", L, CR, Some("payroll_payable")),
    ("2221", "应交税费", L, CR, None),
    ("222101", "应交增值税", L, CR, None),
    ("22210101", "进项税额", L, CR, Some("vat.input")),
    ("22210102", "销项税额", L, CR, Some("vat.output")),
    ("22210103", "进项税额转出", L, CR, Some("vat.input_transfer")),
    ("22210104", "转出未交增值税", L, CR, Some("vat.transfer_out")),
    ("222102", "未交增值税", L, CR, Some("vat.unpaid")),
    ("222103", "应交个人所得税", L, CR, Some("iit_payable")),
    ("222104", "其他应交税费", L, CR, None),
    ("2231", "应付利息", L, CR, None),
    ("2232", "应付股利", L, CR, None),
    ("2241", "其他应付款", L, CR, Some("other_payable")),
    ("2501", "长期借款", L, CR, None),
    ("4001", "实收资本", E, CR, Some("capital")),
    ("4002", "资本公积", E, CR, None),
    ("4101", "盈余公积", E, CR, None),
    ("4103", "本年利润", E, CR, Some("current_year_profit")),
    ("4104", "利润分配", E, CR, Some("retained_earnings")),
    ("5001", "生产成本", C, DR, Some("production_cost")),
    ("5101", "制造费用", C, DR, Some("overhead")),
    ("5301", "研发支出", C, DR, None),
    ("6001", "主营业务收入", P, CR, Some("revenue")),
    ("6051", "其他业务收入", P, CR, None),
    ("6061", "汇兑损益", P, CR, Some("exchange_difference")),
    ("6111", "投资收益", P, CR, None),
    ("6301", "营业外收入", P, CR, Some("non_operating_income")),
    ("6401", "主营业务成本", P, DR, Some("cogs")),
    ("6402", "其他业务成本", P, DR, None),
    ("6403", "税金及附加", P, DR, Some("surtax")),
    ("6601", "销售费用", P, DR, Some("selling_expense")),
    ("6602", "管理费用", P, DR, Some("admin_expense")),
    ("6603", "财务费用", P, DR, Some("finance_expense")),
    ("6701", "资产减值损失", P, DR, None),
    ("6711", "营业外支出", P, DR, Some("non_operating_expense")),
    ("6801", "所得税费用", P, DR, None),
];

pub fn template(code: &str) -> Result<&'static [Row]> {
    match code {
        "small" => Ok(SMALL),
        "enterprise" => Ok(ENTERPRISE),
        _ => Err(Error::field("template", "ledger.template_unknown")),
    }
}

/// Creates a company's chart from a template (parents before children: templates are ordered).
pub fn install(tx: &mut Tx<'_>, ctx: &Ctx, code: &str) -> Result<()> {
    let rows = template(code)?;
    let now = ctx.now_text();
    let mut ids: Vec<(&str, String)> = Vec::with_capacity(rows.len());
    for (account, name, category, direction, role) in rows {
        // The parent is the longest earlier code that prefixes this one.
        let parent = ids.iter().filter(|(c, _)| account.starts_with(c) && c != account).max_by_key(|(c, _)| c.len());
        let parent_id = parent.map(|(_, id)| id.clone());
        let has_children = rows.iter().any(|(c, ..)| c != account && c.starts_with(account));
        let id = kernel::id::Uuid::now_v7().to_string();
        // Receivables name their customer, payables their supplier (辅助核算).
        let dimensions = match *role {
            Some("receivable" | "advance_received") => "customer",
            Some("payable" | "prepayment") => "supplier",
            _ => "",
        };
        tx.execute(
            "insert into ledger_account (id, company_id, code, name, parent_id, category, direction, role, postable, dimensions, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[&id, &ctx.company(), account, name, &parent_id, category, direction, role, &!has_children, &dimensions, &now],
        )?;
        ids.push((account, id));
    }
    tx.execute(
        "insert into ledger_book (company_id, template, created_at) values ($1, $2, $3)",
        &[&ctx.company(), &code, &now],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_templates_have_every_role_once() {
        for rows in [SMALL, ENTERPRISE] {
            let roles: Vec<&str> = rows.iter().filter_map(|r| r.4).collect();
            let unique: std::collections::BTreeSet<&&str> = roles.iter().collect();
            assert_eq!(roles.len(), unique.len());
            for needed in [
                "receivable",
                "payable",
                "inventory",
                "vat.input",
                "vat.output",
                "revenue",
                "cogs",
                "current_year_profit",
            ] {
                assert!(roles.contains(&needed), "{needed}");
            }
        }
        assert_eq!(SMALL.iter().filter(|r| r.0.len() == 4).count(), 66, "the 66 first-level accounts");
        // The same code, a different account.
        assert_eq!(SMALL.iter().find(|r| r.0 == "4001").unwrap().1, "生产成本");
        assert_eq!(ENTERPRISE.iter().find(|r| r.0 == "4001").unwrap().1, "实收资本");
    }
}

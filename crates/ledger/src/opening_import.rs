//! The opening balances and open items as spreadsheets (期初导入模板): the importers call the
//! same services as the opening page, so the dry run checks exactly what entering them would,
//! and the export of what was entered imports again as it is.

use kernel::db::Tx;
use kernel::import::{ImportColumn, ImportRow, Importer};
use kernel::{Ctx, Result};

use crate::opening::{OpeningBalanceInput, OpeningItemInput, list_balances, list_items, set_balance, set_item};

/// Partner codes for the ids the rows name.
fn partner_codes(tx: &mut Tx<'_>, ctx: &Ctx, ids: Vec<String>) -> Result<std::collections::HashMap<String, String>> {
    Ok(party::lookup::names_of(tx, ctx, &ids)?.into_iter().map(|(id, (code, _))| (id, code)).collect())
}

pub struct OpeningBalanceImporter;

const BALANCE_COLUMNS: &[ImportColumn] = &[
    ImportColumn { key: "account", required: true, example: "1002" },
    ImportColumn { key: "partner", required: false, example: "" },
    ImportColumn { key: "product", required: false, example: "" },
    ImportColumn { key: "employee", required: false, example: "" },
    ImportColumn { key: "department", required: false, example: "" },
    ImportColumn { key: "project", required: false, example: "" },
    ImportColumn { key: "debit", required: false, example: "350000.00" },
    ImportColumn { key: "credit", required: false, example: "" },
    ImportColumn { key: "ytd_debit", required: false, example: "1200000.00" },
    ImportColumn { key: "ytd_credit", required: false, example: "980000.00" },
];

impl Importer for OpeningBalanceImporter {
    fn name(&self) -> &'static str {
        "opening-balances"
    }

    fn columns(&self) -> &'static [ImportColumn] {
        BALANCE_COLUMNS
    }

    fn import_row(&self, tx: &mut Tx<'_>, ctx: &Ctx, row: &ImportRow<'_>) -> Result<()> {
        let text = |key: &str| row.get(key).map(str::to_string);
        let input = OpeningBalanceInput {
            account: row.text("account"),
            partner: text("partner"),
            product: text("product"),
            employee: text("employee"),
            department: text("department"),
            project: text("project"),
            debit: text("debit"),
            credit: text("credit"),
            ytd_debit: text("ytd_debit"),
            ytd_credit: text("ytd_credit"),
        };
        set_balance(tx, ctx, &input).map(|_| ())
    }

    fn export_page(&self, tx: &mut Tx<'_>, ctx: &Ctx, after: &str, _limit: i64) -> Result<Vec<Vec<String>>> {
        if !after.is_empty() {
            return Ok(Vec::new());
        }
        let balances = list_balances(tx, ctx)?;
        let codes = partner_codes(tx, ctx, balances.iter().filter_map(|b| b.partner_id.clone()).collect())?;
        let product_codes = product::lookup::codes_of(
            tx,
            ctx,
            &balances.iter().filter_map(|b| b.product_id.clone()).collect::<Vec<_>>(),
        )?;
        Ok(balances
            .into_iter()
            .map(|b| {
                vec![
                    b.account_code,
                    b.partner_id.and_then(|p| codes.get(&p).cloned()).unwrap_or_default(),
                    b.product_id.and_then(|p| product_codes.get(&p).cloned()).unwrap_or_default(),
                    b.employee_id.unwrap_or_default(),
                    b.department.unwrap_or_default(),
                    b.project.unwrap_or_default(),
                    b.debit,
                    b.credit,
                    b.ytd_debit,
                    b.ytd_credit,
                ]
            })
            .collect())
    }
}

pub struct OpeningItemImporter;

const ITEM_COLUMNS: &[ImportColumn] = &[
    ImportColumn { key: "side", required: true, example: "receivable" },
    ImportColumn { key: "partner", required: true, example: "C0001" },
    ImportColumn { key: "number", required: true, example: "INV-2026-0317" },
    ImportColumn { key: "date", required: true, example: "2026-05-20" },
    ImportColumn { key: "due_date", required: false, example: "2026-06-19" },
    ImportColumn { key: "amount", required: true, example: "11300.00" },
    ImportColumn { key: "summary", required: false, example: "" },
];

impl Importer for OpeningItemImporter {
    fn name(&self) -> &'static str {
        "opening-items"
    }

    fn columns(&self) -> &'static [ImportColumn] {
        ITEM_COLUMNS
    }

    fn import_row(&self, tx: &mut Tx<'_>, ctx: &Ctx, row: &ImportRow<'_>) -> Result<()> {
        let input = OpeningItemInput {
            side: row.text("side"),
            partner: row.text("partner"),
            number: row.text("number"),
            date: row.text("date"),
            due_date: row.get("due_date").map(str::to_string),
            amount: row.text("amount"),
            summary: row.text("summary"),
        };
        set_item(tx, ctx, &input).map(|_| ())
    }

    fn export_page(&self, tx: &mut Tx<'_>, ctx: &Ctx, after: &str, _limit: i64) -> Result<Vec<Vec<String>>> {
        if !after.is_empty() {
            return Ok(Vec::new());
        }
        let items = list_items(tx, ctx)?;
        let codes = partner_codes(tx, ctx, items.iter().map(|i| i.partner_id.clone()).collect())?;
        Ok(items
            .into_iter()
            .map(|i| {
                vec![
                    i.side,
                    codes.get(&i.partner_id).cloned().unwrap_or(i.partner_id),
                    i.number,
                    i.date,
                    i.due_date,
                    i.amount,
                    i.summary,
                ]
            })
            .collect())
    }
}

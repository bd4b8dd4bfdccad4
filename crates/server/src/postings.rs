//! Automatic vouchers: how other modules' events become entries in the ledger
//! (`shared/domain/postings.md`). Accounts are found by role, so either chart works. Each runs
//! in the event's transaction: a document and its voucher commit together or not at all.

use inventory::{LocationKind, StockDocumentDone, StockRevalued};
use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::invariant::Invariant;
use kernel::money::div_round_half_up;
use kernel::{Ctx, Currency, Result};
use ledger::{AutoLine, RuleFacts};

/// The account that stands for a kind of place outside valued stock.
fn counterpart(kind: LocationKind) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        // Goods received before the vendor's bill: 暂估 payable until purchasing posts the bill.
        LocationKind::Supplier => ("payable.accrued", "采购入库"),
        LocationKind::Customer => ("cogs", "销售出库成本"),
        LocationKind::Production => ("production_cost", "生产领料/完工"),
        LocationKind::Scrap => ("non_operating_expense", "报废"),
        // Count differences wait in 待处理财产损溢 until approved.
        LocationKind::Loss => ("pending_loss", "盘点损益"),
        LocationKind::Internal | LocationKind::Transit | LocationKind::View => return None,
    })
}

/// One voucher per stock document: inventory against the place the value came from or went to.
pub fn stock_document_done(tx: &mut Tx<'_>, ctx: &Ctx, event: &StockDocumentDone) -> Result<()> {
    // Opening stock: its value is in the opening vouchers (the stock accounts' opening
    // balances, which ending initialisation checks against it).
    if event.origin.as_ref().is_some_and(|o| o.kind == inventory::opening::ORIGIN) {
        return Ok(());
    }
    let mut lines = Vec::new();
    for flow in &event.flows {
        // Positive value came into stock from `from_kind`; negative went out to `to_kind`.
        let place = if flow.value > 0 { flow.from_kind } else { flow.to_kind };
        let Some((role, summary)) = counterpart(place) else { continue };
        let summary = format!("{} {}", summary, event.number);
        let value = flow.value.abs();
        let (into, out) = if flow.value > 0 { (value, 0) } else { (0, value) };
        // Posting rules may send a category's or a warehouse's stock (and its cost) elsewhere.
        let facts = RuleFacts {
            product_category: flow.category.clone(),
            warehouse: flow.warehouse.clone(),
            ..RuleFacts::default()
        };
        lines.push(AutoLine {
            partner_id: event.partner_id.clone(),
            facts: facts.clone(),
            ..AutoLine::by_role("inventory", summary.clone(), into, out)
        });
        lines.push(AutoLine {
            partner_id: event.partner_id.clone(),
            facts,
            ..AutoLine::by_role(role, summary, out, into)
        });
    }
    if lines.is_empty() {
        return Ok(());
    }
    let source = DocRef::new("inventory.picking", &event.picking_id);
    ledger::post_automatic(tx, ctx, event.date, &format!("库存单据 {}", event.number), &source, &lines).map(|_| ())
}

/// A back-dated move changed what later deliveries took out of stock: the difference goes to
/// cost of goods sold.
pub fn stock_revalued(tx: &mut Tx<'_>, ctx: &Ctx, event: &StockRevalued) -> Result<()> {
    if event.delta == 0 {
        return Ok(());
    }
    // `delta` is the change in stock value: negative when later deliveries now take more out.
    let (cogs_debit, cogs_credit) = if event.delta < 0 { (-event.delta, 0) } else { (0, event.delta) };
    let summary = "补记以前日期的存货变动：重估后续出库成本".to_string();
    let lines = [
        AutoLine {
            product_id: Some(event.product_id.clone()),
            ..AutoLine::by_role("cogs", summary.clone(), cogs_debit, cogs_credit)
        },
        AutoLine {
            product_id: Some(event.product_id.clone()),
            ..AutoLine::by_role("inventory", summary.clone(), cogs_credit, cogs_debit)
        },
    ];
    let source = DocRef::new("product.product", &event.product_id);
    ledger::post_automatic(tx, ctx, ctx.today(), &summary, &source, &lines).map(|_| ())
}

/// An amount in minor units of `currency` in CNY fen at `rate_e8` (CNY per unit × 10^8), half-up.
fn in_cny(minor: i64, currency: &Currency, rate_e8: i64) -> i64 {
    let fen = div_round_half_up(
        i128::from(minor) * i128::from(rate_e8) * 100,
        i128::from(currency.minor_per_major()) * 100_000_000,
    );
    i64::try_from(fen).unwrap_or(i64::MAX)
}

/// A posted sales invoice: receivable (gross) against revenue (net) and output VAT per rate;
/// a credit note the same in red ink (postings.md, Sales).
pub fn sales_invoice_posted(tx: &mut Tx<'_>, ctx: &Ctx, event: &sales::InvoicePosted) -> Result<()> {
    let currency = Currency::from_code(&event.currency)?;
    let sign = if event.credit_note { -1 } else { 1 };
    let summary = if event.credit_note {
        format!("红字发票 {}", event.number)
    } else {
        format!("销售发票 {}", event.number)
    };
    let (mut revenue, mut revenue_lines, mut vat_lines) = (0i64, Vec::new(), Vec::new());
    for rate in &event.by_tax {
        let untaxed = in_cny(rate.untaxed, &currency, event.rate_e8);
        revenue += untaxed;
        // Revenue per tax code, so a posting rule can send export (0%) sales to their own account.
        let facts = RuleFacts { tax: Some(rate.tax_code.clone()), ..RuleFacts::default() };
        revenue_lines.push(AutoLine { facts, ..AutoLine::by_role("revenue", summary.clone(), 0, sign * untaxed) });
        let tax = in_cny(rate.tax, &currency, event.rate_e8);
        if tax != 0 {
            let account = ledger::by_role(tx, ctx, &rate.output_account_role)?;
            vat_lines.push((account.id, tax));
        }
    }
    let receivable = revenue + vat_lines.iter().map(|(_, tax)| tax).sum::<i64>();
    let mut lines = vec![AutoLine {
        partner_id: Some(event.customer_id.clone()),
        currency: (event.currency != "CNY").then(|| (event.currency.clone(), sign * event.total, event.rate_e8)),
        ..AutoLine::by_role("receivable", summary.clone(), sign * receivable, 0)
    }];
    lines.extend(revenue_lines);
    lines.extend(
        vat_lines.into_iter().map(|(account, tax)| AutoLine::to_account(account, summary.clone(), 0, sign * tax)),
    );
    let source = DocRef::new("sales.invoice", &event.invoice_id);
    ledger::post_automatic(tx, ctx, event.date, &summary, &source, &lines).map(|_| ())
}

/// A posted vendor bill: the receipts' 暂估 accrual is cleared at what they booked, the
/// difference to the billed price goes to cost of sales (the goods are mostly sold or used by
/// the time bills differ), services to administrative expenses, input VAT per rate, and the
/// payable to the supplier; a debit note the same in red ink (postings.md, Purchasing).
pub fn purchase_bill_posted(tx: &mut Tx<'_>, ctx: &Ctx, event: &purchasing::BillPosted) -> Result<()> {
    let currency = Currency::from_code(&event.currency)?;
    let sign = if event.debit_note { -1 } else { 1 };
    let summary = if event.debit_note {
        format!("红字进项发票 {}", event.number)
    } else {
        format!("采购发票 {}", event.number)
    };
    let goods = in_cny(event.goods_untaxed, &currency, event.rate_e8);
    let expenses = in_cny(event.expense_untaxed, &currency, event.rate_e8);
    let difference = goods - event.accrued;
    let (diff_debit, diff_credit) = if difference >= 0 { (difference, 0) } else { (0, -difference) };
    let mut lines = vec![
        AutoLine::by_role("payable.accrued", summary.clone(), sign * event.accrued, 0),
        AutoLine::by_role("cogs", format!("{summary} 价差"), sign * diff_debit, sign * diff_credit),
        AutoLine::by_role("admin_expense", summary.clone(), sign * expenses, 0),
    ];
    let mut vat = 0;
    for rate in &event.by_tax {
        let tax = in_cny(rate.tax, &currency, event.rate_e8);
        if tax != 0 {
            let account = ledger::by_role(tx, ctx, &rate.input_account_role)?;
            lines.push(AutoLine::to_account(account.id, summary.clone(), sign * tax, 0));
            vat += tax;
        }
    }
    let total = event.goods_untaxed + event.expense_untaxed + event.by_tax.iter().map(|t| t.tax).sum::<i64>();
    lines.push(AutoLine {
        partner_id: Some(event.supplier_id.clone()),
        currency: (event.currency != "CNY").then(|| (event.currency.clone(), -sign * total, event.rate_e8)),
        ..AutoLine::by_role("payable", summary.clone(), 0, sign * (goods + expenses + vat))
    });
    let source = DocRef::new("purchasing.bill", &event.bill_id);
    ledger::post_automatic(tx, ctx, event.date, &summary, &source, &lines).map(|_| ())
}

/// Work reported on a work order: 生产成本 against 应付职工薪酬 for the labour and 制造费用 for
/// machine time and overhead applied (postings.md, Production).
pub fn job_costed(tx: &mut Tx<'_>, ctx: &Ctx, event: &production::events::JobCosted) -> Result<()> {
    let summary = format!("{} 报工", event.number);
    let lines = [
        AutoLine::by_role("production_cost", summary.clone(), event.labour + event.machine + event.overhead, 0),
        AutoLine::by_role("payroll_payable", format!("{summary} 人工"), 0, event.labour),
        AutoLine::by_role("overhead", format!("{summary} 机器与制造费用"), 0, event.machine + event.overhead),
    ];
    let source = DocRef::new("production.work_order", &event.work_order_id);
    ledger::post_automatic(tx, ctx, event.date, &summary, &source, &lines).map(|_| ())
}

/// A closed work order's leftover work in progress: cost of sales against 生产成本 (in red
/// when the goods received were valued above the order's cost).
pub fn work_order_settled(tx: &mut Tx<'_>, ctx: &Ctx, event: &production::events::WorkOrderSettled) -> Result<()> {
    let summary = format!("{} 完工结算", event.number);
    let (debit, credit) = if event.amount > 0 { (event.amount, 0) } else { (0, -event.amount) };
    let lines = [
        AutoLine::by_role("cogs", format!("{summary} 成本差异"), debit, credit),
        AutoLine::by_role("production_cost", summary.clone(), credit, debit),
    ];
    let source = DocRef::new("production.work_order", &event.work_order_id);
    ledger::post_automatic(tx, ctx, event.date, &summary, &source, &lines).map(|_| ())
}

/// Stock value equals the inventory account, per company (inventory and ledger together).
fn stock_equals_inventory_account(tx: &mut Tx<'_>) -> Result<Vec<String>> {
    let companies: Vec<String> =
        tx.query("select company_id from ledger_book", &[])?.iter().map(|r| r.get(0)).collect::<Result<_>>()?;
    let mut problems = Vec::new();
    for company in companies {
        let stock: i64 =
            tx.scalar("select coalesce(sum(value), 0) from inventory_product where company_id = $1", &[&company])?;
        let booked = ledger::balance::stock_accounts_balance(tx, &company)?;
        if stock != booked {
            problems.push(format!("company {company}: stock valued {stock} fen, inventory account {booked} fen"));
        }
    }
    Ok(problems)
}

pub const INVARIANTS: &[Invariant] = &[Invariant {
    name: "postings.stock_value",
    description: "stock value = the inventory account's balance",
    check: stock_equals_inventory_account,
}];

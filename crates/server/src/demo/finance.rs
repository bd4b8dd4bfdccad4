//! The demo company's own bookkeeping: the shareholders' capital paid in on the first day,
//! rent and expenses each month and last month's wages on the tenth (vouchers prepared by the
//! cashier, reviewed and posted by the accountant), the month-end close (结账, with its
//! carry-forward of profit and loss) of every month but the last two, and on the last day the
//! bank statement of the last week, matched where it names an invoice or a known partner, its
//! charges and interest booked, and the rest left open to reconcile.

use base64::Engine;
use kernel::db::Tx;
use kernel::{Ctx, Result};
use ledger::bank::{ColumnMapping, LineMatch, StatementInput};
use ledger::voucher::LineInput;
use ledger::{VoucherId, VoucherInput};
use time::{Date, Duration, Month};

use super::{Step as StoryStep, Story, fen, iso, yuan};

#[derive(Debug)]
pub enum Step {
    Capital,
    Expenses,
    Payroll,
    Close(String),
}

fn step(s: Step) -> StoryStep {
    StoryStep::Finance(s)
}

#[derive(Default)]
pub struct State {
    pub closed: Vec<String>,
    pub bank_lines: usize,
    pub bank_open: usize,
}

fn first_of_next_month(date: Date) -> Date {
    let (year, month) = if date.month() == Month::December {
        (date.year() + 1, Month::January)
    } else {
        (date.year(), date.month().next())
    };
    Date::from_calendar_date(year, month, 1).unwrap_or(date)
}

fn period(date: Date) -> String {
    iso(date)[..7].to_string()
}

/// The `n`-th working day (1-based) on or after `date`.
fn working_day(date: Date, n: u8) -> Date {
    let mut day = super::working_day_on_or_after(date);
    for _ in 1..n {
        day = super::working_day_on_or_after(day + Duration::days(1));
    }
    day
}

pub fn plan(story: &mut Story<'_>) {
    let start = story.start;
    story.at(start, step(Step::Capital));
    // Every month of the story: expenses on the 25th, wages on the 10th of the next.
    let mut month = Date::from_calendar_date(start.year(), start.month(), 1).unwrap_or(start);
    let current = Date::from_calendar_date(story.today.year(), story.today.month(), 1).unwrap_or(story.today);
    // Months up to two before the current one are closed on the third working day after.
    let last_closed = first_of_next_month(current - Duration::days(40)) - Duration::days(1);
    while month <= story.last {
        let on_25th = month.replace_day(25).unwrap_or(month);
        if on_25th >= start {
            story.at(on_25th, step(Step::Expenses));
        }
        let next = first_of_next_month(month);
        let tenth = next.replace_day(10).unwrap_or(next);
        story.at(tenth, step(Step::Payroll));
        if month <= last_closed {
            let close_on = working_day(next, 3);
            story.at(close_on, step(Step::Close(period(month))));
        }
        month = next;
    }
}

/// A voucher prepared by the cashier, then reviewed and posted by the accountant.
fn voucher(tx: &mut Tx<'_>, story: &mut Story<'_>, word: &str, summary: &str, lines: Vec<LineInput>) -> Result<()> {
    let input = VoucherInput {
        word: Some(word.into()),
        date: iso(story.date()),
        summary: summary.into(),
        attachments: 1,
        lines,
    };
    let prepared = ledger::create_voucher(tx, &story.people.cashier.clone(), &input)?;
    story.tick();
    let accountant = story.people.accountant.clone();
    let id: VoucherId = prepared.id;
    ledger::review(tx, &accountant, id)?;
    ledger::post(tx, &accountant, id)?;
    story.tick();
    Ok(())
}

fn line(account: &str, summary: &str, debit: Option<i64>, credit: Option<i64>) -> LineInput {
    LineInput {
        account: account.into(),
        summary: summary.into(),
        debit: debit.map(yuan),
        credit: credit.map(yuan),
        partner_id: None,
        product_id: None,
        employee_id: None,
        department: None,
        project: None,
    }
}

pub fn run(tx: &mut Tx<'_>, story: &mut Story<'_>, s: Step) -> Result<()> {
    match s {
        Step::Capital => {
            let summary = "收到股东投入资本金";
            let lines =
                vec![line("1002", summary, Some(500_000_000), None), line("3001", summary, None, Some(500_000_000))];
            voucher(tx, story, "收", summary, lines)
        }
        Step::Expenses => {
            let rent = 6_800_000;
            let travel = story.rng.range(120, 260) * 10_000;
            let lines = vec![
                line("5602", "支付厂房租金及物业费", Some(rent), None),
                line("5601", "销售差旅费及展会费", Some(travel), None),
                line("1002", "支付本月费用", None, Some(rent + travel)),
            ];
            voucher(tx, story, "付", "支付本月租金及费用", lines)
        }
        Step::Payroll => {
            let ctx = story.people.accountant.clone();
            let last_month = Date::from_calendar_date(story.date().year(), story.date().month(), 1)
                .unwrap_or(story.start)
                - Duration::days(1);
            let owed = payroll_owed(tx, &ctx, &period(last_month))?;
            if owed > 0 {
                let summary = "发放上月生产工资";
                let lines = vec![line("2211", summary, Some(owed), None), line("1002", summary, None, Some(owed))];
                voucher(tx, story, "付", summary, lines)?;
            }
            Ok(())
        }
        Step::Close(month) => {
            production::work_order::post_open_work(tx, &story.people.production.clone())?;
            ledger::period::close_period(tx, &story.people.accountant.clone(), &month)?;
            story.finance.closed.push(month);
            story.tick();
            Ok(())
        }
    }
}

/// What 应付职工薪酬 owed at the end of `period` (its closing credit balance).
fn payroll_owed(tx: &mut Tx<'_>, ctx: &Ctx, period: &str) -> Result<i64> {
    let balance = ledger::trial_balance(tx, ctx, period)?;
    match balance.rows.iter().find(|r| r.code == "2211") {
        Some(row) if !row.closing_credit.is_empty() => fen(&row.closing_credit),
        _ => Ok(0),
    }
}

/// The last day: the work reported and not yet booked is booked, and the bank statement of the
/// last week comes in and is reconciled as far as it goes by itself.
pub fn finish(tx: &mut Tx<'_>, story: &mut Story<'_>) -> Result<()> {
    let last = story.last;
    story.arrive(last);
    production::work_order::post_open_work(tx, &story.people.production.clone())?;
    let mut rows: Vec<(Date, i64, String, String)> = Vec::new();
    for (n, receipt) in story.trade.bank.iter().enumerate() {
        let customer = &story.masters.customers[receipt.customer];
        // Half the customers write the invoice number, the others only transfer.
        let reference = if n % 2 == 0 { receipt.reference.clone() } else { "转账汇款".into() };
        rows.push((receipt.date, receipt.amount, customer.name.clone(), reference));
    }
    for payment in &story.procurement.bank {
        rows.push((
            payment.date,
            -payment.amount,
            story.masters.suppliers[payment.supplier].name.clone(),
            "付货款".into(),
        ));
    }
    let window = super::trade::bank_window(story);
    let charge_day = super::working_day_on_or_after(window + Duration::days(1)).min(story.last);
    rows.push((charge_day, -1_500, String::new(), "网银转账手续费".into()));
    rows.push((story.last, -2_000, String::new(), "账户管理费".into()));
    rows.push((story.last, 8_632, String::new(), "活期存款利息".into()));
    rows.push((charge_day, 300_000, "陈志强".into(), "押金".into()));
    rows.sort_by_key(|row| row.0);
    let mut csv = String::from("交易日期,收入金额,支出金额,对方户名,摘要,流水号\n");
    for (n, (date, amount, counterparty, reference)) in rows.iter().enumerate() {
        let (inflow, outflow) =
            if *amount > 0 { (yuan(*amount), String::new()) } else { (String::new(), yuan(-amount)) };
        let number = format!("{}{:04}", iso(*date).replace('-', ""), n + 1);
        csv.push_str(&format!("{},{inflow},{outflow},{counterparty},{reference},{number}\n", iso(*date)));
    }
    let accountant = story.people.accountant.clone();
    let statement = ledger::bank::import_statement(
        tx,
        &accountant,
        &StatementInput {
            account: "1002".into(),
            file_name: format!("工商银行对账单-{}.csv", iso(story.last)),
            format: "csv".into(),
            content_base64: base64::engine::general_purpose::STANDARD.encode(csv),
            mapping: ColumnMapping {
                date: "交易日期".into(),
                amount: None,
                inflow: Some("收入金额".into()),
                outflow: Some("支出金额".into()),
                counterparty: Some("对方户名".into()),
                counterparty_account: None,
                reference: Some("摘要".into()),
                transaction_id: Some("流水号".into()),
            },
        },
    )?;
    story.tick();
    ledger::bank::auto_match(tx, &accountant, Some(statement.id))?;
    story.tick();
    // Charges and interest are booked to 财务费用; the deposit is left for someone to ask about.
    let read = ledger::bank::get_statement(tx, &accountant, statement.id)?;
    for bank_line in read.lines.iter().filter(|l| l.state == "open" && l.counterparty.is_empty()) {
        let input = LineMatch { partner_id: None, documents: Vec::new(), account: Some("5603".into()) };
        ledger::bank::match_line(tx, &accountant, &bank_line.id, &input)?;
        story.tick();
    }
    let read = ledger::bank::get_statement(tx, &accountant, statement.id)?;
    story.finance.bank_lines = read.lines.len();
    story.finance.bank_open = read.lines.iter().filter(|l| l.state == "open").count();
    Ok(())
}

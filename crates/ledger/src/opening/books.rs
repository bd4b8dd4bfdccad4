//! Turning the entered openings into the books: the checks (试算平衡, year-to-date turnover,
//! dates before the start, no vouchers before it, the stock accounts against the opening
//! stock), the opening vouchers that ending initialisation posts, and their removal when it is
//! reopened. How the figures become vouchers is told in the module above.

use std::collections::BTreeMap;

use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::{Ctx, Error, Result, audit};

use super::{CARRY_FORWARD, OPENING, Opening, Problem, first_day, load, opening_days, period_of, some, yuan};
use crate::account::{Account, account_by_id, by_role};
use crate::permissions::{POST, READ, REOPEN};
use crate::voucher::{Header, Line};

/// One entered row as the vouchers need it.
struct Row {
    account: Account,
    partner: String,
    product: String,
    employee: String,
    department: String,
    project: String,
    balance: i64,
    ytd_debit: i64,
    ytd_credit: i64,
}

impl Row {
    fn profit_loss(&self) -> bool {
        self.account.category == "profit_loss"
    }

    /// The year's net turnover before the start (debit positive): for profit and loss, all of
    /// what brought the account from nothing at the year's start to its balance.
    fn turnover(&self, january: bool) -> i64 {
        if january {
            0
        } else if self.profit_loss() {
            self.balance
        } else {
            self.ytd_debit - self.ytd_credit
        }
    }

    fn line(&self, summary: &str, debit: i64, credit: i64) -> Line {
        Line {
            account: self.account.clone(),
            currency: None,
            summary: summary.into(),
            debit,
            credit,
            partner_id: some(self.partner.clone()),
            product_id: some(self.product.clone()),
            employee_id: some(self.employee.clone()),
            department: some(self.department.clone()),
            project: some(self.project.clone()),
            date: None,
        }
    }
}

struct Item {
    role: &'static str,
    partner: String,
    number: String,
    date: time::Date,
    amount: i64,
    summary: String,
}

fn rows(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Row>> {
    let raw = tx.query(
        "select account_id, partner_id, product_id, employee_id, department, project, balance, ytd_debit, ytd_credit
         from ledger_opening_balance where company_id = $1 order by id",
        &[&ctx.company()],
    )?;
    let mut accounts: BTreeMap<String, Account> = BTreeMap::new();
    let mut rows = Vec::with_capacity(raw.len());
    for r in raw {
        let id: String = r.get(0)?;
        let account = match accounts.get(&id) {
            Some(a) => a.clone(),
            None => {
                let a = account_by_id(tx, ctx, &id)?;
                accounts.insert(id, a.clone());
                a
            }
        };
        rows.push(Row {
            account,
            partner: r.get(1)?,
            product: r.get(2)?,
            employee: r.get(3)?,
            department: r.get(4)?,
            project: r.get(5)?,
            balance: r.get(6)?,
            ytd_debit: r.get(7)?,
            ytd_credit: r.get(8)?,
        });
    }
    Ok(rows)
}

fn items(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Item>> {
    tx.query(
        "select side, partner_id, number, date, amount, summary from ledger_opening_item where company_id = $1 order by date, number",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| {
        let side: String = r.get(0)?;
        Ok(Item {
            role: if side == "payable" { "payable" } else { "receivable" },
            partner: r.get(1)?,
            number: r.get(2)?,
            date: kernel::clock::parse_date(&r.get::<String>(3)?)?,
            amount: r.get(4)?,
            summary: r.get(5)?,
        })
    })
    .collect()
}

/// An item's amount as debit − credit on its account: receivables are debits, payables credits.
fn item_net(item: &Item) -> i64 {
    if item.role == "payable" { -item.amount } else { item.amount }
}

fn stock_accounts_opening(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<i64> {
    tx.scalar(
        "select coalesce(sum(b.balance), 0) from ledger_opening_balance b join ledger_account a on a.id = b.account_id
         where b.company_id = $1 and (a.role = 'inventory' or a.id in (
             select r.account_id from ledger_posting_rule r where r.company_id = $1 and r.role = 'inventory'))",
        &[&ctx.company()],
    )
}

/// Where initialisation stands; `stock_value` is the opening stock's value as the inventory
/// counts it (the caller asks inventory), checked against the stock accounts when given.
pub fn status(tx: &mut Tx<'_>, ctx: &Ctx, stock_value: Option<i64>) -> Result<Opening> {
    ctx.require(READ)?;
    let (start, state, _) = load(tx, ctx)?;
    let (ended_at, ended_by): (Option<String>, Option<String>) = tx
        .query_opt("select ended_at, ended_by from ledger_opening where company_id = $1", &[&ctx.company()])?
        .map(|r| Ok::<_, Error>((r.get(0)?, r.get(1)?)))
        .transpose()?
        .unwrap_or_default();
    let january = first_day(&start)?.month() == time::Month::January;
    let rows = rows(tx, ctx)?;
    let items = items(tx, ctx)?;
    let (mut debit, mut credit, mut ytd_debit, mut ytd_credit, mut turnover) = (0i64, 0i64, 0i64, 0i64, 0i64);
    let (mut turnover_debit, mut turnover_credit) = (0i64, 0i64);
    for row in &rows {
        debit += row.balance.max(0);
        credit += (-row.balance).max(0);
        ytd_debit += row.ytd_debit;
        ytd_credit += row.ytd_credit;
        let t = row.turnover(january);
        turnover += t;
        if row.profit_loss() {
            turnover_debit += t.max(0);
            turnover_credit += (-t).max(0);
        } else if !january {
            turnover_debit += row.ytd_debit;
            turnover_credit += row.ytd_credit;
        }
    }
    let (mut receivable, mut payable) = (0i64, 0i64);
    for item in &items {
        let net = item_net(item);
        debit += net.max(0);
        credit += (-net).max(0);
        if item.role == "payable" { payable += item.amount } else { receivable += item.amount }
    }
    let mut problems = Vec::new();
    if debit != credit {
        problems
            .push(Problem::new("ledger.opening_unbalanced").with("debit", yuan(debit)).with("credit", yuan(credit)));
    }
    if january && (ytd_debit != 0 || ytd_credit != 0) {
        problems.push(Problem::new("ledger.opening_ytd_january"));
    } else if turnover != 0 {
        problems.push(
            Problem::new("ledger.opening_ytd_unbalanced")
                .with("debit", yuan(turnover_debit))
                .with("credit", yuan(turnover_credit)),
        );
    }
    if let Some(item) = items.iter().find(|i| period_of(i.date) >= start) {
        problems.push(Problem::new("ledger.opening_item_after_start").with("number", &item.number));
    }
    if state == "entering" {
        let before: Option<String> = tx
            .query_opt(
                "select period from ledger_voucher where company_id = $1 and period < $2 order by period limit 1",
                &[&ctx.company(), &start],
            )?
            .map(|r| r.get(0))
            .transpose()?;
        if let Some(period) = before {
            problems.push(Problem::new("ledger.opening_vouchers_before").with("period", period));
        }
    }
    let stock_accounts = stock_accounts_opening(tx, ctx)?;
    if let Some(stock) = stock_value.filter(|v| *v != stock_accounts) {
        problems.push(
            Problem::new("ledger.opening_stock_mismatch")
                .with("stock", yuan(stock))
                .with("accounts", yuan(stock_accounts)),
        );
    }
    let first_closed = crate::period::is_closed(tx, ctx, &start)?;
    Ok(Opening {
        can_end: state == "entering" && problems.is_empty(),
        can_reopen: state == "ended" && !first_closed && ctx.may(REOPEN),
        start_period: start,
        state,
        ended_at,
        ended_by,
        balance_debit: yuan(debit),
        balance_credit: yuan(credit),
        ytd_debit: yuan(ytd_debit),
        ytd_credit: yuan(ytd_credit),
        stock_accounts: yuan(stock_accounts),
        receivable: yuan(receivable),
        payable: yuan(payable),
        problems,
    })
}

/// Ends initialisation: the checks must pass; the opening vouchers are posted in the months
/// before the start, those months close, and `InitialisationEnded` tells the modules above
/// (the opening stock is placed, and must be worth what the stock accounts open with).
pub fn end_initialisation(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Opening> {
    ctx.require(POST)?;
    let (start, state, version) = load(tx, ctx)?;
    if state != "entering" {
        return Err(Error::conflict("ledger.opening_ended"));
    }
    let checked = status(tx, ctx, None)?;
    if let Some(problem) = checked.problems.into_iter().next() {
        return Err(problem.into_error());
    }
    let january = first_day(&start)?.month() == time::Month::January;
    let (before, year_end) = opening_days(&start)?;
    let source = DocRef::new(OPENING, ctx.company());
    let rows = rows(tx, ctx)?;
    // 1. The balances at the start of the year (or of the start month, starting in January),
    //    with the open items on their own dates.
    let mut lines: Vec<Line> = Vec::new();
    for row in &rows {
        let start_of_year = row.balance - row.turnover(january);
        if start_of_year != 0 {
            lines.push(row.line("期初余额", start_of_year.max(0), (-start_of_year).max(0)));
        }
    }
    let mut partner_accounts: BTreeMap<&'static str, Account> = BTreeMap::new();
    for item in items(tx, ctx)? {
        let account = match partner_accounts.get(item.role) {
            Some(a) => a.clone(),
            None => {
                let a = by_role(tx, ctx, item.role)?;
                partner_accounts.insert(item.role, a.clone());
                a
            }
        };
        let net = item_net(&item);
        let summary = if item.summary.is_empty() { format!("期初 {}", item.number) } else { item.summary.clone() };
        lines.push(Line {
            account,
            currency: None,
            summary,
            debit: net.max(0),
            credit: (-net).max(0),
            partner_id: Some(item.partner.clone()),
            product_id: None,
            employee_id: None,
            department: None,
            project: None,
            date: Some(item.date),
        });
    }
    let mut vouchers = 0;
    let post = |tx: &mut Tx<'_>, date: time::Date, summary: &str, source: &DocRef, lines: &[Line]| -> Result<()> {
        let header =
            Header {
                word: "记", date, summary, attachments: 0, source: Some(source), reverses: None, state: "posted"
            };
        crate::voucher::insert(tx, ctx, &header, lines).map(|_| ())
    };
    if !lines.is_empty() {
        post(tx, year_end, if january { "期初余额" } else { "年初余额" }, &source, &lines)?;
        vouchers += 1;
    }
    if !january {
        // 2. The year's turnover before the start; profit and loss as incurred.
        let mut turnover: Vec<Line> = Vec::new();
        let mut carried = 0i64;
        let mut carry: Vec<Line> = Vec::new();
        for row in &rows {
            if row.ytd_debit != 0 {
                turnover.push(row.line("本年累计发生额", row.ytd_debit, 0));
            }
            if row.ytd_credit != 0 {
                turnover.push(row.line("本年累计发生额", 0, row.ytd_credit));
            }
            if row.profit_loss() {
                // What the month-end carry-forwards took to 本年利润 so the account stands at
                // its balance: kept apart, like every carry-forward.
                let net = row.balance - (row.ytd_debit - row.ytd_credit);
                if net != 0 {
                    carry.push(row.line("本年累计结转损益", net.max(0), (-net).max(0)));
                    carried += net;
                }
            }
        }
        if carried != 0 {
            // 本年利润 took the other side of the carry-forward: its entered turnover already
            // holds it, so the turnover voucher leaves it out and the carry-forward adds it.
            let profit = by_role(tx, ctx, "current_year_profit")?;
            let line = |debit: i64, credit: i64| Line {
                account: profit.clone(),
                currency: None,
                summary: "本年累计结转损益".into(),
                debit,
                credit,
                partner_id: None,
                product_id: None,
                employee_id: None,
                department: None,
                project: None,
                date: None,
            };
            turnover.push(line(carried.max(0), (-carried).max(0)));
            carry.push(line((-carried).max(0), carried.max(0)));
        }
        if !turnover.is_empty() {
            post(tx, before, "本年累计发生额", &source, &turnover)?;
            vouchers += 1;
        }
        if !carry.is_empty() {
            post(tx, before, "本年累计结转损益", &DocRef::new(CARRY_FORWARD, ctx.company()), &carry)?;
            vouchers += 1;
        }
    }
    // The months before the start are the old system's: closed here.
    for period in [period_of(year_end), period_of(before)] {
        tx.execute(
            "insert into ledger_period (company_id, period, state, changed_at) values ($1, $2, 'closed', $3)
             on conflict (company_id, period) do update set state = 'closed', changed_at = excluded.changed_at",
            &[&ctx.company(), &period, &ctx.now_text()],
        )?;
    }
    let changed = tx.execute(
        "update ledger_opening set state = 'ended', ended_at = $1, ended_by = $2, updated_at = $1, version = version + 1
         where company_id = $3 and state = 'entering' and version = $4",
        &[&ctx.now_text(), &ctx.actor().label(), &ctx.company(), &version],
    )?;
    if changed == 0 {
        return Err(Error::conflict("ledger.opening_changed"));
    }
    let stock_accounts = stock_accounts_opening(tx, ctx)?;
    tx.publish(ctx, &crate::events::InitialisationEnded { start_period: start.clone(), date: before, stock_accounts })?;
    audit::record(
        tx,
        ctx,
        "ledger.opening.end",
        "ledger.opening",
        &ctx.company(),
        serde_json::json!({"start": start, "vouchers": vouchers}),
    )?;
    status(tx, ctx, None)
}

/// Reopens initialisation (反初始化) until the first month is closed: the opening vouchers go
/// out of the books (with any matches made against their open items, which the documents on
/// the other side learn of), the months before the start open again, and `InitialisationReopened`
/// tells the modules above (the opening stock is taken out).
pub fn reopen_initialisation(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Opening> {
    ctx.require(REOPEN)?;
    let (start, state, version) = load(tx, ctx)?;
    if state != "ended" {
        return Err(Error::conflict("ledger.opening_not_ended"));
    }
    if crate::period::is_closed(tx, ctx, &start)? {
        return Err(Error::conflict("ledger.opening_first_period_closed").with_param("period", &start));
    }
    let (before, year_end) = opening_days(&start)?;
    let company = ctx.company().to_string();
    let vouchers: Vec<(String, String)> = tx
        .query(
            "select id, period from ledger_voucher where company_id = $1 and source_id = $2 and source_kind in ($3, $4)",
            &[&ctx.company(), &company, &OPENING, &CARRY_FORWARD],
        )?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect::<Result<_>>()?;
    for (voucher, _) in &vouchers {
        // Matches against opening lines go; the other side (a receipt, an invoice) is open again.
        let matched = tx.query(
            "select r.id, case when d.voucher_id = $1 then r.credit_line_id else r.debit_line_id end
             from ledger_reconcile r join ledger_line d on d.id = r.debit_line_id join ledger_line c on c.id = r.credit_line_id
             where d.voucher_id = $1 or c.voucher_id = $1",
            &[voucher],
        )?;
        for m in matched {
            let (id, other): (String, String) = (m.get(0)?, m.get(1)?);
            tx.execute("delete from ledger_reconcile where id = $1", &[&id])?;
            crate::open_items::tell_settlement(tx, ctx, &other)?;
        }
    }
    for (voucher, period) in &vouchers {
        let closing = i64::from(is_carry(tx, voucher)?);
        for r in tx.query("select account_id, debit, credit from ledger_line where voucher_id = $1", &[voucher])? {
            let (account, debit, credit): (String, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            tx.execute(
                "update ledger_balance set debit = debit - $1, credit = credit - $2,
                     closing_debit = closing_debit - (case when $3 = 1 then $1 else 0 end),
                     closing_credit = closing_credit - (case when $3 = 1 then $2 else 0 end)
                 where company_id = $4 and account_id = $5 and period = $6",
                &[&debit, &credit, &closing, &ctx.company(), &account, period],
            )?;
        }
        tx.execute(
            "delete from ledger_balance where company_id = $1 and period = $2 and debit = 0 and credit = 0",
            &[&ctx.company(), period],
        )?;
        tx.execute("delete from ledger_line where voucher_id = $1", &[voucher])?;
        tx.execute("delete from ledger_voucher where id = $1", &[voucher])?;
    }
    for period in [period_of(year_end), period_of(before)] {
        // Only the opening vouchers lived in these months: their numbers start again at 1.
        tx.execute("delete from ledger_counter where company_id = $1 and period = $2", &[&ctx.company(), &period])?;
        tx.execute("delete from ledger_period where company_id = $1 and period = $2", &[&ctx.company(), &period])?;
    }
    let changed = tx.execute(
        "update ledger_opening set state = 'entering', ended_at = null, ended_by = null, updated_at = $1, version = version + 1
         where company_id = $2 and state = 'ended' and version = $3",
        &[&ctx.now_text(), &ctx.company(), &version],
    )?;
    if changed == 0 {
        return Err(Error::conflict("ledger.opening_changed"));
    }
    let stock_accounts = stock_accounts_opening(tx, ctx)?;
    tx.publish(
        ctx,
        &crate::events::InitialisationReopened { start_period: start.clone(), date: before, stock_accounts },
    )?;
    audit::record(
        tx,
        ctx,
        "ledger.opening.reopen",
        "ledger.opening",
        &ctx.company(),
        serde_json::json!({"start": start, "vouchers": vouchers.len()}),
    )?;
    status(tx, ctx, None)
}

fn is_carry(tx: &mut Tx<'_>, voucher: &str) -> Result<bool> {
    Ok(tx
        .query_opt("select 1 from ledger_voucher where id = $1 and source_kind = $2", &[&voucher, &CARRY_FORWARD])?
        .is_some())
}

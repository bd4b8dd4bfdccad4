//! Month-end: carrying profit and loss into 本年利润 (结转损益, the 账结法 most software uses),
//! the year-end transfer to 利润分配, closing the month so nothing more posts into it, and
//! reopening it (反结账), which needs its own permission and is audited (china.md §1.5).

use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::{Ctx, Error, Result, audit};
use serde::Serialize;

use crate::permissions::{CLOSE, READ, REOPEN};
use crate::voucher::{AutoLine, VoucherId, post_automatic};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PeriodState {
    pub period: String,
    pub state: String,
    /// The carry-forward vouchers the close made.
    pub vouchers: Vec<String>,
}

fn check_period(period: &str) -> Result<time::Date> {
    let first = kernel::clock::parse_date(&format!("{}-01", period.trim()))
        .map_err(|_| Error::field("period", "ledger.period_invalid"))?;
    if period.trim().len() != 7 {
        return Err(Error::field("period", "ledger.period_invalid"));
    }
    Ok(first)
}

fn last_day(first: time::Date) -> time::Date {
    let next = if first.month() == time::Month::December {
        time::Date::from_calendar_date(first.year() + 1, time::Month::January, 1)
    } else {
        time::Date::from_calendar_date(first.year(), first.month().next(), 1)
    };
    next.map(|d| d.previous_day().unwrap_or(d)).unwrap_or(first)
}

pub fn is_closed(tx: &mut Tx<'_>, ctx: &Ctx, period: &str) -> Result<bool> {
    Ok(tx
        .query_opt(
            "select 1 from ledger_period where company_id = $1 and period = $2 and state = 'closed'",
            &[&ctx.company(), &period],
        )?
        .is_some())
}

/// Carries the month's profit and loss into 本年利润 (and, in December, the year's profit into
/// 利润分配), then closes the month. Refused while the month has unposted vouchers or an earlier
/// month with vouchers is still open.
pub fn close_period(tx: &mut Tx<'_>, ctx: &Ctx, period: &str) -> Result<PeriodState> {
    ctx.require(CLOSE)?;
    let first = check_period(period)?;
    let period = period.trim();
    if is_closed(tx, ctx, period)? {
        return Err(Error::conflict("ledger.period_already_closed").with_param("period", period));
    }
    let unposted: i64 = tx.scalar(
        "select count(*) from ledger_voucher where company_id = $1 and period = $2 and state <> 'posted'",
        &[&ctx.company(), &period],
    )?;
    if unposted > 0 {
        return Err(Error::conflict("ledger.unposted_vouchers").with_param("count", unposted));
    }
    let earlier_open: Option<String> = tx
        .query_opt(
            "select v.period from ledger_voucher v where v.company_id = $1 and v.period < $2
               and not exists (select 1 from ledger_period p where p.company_id = v.company_id and p.period = v.period and p.state = 'closed')
             order by v.period limit 1",
            &[&ctx.company(), &period],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    if let Some(open) = earlier_open {
        return Err(Error::conflict("ledger.earlier_period_open").with_param("period", open));
    }
    let date = last_day(first);
    let source = DocRef::new(crate::voucher::CARRY_FORWARD, period);
    let mut vouchers = Vec::new();
    // Every profit-and-loss account's balance to date goes to 本年利润.
    let balances = tx.query(
        "select a.role, a.id, a.code, a.name, sum(b.debit - b.credit) from ledger_balance b join ledger_account a on a.id = b.account_id
         where b.company_id = $1 and b.period <= $2 and a.category = 'profit_loss'
         group by a.role, a.id, a.code, a.name having sum(b.debit - b.credit) <> 0 order by a.code",
        &[&ctx.company(), &period],
    )?;
    let mut lines = Vec::new();
    let mut profit = 0i64;
    for r in &balances {
        let net: i64 = r.get(4)?;
        let summary = format!("结转损益 {}", r.get::<String>(3)?);
        // Debit balances (costs) are credited away, credit balances (income) debited away.
        let (debit, credit) = if net > 0 { (0, net) } else { (-net, 0) };
        profit -= net;
        lines.push(AutoLine::to_account(r.get(1)?, summary, debit, credit));
    }
    if !lines.is_empty() {
        let (debit, credit) = if profit >= 0 { (0, profit) } else { (-profit, 0) };
        lines.push(AutoLine::by_role("current_year_profit", "结转损益".into(), debit, credit));
        let id = post_automatic(tx, ctx, date, "结转本月损益", &source, &lines)?;
        vouchers.push(id);
    }
    // December: the year's profit (本年利润's balance) goes to 利润分配—未分配利润.
    if first.month() == time::Month::December {
        let year_profit: i64 = tx.scalar(
            "select coalesce(sum(b.credit - b.debit), 0) from ledger_balance b join ledger_account a on a.id = b.account_id
             where b.company_id = $1 and b.period <= $2 and a.role = 'current_year_profit'",
            &[&ctx.company(), &period],
        )?;
        if year_profit != 0 {
            let (to_profit, to_retained) = if year_profit > 0 { (year_profit, 0) } else { (0, -year_profit) };
            let lines = [
                AutoLine::by_role("current_year_profit", "本年利润转入利润分配".into(), to_profit, to_retained),
                AutoLine::by_role("retained_earnings", "本年利润转入利润分配".into(), to_retained, to_profit),
            ];
            vouchers.push(post_automatic(tx, ctx, date, "年末结转本年利润", &source, &lines)?);
        }
    }
    tx.execute(
        "insert into ledger_period (company_id, period, state, changed_at) values ($1, $2, 'closed', $3)
         on conflict (company_id, period) do update set state = 'closed', changed_at = excluded.changed_at",
        &[&ctx.company(), &period, &ctx.now_text()],
    )?;
    audit::record(
        tx,
        ctx,
        "ledger.period.close",
        "ledger.period",
        &period,
        serde_json::json!({"vouchers": vouchers.len()}),
    )?;
    period_state(tx, ctx, period, vouchers)
}

/// 反结账: opens the latest closed month again (its carry-forward vouchers stay; closing again
/// carries only what was posted since).
pub fn reopen_period(tx: &mut Tx<'_>, ctx: &Ctx, period: &str) -> Result<PeriodState> {
    ctx.require(REOPEN)?;
    check_period(period)?;
    let period = period.trim();
    if !is_closed(tx, ctx, period)? {
        return Err(Error::conflict("ledger.period_not_closed").with_param("period", period));
    }
    let later: Option<String> = tx
        .query_opt(
            "select period from ledger_period where company_id = $1 and period > $2 and state = 'closed' order by period limit 1",
            &[&ctx.company(), &period],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    if let Some(later) = later {
        return Err(Error::conflict("ledger.later_period_closed").with_param("period", later));
    }
    tx.execute(
        "update ledger_period set state = 'open', changed_at = $1 where company_id = $2 and period = $3",
        &[&ctx.now_text(), &ctx.company(), &period],
    )?;
    audit::record(tx, ctx, "ledger.period.reopen", "ledger.period", &period, serde_json::json!({}))?;
    period_state(tx, ctx, period, Vec::new())
}

fn period_state(tx: &mut Tx<'_>, ctx: &Ctx, period: &str, vouchers: Vec<VoucherId>) -> Result<PeriodState> {
    ctx.require(READ)?;
    Ok(PeriodState {
        period: period.to_string(),
        state: if is_closed(tx, ctx, period)? { "closed" } else { "open" }.into(),
        vouchers: vouchers.into_iter().map(|v| v.to_string()).collect(),
    })
}

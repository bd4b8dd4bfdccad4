//! Ending and reopening initialisation across the ledger and the stock: the ledger posts (or
//! removes) the opening vouchers, then these reactions place (or take out) the opening stock
//! in the same transaction, and refuse when its value is not what the stock accounts open with
//! — so stock value = stock accounts holds before, during and after.

use kernel::db::Tx;
use kernel::{Ctx, Currency, Error, Money, Result};

fn yuan(fen: i64) -> String {
    Money::from_minor(fen, Currency::CNY).to_string()
}

fn mismatch(stock: i64, accounts: i64) -> Error {
    Error::conflict("ledger.opening_stock_mismatch")
        .with_param("stock", yuan(stock))
        .with_param("accounts", yuan(accounts))
}

pub fn initialisation_ended(tx: &mut Tx<'_>, ctx: &Ctx, event: &ledger::InitialisationEnded) -> Result<()> {
    let entered = inventory::opening::opening_stock_value(tx, ctx)?;
    if entered != event.stock_accounts {
        return Err(mismatch(entered, event.stock_accounts));
    }
    let placed = inventory::opening::place(tx, ctx, event.date)?;
    if placed != event.stock_accounts {
        return Err(mismatch(placed, event.stock_accounts));
    }
    Ok(())
}

pub fn initialisation_reopened(tx: &mut Tx<'_>, ctx: &Ctx, event: &ledger::InitialisationReopened) -> Result<()> {
    let taken = inventory::opening::withdraw(tx, ctx, event.date)?;
    if taken != event.stock_accounts {
        return Err(mismatch(taken, event.stock_accounts));
    }
    Ok(())
}

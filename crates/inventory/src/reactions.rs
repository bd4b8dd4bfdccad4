//! Reactions of the inventory module to events from below (listed in `wiring.rs`).

use kernel::db::Tx;
use kernel::identity::CompanyCreated;
use kernel::{Ctx, Result};

/// A new company gets the virtual locations and a first warehouse.
pub fn company_created(tx: &mut Tx<'_>, ctx: &Ctx, event: &CompanyCreated) -> Result<()> {
    let ctx = ctx.for_company(event.company, ctx.permissions().clone());
    crate::location::seed(tx, &ctx)
}

//! Reactions of the ledger to events from below (listed in `wiring.rs`).

use kernel::db::Tx;
use kernel::identity::CompanyCreated;
use kernel::{Ctx, Result};

/// A new company gets the 小企业会计准则 chart (the usual one for SMEs).
pub fn company_created(tx: &mut Tx<'_>, ctx: &Ctx, event: &CompanyCreated) -> Result<()> {
    let ctx = ctx.for_company(event.company, ctx.permissions().clone());
    crate::chart::install(tx, &ctx, "small")
}

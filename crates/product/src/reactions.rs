//! Reactions of the product module to events from below (listed in `wiring.rs`).

use kernel::db::Tx;
use kernel::identity::CompanyCreated;
use kernel::{Ctx, Result};

/// A new company gets the Chinese VAT rates, the usual currencies and units of measure.
pub fn company_created(tx: &mut Tx<'_>, ctx: &Ctx, event: &CompanyCreated) -> Result<()> {
    let ctx = ctx.for_company(event.company, ctx.permissions().clone());
    for tax in crate::tax::defaults() {
        crate::tax::insert(tx, &ctx, &tax)?;
    }
    crate::currency::seed(tx, &ctx)?;
    crate::uom::seed(tx, &ctx)
}

//! Payment terms: "30 days", "30 days end of month" (月结30天): when an invoice falls due.

use kernel::db::Tx;
use kernel::{Ctx, Error, Result};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::permissions::TERM_WRITE;

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "EOM30", "name": "月结30天", "days": 30, "end_of_month": true}))]
pub struct PaymentTerm {
    pub code: String,
    pub name: String,
    pub days: i64,
    #[serde(default)]
    pub end_of_month: bool,
}

impl PaymentTerm {
    /// The due date of an invoice dated `invoice_date`.
    pub fn due_date(&self, invoice_date: Date) -> Date {
        let start = if self.end_of_month {
            let (year, month) = (invoice_date.year(), invoice_date.month());
            Date::from_calendar_date(year, month, month.length(year)).unwrap_or(invoice_date)
        } else {
            invoice_date
        };
        start + time::Duration::days(self.days)
    }
}

pub fn create_term(tx: &mut Tx<'_>, ctx: &Ctx, term: &PaymentTerm) -> Result<PaymentTerm> {
    ctx.require(TERM_WRITE)?;
    if term.code.trim().is_empty() || term.name.trim().is_empty() || !(0..=3650).contains(&term.days) {
        return Err(Error::field("days", "party.payment_term_invalid"));
    }
    let taken: i64 = tx.scalar(
        "select count(*) from party_payment_term where company_id = $1 and code = $2",
        &[&ctx.company(), &term.code.trim()],
    )?;
    if taken > 0 {
        return Err(Error::field("code", "party.code_taken"));
    }
    tx.execute(
        "insert into party_payment_term (id, company_id, code, name, days, end_of_month, created_at) values ($1, $2, $3, $4, $5, $6, $7)",
        &[&kernel::id::Uuid::now_v7(), &ctx.company(), &term.code.trim(), &term.name.trim(), &term.days, &term.end_of_month, &ctx.now_text()],
    )?;
    kernel::audit::record(
        tx,
        ctx,
        "party.term.create",
        "party.payment_term",
        &term.code,
        serde_json::json!({"days": term.days, "end_of_month": term.end_of_month}),
    )?;
    Ok(term.clone())
}

pub fn list_terms(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<PaymentTerm>> {
    tx.query(
        "select code, name, days, end_of_month from party_payment_term where company_id = $1 order by code",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| Ok(PaymentTerm { code: r.get(0)?, name: r.get(1)?, days: r.get(2)?, end_of_month: r.get(3)? }))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_of_month_terms_count_from_the_month_end() {
        let eom = PaymentTerm { code: "EOM30".into(), name: "月结30天".into(), days: 30, end_of_month: true };
        assert_eq!(eom.due_date(time::macros::date!(2026 - 01 - 15)), time::macros::date!(2026 - 03 - 02));
        let net = PaymentTerm { end_of_month: false, ..eom };
        assert_eq!(net.due_date(time::macros::date!(2026 - 01 - 15)), time::macros::date!(2026 - 02 - 14));
    }
}

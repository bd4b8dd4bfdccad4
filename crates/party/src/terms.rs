//! What sales and purchasing need of a partner when they write a document — who it is, its
//! customer group (for price lists), credit limit, currency, payment term and owner — read in
//! one query without decrypting personal data.

use kernel::db::Tx;
use kernel::{Ctx, Error, Result};

use crate::payment_term::PaymentTerm;

#[derive(Clone, Debug)]
pub struct TradingTerms {
    pub id: String,
    pub code: String,
    pub name: String,
    /// `customer`, `supplier` or `both`.
    pub kind: String,
    pub uscc: Option<String>,
    pub group_code: String,
    /// Minor units of `currency`; 0 means no limit.
    pub credit_limit: i64,
    pub currency: String,
    pub payment_term: Option<PaymentTerm>,
    pub owner_id: Option<String>,
}

impl TradingTerms {
    pub fn is_customer(&self) -> bool {
        self.kind != "supplier"
    }

    pub fn is_supplier(&self) -> bool {
        self.kind != "customer"
    }

    /// The due date of a document dated `date` under the partner's payment term.
    pub fn due_date(&self, date: time::Date) -> time::Date {
        self.payment_term.as_ref().map(|t| t.due_date(date)).unwrap_or(date)
    }
}

/// The active partner with this id or code; `None` when there is none.
pub fn trading_terms(tx: &mut Tx<'_>, ctx: &Ctx, id_or_code: &str) -> Result<Option<TradingTerms>> {
    let key = id_or_code.trim();
    if key.is_empty() {
        return Ok(None);
    }
    let sql = "select p.id, p.code, p.name, p.kind, p.uscc, p.group_code, p.credit_limit_minor, p.currency, p.owner_id,
                      t.code, t.name, t.days, t.end_of_month
               from party_party p left join party_payment_term t on t.id = p.payment_term_id
               where p.company_id = $1 and p.{} = $2 and p.active = 1";
    let mut row = tx.query_opt(&sql.replace("{}", "id"), &[&ctx.company(), &key])?;
    if row.is_none() {
        row = tx.query_opt(&sql.replace("{}", "code"), &[&ctx.company(), &key])?;
    }
    let Some(r) = row else { return Ok(None) };
    let payment_term = match r.get::<Option<String>>(9)? {
        Some(code) => Some(PaymentTerm { code, name: r.get(10)?, days: r.get(11)?, end_of_month: r.get(12)? }),
        None => None,
    };
    Ok(Some(TradingTerms {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        kind: r.get(3)?,
        uscc: r.get(4)?,
        group_code: r.get(5)?,
        credit_limit: r.get(6)?,
        currency: r.get(7)?,
        owner_id: r.get(8)?,
        payment_term,
    }))
}

/// As `trading_terms`, failing with `code` on `field` when there is no such partner.
pub fn require_terms(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    id_or_code: &str,
    field: &str,
    code: &'static str,
) -> Result<TradingTerms> {
    trading_terms(tx, ctx, id_or_code)?.ok_or_else(|| Error::field(field, code))
}

/// Code and name of each of `ids` (partners of this company; unknown ids are left out).
pub fn names_of(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    ids: &[String],
) -> Result<std::collections::HashMap<String, (String, String)>> {
    kernel::db::codes_and_names(tx, "party_party", ctx.company(), ids)
}

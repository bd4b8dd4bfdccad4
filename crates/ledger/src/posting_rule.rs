//! Configurable posting rules (过账规则): automatic vouchers find their accounts by role, and a
//! rule sends a role's postings elsewhere for one product category (and its sub-categories), one
//! warehouse, one tax code or one payment method. The most specific fact wins: category, then
//! warehouse, then tax, then payment method; without a matching rule the role's account takes
//! the posting, so a company with no rules books exactly as the templates say.
//!
//! Stock value must equal the inventory accounts, so an account a rule makes an inventory
//! account joins them: it takes no manual postings and counts in the check. Such a rule needs
//! an account without postings, and cannot be removed once stock was booked through it.

use kernel::db::Tx;
use kernel::{Ctx, Error, Result, audit};
use serde::{Deserialize, Serialize};

use crate::account::{by_code, by_role};
use crate::permissions::{CHART, READ};

pub const KINDS: [&str; 4] = ["product_category", "warehouse", "tax", "payment_method"];

/// What an automatic line is about, as far as rules can tell: the product's category path
/// (codes from the root, `/`-separated), the warehouse code, the tax code, the payment method.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleFacts {
    pub product_category: Option<String>,
    pub warehouse: Option<String>,
    pub tax: Option<String>,
    pub payment_method: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PostingRule {
    pub id: String,
    pub role: String,
    pub kind: String,
    pub key: String,
    pub account: String,
    pub account_name: String,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "inventory", "kind": "product_category", "key": "RAW", "account": "1403"}))]
pub struct PostingRuleInput {
    /// The role whose postings the rule redirects: inventory, revenue, cogs, bank…
    pub role: String,
    /// product_category, warehouse, tax or payment_method.
    pub kind: String,
    /// The category, warehouse or tax code, or the payment method's name.
    pub key: String,
    /// The account code that takes the postings (a postable account).
    pub account: String,
}

/// The rules of a company in one read, for the lines of one voucher.
#[derive(Default)]
pub(crate) struct Rules(Vec<(String, String, String, String)>);

impl Rules {
    pub(crate) fn load(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Rules> {
        let rows = tx.query(
            "select role, kind, match_key, account_id from ledger_posting_rule where company_id = $1",
            &[&ctx.company()],
        )?;
        Ok(Rules(rows.iter().map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).collect::<Result<_>>()?))
    }

    fn find(&self, role: &str, kind: &str, key: &str) -> Option<&str> {
        self.0.iter().find(|(r, k, m, _)| r == role && k == kind && m == key).map(|(_, _, _, a)| a.as_str())
    }

    /// The account a rule gives `role` for these facts, if any.
    pub(crate) fn account_for(&self, role: &str, facts: &RuleFacts) -> Option<String> {
        if self.0.is_empty() || role.is_empty() {
            return None;
        }
        // A category rule covers its sub-categories: the deepest category with a rule wins.
        if let Some(path) = &facts.product_category {
            for code in path.rsplit('/') {
                if let Some(account) = self.find(role, "product_category", code) {
                    return Some(account.to_string());
                }
            }
        }
        let others = [("warehouse", &facts.warehouse), ("tax", &facts.tax), ("payment_method", &facts.payment_method)];
        others.iter().find_map(|(kind, key)| key.as_deref().and_then(|k| self.find(role, kind, k)).map(str::to_string))
    }
}

fn rule_of(r: &kernel::db::Row) -> Result<PostingRule> {
    Ok(PostingRule {
        id: r.get(0)?,
        role: r.get(1)?,
        kind: r.get(2)?,
        key: r.get(3)?,
        account: r.get(4)?,
        account_name: r.get(5)?,
    })
}

const SELECT: &str = "select r.id, r.role, r.kind, r.match_key, a.code, a.name
     from ledger_posting_rule r join ledger_account a on a.id = r.account_id where r.company_id = $1";

pub fn list_rules(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<PostingRule>> {
    ctx.require(READ)?;
    tx.query(&format!("{SELECT} order by r.role, r.kind, r.match_key"), &[&ctx.company()])?
        .iter()
        .map(rule_of)
        .collect()
}

/// Whether an account takes stock postings: the inventory role's or an inventory rule's.
pub fn is_stock_account(tx: &mut Tx<'_>, ctx: &Ctx, account_id: &str) -> Result<bool> {
    let n: i64 = tx.scalar(
        "select count(*) from ledger_posting_rule where company_id = $1 and role = 'inventory' and account_id = $2",
        &[&ctx.company(), &account_id],
    )?;
    Ok(n > 0)
}

fn has_postings(tx: &mut Tx<'_>, account_id: &str) -> Result<bool> {
    let n: i64 = tx.scalar(
        "select count(*) from ledger_balance where account_id = $1 and (debit <> 0 or credit <> 0)",
        &[&account_id],
    )?;
    Ok(n > 0)
}

/// Adds a rule, or points an existing one (same role, kind and key) at another account.
pub fn set_rule(tx: &mut Tx<'_>, ctx: &Ctx, input: &PostingRuleInput) -> Result<PostingRule> {
    ctx.require(CHART)?;
    let (role, kind, key) = (input.role.trim(), input.kind.trim(), input.key.trim());
    let mut problems = Error::invalid("validation.failed");
    if by_role(tx, ctx, role).is_err() {
        problems = problems.with_field("role", "ledger.role_missing");
    }
    if !KINDS.contains(&kind) {
        problems = problems.with_field("kind", "ledger.rule_kind_invalid");
    }
    if key.is_empty() {
        problems = problems.with_field("key", "ledger.rule_key_required");
    }
    let account = match by_code(tx, ctx, input.account.trim()) {
        Ok(a) if a.postable => Some(a),
        Ok(_) => {
            problems = problems.with_field("account", "ledger.account_not_postable");
            None
        }
        Err(_) => {
            problems = problems.with_field("account", "ledger.account_unknown");
            None
        }
    };
    let Some(account) = account.filter(|_| problems.fields().is_empty()) else {
        return Err(problems);
    };
    // A new stock account starts empty, so stock value = the inventory accounts stays true.
    if role == "inventory" && account.role.as_deref() != Some("inventory") && has_postings(tx, &account.id)? {
        return Err(Error::field("account", "ledger.rule_account_in_use"));
    }
    let existing: Option<String> = tx
        .query_opt(
            "select id from ledger_posting_rule where company_id = $1 and role = $2 and kind = $3 and match_key = $4",
            &[&ctx.company(), &role, &kind, &key],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    let id = match existing {
        Some(id) => {
            tx.execute("update ledger_posting_rule set account_id = $1 where id = $2", &[&account.id, &id])?;
            id
        }
        None => {
            let id = kernel::id::Uuid::now_v7().to_string();
            tx.execute(
                "insert into ledger_posting_rule (id, company_id, role, kind, match_key, account_id, created_at)
                 values ($1, $2, $3, $4, $5, $6, $7)",
                &[&id, &ctx.company(), &role, &kind, &key, &account.id, &ctx.now_text()],
            )?;
            id
        }
    };
    audit::record(
        tx,
        ctx,
        "ledger.posting_rule.set",
        "ledger.posting_rule",
        &id,
        serde_json::json!({"role": role, "kind": kind, "key": key, "account": account.code}),
    )?;
    let row = tx.query_one(&format!("{SELECT} and r.id = $2"), &[&ctx.company(), &id])?;
    rule_of(&row)
}

pub fn delete_rule(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<()> {
    ctx.require(CHART)?;
    let row = tx
        .query_opt(&format!("{SELECT} and r.id = $2"), &[&ctx.company(), &id])?
        .ok_or_else(|| Error::not_found("ledger.rule_not_found"))?;
    let rule = rule_of(&row)?;
    if rule.role == "inventory" {
        let account = by_code(tx, ctx, &rule.account)?;
        if account.role.as_deref() != Some("inventory") && has_postings(tx, &account.id)? {
            return Err(Error::conflict("ledger.rule_account_in_use"));
        }
    }
    tx.execute("delete from ledger_posting_rule where id = $1", &[&id])?;
    audit::record(tx, ctx, "ledger.posting_rule.delete", "ledger.posting_rule", &id, serde_json::json!({}))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        let rule = |role: &str, kind: &str, key: &str, account: &str| {
            (role.to_string(), kind.to_string(), key.to_string(), account.to_string())
        };
        Rules(vec![
            rule("inventory", "product_category", "RAW", "a-1403"),
            rule("inventory", "product_category", "STEEL", "a-140301"),
            rule("inventory", "warehouse", "WH2", "a-1405-wh2"),
            rule("revenue", "tax", "VAT0", "a-500102"),
            rule("bank", "payment_method", "wechat", "a-1012"),
        ])
    }

    #[test]
    fn the_most_specific_rule_wins() {
        let r = rules();
        let facts = |category: Option<&str>, warehouse: Option<&str>| RuleFacts {
            product_category: category.map(str::to_string),
            warehouse: warehouse.map(str::to_string),
            ..RuleFacts::default()
        };
        assert_eq!(r.account_for("inventory", &facts(Some("ALL/RAW/STEEL"), Some("WH2"))).as_deref(), Some("a-140301"));
        assert_eq!(r.account_for("inventory", &facts(Some("ALL/RAW/WOOD"), None)).as_deref(), Some("a-1403"));
        assert_eq!(r.account_for("inventory", &facts(Some("ALL/GOODS"), Some("WH2"))).as_deref(), Some("a-1405-wh2"));
        assert_eq!(r.account_for("inventory", &facts(Some("ALL/GOODS"), Some("WH1"))), None);
        assert_eq!(r.account_for("cogs", &facts(Some("ALL/RAW"), None)), None, "rules are per role");
        let tax = RuleFacts { tax: Some("VAT0".into()), ..RuleFacts::default() };
        assert_eq!(r.account_for("revenue", &tax).as_deref(), Some("a-500102"));
        let wechat = RuleFacts { payment_method: Some("wechat".into()), ..RuleFacts::default() };
        assert_eq!(r.account_for("bank", &wechat).as_deref(), Some("a-1012"));
    }
}

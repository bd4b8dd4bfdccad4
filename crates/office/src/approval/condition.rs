//! Conditions on a document's facts (`amount > 50000`, `department = PUR`, `grade in A,B`): the
//! same few comparisons decide whether a flow applies and which of its steps do. Numbers are
//! compared exactly as decimals; anything else as text.

use std::collections::BTreeMap;
use std::str::FromStr;

use kernel::{Error, Result};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What a document tells the engine about itself: field name → value as text ("120000.00").
pub type Facts = BTreeMap<String, String>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
    /// The fact is one of a comma-separated list.
    In,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"field": "amount", "op": "gt", "value": "50000"}))]
pub struct Condition {
    pub field: String,
    pub op: Op,
    pub value: String,
}

fn number(text: &str) -> Option<Decimal> {
    Decimal::from_str(text.trim()).ok()
}

impl Condition {
    /// Whether the facts satisfy this condition; a fact the document did not give never does.
    pub fn holds(&self, facts: &Facts) -> bool {
        let Some(fact) = facts.get(&self.field) else { return false };
        let (fact, wanted) = (fact.trim(), self.value.trim());
        match self.op {
            Op::In => wanted.split(',').any(|w| w.trim() == fact),
            Op::Eq | Op::Ne => {
                let equal = match (number(fact), number(wanted)) {
                    (Some(a), Some(b)) => a == b,
                    _ => fact == wanted,
                };
                equal == (self.op == Op::Eq)
            }
            Op::Gt | Op::Ge | Op::Lt | Op::Le => {
                let (Some(a), Some(b)) = (number(fact), number(wanted)) else { return false };
                match self.op {
                    Op::Gt => a > b,
                    Op::Ge => a >= b,
                    Op::Lt => a < b,
                    _ => a <= b,
                }
            }
        }
    }

    /// A comparison of size needs a number to compare with.
    pub fn check(&self, at: &str) -> Result<()> {
        if self.field.trim().is_empty() {
            return Err(Error::field(format!("{at}.field"), "office.flow.condition_invalid"));
        }
        if matches!(self.op, Op::Gt | Op::Ge | Op::Lt | Op::Le) && number(&self.value).is_none() {
            return Err(Error::field(format!("{at}.value"), "office.flow.condition_invalid"));
        }
        Ok(())
    }
}

/// Every condition holds (an empty list always does).
pub fn all_hold(conditions: &[Condition], facts: &Facts) -> bool {
    conditions.iter().all(|c| c.holds(facts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn when(field: &str, op: Op, value: &str) -> Condition {
        Condition { field: field.into(), op, value: value.into() }
    }

    #[test]
    fn numbers_compare_as_decimals_and_text_as_text() {
        let facts: Facts = [("amount", "50000.01"), ("department", "PUR"), ("discount", "12.5")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        assert!(when("amount", Op::Gt, "50000").holds(&facts));
        assert!(!when("amount", Op::Le, "50000").holds(&facts));
        assert!(when("amount", Op::Eq, "50000.010").holds(&facts));
        assert!(when("department", Op::In, "SAL, PUR").holds(&facts));
        assert!(when("department", Op::Ne, "SAL").holds(&facts));
        assert!(when("discount", Op::Ge, "12.5").holds(&facts));
        assert!(!when("missing", Op::Ne, "x").holds(&facts), "a fact not given never satisfies");
        assert!(!when("department", Op::Gt, "1").holds(&facts), "text has no size");
        assert!(when("amount", Op::Gt, "many").check("when[0]").is_err());
        assert!(all_hold(&[], &facts));
    }
}

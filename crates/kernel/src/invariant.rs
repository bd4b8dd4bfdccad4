//! Invariants that must hold at any moment ("the books always balance"). Modules register
//! theirs in `wiring.rs`; `tiangong verify` and the scenario tests run them all.

use serde::Serialize;

use crate::Result;
use crate::db::Tx;

/// A named check; it returns a description of each violation found (none when healthy).
#[derive(Clone, Copy)]
pub struct Invariant {
    pub name: &'static str,
    pub description: &'static str,
    pub check: fn(&mut Tx<'_>) -> Result<Vec<String>>,
}

/// The outcome of one invariant.
#[derive(Clone, Debug, Serialize)]
pub struct InvariantReport {
    pub name: &'static str,
    pub description: &'static str,
    pub ok: bool,
    pub violations: Vec<String>,
}

/// Runs every invariant in one consistent snapshot.
pub fn run_all(tx: &mut Tx<'_>, invariants: &[Invariant]) -> Result<Vec<InvariantReport>> {
    invariants
        .iter()
        .map(|invariant| {
            let violations = (invariant.check)(tx)?;
            Ok(InvariantReport {
                name: invariant.name,
                description: invariant.description,
                ok: violations.is_empty(),
                violations,
            })
        })
        .collect()
}

fn audit_chain(tx: &mut Tx<'_>) -> Result<Vec<String>> {
    Ok(crate::audit::verify_chains(tx)?
        .into_iter()
        .map(|b| format!("company {} entry {}: {}", b.company_id, b.chain_seq, b.reason))
        .collect())
}

fn numbering(tx: &mut Tx<'_>) -> Result<Vec<String>> {
    Ok(crate::sequence::verify_no_gaps(tx)?
        .into_iter()
        .map(|g| {
            format!(
                "company {} {} {}: {} numbers recorded, counter at {}",
                g.company_id, g.doc_type, g.year, g.issued, g.last
            )
        })
        .collect())
}

/// The kernel's own invariants.
pub const INVARIANTS: &[Invariant] = &[
    Invariant { name: "kernel.audit_chain", description: "audit log hash chains are intact", check: audit_chain },
    Invariant { name: "kernel.numbering", description: "document numbers have no gaps", check: numbering },
];

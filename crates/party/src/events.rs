//! What the party module tells the modules above it.

use kernel::bus::Event;

use crate::party::PartyId;

/// Two parties became one. Modules holding party ids (orders, invoices, opportunities)
/// re-point `removed` to `kept` in their reaction, listed in `wiring.rs`.
#[derive(Clone, Debug)]
pub struct PartyMerged {
    pub kept: PartyId,
    pub removed: PartyId,
}

impl Event for PartyMerged {
    const NAME: &'static str = "party.merged";
}

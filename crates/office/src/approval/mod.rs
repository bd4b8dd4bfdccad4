//! The approval engine, one for every document. A module's guarded transition asks `gate`; when
//! the document's flow applies, a request is submitted and the transition waits. Approvers
//! decide in their inbox (approve, reject, return, transfer, 加签); when the request ends,
//! `ApprovalDecided` goes up to the document's module through crates/server/src/wiring.rs.
//! No module writes its own approvals.
//!
//! - `flow`: flows as versioned data, checked when saved;
//! - `condition`: conditions on the document's facts;
//! - `resolve`: approvers to people (roles, department heads, manager chains, delegation);
//! - `request`: the gate, submission and withdrawal;
//! - `decide`: decisions, step completion, escalation of overdue steps;
//! - `inbox`: the four boxes and one request's page;
//! - `delegation`: standing in while away;
//! - `timeline`: each request's history.

pub mod condition;
pub mod decide;
pub mod delegation;
pub mod flow;
pub mod inbox;
pub mod request;
pub mod resolve;
pub mod timeline;

pub use condition::{Condition, Facts, Op};
pub use decide::{Decision, decide, escalate_overdue};
pub use delegation::{Delegation, add_delegation, list_delegations};
pub use flow::{Approver, Flow, FlowDefinition, FlowInput, KINDS, Mode, Step, get_flow, list_flows, save_flow};
pub use inbox::{ApprovalState, InboxItem, RequestView, get_request, inbox, latest_of, waiting_count};
pub use request::{Gate, Subject, gate, pending_of, require_not_pending, withdraw};

/// How a request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approved,
    Rejected,
    /// Sent back to the submitter to change and submit again.
    Returned,
    /// Taken back by the submitter.
    Withdrawn,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Approved => "approved",
            Outcome::Rejected => "rejected",
            Outcome::Returned => "returned",
            Outcome::Withdrawn => "withdrawn",
        }
    }

    pub(crate) fn label_zh(self) -> &'static str {
        match self {
            Outcome::Approved => "已通过",
            Outcome::Rejected => "已驳回",
            Outcome::Returned => "已退回",
            Outcome::Withdrawn => "已撤回",
        }
    }
}

/// A request has ended: the document of `kind` and `doc_id` may now take (or drop) its
/// guarded transition. Handled in crates/server/src/wiring.rs by the document's module.
#[derive(Clone, Debug)]
pub struct ApprovalDecided {
    pub request_id: String,
    pub kind: String,
    pub doc_id: String,
    pub outcome: Outcome,
    pub comment: String,
}

impl kernel::bus::Event for ApprovalDecided {
    const NAME: &'static str = "office.approval_decided";
}

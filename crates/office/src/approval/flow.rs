//! Approval flows as data, one per document kind and company: the conditions under which a
//! document needs approval at all, its steps in order (each with its approvers, 会签 where all
//! must approve or 或签 where one decides, its own conditions and a timeout) and who is copied.
//! Every save is a new version; a request keeps the version it started under. A flow whose
//! step could name nobody is refused when it is saved.

use kernel::db::Tx;
use kernel::id::Uuid;
use kernel::{Ctx, Error, Result, audit};
use serde::{Deserialize, Serialize};

use super::condition::Condition;
use super::resolve::{self, Resolved};
use crate::permissions::APPROVAL_MANAGE;

/// A kind of document that asks for approval: the facts a flow's conditions may name and where
/// the document is seen.
#[derive(Clone, Copy, Debug)]
pub struct DocKind {
    pub kind: &'static str,
    pub facts: &'static [&'static str],
    /// The document's page, `{id}` replaced by its id.
    pub link: &'static str,
}

/// Every kind that asks; the settings page offers these.
pub const KINDS: &[DocKind] = &[
    DocKind {
        kind: "purchasing.order",
        facts: &["amount", "currency", "supplier", "buyer"],
        link: "/purchasing/orders/{id}",
    },
    DocKind {
        kind: "sales.order",
        facts: &["amount", "over_credit", "discount", "currency", "customer", "salesperson"],
        link: "/sales/orders/{id}",
    },
    DocKind { kind: "crm.contract", facts: &["amount", "customer", "owner"], link: "/crm/contracts/{id}" },
];

/// The page of a document of `kind`.
pub fn link_of(kind: &str, id: &str) -> String {
    KINDS.iter().find(|k| k.kind == kind).map(|k| k.link.replace("{id}", id)).unwrap_or_default()
}

/// 会签 (all) or 或签 (any one decides).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    All,
    Any,
}

/// Who approves a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Approver {
    /// One user, by login.
    User { user: String },
    /// Every active member holding a role (by code).
    Role { role: String },
    /// The head of a department (by code), or of the submitter's own department.
    DepartmentHead {
        #[serde(default)]
        department: Option<String>,
    },
    /// The submitter's manager `level` levels up (1: the direct manager).
    Manager { level: u8 },
    /// The submitter's managers up to `levels` levels, one step each, nearest first (连续多级主管).
    ManagerChain { levels: u8 },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub name: String,
    pub mode: Mode,
    pub approvers: Vec<Approver>,
    /// The step applies only when all of these hold.
    #[serde(default)]
    pub when: Vec<Condition>,
    /// Hours until the approver is reminded and the step escalates to the approver's manager.
    #[serde(default)]
    pub timeout_hours: Option<u32>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowDefinition {
    /// The document needs approval only when all of these hold (always when empty).
    #[serde(default)]
    pub when: Vec<Condition>,
    pub steps: Vec<Step>,
    /// Copied (抄送) when the request is decided.
    #[serde(default)]
    pub cc: Vec<Approver>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "大额采购审批", "active": true, "definition": {
    "when": [{"field": "amount", "op": "gt", "value": "50000"}],
    "steps": [{"name": "部门负责人", "mode": "any", "approvers": [{"kind": "department_head"}]},
              {"name": "财务会签", "mode": "all", "approvers": [{"kind": "role", "role": "finance"}], "timeout_hours": 24}],
    "cc": [{"kind": "user", "user": "boss"}]}}))]
pub struct FlowInput {
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
    pub definition: FlowDefinition,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Flow {
    pub id: String,
    pub doc_kind: String,
    pub name: String,
    pub active: bool,
    pub version: i64,
    pub definition: FlowDefinition,
    pub updated_at: String,
}

/// Checks a definition: known kind, valid conditions, steps with approvers each of whom can be
/// found, and no step that could end with nobody to decide.
fn validate(tx: &mut Tx<'_>, ctx: &Ctx, kind: &str, input: &FlowInput) -> Result<()> {
    if !KINDS.iter().any(|k| k.kind == kind) {
        return Err(Error::not_found("office.flow.kind_unknown").with_param("kind", kind));
    }
    if input.name.trim().is_empty() {
        return Err(Error::field("name", "office.flow.name_invalid"));
    }
    let definition = &input.definition;
    if definition.steps.is_empty() {
        return Err(Error::field("definition.steps", "office.flow.no_steps"));
    }
    for (i, c) in definition.when.iter().enumerate() {
        c.check(&format!("definition.when[{i}]"))?;
    }
    let fallback = !resolve::administrators(tx, ctx)?.is_empty();
    for (s, step) in definition.steps.iter().enumerate() {
        let at = format!("definition.steps[{s}]");
        if step.name.trim().is_empty() {
            return Err(Error::field(format!("{at}.name"), "office.flow.name_invalid"));
        }
        for (i, c) in step.when.iter().enumerate() {
            c.check(&format!("{at}.when[{i}]"))?;
        }
        if step.approvers.is_empty() {
            return Err(Error::field(format!("{at}.approvers"), "office.flow.nobody").with_param("step", &step.name));
        }
        let chain = step.approvers.iter().any(|a| matches!(a, Approver::ManagerChain { .. }));
        if chain && step.approvers.len() > 1 {
            return Err(Error::field(format!("{at}.approvers"), "office.flow.chain_alone"));
        }
        let mut someone = false;
        for (i, approver) in step.approvers.iter().enumerate() {
            match resolve::statically(tx, ctx, approver, &format!("{at}.approvers[{i}]"))? {
                Resolved::Users(users) => someone |= !users.is_empty(),
                // Found when a request is made; the approval administrators stand in if not.
                Resolved::Dynamic => someone |= fallback,
            }
        }
        if !someone {
            return Err(Error::field(format!("{at}.approvers"), "office.flow.nobody").with_param("step", &step.name));
        }
    }
    for (i, approver) in definition.cc.iter().enumerate() {
        resolve::statically(tx, ctx, approver, &format!("definition.cc[{i}]"))?;
    }
    Ok(())
}

/// Saves the flow of a document kind as a new version.
pub fn save_flow(tx: &mut Tx<'_>, ctx: &Ctx, kind: &str, input: &FlowInput) -> Result<Flow> {
    ctx.require(APPROVAL_MANAGE)?;
    validate(tx, ctx, kind, input)?;
    let definition = serde_json::to_string(&input.definition).map_err(Error::internal)?;
    let now = ctx.now_text();
    let existing = tx.query_opt(
        "select id, version from office_flow where company_id = $1 and doc_kind = $2",
        &[&ctx.company(), &kind],
    )?;
    let (id, version) = match existing {
        Some(row) => {
            let (id, version): (String, i64) = (row.get(0)?, row.get(1)?);
            let changed = tx.execute(
                "update office_flow set name = $1, active = $2, version = $3, updated_at = $4 where id = $5 and version = $6",
                &[&input.name.trim(), &input.active, &(version + 1), &now, &id, &version],
            )?;
            if changed == 0 {
                return Err(Error::conflict("kernel.version_conflict"));
            }
            (id, version + 1)
        }
        None => {
            let id = Uuid::now_v7().to_string();
            tx.execute(
                "insert into office_flow (id, company_id, doc_kind, name, active, version, updated_at) values ($1, $2, $3, $4, $5, 1, $6)",
                &[&id, &ctx.company(), &kind, &input.name.trim(), &input.active, &now],
            )?;
            (id, 1)
        }
    };
    tx.execute(
        "insert into office_flow_version (flow_id, version, definition, created_at, created_by) values ($1, $2, $3, $4, $5)",
        &[&id, &version, &definition, &now, &ctx.actor().label()],
    )?;
    audit::record(
        tx,
        ctx,
        "office.flow.save",
        "office.flow",
        &id,
        serde_json::json!({"kind": kind, "version": version, "active": input.active}),
    )?;
    get_flow(tx, ctx, kind)?.ok_or_else(|| Error::internal("flow vanished"))
}

const CURRENT: &str = "select f.id, f.doc_kind, f.name, f.active, f.version, v.definition, f.updated_at
     from office_flow f join office_flow_version v on v.flow_id = f.id and v.version = f.version";

fn flow_of(r: &kernel::db::Row) -> Result<Flow> {
    Ok(Flow {
        id: r.get(0)?,
        doc_kind: r.get(1)?,
        name: r.get(2)?,
        active: r.get(3)?,
        version: r.get(4)?,
        definition: parse(&r.get::<String>(5)?)?,
        updated_at: r.get(6)?,
    })
}

/// The current flow of a document kind, if one was saved.
pub fn get_flow(tx: &mut Tx<'_>, ctx: &Ctx, kind: &str) -> Result<Option<Flow>> {
    tx.query_opt(&format!("{CURRENT} where f.company_id = $1 and f.doc_kind = $2"), &[&ctx.company(), &kind])?
        .map(|r| flow_of(&r))
        .transpose()
}

/// Every saved flow of the company, current versions, in one query.
pub fn list_flows(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Flow>> {
    tx.query(&format!("{CURRENT} where f.company_id = $1 order by f.doc_kind"), &[&ctx.company()])?
        .iter()
        .map(flow_of)
        .collect()
}

pub(crate) fn parse(definition: &str) -> Result<FlowDefinition> {
    serde_json::from_str(definition).map_err(Error::internal)
}

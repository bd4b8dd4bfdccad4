//! The audit log: who did what to which record, written in the same transaction as the change
//! and chained by hash per company, so that any edit or deletion of history is detectable.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::Result;
use crate::ctx::Ctx;
use crate::db::{Row, Tx};
use crate::id::Uuid;
use crate::identity::CompanyId;
use crate::page::{Page, PageRequest};

/// The hash that starts every company's chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: String,
    pub chain_seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: String,
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub hash: String,
}

/// The hash of one entry: it covers every field and the previous entry's hash.
#[allow(clippy::too_many_arguments)]
fn entry_hash(
    prev_hash: &str,
    company: &str,
    chain_seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    subject_kind: &str,
    subject_id: &str,
    changes: &str,
) -> String {
    let mut hasher = Sha256::new();
    for part in [prev_hash, company, &chain_seq.to_string(), at, actor, action, subject_kind, subject_id, changes] {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    hex::encode(hasher.finalize())
}

/// Starts a company's chain; called when the company is created.
pub fn start_chain(tx: &mut Tx<'_>, company: CompanyId) -> Result<()> {
    tx.execute(
        "insert into kernel_audit_head (company_id, chain_seq, hash) values ($1, 0, $2)",
        &[&company, &GENESIS],
    )?;
    Ok(())
}

/// Appends one entry to the company's chain, in the caller's transaction.
/// `action` is a verb such as `kernel.user.create`; `changes` describes what changed
/// (never secrets or personal data in clear).
pub fn record(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    action: &str,
    subject_kind: &str,
    subject_id: &dyn std::fmt::Display,
    changes: serde_json::Value,
) -> Result<()> {
    let company = ctx.company().to_string();
    let (chain_seq, prev_hash) = match tx.audit_head.take() {
        Some(head) if head.company == company => (head.chain_seq + 1, head.hash),
        other => {
            if let Some(head) = other {
                write_head(tx, &head)?;
            }
            // The first entry of a transaction reads the head with an update that changes
            // nothing: on PostgreSQL it takes the row lock that serialises appends to this
            // company's chain until the transaction ends.
            let head = tx.query_one(
                "update kernel_audit_head set chain_seq = chain_seq where company_id = $1 returning chain_seq, hash",
                &[&company],
            )?;
            (head.get::<i64>(0)? + 1, head.get::<String>(1)?)
        }
    };
    let at = ctx.now_text();
    let actor = ctx.actor().label();
    let subject_id = subject_id.to_string();
    let changes = changes.to_string();
    let hash = entry_hash(&prev_hash, &company, chain_seq, &at, &actor, action, subject_kind, &subject_id, &changes);
    tx.execute(
        "insert into kernel_audit (id, company_id, chain_seq, at, actor, action, subject_kind, subject_id, changes, prev_hash, hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[&Uuid::now_v7(), &company, &chain_seq, &at, &actor, &action, &subject_kind, &subject_id, &changes, &prev_hash, &hash],
    )?;
    // The subject's search document follows when the work ends, like the head row, which is
    // written once then (`Tx::flush_pending`).
    crate::search::mark(tx, subject_kind, &subject_id);
    tx.audit_head = Some(PendingHead { company, chain_seq, hash });
    Ok(())
}

/// A company's chain head as the open transaction's entries left it, not yet written back.
#[derive(Debug)]
pub(crate) struct PendingHead {
    company: String,
    chain_seq: i64,
    hash: String,
}

/// Writes the chain head back (see `Tx::flush_pending`).
pub(crate) fn write_head(tx: &mut Tx<'_>, head: &PendingHead) -> Result<()> {
    tx.execute(
        "update kernel_audit_head set chain_seq = $1, hash = $2 where company_id = $3",
        &[&head.chain_seq, &head.hash, &head.company],
    )?;
    Ok(())
}

const ENTRY_COLUMNS: &str = "id, chain_seq, at, actor, action, subject_kind, subject_id, changes, hash";

fn entry_from(row: &Row) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: row.get(0)?,
        chain_seq: row.get(1)?,
        at: row.get(2)?,
        actor: row.get(3)?,
        action: row.get(4)?,
        subject_kind: row.get(5)?,
        subject_id: row.get(6)?,
        changes: serde_json::from_str(&row.get::<String>(7)?).unwrap_or(serde_json::Value::Null),
        hash: row.get(8)?,
    })
}

/// Filters of the audit viewer.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct AuditFilter {
    /// Only entries about this kind of record (`kernel.user`).
    pub subject_kind: Option<String>,
    /// Only entries about this record.
    pub subject_id: Option<String>,
    /// Only this action (`kernel.user.create`).
    pub action: Option<String>,
    /// Only this actor (a user id, or `system`).
    pub actor: Option<String>,
}

/// Newest first, by cursor over the chain sequence.
pub fn list(tx: &mut Tx<'_>, ctx: &Ctx, filter: &AuditFilter, page: &PageRequest) -> Result<Page<AuditEntry>> {
    let before: i64 = match page.cursor.as_deref() {
        Some(cursor) => crate::page::decode_cursor(cursor)?.parse().unwrap_or(i64::MAX),
        None => i64::MAX,
    };
    let limit = i64::from(page.limit());
    let rows = tx.query(
        &format!(
            "select {ENTRY_COLUMNS} from kernel_audit
             where company_id = $1 and chain_seq < $2
               and ($3 = '' or subject_kind = $3) and ($4 = '' or subject_id = $4)
               and ($5 = '' or action = $5) and ($6 = '' or actor = $6)
             order by chain_seq desc limit $7"
        ),
        &[
            &ctx.company(),
            &before,
            &filter.subject_kind.clone().unwrap_or_default(),
            &filter.subject_id.clone().unwrap_or_default(),
            &filter.action.clone().unwrap_or_default(),
            &filter.actor.clone().unwrap_or_default(),
            &(limit + 1),
        ],
    )?;
    let mut items = rows.iter().map(entry_from).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_overfetch(&mut items, page.limit(), |e| e.chain_seq.to_string()))
}

pub fn get(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<AuditEntry> {
    let row = tx
        .query_opt(
            &format!("select {ENTRY_COLUMNS} from kernel_audit where company_id = $1 and id = $2"),
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| crate::Error::not_found("kernel.audit.not_found"))?;
    entry_from(&row)
}

/// The history of one record, newest first, with actors shown by name (for timelines).
pub fn history(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    subject_kind: &str,
    subject_id: &str,
    limit: i64,
) -> Result<Vec<AuditEntry>> {
    tx.query(
        "select a.id, a.chain_seq, a.at, coalesce(u.display_name, a.actor), a.action, a.subject_kind, a.subject_id, a.changes, a.hash
         from kernel_audit a left join kernel_user u on u.id = a.actor
         where a.company_id = $1 and a.subject_kind = $2 and a.subject_id = $3 order by a.chain_seq desc limit $4",
        &[&ctx.company(), &subject_kind, &subject_id, &limit],
    )?
    .iter()
    .map(entry_from)
    .collect()
}

/// A break in a company's chain, found by `verify_chains`.
#[derive(Clone, Debug, Serialize)]
pub struct ChainBreak {
    pub company_id: String,
    pub chain_seq: i64,
    pub reason: String,
}

/// Recomputes every company's chain from the genesis hash; reads in pages to bound memory.
pub fn verify_chains(tx: &mut Tx<'_>) -> Result<Vec<ChainBreak>> {
    let mut breaks = Vec::new();
    tx.flush_pending()?;
    let heads = tx.query("select company_id, chain_seq, hash from kernel_audit_head order by company_id", &[])?;
    for head in heads {
        let company: String = head.get(0)?;
        let head_seq: i64 = head.get(1)?;
        let head_hash: String = head.get(2)?;
        let mut expected_prev = GENESIS.to_string();
        let mut expected_seq = 1_i64;
        loop {
            let rows = tx.query(
                "select chain_seq, at, actor, action, subject_kind, subject_id, changes, prev_hash, hash
                 from kernel_audit where company_id = $1 and chain_seq >= $2 order by chain_seq limit 1000",
                &[&company, &expected_seq],
            )?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let seq: i64 = row.get(0)?;
                let fields: Vec<String> = (1..9).map(|i| row.get(i)).collect::<Result<_>>()?;
                let mut problem = None;
                if seq != expected_seq {
                    problem = Some(format!("entry {expected_seq} is missing"));
                } else if fields[6] != expected_prev {
                    problem = Some("previous hash does not match".to_string());
                } else {
                    let recomputed = entry_hash(
                        &fields[6], &company, seq, &fields[0], &fields[1], &fields[2], &fields[3], &fields[4],
                        &fields[5],
                    );
                    if recomputed != fields[7] {
                        problem = Some("content does not match its hash".to_string());
                    }
                }
                if let Some(reason) = problem {
                    breaks.push(ChainBreak { company_id: company.clone(), chain_seq: seq, reason });
                }
                expected_prev = fields[7].clone();
                expected_seq = seq + 1;
            }
        }
        if expected_seq - 1 != head_seq || expected_prev != head_hash {
            breaks.push(ChainBreak {
                company_id: company.clone(),
                chain_seq: head_seq,
                reason: "the chain's last entry does not match its head (entries deleted?)".to_string(),
            });
        }
    }
    Ok(breaks)
}

/// The audit viewer's list.
pub const AUDIT_LIST: crate::listing::ListSpec = crate::listing::ListSpec {
    from: "kernel_audit a left join kernel_user u on u.id = a.actor",
    id: "a.id",
    company: "a.company_id",
    columns: &[
        crate::listing::col("at", "a.at", true, crate::listing::Filter::Prefix),
        crate::listing::col("actor", "coalesce(u.display_name, a.actor)", false, crate::listing::Filter::None),
        crate::listing::col("action", "a.action", true, crate::listing::Filter::Prefix),
        crate::listing::col("subject_kind", "a.subject_kind", true, crate::listing::Filter::Equals),
        crate::listing::col("subject_id", "a.subject_id", false, crate::listing::Filter::Equals),
        crate::listing::col("chain_seq", "a.chain_seq", true, crate::listing::Filter::None),
    ],
    search: &["a.action", "a.subject_id"],
    index: None,
    default_sort: "chain_seq",
    default_desc: true,
};

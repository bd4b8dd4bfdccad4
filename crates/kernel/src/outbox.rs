//! The transactional outbox: external effects leave the system only after the business
//! transaction that caused them has committed.
//!
//! `enqueue` writes a message in the caller's transaction; a rolled-back transaction leaves
//! nothing to deliver. The worker (`deliver_due`) claims due messages with a lease, hands each
//! to the handler registered for its topic (in `wiring.rs`), then marks it done, or schedules a
//! retry with exponential backoff, or after too many attempts moves it to the dead state where
//! an administrator can retry it. A worker that dies between sending and marking leaves the
//! lease to run out; the message is then delivered again under the same idempotency key, so
//! nothing is lost and a receiver that honours the key sees it once.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use time::Duration;

use crate::clock::{Clock, format_timestamp};
use crate::ctx::Ctx;
use crate::db::{Db, Row, Tx};
use crate::page::{Page, PageRequest};
use crate::{Error, Result};

crate::define_id!(
    /// One message in the outbox.
    OutboxId
);

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OutboxMessage {
    #[schema(value_type = String)]
    pub id: OutboxId,
    pub topic: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub idempotency_key: String,
    /// `pending`, `done` or `dead`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

/// The topic of outgoing mail: `{"to", "subject", "text", "attachments": [{"name",
/// "content_type", "base64"}]}` (delivered over SMTP by the server's mail handler).
pub const MAIL_TOPIC: &str = "mail.send";

/// Writes a message to deliver after commit. The idempotency key defaults to the message id;
/// give one derived from the business fact (e.g. `invoice-mail:<invoice id>`) to make the
/// enqueue itself idempotent: a second enqueue with the same key is ignored.
pub fn enqueue(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    topic: &str,
    payload: &serde_json::Value,
    idempotency_key: Option<&str>,
) -> Result<OutboxId> {
    let id = OutboxId::new();
    let key = idempotency_key.map(str::to_string).unwrap_or_else(|| id.to_string());
    let now = ctx.now_text();
    tx.execute(
        "insert into kernel_outbox (id, company_id, topic, payload, idempotency_key, state, attempts, next_attempt_at, created_at, updated_at)
         values ($1, $2, $3, $4, $5, 'pending', 0, $6, $6, $6) on conflict (idempotency_key) do nothing",
        &[&id, &ctx.company(), &topic, payload, &key, &now],
    )?;
    Ok(id)
}

const COLUMNS: &str =
    "id, topic, payload, idempotency_key, state, attempts, next_attempt_at, last_error, created_at, delivered_at";

fn message_from(row: &Row) -> Result<OutboxMessage> {
    Ok(OutboxMessage {
        id: row.get(0)?,
        topic: row.get(1)?,
        payload: row.get(2)?,
        idempotency_key: row.get(3)?,
        state: row.get(4)?,
        attempts: row.get(5)?,
        next_attempt_at: row.get(6)?,
        last_error: row.get(7)?,
        created_at: row.get(8)?,
        delivered_at: row.get(9)?,
    })
}

/// Delivers one message to the outside world. `Err` carries a reason for the log and the UI.
pub type Handler = Arc<dyn Fn(&OutboxMessage) -> std::result::Result<(), String> + Send + Sync>;

/// How the worker behaves; the defaults suit production.
#[derive(Clone, Debug)]
pub struct WorkerPolicy {
    /// How long a claimed message is reserved for the worker that claimed it.
    pub lease: Duration,
    /// First retry delay; doubled on every further failure, capped at `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// After this many failed attempts the message goes to the dead state.
    pub max_attempts: i64,
    /// Messages claimed per round.
    pub batch: i64,
}

impl Default for WorkerPolicy {
    fn default() -> Self {
        WorkerPolicy {
            lease: Duration::seconds(60),
            base_backoff: Duration::seconds(5),
            max_backoff: Duration::hours(1),
            max_attempts: 10,
            batch: 50,
        }
    }
}

/// The topics the worker can deliver, each with its handler; filled in `wiring.rs`.
#[derive(Clone, Default)]
pub struct Handlers {
    by_topic: HashMap<String, Handler>,
}

impl Handlers {
    pub fn register(&mut self, topic: &str, handler: Handler) {
        self.by_topic.insert(topic.to_string(), handler);
    }

    pub fn topics(&self) -> Vec<&str> {
        let mut topics: Vec<&str> = self.by_topic.keys().map(String::as_str).collect();
        topics.sort_unstable();
        topics
    }
}

/// What one round of the worker did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RoundReport {
    pub delivered: usize,
    pub failed: usize,
    pub dead: usize,
}

/// Claims the due messages: pending, due, and not leased by a live worker.
pub fn claim_due(db: &Db, clock: &dyn Clock, policy: &WorkerPolicy) -> Result<Vec<OutboxMessage>> {
    let now = clock.now();
    let now_text = format_timestamp(now);
    let lease_until = format_timestamp(now + policy.lease);
    db.write(|tx| {
        let rows = tx.query(
            &format!(
                "select {COLUMNS} from kernel_outbox
                 where state = 'pending' and next_attempt_at <= $1 and (locked_until is null or locked_until < $1)
                 order by next_attempt_at limit $2 for update skip locked"
            ),
            &[&now_text, &policy.batch],
        )?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut message = message_from(row)?;
            tx.execute(
                "update kernel_outbox set locked_until = $1, attempts = attempts + 1, updated_at = $2 where id = $3",
                &[&lease_until, &now_text, &message.id],
            )?;
            message.attempts += 1;
            claimed.push(message);
        }
        Ok(claimed)
    })
}

/// Records a successful delivery.
pub fn mark_delivered(db: &Db, clock: &dyn Clock, id: OutboxId) -> Result<()> {
    let now = format_timestamp(clock.now());
    db.write(|tx| {
        tx.execute(
            "update kernel_outbox set state = 'done', delivered_at = $1, updated_at = $1, locked_until = null, last_error = null
             where id = $2 and state = 'pending'",
            &[&now, &id],
        )?;
        Ok(())
    })
}

/// Records a failed attempt: retry later with backoff, or give up into the dead state.
pub fn mark_failed(
    db: &Db,
    clock: &dyn Clock,
    policy: &WorkerPolicy,
    message: &OutboxMessage,
    reason: &str,
) -> Result<bool> {
    let now = clock.now();
    let dead = message.attempts >= policy.max_attempts;
    let exponent = u32::try_from(message.attempts.clamp(1, 30) - 1).unwrap_or(0);
    let backoff = policy
        .base_backoff
        .checked_mul(2_i32.saturating_pow(exponent))
        .unwrap_or(policy.max_backoff)
        .min(policy.max_backoff);
    let reason: String = reason.chars().take(2000).collect();
    db.write(|tx| {
        tx.execute(
            "update kernel_outbox set state = $1, last_error = $2, next_attempt_at = $3, locked_until = null, updated_at = $4
             where id = $5 and state = 'pending'",
            &[
                &if dead { "dead" } else { "pending" },
                &reason,
                &format_timestamp(now + backoff),
                &format_timestamp(now),
                &message.id,
            ],
        )?;
        Ok(dead)
    })
}

/// One round of the worker: claim, deliver, mark.
pub fn deliver_due(db: &Db, clock: &dyn Clock, policy: &WorkerPolicy, handlers: &Handlers) -> Result<RoundReport> {
    let mut report = RoundReport::default();
    for message in claim_due(db, clock, policy)? {
        let outcome = match handlers.by_topic.get(&message.topic) {
            Some(handler) => handler(&message),
            None => Err(format!("no handler for topic {}", message.topic)),
        };
        match outcome {
            Ok(()) => {
                mark_delivered(db, clock, message.id)?;
                report.delivered += 1;
            }
            Err(reason) => {
                tracing::warn!(id = %message.id, topic = %message.topic, attempts = message.attempts, %reason, "outbox delivery failed");
                if mark_failed(db, clock, policy, &message, &reason)? {
                    report.dead += 1;
                } else {
                    report.failed += 1;
                }
            }
        }
    }
    Ok(report)
}

/// Filters of the outbox viewer.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct OutboxFilter {
    /// `pending`, `done` or `dead`.
    pub state: Option<String>,
    pub topic: Option<String>,
}

/// Newest first.
pub fn list(tx: &mut Tx<'_>, ctx: &Ctx, filter: &OutboxFilter, page: &PageRequest) -> Result<Page<OutboxMessage>> {
    let before = match page.cursor.as_deref() {
        Some(cursor) => crate::page::decode_cursor(cursor)?,
        None => "~".to_string(),
    };
    let rows = tx.query(
        &format!(
            "select {COLUMNS} from kernel_outbox
             where company_id = $1 and id < $2 and ($3 = '' or state = $3) and ($4 = '' or topic = $4)
             order by id desc limit $5"
        ),
        &[
            &ctx.company(),
            &before,
            &filter.state.clone().unwrap_or_default(),
            &filter.topic.clone().unwrap_or_default(),
            &(i64::from(page.limit()) + 1),
        ],
    )?;
    let mut items = rows.iter().map(message_from).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_overfetch(&mut items, page.limit(), |m| m.id.to_string()))
}

pub fn get(tx: &mut Tx<'_>, ctx: &Ctx, id: OutboxId) -> Result<OutboxMessage> {
    let row = tx
        .query_opt(
            &format!("select {COLUMNS} from kernel_outbox where company_id = $1 and id = $2"),
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("kernel.outbox.not_found"))?;
    message_from(&row)
}

/// Puts a dead (or failed) message back in the queue for immediate delivery.
pub fn retry(tx: &mut Tx<'_>, ctx: &Ctx, id: OutboxId) -> Result<OutboxMessage> {
    ctx.require(crate::identity::permissions::OUTBOX_MANAGE)?;
    let message = get(tx, ctx, id)?;
    if message.state == "done" {
        return Err(Error::conflict("kernel.outbox.already_delivered"));
    }
    let now = ctx.now_text();
    tx.execute(
        "update kernel_outbox set state = 'pending', attempts = 0, next_attempt_at = $1, locked_until = null, updated_at = $1
         where company_id = $2 and id = $3",
        &[&now, &ctx.company(), &id],
    )?;
    crate::audit::record(
        tx,
        ctx,
        "kernel.outbox.retry",
        "kernel.outbox",
        &id,
        serde_json::json!({"topic": message.topic}),
    )?;
    get(tx, ctx, id)
}

/// The outbox viewer's list.
pub const OUTBOX_LIST: crate::listing::ListSpec = crate::listing::ListSpec {
    from: "kernel_outbox o",
    id: "o.id",
    company: "o.company_id",
    columns: &[
        crate::listing::col("created_at", "o.created_at", true, crate::listing::Filter::None),
        crate::listing::col("topic", "o.topic", true, crate::listing::Filter::Prefix),
        crate::listing::col("state", "o.state", true, crate::listing::Filter::Equals),
        crate::listing::col("attempts", "o.attempts", true, crate::listing::Filter::None),
        crate::listing::col("next_attempt_at", "o.next_attempt_at", true, crate::listing::Filter::None),
        crate::listing::col("last_error", "coalesce(o.last_error, '')", false, crate::listing::Filter::None),
    ],
    search: &["o.topic", "o.idempotency_key", "coalesce(o.last_error, '')"],
    index: None,
    default_sort: "created_at",
    default_desc: true,
};

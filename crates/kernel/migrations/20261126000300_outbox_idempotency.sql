-- The transactional outbox: external effects (email, SMS, WeChat, webhooks) are written here in
-- the business transaction and delivered afterwards by a worker, with retries and backoff.
-- A message is claimed with a lease (`locked_until`); if the worker dies after sending and
-- before marking it done, the lease runs out and the message is delivered again with the same
-- idempotency key, which the receiver uses to drop the duplicate.

create table kernel_outbox (
    id text primary key,
    company_id text not null references kernel_company (id),
    topic text not null,
    payload text not null,
    idempotency_key text not null,
    state text not null default 'pending' constraint kernel_outbox_state_check check (state in ('pending', 'done', 'dead')),
    attempts bigint not null default 0,
    next_attempt_at text not null,
    locked_until text,
    last_error text,
    created_at text not null,
    updated_at text not null,
    delivered_at text,
    constraint kernel_outbox_idempotency_key unique (idempotency_key)
);
create index kernel_outbox_due_idx on kernel_outbox (state, next_attempt_at);
create index kernel_outbox_company_idx on kernel_outbox (company_id, created_at);

-- Idempotency-Key on POST: the first answer is kept and replayed for the same key.
create table kernel_idempotency (
    user_id text not null,
    idem_key text not null,
    company_id text not null,
    method text not null,
    path text not null,
    request_hash text not null,
    state text not null constraint kernel_idempotency_state_check check (state in ('pending', 'done')),
    status bigint,
    content_type text,
    body text,
    created_at text not null,
    primary key (user_id, idem_key)
);
create index kernel_idempotency_created_idx on kernel_idempotency (created_at);

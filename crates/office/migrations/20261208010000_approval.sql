-- The organisation the approval engine walks (departments with heads, each member's department
-- and manager), approval flows as versioned data, the requests documents raise, the task of
-- each approver, the timeline, CC recipients and delegations while away.

create table office_department (
    id text primary key,
    company_id text not null references kernel_company (id),
    code text not null,
    name text not null,
    parent_id text references office_department (id),
    head_id text references kernel_user (id),
    constraint office_department_code_key unique (company_id, code)
);

-- A member's place in the organisation: department and manager (the chain approvals walk up).
create table office_member (
    company_id text not null references kernel_company (id),
    user_id text not null references kernel_user (id),
    department_id text references office_department (id),
    manager_id text references kernel_user (id),
    primary key (company_id, user_id)
);

-- One flow per document kind and company; every save adds a version, and a request keeps the
-- version it started under.
create table office_flow (
    id text primary key,
    company_id text not null references kernel_company (id),
    doc_kind text not null,
    name text not null,
    active smallint not null default 1 constraint office_flow_active_check check (active in (0, 1)),
    version bigint not null,
    updated_at text not null,
    constraint office_flow_kind_key unique (company_id, doc_kind)
);

create table office_flow_version (
    flow_id text not null references office_flow (id),
    version bigint not null,
    -- The definition as JSON (`office::approval::FlowDefinition`).
    definition text not null,
    created_at text not null,
    created_by text not null,
    primary key (flow_id, version)
);

create table office_approval_request (
    id text primary key,
    company_id text not null references kernel_company (id),
    number text not null,
    doc_kind text not null,
    doc_id text not null,
    title text not null,
    submitter_id text not null references kernel_user (id),
    flow_id text not null references office_flow (id),
    flow_version bigint not null,
    state text not null default 'pending'
        constraint office_approval_request_state_check check (state in ('pending', 'approved', 'rejected', 'returned', 'withdrawn')),
    -- Index into `plan` of the step being decided.
    step bigint not null default 0,
    -- The document's facts at submission and the steps that apply, with their approvers (JSON).
    facts text not null,
    plan text not null,
    created_at text not null,
    decided_at text,
    version bigint not null default 1
);
-- At most one pending request per document.
create unique index office_approval_request_pending_key on office_approval_request (company_id, doc_kind, doc_id)
    where state = 'pending';
create index office_approval_request_doc_idx on office_approval_request (company_id, doc_kind, doc_id, created_at);
create index office_approval_request_submitter_idx on office_approval_request (company_id, submitter_id, created_at);

-- One approver's part in one step. `waiting`: an approver added before (加签) decides first.
create table office_approval_task (
    id text primary key,
    company_id text not null references kernel_company (id),
    request_id text not null references office_approval_request (id),
    step bigint not null,
    approver_id text not null references kernel_user (id),
    -- Whom the approver stands in for (delegation) or took over from (transfer, escalation).
    on_behalf_of text references kernel_user (id),
    origin text not null default 'flow'
        constraint office_approval_task_origin_check check (origin in ('flow', 'delegation', 'transfer', 'added_before', 'added_after', 'escalation')),
    state text not null default 'pending'
        constraint office_approval_task_state_check check (state in ('pending', 'waiting', 'approved', 'rejected', 'returned', 'transferred', 'skipped')),
    -- The task that waits for this one (加签 before).
    unblocks_id text references office_approval_task (id),
    -- Must be approved whatever the step's mode (加签 after, and whoever it is transferred to).
    required smallint not null default 0 constraint office_approval_task_required_check check (required in (0, 1)),
    comment text not null default '',
    created_at text not null,
    due_at text,
    reminded_at text,
    decided_at text,
    version bigint not null default 1
);
create index office_approval_task_inbox_idx on office_approval_task (company_id, approver_id, state, created_at);
create index office_approval_task_request_idx on office_approval_task (request_id, step);
create index office_approval_task_due_idx on office_approval_task (company_id, state, due_at);

-- The request's history as a timeline: submitted, each decision, transfers, additions, reminders.
create table office_approval_event (
    id text primary key,
    request_id text not null references office_approval_request (id),
    at text not null,
    actor text not null,
    action text not null,
    step bigint,
    target_id text,
    comment text not null default ''
);
create index office_approval_event_request_idx on office_approval_event (request_id, at);

create table office_approval_cc (
    company_id text not null references kernel_company (id),
    request_id text not null references office_approval_request (id),
    user_id text not null references kernel_user (id),
    created_at text not null,
    primary key (request_id, user_id)
);
create index office_approval_cc_user_idx on office_approval_cc (company_id, user_id, created_at);

-- While away, a user's approvals go to a delegate, for every kind or one.
create table office_delegation (
    id text primary key,
    company_id text not null references kernel_company (id),
    user_id text not null references kernel_user (id),
    delegate_id text not null references kernel_user (id),
    doc_kind text,
    from_date text not null,
    to_date text not null,
    created_at text not null
);
create index office_delegation_user_idx on office_delegation (company_id, user_id, from_date);

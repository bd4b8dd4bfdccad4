-- CRM inside the ERP: leads, the opportunity pipeline with configurable stages, activities
-- and communication records (沟通记录). Customers are party_party rows and quotations are
-- sales_order rows: nothing is copied, nothing synchronised.

-- Pipeline stages per company, in order, each with its win probability (basis points).
create table crm_stage (
    id text primary key,
    company_id text not null references kernel_company (id),
    code text not null,
    name text not null,
    seq bigint not null,
    probability_bp bigint not null constraint crm_stage_probability_check check (probability_bp between 0 and 10000),
    created_at text not null,
    constraint crm_stage_code_key unique (company_id, code)
);

-- A lead: someone who may buy, before qualification. Contact details are personal data:
-- encrypted, with blind indexes for the duplicate check.
create table crm_lead (
    id text primary key,
    company_id text not null references kernel_company (id),
    -- 联系人 and the organisation they speak for.
    contact_name text not null,
    organization text not null default '',
    -- Normalised organisation name, for the duplicate check against leads and customers.
    organization_key text not null default '',
    email_enc text,
    email_idx text,
    phone_enc text,
    phone_idx text,
    -- web, import, manual, referral, exhibition…
    source text not null default 'manual',
    industry text not null default '',
    region text not null default '',
    -- Company size band: small, medium, large.
    size text not null default '',
    note text not null default '',
    state text not null constraint crm_lead_state_check check (state in ('new', 'qualified', 'lost')),
    lost_reason text,
    owner_id text,
    -- After qualification: the customer and the opportunity it became.
    partner_id text references party_party (id),
    opportunity_id text,
    created_at text not null,
    created_by text not null,
    updated_at text not null,
    version bigint not null default 1
);
create index crm_lead_owner_idx on crm_lead (company_id, owner_id, state);
create index crm_lead_org_idx on crm_lead (company_id, organization_key);
create index crm_lead_email_idx on crm_lead (company_id, email_idx);
create index crm_lead_phone_idx on crm_lead (company_id, phone_idx);

create table crm_opportunity (
    id text primary key,
    company_id text not null references kernel_company (id),
    name text not null,
    partner_id text references party_party (id),
    lead_id text references crm_lead (id),
    stage_id text not null references crm_stage (id),
    state text not null constraint crm_opportunity_state_check check (state in ('open', 'won', 'lost')),
    -- Expected revenue in CNY fen, and the probability (basis points) — the stage's unless set.
    expected_revenue bigint not null default 0,
    probability_bp bigint not null,
    expected_close text,
    owner_id text,
    lost_reason text,
    closed_at text,
    -- The quotation (a sales order) made from it; its confirmation wins the opportunity.
    order_id text references sales_order (id),
    created_at text not null,
    created_by text not null,
    updated_at text not null,
    version bigint not null default 1
);
-- The kanban column's cards in their order (soonest expected close first), read a page at a time.
create index crm_opportunity_stage_idx on crm_opportunity (company_id, state, stage_id, (coalesce(expected_close, '9999')), id);
create index crm_opportunity_owner_idx on crm_opportunity (company_id, owner_id, state);
create index crm_opportunity_partner_idx on crm_opportunity (company_id, partner_id, created_at, id);
create index crm_opportunity_order_idx on crm_opportunity (order_id);

-- Calls, visits, meetings, emails, WeChat messages and notes: done (with outcome and next step)
-- or scheduled (a follow-up with a due time, reminded in the notification area).
create table crm_activity (
    id text primary key,
    company_id text not null references kernel_company (id),
    kind text not null constraint crm_activity_kind_check
        check (kind in ('call', 'visit', 'meeting', 'email', 'wechat', 'note')),
    subject text not null,
    outcome text not null default '',
    next_step text not null default '',
    partner_id text references party_party (id),
    lead_id text references crm_lead (id),
    opportunity_id text references crm_opportunity (id),
    due_at text,
    done smallint not null default 1 constraint crm_activity_done_check check (done in (0, 1)),
    owner_id text,
    created_at text not null,
    created_by text not null
);
create index crm_activity_partner_idx on crm_activity (company_id, partner_id, created_at, id);
create index crm_activity_lead_idx on crm_activity (lead_id);
create index crm_activity_opportunity_idx on crm_activity (opportunity_id);
create index crm_activity_due_idx on crm_activity (company_id, done, due_at);

-- The lead-scoring model trained on the company's own won and lost leads (naive Bayes counts,
-- JSON), and each open lead's latest score.
create table crm_score_model (
    company_id text primary key references kernel_company (id),
    model text not null,
    examples bigint not null,
    trained_at text not null
);
alter table crm_lead add column score_bp bigint;

-- Submissions of the public web-to-lead form per client (address), for its rate limit.
create table crm_web_submission (
    id text primary key,
    company_id text not null references kernel_company (id),
    client_key text not null,
    at text not null
);
create index crm_web_submission_idx on crm_web_submission (company_id, client_key, at);

-- Sales teams: a manager sees the records of the members; members take new leads in turn.
create table crm_team (
    id text primary key,
    company_id text not null references kernel_company (id),
    code text not null,
    name text not null,
    manager_id text,
    created_at text not null,
    constraint crm_team_code_key unique (company_id, code)
);
create table crm_team_member (
    team_id text not null references crm_team (id),
    user_id text not null,
    seq bigint not null,
    primary key (team_id, user_id)
);
create index crm_team_member_user_idx on crm_team_member (user_id);
create index crm_team_manager_idx on crm_team (company_id, manager_id);

-- Assignment rules, tried in order: round robin (any lead), or a lead's region or industry
-- (territories), to a team's members in turn (`next_member` counts the turns taken).
create table crm_assignment_rule (
    id text primary key,
    company_id text not null references kernel_company (id),
    seq bigint not null,
    kind text not null constraint crm_assignment_rule_kind_check check (kind in ('round_robin', 'region', 'industry')),
    match_value text not null default '',
    team_id text not null references crm_team (id),
    next_member bigint not null default 0
);

-- Contracts (合同) with their payment milestones, each tied to the invoice that bills it.
create table crm_contract (
    id text primary key,
    company_id text not null references kernel_company (id),
    number text not null,
    name text not null,
    partner_id text not null references party_party (id),
    opportunity_id text references crm_opportunity (id),
    -- CNY fen.
    amount bigint not null,
    start_date text not null,
    end_date text not null,
    terms text not null default '',
    state text not null constraint crm_contract_state_check check (state in ('draft', 'active', 'terminated')),
    owner_id text,
    activated_at text,
    terminated_reason text,
    renewal_reminded_at text,
    created_at text not null,
    created_by text not null,
    constraint crm_contract_number_key unique (company_id, number)
);
create index crm_contract_partner_idx on crm_contract (company_id, partner_id, start_date);
create index crm_contract_renewal_idx on crm_contract (company_id, state, end_date);
create table crm_contract_milestone (
    id text primary key,
    contract_id text not null references crm_contract (id),
    seq bigint not null,
    name text not null,
    due_date text not null,
    amount bigint not null,
    invoice_id text references sales_invoice (id)
);
create index crm_contract_milestone_idx on crm_contract_milestone (contract_id, seq);

-- The lifecycle thresholds of a company (days), and satisfaction answers per customer.
create table crm_lifecycle_setting (
    company_id text primary key references kernel_company (id),
    new_days bigint not null,
    active_days bigint not null,
    churn_days bigint not null
);
create table crm_satisfaction (
    id text primary key,
    company_id text not null references kernel_company (id),
    partner_id text not null references party_party (id),
    kind text not null constraint crm_satisfaction_kind_check check (kind in ('csat', 'nps')),
    score bigint not null,
    comment text not null default '',
    recorded_at text not null,
    recorded_by text not null
);
create index crm_satisfaction_partner_idx on crm_satisfaction (company_id, partner_id);

-- The kanban's column totals, kept with every change of an open opportunity (per stage and
-- owner, so the record rules apply): count, expected revenue, and Σ revenue × probability (bp).
create table crm_pipeline_total (
    company_id text not null references kernel_company (id),
    stage_id text not null references crm_stage (id),
    owner_id text not null default '',
    open_count bigint not null default 0,
    expected bigint not null default 0,
    weighted bigint not null default 0,
    primary key (company_id, stage_id, owner_id)
);

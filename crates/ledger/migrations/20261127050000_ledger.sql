-- The general ledger: a chart of accounts per company (from a template, code separate from
-- role), vouchers (记账凭证) with their lines, and the balances per account and period that the
-- reports read. Amounts are CNY fen, debit and credit each non-negative.

create table ledger_account (
    id text primary key,
    company_id text not null references kernel_company (id),
    code text not null,
    name text not null,
    parent_id text references ledger_account (id),
    -- asset, liability, equity, cost, profit_loss
    category text not null constraint ledger_account_category_check
        check (category in ('asset', 'liability', 'equity', 'cost', 'profit_loss')),
    -- The side on which the balance normally stands.
    direction text not null constraint ledger_account_direction_check check (direction in ('debit', 'credit')),
    -- What postings look it up by (receivable, vat.output, inventory…), whatever its code.
    role text,
    -- 辅助核算: the dimensions every line on it must name, comma-separated (customer, supplier,
    -- employee, department, project, product).
    dimensions text not null default '',
    -- Only accounts without children take postings.
    postable smallint not null default 1 constraint ledger_account_postable_check check (postable in (0, 1)),
    active smallint not null default 1 constraint ledger_account_active_check check (active in (0, 1)),
    created_at text not null,
    constraint ledger_account_code_key unique (company_id, code),
    constraint ledger_account_role_key unique (company_id, role)
);

-- Which template a company's chart came from.
create table ledger_book (
    company_id text primary key references kernel_company (id),
    template text not null constraint ledger_book_template_check check (template in ('small', 'enterprise')),
    created_at text not null
);

create table ledger_voucher (
    id text primary key,
    company_id text not null references kernel_company (id),
    -- 记 收 付 转
    word text not null constraint ledger_voucher_word_check check (word in ('记', '收', '付', '转')),
    -- YYYY-MM
    period text not null,
    -- Per company, period and word, without gaps (given when the voucher is made).
    number bigint not null,
    date text not null,
    state text not null constraint ledger_voucher_state_check check (state in ('draft', 'reviewed', 'posted')),
    summary text not null default '',
    attachments bigint not null default 0,
    source_kind text,
    source_id text,
    -- A red-ink voucher names the voucher it reverses.
    reverses text references ledger_voucher (id),
    reversed_by text references ledger_voucher (id),
    prepared_by text not null,
    reviewed_by text,
    posted_by text,
    created_at text not null,
    version bigint not null default 1,
    constraint ledger_voucher_number_key unique (company_id, period, word, number)
);
create index ledger_voucher_source_idx on ledger_voucher (company_id, source_kind, source_id);
create index ledger_voucher_period_idx on ledger_voucher (company_id, period, state);

create table ledger_counter (
    company_id text not null references kernel_company (id),
    period text not null,
    word text not null,
    next_number bigint not null,
    primary key (company_id, period, word)
);

create table ledger_line (
    id text primary key,
    company_id text not null references kernel_company (id),
    voucher_id text not null references ledger_voucher (id),
    seq bigint not null,
    account_id text not null references ledger_account (id),
    -- The voucher's period and date, kept on the line for the account ledgers (明细账).
    period text not null,
    date text not null,
    posted smallint not null default 0 constraint ledger_line_posted_check check (posted in (0, 1)),
    summary text not null default '',
    debit bigint not null default 0,
    credit bigint not null default 0,
    -- 辅助核算: the partner, product, department or project the line is about.
    partner_id text,
    product_id text,
    employee_id text,
    department text,
    project text,
    -- One side per line; a red-ink (reversing) voucher carries negative amounts on the same side.
    constraint ledger_line_amount_check check (debit = 0 or credit = 0)
);
create index ledger_line_voucher_idx on ledger_line (voucher_id, seq);
create index ledger_line_account_idx on ledger_line (company_id, account_id, period, date);

-- Posted amounts per account and period (kept with each posting): the balance reports read these.
create table ledger_balance (
    company_id text not null references kernel_company (id),
    account_id text not null references ledger_account (id),
    period text not null,
    debit bigint not null default 0,
    credit bigint not null default 0,
    -- The part of debit and credit that the month-end carry-forward made: the income statement
    -- shows the period's turnover without it.
    closing_debit bigint not null default 0,
    closing_credit bigint not null default 0,
    primary key (company_id, account_id, period)
);

-- Months are open unless closed here.
create table ledger_period (
    company_id text not null references kernel_company (id),
    period text not null,
    state text not null constraint ledger_period_state_check check (state in ('open', 'closed')),
    changed_at text not null,
    primary key (company_id, period)
);

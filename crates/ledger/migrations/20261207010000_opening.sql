-- 系统初始化 (opening a company's books when it moves in from another system): the first
-- month the books run in, the balances at its start by account and auxiliary dimension with
-- the year's turnover so far, and the receivables and payables still open as items. Nothing
-- here touches the books until initialisation ends: then the opening vouchers are posted in
-- the months before the start, which close.
create table ledger_opening (
    company_id text primary key references kernel_company (id),
    -- YYYY-MM: the openings are the balances at the start of this month.
    start_period text not null,
    state text not null constraint ledger_opening_state_check check (state in ('entering', 'ended')),
    ended_at text,
    ended_by text,
    updated_at text not null,
    version bigint not null default 1
);

create table ledger_opening_balance (
    id text primary key,
    company_id text not null references kernel_company (id),
    account_id text not null references ledger_account (id),
    -- The auxiliary dimensions the row is for ('' where the account has none).
    partner_id text not null default '',
    product_id text not null default '',
    employee_id text not null default '',
    department text not null default '',
    project text not null default '',
    -- Debit − credit at the start of the start month (fen).
    balance bigint not null default 0,
    -- 本年累计: the year's debits and credits before the start month; for profit-and-loss
    -- accounts the amounts actually incurred, without the month-end carry-forward.
    ytd_debit bigint not null default 0,
    ytd_credit bigint not null default 0,
    created_at text not null,
    created_by text not null,
    constraint ledger_opening_balance_key
        unique (company_id, account_id, partner_id, product_id, employee_id, department, project)
);

-- Unpaid invoices and bills (and advances) at the start, one line each on the receivable or
-- payable account once initialisation ends, so aging and statements work from the first day.
create table ledger_opening_item (
    id text primary key,
    company_id text not null references kernel_company (id),
    side text not null constraint ledger_opening_item_side_check check (side in ('receivable', 'payable')),
    partner_id text not null,
    number text not null,
    date text not null,
    due_date text not null,
    -- On the account's own side (fen): what the customer owes or what is owed to the supplier;
    -- negative for an advance or a credit not yet used.
    amount bigint not null constraint ledger_opening_item_amount_check check (amount <> 0),
    summary text not null default '',
    created_at text not null,
    created_by text not null,
    constraint ledger_opening_item_key unique (company_id, side, partner_id, number)
);

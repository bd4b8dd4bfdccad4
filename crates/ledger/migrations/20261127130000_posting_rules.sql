-- Posting rules (过账规则): the account that takes a role's automatic postings for one product
-- category, warehouse, tax code or payment method, instead of the account playing the role
-- (raw materials to 1403 instead of 1405, export sales to their own revenue sub-account,
-- WeChat Pay receipts to 1012). Keys are the codes users know (category, warehouse and tax
-- codes, payment method names).
create table ledger_posting_rule (
    id text primary key,
    company_id text not null references kernel_company (id),
    role text not null,
    kind text not null constraint ledger_posting_rule_kind_check
        check (kind in ('product_category', 'warehouse', 'tax', 'payment_method')),
    match_key text not null,
    account_id text not null references ledger_account (id),
    created_at text not null,
    constraint ledger_posting_rule_key unique (company_id, role, kind, match_key)
);

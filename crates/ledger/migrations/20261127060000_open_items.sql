-- Receivables and payables as open items: a posted line on a partner's account is open until
-- lines of the other sign (a receipt against an invoice, a red reversal) are matched to it.
create table ledger_reconcile (
    id text primary key,
    company_id text not null references kernel_company (id),
    -- The line that increased the balance on its account's side, and the one that settles it.
    debit_line_id text not null references ledger_line (id),
    credit_line_id text not null references ledger_line (id),
    amount bigint not null constraint ledger_reconcile_amount_check check (amount > 0),
    created_at text not null,
    created_by text not null
);
create index ledger_reconcile_debit_idx on ledger_reconcile (debit_line_id);
create index ledger_reconcile_credit_idx on ledger_reconcile (credit_line_id);
create index ledger_line_partner_idx on ledger_line (company_id, account_id, partner_id, posted);

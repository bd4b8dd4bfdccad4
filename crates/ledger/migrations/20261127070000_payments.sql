-- Receipts and payments (收款/付款) registered against partners; each posts one 收 or 付 voucher
-- and is matched against the invoices and bills it names.
create table ledger_payment (
    id text primary key,
    company_id text not null references kernel_company (id),
    direction text not null constraint ledger_payment_direction_check check (direction in ('receipt', 'payment')),
    partner_id text not null,
    amount bigint not null constraint ledger_payment_amount_check check (amount > 0),
    date text not null,
    account_id text not null references ledger_account (id),
    reference text not null,
    voucher_id text not null references ledger_voucher (id),
    created_at text not null,
    created_by text not null
);
create index ledger_payment_partner_idx on ledger_payment (company_id, partner_id, date);

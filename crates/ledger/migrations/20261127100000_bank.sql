-- Bank statements (银行对账单) imported from the bank's files, line by line, each open until it
-- is matched to a receipt or payment or booked to an account.
create table ledger_bank_statement (
    id text primary key,
    company_id text not null references kernel_company (id),
    account_id text not null references ledger_account (id),
    file_name text not null,
    imported_at text not null,
    imported_by text not null
);

create table ledger_bank_line (
    id text primary key,
    company_id text not null references kernel_company (id),
    statement_id text not null references ledger_bank_statement (id),
    account_id text not null references ledger_account (id),
    seq bigint not null,
    date text not null,
    -- Fen, signed: + money in, − money out.
    amount bigint not null,
    counterparty text not null,
    counterparty_account text not null,
    reference text not null,
    -- The bank's own number of the line (流水号); empty when the export has none.
    transaction_id text not null,
    state text not null constraint ledger_bank_line_state_check check (state in ('open', 'matched', 'booked')),
    partner_id text,
    voucher_id text references ledger_voucher (id)
);
create index ledger_bank_line_statement_idx on ledger_bank_line (statement_id, seq);
create index ledger_bank_line_state_idx on ledger_bank_line (company_id, state, date);
create index ledger_bank_line_transaction_idx on ledger_bank_line (company_id, account_id, transaction_id);

-- The foreign-currency amount behind a receivable or payable line (an invoice in USD): what a
-- payment in that currency settles, at the rate the line was booked at.
create table ledger_line_currency (
    line_id text primary key references ledger_line (id),
    company_id text not null references kernel_company (id),
    currency text not null,
    -- Minor units of the currency, signed like the line (+ debit side).
    amount bigint not null,
    -- CNY per unit × 10^8.
    rate_e8 bigint not null
);

-- The books read an account's lines in book order (period, date, then the vouchers in the order
-- they were made): with the voucher and line in the index, a page of the 明细账 reads just its
-- lines instead of sorting the whole month. It replaces the narrower index it extends.
drop index ledger_line_account_idx;
create index ledger_line_book_idx on ledger_line (company_id, account_id, period, date, voucher_id, seq);

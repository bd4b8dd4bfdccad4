-- A customer's history read at once (customer 360, lifecycle): counts and totals of a
-- customer's orders and invoices by state come from these indexes alone, and the latest
-- documents of each state are a short range at the end of one.
create index sales_order_customer_state_idx on sales_order (company_id, customer_id, state, order_date);
create index sales_invoice_customer_state_idx on sales_invoice (company_id, customer_id, state, currency, kind, untaxed);

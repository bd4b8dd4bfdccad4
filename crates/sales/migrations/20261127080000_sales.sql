-- Sales: quotations and orders (one document whose state moves from draft to done), their
-- lines with the quantities delivered, returned and invoiced kept current by the stock and
-- invoice events, and invoices and credit notes with their e-invoice (数电票) fields.
-- Quantities have 4 decimals, unit prices 6, amounts are minor units of the order's currency.

create table sales_order (
    id text primary key,
    company_id text not null references kernel_company (id),
    number text not null,
    state text not null constraint sales_order_state_check
        check (state in ('draft', 'sent', 'confirmed', 'done', 'cancelled')),
    customer_id text not null references party_party (id),
    -- The salesperson who owns it: under the default sales role, the only one who sees it.
    salesperson_id text references kernel_user (id),
    order_date text not null,
    -- A quotation's validity.
    valid_until text,
    currency text not null,
    price_includes_tax smallint not null default 0 constraint sales_order_incl_check check (price_includes_tax in (0, 1)),
    untaxed bigint not null default 0,
    tax bigint not null default 0,
    total bigint not null default 0,
    -- Who let it through over the customer's credit limit.
    credit_approved_by text,
    note text not null default '',
    created_at text not null,
    created_by text not null,
    updated_at text not null,
    version bigint not null default 1,
    constraint sales_order_number_key unique (company_id, number)
);
create index sales_order_customer_idx on sales_order (company_id, customer_id, order_date);
create index sales_order_owner_idx on sales_order (company_id, salesperson_id, order_date);
create index sales_order_date_idx on sales_order (company_id, order_date);

create table sales_order_line (
    id text primary key,
    company_id text not null references kernel_company (id),
    order_id text not null references sales_order (id),
    seq bigint not null,
    product_id text not null references product_product (id),
    description text not null,
    stockable smallint not null,
    quantity bigint not null,
    unit_price bigint not null,
    -- Basis points off the price: 500 = 5 %.
    discount_bp bigint not null default 0,
    tax_code text not null,
    tax_rate_bp bigint not null,
    untaxed bigint not null,
    tax bigint not null,
    total bigint not null,
    delivered bigint not null default 0,
    returned bigint not null default 0,
    -- Net of credit notes.
    invoiced bigint not null default 0
);
create index sales_order_line_order_idx on sales_order_line (order_id, seq);

create table sales_invoice (
    id text primary key,
    company_id text not null references kernel_company (id),
    number text,
    kind text not null constraint sales_invoice_kind_check check (kind in ('invoice', 'credit_note')),
    state text not null constraint sales_invoice_state_check check (state in ('draft', 'posted', 'paid', 'cancelled')),
    order_id text references sales_order (id),
    customer_id text not null references party_party (id),
    salesperson_id text references kernel_user (id),
    invoice_date text not null,
    due_date text not null,
    currency text not null,
    untaxed bigint not null,
    tax bigint not null,
    total bigint not null,
    -- What payments and credit notes have settled so far (minor units).
    paid bigint not null default 0,
    -- 数电票 fields: the buyer as printed, and the number the tax bureau's platform gave.
    buyer_name text not null default '',
    buyer_tax_id text not null default '',
    buyer_address_phone text not null default '',
    buyer_bank_account text not null default '',
    einvoice_kind text not null default 'special' constraint sales_invoice_einvoice_kind_check
        check (einvoice_kind in ('special', 'ordinary')),
    einvoice_number text,
    einvoice_issued_at text,
    created_at text not null,
    created_by text not null,
    updated_at text not null,
    version bigint not null default 1
);
create unique index sales_invoice_number_key on sales_invoice (company_id, number);
create index sales_invoice_order_idx on sales_invoice (order_id);
create index sales_invoice_customer_idx on sales_invoice (company_id, customer_id, invoice_date);
create index sales_invoice_date_idx on sales_invoice (company_id, invoice_date);

create table sales_invoice_line (
    id text primary key,
    company_id text not null references kernel_company (id),
    invoice_id text not null references sales_invoice (id),
    seq bigint not null,
    order_line_id text references sales_order_line (id),
    product_id text not null references product_product (id),
    description text not null,
    quantity bigint not null,
    unit_price bigint not null,
    discount_bp bigint not null default 0,
    tax_code text not null,
    tax_rate_bp bigint not null,
    untaxed bigint not null,
    tax bigint not null,
    total bigint not null
);
create index sales_invoice_line_invoice_idx on sales_invoice_line (invoice_id, seq);

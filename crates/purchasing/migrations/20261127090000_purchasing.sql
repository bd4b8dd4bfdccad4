-- Purchasing: requisitions (by hand or from the reorder suggestions), requests for quotation
-- to several suppliers with their quotes, purchase orders whose lines keep the quantities
-- received, returned and billed, and vendor bills with their three-way match against order and
-- receipt. Quantities have 4 decimals, unit prices 6, amounts are minor units of the currency.

create table purchasing_requisition (
    id text primary key,
    company_id text not null references kernel_company (id),
    number text not null,
    state text not null constraint purchasing_requisition_state_check
        check (state in ('draft', 'approved', 'ordered', 'cancelled')),
    requested_by text not null,
    source text not null default 'manual',
    note text not null default '',
    created_at text not null,
    updated_at text not null,
    version bigint not null default 1,
    constraint purchasing_requisition_number_key unique (company_id, number)
);

create table purchasing_requisition_line (
    id text primary key,
    company_id text not null references kernel_company (id),
    requisition_id text not null references purchasing_requisition (id),
    seq bigint not null,
    product_id text not null references product_product (id),
    quantity bigint not null,
    needed_by text,
    -- The supplier proposed (the cheapest supplier price) or chosen.
    supplier_id text references party_party (id)
);
create index purchasing_requisition_line_idx on purchasing_requisition_line (requisition_id, seq);

create table purchasing_rfq (
    id text primary key,
    company_id text not null references kernel_company (id),
    number text not null,
    state text not null constraint purchasing_rfq_state_check check (state in ('open', 'awarded', 'cancelled')),
    requisition_id text references purchasing_requisition (id),
    deadline text,
    note text not null default '',
    created_at text not null,
    constraint purchasing_rfq_number_key unique (company_id, number)
);

create table purchasing_rfq_line (
    id text primary key,
    company_id text not null references kernel_company (id),
    rfq_id text not null references purchasing_rfq (id),
    seq bigint not null,
    product_id text not null references product_product (id),
    quantity bigint not null
);
create index purchasing_rfq_line_idx on purchasing_rfq_line (rfq_id, seq);

-- The suppliers asked, and what each quoted per line.
create table purchasing_rfq_supplier (
    rfq_id text not null references purchasing_rfq (id),
    supplier_id text not null references party_party (id),
    primary key (rfq_id, supplier_id)
);

create table purchasing_rfq_quote (
    rfq_line_id text not null references purchasing_rfq_line (id),
    supplier_id text not null references party_party (id),
    company_id text not null references kernel_company (id),
    unit_price bigint not null,
    lead_time_days bigint not null default 0,
    primary key (rfq_line_id, supplier_id)
);

create table purchasing_order (
    id text primary key,
    company_id text not null references kernel_company (id),
    number text not null,
    state text not null constraint purchasing_order_state_check
        check (state in ('draft', 'confirmed', 'done', 'cancelled')),
    supplier_id text not null references party_party (id),
    buyer_id text references kernel_user (id),
    order_date text not null,
    expected_date text not null,
    currency text not null,
    price_includes_tax smallint not null default 0 constraint purchasing_order_incl_check check (price_includes_tax in (0, 1)),
    untaxed bigint not null default 0,
    tax bigint not null default 0,
    total bigint not null default 0,
    source text not null default '',
    note text not null default '',
    created_at text not null,
    created_by text not null,
    updated_at text not null,
    version bigint not null default 1,
    constraint purchasing_order_number_key unique (company_id, number)
);
create index purchasing_order_supplier_idx on purchasing_order (company_id, supplier_id, order_date);
create index purchasing_order_date_idx on purchasing_order (company_id, order_date);

create table purchasing_order_line (
    id text primary key,
    company_id text not null references kernel_company (id),
    order_id text not null references purchasing_order (id),
    seq bigint not null,
    product_id text not null references product_product (id),
    description text not null,
    stockable smallint not null,
    quantity bigint not null,
    unit_price bigint not null,
    tax_code text not null,
    tax_rate_bp bigint not null,
    untaxed bigint not null,
    tax bigint not null,
    total bigint not null,
    received bigint not null default 0,
    returned bigint not null default 0,
    -- Net of debit notes.
    billed bigint not null default 0
);
create index purchasing_order_line_order_idx on purchasing_order_line (order_id, seq);

-- Tolerances of the three-way match, per company (basis points; absent: 0 for quantities, 100 = 1 % for prices).
create table purchasing_setting (
    company_id text primary key references kernel_company (id),
    price_tolerance_bp bigint not null,
    quantity_tolerance_bp bigint not null
);

create table purchasing_bill (
    id text primary key,
    company_id text not null references kernel_company (id),
    number text,
    kind text not null constraint purchasing_bill_kind_check check (kind in ('bill', 'debit_note')),
    state text not null constraint purchasing_bill_state_check check (state in ('draft', 'posted', 'paid', 'cancelled')),
    -- matched, blocked (payment refused until released), released.
    match_state text not null default 'matched',
    match_notes text not null default '',
    order_id text references purchasing_order (id),
    supplier_id text not null references party_party (id),
    supplier_reference text not null default '',
    bill_date text not null,
    due_date text not null,
    currency text not null,
    untaxed bigint not null,
    tax bigint not null,
    total bigint not null,
    paid bigint not null default 0,
    created_at text not null,
    created_by text not null,
    updated_at text not null,
    version bigint not null default 1
);
create unique index purchasing_bill_number_key on purchasing_bill (company_id, number);
create index purchasing_bill_order_idx on purchasing_bill (order_id);
create index purchasing_bill_supplier_idx on purchasing_bill (company_id, supplier_id, bill_date);

create table purchasing_bill_line (
    id text primary key,
    company_id text not null references kernel_company (id),
    bill_id text not null references purchasing_bill (id),
    seq bigint not null,
    order_line_id text references purchasing_order_line (id),
    product_id text not null references product_product (id),
    description text not null,
    stockable smallint not null,
    quantity bigint not null,
    unit_price bigint not null,
    tax_code text not null,
    tax_rate_bp bigint not null,
    untaxed bigint not null,
    tax bigint not null,
    total bigint not null,
    -- What the receipt booked for these quantities at the order's price (CNY fen, 暂估).
    accrued bigint not null default 0
);
create index purchasing_bill_line_bill_idx on purchasing_bill_line (bill_id, seq);

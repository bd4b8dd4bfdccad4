-- Master data of goods: taxes, currencies and exchange rates, units of measure, categories and
-- products. Rates, factors and prices are integers at fixed scales (see kernel::money).

-- VAT rates. `rate_bp` is in basis points (1300 = 13%). The account roles tell the ledger which
-- account a tax posts to, whatever the chart of accounts.
create table product_tax (
    id text primary key,
    company_id text not null references kernel_company (id),
    code text not null,
    name text not null,
    rate_bp bigint not null,
    exempt smallint not null default 0 constraint product_tax_exempt_check check (exempt in (0, 1)),
    output_account_role text not null,
    input_account_role text not null,
    constraint product_tax_code_key unique (company_id, code)
);

create table product_currency (
    company_id text not null references kernel_company (id),
    code text not null,
    name text not null,
    minor_units bigint not null,
    primary key (company_id, code)
);

-- How many units of the base currency (CNY) one unit of `currency` is worth on `date`,
-- with eight decimals (rate_e8 = 7.12345678 × 10^8).
create table product_exchange_rate (
    company_id text not null references kernel_company (id),
    currency text not null,
    date text not null,
    rate_e8 bigint not null,
    primary key (company_id, currency, date)
);

create table product_uom_category (
    id text primary key,
    company_id text not null references kernel_company (id),
    code text not null,
    name text not null,
    constraint product_uom_category_code_key unique (company_id, code)
);

-- A unit is `factor_num / factor_den` reference units of its category (1 箱 = 12/1 个).
create table product_uom (
    id text primary key,
    company_id text not null references kernel_company (id),
    category_id text not null references product_uom_category (id),
    code text not null,
    name text not null,
    factor_num bigint not null,
    factor_den bigint not null,
    constraint product_uom_code_key unique (company_id, code),
    constraint product_uom_factor_check check (factor_num > 0 and factor_den > 0)
);

create table product_category (
    id text primary key,
    company_id text not null references kernel_company (id),
    parent_id text references product_category (id),
    code text not null,
    name text not null,
    -- Codes from the root, `/`-separated, for subtree queries by prefix.
    path text not null,
    constraint product_category_code_key unique (company_id, code)
);
create index product_category_path_idx on product_category (company_id, path);

create table product_product (
    id text primary key,
    company_id text not null references kernel_company (id),
    code text not null,
    name text not null,
    name_key text not null,
    kind text not null constraint product_product_kind_check check (kind in ('stockable', 'consumable', 'service')),
    category_id text references product_category (id),
    uom_id text not null references product_uom (id),
    purchase_uom_id text not null references product_uom (id),
    sales_uom_id text not null references product_uom (id),
    barcode text,
    tax_id text references product_tax (id),
    costing text not null default 'average' constraint product_product_costing_check check (costing in ('average', 'fifo')),
    tracking text not null default 'none' constraint product_product_tracking_check check (tracking in ('none', 'lot', 'serial')),
    shelf_life_days bigint,
    -- Sales price per unit, 6 decimals (UnitPrice scale), excluding VAT.
    list_price bigint not null default 0,
    active smallint not null default 1 constraint product_product_active_check check (active in (0, 1)),
    created_at text not null,
    created_by text not null,
    updated_at text not null,
    version bigint not null default 1,
    constraint product_product_code_key unique (company_id, code)
);
create index product_product_name_idx on product_product (company_id, name_key);
create index product_product_barcode_idx on product_product (company_id, barcode);
create index product_product_category_idx on product_product (company_id, category_id);

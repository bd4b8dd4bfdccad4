-- Price lists per customer group (empty group = every customer), with validity dates and
-- quantity breaks; prices stated with or without VAT (含税价 / 不含税价).

create table product_price_list (
    id text primary key,
    company_id text not null references kernel_company (id),
    code text not null,
    name text not null,
    customer_group text not null default '',
    currency text not null,
    price_includes_tax smallint not null default 1 constraint product_price_list_tax_check check (price_includes_tax in (0, 1)),
    valid_from text,
    valid_to text,
    created_at text not null,
    constraint product_price_list_code_key unique (company_id, code)
);
create index product_price_list_group_idx on product_price_list (company_id, customer_group);

create table product_price_list_item (
    id text primary key,
    company_id text not null references kernel_company (id),
    price_list_id text not null references product_price_list (id),
    product_id text not null references product_product (id),
    min_qty bigint not null,
    price bigint not null,
    constraint product_price_list_item_key unique (price_list_id, product_id, min_qty)
);
create index product_price_list_item_product_idx on product_price_list_item (company_id, product_id);

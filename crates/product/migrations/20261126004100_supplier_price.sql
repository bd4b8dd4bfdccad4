-- What suppliers charge for a product: their own code for it, price per product unit with
-- quantity breaks (one row per break: from `min_qty` on), lead time and minimum order quantity.
-- `supplier_id` is a party (checked by the caller; the product module does not import parties).

create table product_supplier_price (
    id text primary key,
    company_id text not null references kernel_company (id),
    product_id text not null references product_product (id),
    supplier_id text not null references party_party (id),
    supplier_code text not null default '',
    min_qty bigint not null,
    price bigint not null,
    currency text not null,
    lead_time_days bigint not null default 0,
    min_order_qty bigint not null default 0,
    created_at text not null,
    constraint product_supplier_price_break_key unique (company_id, product_id, supplier_id, min_qty)
);
create index product_supplier_price_product_idx on product_supplier_price (company_id, product_id, supplier_id, min_qty);

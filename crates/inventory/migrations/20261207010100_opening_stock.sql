-- Opening stock (库存期初): what a company moving in holds at the start, by product, location
-- and lot, with its unit cost. Nothing moves while it is entered; when the ledger ends
-- initialisation the lines are received (from the supplier location, no voucher: the ledger's
-- opening balances carry the value) on the day before the start, and `picking_id` names the
-- receipt. Reopening initialisation takes them out again.
create table inventory_opening_stock (
    id text primary key,
    company_id text not null references kernel_company (id),
    product_id text not null references product_product (id),
    location_id text not null references inventory_location (id),
    lot_code text not null default '',
    expiry_date text,
    -- Scaled like every quantity (4 decimals).
    quantity bigint not null constraint inventory_opening_stock_quantity_check check (quantity > 0),
    -- CNY per unit as entered (a decimal text, so the value is exactly what the receipt makes).
    unit_cost text not null,
    -- quantity × unit cost, half-up (fen).
    value bigint not null,
    picking_id text references inventory_picking (id),
    created_at text not null,
    created_by text not null,
    constraint inventory_opening_stock_key unique (company_id, product_id, location_id, lot_code)
);

-- Inventory: warehouses and their location trees, lots and serials, stock documents (pickings)
-- with their moves, the quantities on hand (quants), valuation layers and the aggregates that
-- reports read. Quantities have 4 decimals (Quantity), values are CNY fen, unit costs 6 decimals.

-- The value of a done line is its valuation layer's (lines within valued stock have none).

-- A location is a node of a tree: warehouse view → zone → bin, or a virtual location (supplier,
-- customer, production, scrap, inventory loss, transit) that counts what leaves or enters stock.
create table inventory_location (
    id text primary key,
    company_id text not null references kernel_company (id),
    warehouse_id text,
    parent_id text references inventory_location (id),
    code text not null,
    name text not null,
    -- Codes from the root, `/`-separated (WH/STOCK/A-01), for subtree queries by prefix.
    path text not null,
    kind text not null constraint inventory_location_kind_check
        check (kind in ('view', 'internal', 'supplier', 'customer', 'production', 'scrap', 'loss', 'transit')),
    allow_negative smallint not null default 0 constraint inventory_location_negative_check check (allow_negative in (0, 1)),
    active smallint not null default 1 constraint inventory_location_active_check check (active in (0, 1)),
    created_at text not null,
    constraint inventory_location_path_key unique (company_id, path)
);

create table inventory_warehouse (
    id text primary key,
    company_id text not null references kernel_company (id),
    code text not null,
    name text not null,
    view_location_id text not null references inventory_location (id),
    stock_location_id text not null references inventory_location (id),
    allow_negative smallint not null default 0 constraint inventory_warehouse_negative_check check (allow_negative in (0, 1)),
    created_at text not null,
    constraint inventory_warehouse_code_key unique (company_id, code)
);

create table inventory_lot (
    id text primary key,
    company_id text not null references kernel_company (id),
    product_id text not null references product_product (id),
    code text not null,
    expiry_date text,
    created_at text not null,
    constraint inventory_lot_code_key unique (company_id, product_id, code)
);

-- Per product: what inventory knows of it. Quantity and value are the valuation totals
-- (every valued location), kept in the same transaction as each move.
create table inventory_product (
    company_id text not null references kernel_company (id),
    product_id text not null references product_product (id),
    quantity bigint not null default 0,
    value bigint not null default 0,
    -- The latest layer's date (a layer before it is back-dated) and the unit cost of the
    -- latest incoming layer (for stock that goes below zero), 6 decimals.
    last_date text not null default '',
    last_unit_cost bigint not null default 0,
    allow_negative smallint not null default 0 constraint inventory_product_negative_check check (allow_negative in (0, 1)),
    primary key (company_id, product_id)
);

-- Quantity on hand and reserved per product, location and lot ('' without a lot).
create table inventory_quant (
    company_id text not null references kernel_company (id),
    product_id text not null references product_product (id),
    location_id text not null references inventory_location (id),
    lot_id text not null default '',
    quantity bigint not null default 0,
    reserved bigint not null default 0,
    primary key (company_id, product_id, location_id, lot_id)
);
create index inventory_quant_location_idx on inventory_quant (company_id, location_id, product_id);

-- A stock document: receipt, delivery, internal transfer, scrap, count, or a transfer between
-- warehouses through transit (out, then in).
create table inventory_picking (
    id text primary key,
    company_id text not null references kernel_company (id),
    number text not null,
    kind text not null constraint inventory_picking_kind_check
        check (kind in ('receipt', 'delivery', 'internal', 'scrap', 'count', 'transit_out', 'transit_in')),
    state text not null constraint inventory_picking_state_check
        check (state in ('draft', 'waiting', 'ready', 'done', 'cancelled')),
    from_location_id text not null references inventory_location (id),
    to_location_id text not null references inventory_location (id),
    partner_id text,
    origin_kind text,
    origin_id text,
    backorder_of text references inventory_picking (id),
    -- A transfer out to transit: where its arrival (transit_in) will put the goods.
    final_location_id text references inventory_location (id),
    scheduled_date text not null,
    done_date text,
    note text not null default '',
    created_at text not null,
    created_by text not null,
    updated_at text not null,
    version bigint not null default 1,
    constraint inventory_picking_number_key unique (company_id, number)
);
create index inventory_picking_state_idx on inventory_picking (company_id, state, scheduled_date);
create index inventory_picking_origin_idx on inventory_picking (company_id, origin_kind, origin_id);

-- What a document asks for: a product and a quantity between two locations.
create table inventory_move (
    id text primary key,
    company_id text not null references kernel_company (id),
    picking_id text not null references inventory_picking (id),
    product_id text not null references product_product (id),
    from_location_id text not null references inventory_location (id),
    to_location_id text not null references inventory_location (id),
    -- The lot asked for (counts, transit arrivals); '' lets reservation choose (FEFO).
    lot_id text not null default '',
    quantity bigint not null,
    -- Receipts: the unit cost the goods enter stock at.
    unit_cost bigint,
    state text not null constraint inventory_move_state_check
        check (state in ('draft', 'waiting', 'ready', 'done', 'cancelled')),
    origin_kind text,
    origin_id text,
    created_at text not null
);
create index inventory_move_picking_idx on inventory_move (picking_id);

-- What moves: per source location and lot, reserved until done. A done line is one entry of the
-- stock ledger (double entry of quantities: out of `from`, into `to`).
create table inventory_move_line (
    id text primary key,
    company_id text not null references kernel_company (id),
    move_id text not null references inventory_move (id),
    product_id text not null references product_product (id),
    from_location_id text not null references inventory_location (id),
    to_location_id text not null references inventory_location (id),
    lot_id text not null default '',
    quantity bigint not null,
    state text not null constraint inventory_move_line_state_check check (state in ('reserved', 'done')),
    -- The effective date (may be in the past); done lines of a day are in id order (UUIDv7).
    date text,
    origin_kind text,
    origin_id text,
    created_at text not null
);
create index inventory_move_line_move_idx on inventory_move_line (move_id);
create index inventory_move_line_lot_idx on inventory_move_line (company_id, lot_id);

-- Valuation layers: every done line that enters or leaves valued stock (internal and transit
-- locations) makes one, in (date, id) order per product (ids are UUIDv7, made when done). Incoming layers keep what FIFO has
-- not yet consumed of them.
create table inventory_valuation_layer (
    id text primary key,
    company_id text not null references kernel_company (id),
    product_id text not null references product_product (id),
    line_id text not null references inventory_move_line (id),
    date text not null,
    quantity bigint not null,
    value bigint not null,
    remaining_qty bigint not null default 0,
    remaining_value bigint not null default 0,
    -- 1 while FIFO has something left to consume of this (incoming) layer.
    open smallint not null default 0 constraint inventory_valuation_layer_open_check check (open in (0, 1)),
    -- Incoming layers valued at the running cost (count gains, receipts without a price) are
    -- revalued with the history; priced receipts keep their value.
    priced smallint not null default 1 constraint inventory_valuation_layer_priced_check check (priced in (0, 1)),
    created_at text not null
);
create index inventory_valuation_layer_product_idx on inventory_valuation_layer (company_id, product_id, date, id);
create index inventory_valuation_layer_line_idx on inventory_valuation_layer (line_id);
-- Only layers FIFO can still consume are indexed (a partial index): the rest never touch it.
create index inventory_valuation_layer_open_idx on inventory_valuation_layer (company_id, product_id, date, id) where open = 1;

-- Daily totals per product, location and lot, kept with each done line: stock on hand at any
-- past date and the 进销存 report read these instead of the move history.
create table inventory_stock_day (
    company_id text not null references kernel_company (id),
    product_id text not null references product_product (id),
    location_id text not null references inventory_location (id),
    lot_id text not null default '',
    day text not null,
    qty_in bigint not null default 0,
    qty_out bigint not null default 0,
    primary key (company_id, product_id, location_id, lot_id, day)
);

-- Daily valuation totals per product (all valued locations), kept with each layer.
create table inventory_value_day (
    company_id text not null references kernel_company (id),
    product_id text not null references product_product (id),
    day text not null,
    qty_in bigint not null default 0,
    qty_out bigint not null default 0,
    value_in bigint not null default 0,
    value_out bigint not null default 0,
    primary key (company_id, product_id, day)
);

-- Counted quantities of a stock count (盘点), compared with the books when it is validated.
create table inventory_count_line (
    id text primary key,
    company_id text not null references kernel_company (id),
    picking_id text not null references inventory_picking (id),
    product_id text not null references product_product (id),
    location_id text not null references inventory_location (id),
    lot_id text not null default '',
    counted bigint not null,
    created_at text not null
);
create index inventory_count_line_picking_idx on inventory_count_line (picking_id);

create table inventory_reorder_rule (
    id text primary key,
    company_id text not null references kernel_company (id),
    product_id text not null references product_product (id),
    location_id text not null references inventory_location (id),
    min_qty bigint not null,
    max_qty bigint not null,
    safety_qty bigint not null default 0,
    multiple bigint not null default 0,
    created_at text not null,
    constraint inventory_reorder_rule_key unique (company_id, product_id, location_id)
);

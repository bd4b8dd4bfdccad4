-- Material requirements planning (MRP): each item's planning data (make or buy, lot sizing,
-- lead time, make-to-order), demand forecasts, the runs, the planned orders a run proposes
-- with their pegging (which demand each planned quantity covers), and what confirming them
-- made. Quantities scaled by 10^4; dates YYYY-MM-DD.

create table production_item (
    company_id text not null references kernel_company (id),
    product_id text not null references product_product (id),
    -- make: a work order; buy: a purchase requisition. Empty: make when the product has a BOM.
    procurement text not null default '' constraint production_item_procurement_check
        check (procurement in ('', 'make', 'buy')),
    -- lot_for_lot: what a day needs; fixed: lots of lot_qty; minimum: at least min_qty;
    -- multiple: whole multiples. min_qty and multiple apply on top of lot_for_lot too.
    lot_policy text not null default 'lot_for_lot' constraint production_item_lot_policy_check
        check (lot_policy in ('lot_for_lot', 'fixed', 'minimum', 'multiple')),
    lot_qty bigint not null default 0,
    min_qty bigint not null default 0,
    multiple bigint not null default 0,
    -- Days from release to due; empty: the supplier's lead time (buy) or the routing's (make).
    lead_days bigint,
    -- 按单生产: a confirmed sales order makes its own work order.
    make_to_order smallint not null default 0 constraint production_item_mto_check check (make_to_order in (0, 1)),
    updated_at text not null,
    primary key (company_id, product_id)
);

create table production_forecast (
    id text primary key,
    company_id text not null references kernel_company (id),
    product_id text not null references product_product (id),
    date text not null,
    quantity bigint not null constraint production_forecast_quantity_check check (quantity > 0),
    note text not null default '',
    created_at text not null
);
create index production_forecast_idx on production_forecast (company_id, date);

create table production_mrp_run (
    id text primary key,
    company_id text not null references kernel_company (id),
    started_at text not null,
    millis bigint not null,
    items bigint not null,
    demands bigint not null,
    planned_orders bigint not null,
    created_by text not null
);
create index production_mrp_run_idx on production_mrp_run (company_id, started_at);

-- A planned order (计划订单): planned until the planner confirms it into a work order (make)
-- or a purchase requisition (buy). Its id is the run's id and its number in the run
-- ("<run>-0000017"). A new run replaces every planned one: the planned orders of earlier runs
-- are not shown from the moment it commits, and are purged in small batches after it.
create table production_planned_order (
    id text primary key,
    company_id text not null references kernel_company (id),
    run_id text not null,
    product_id text not null references product_product (id),
    kind text not null constraint production_planned_order_kind_check check (kind in ('make', 'buy')),
    quantity bigint not null,
    release_date text not null,
    due_date text not null,
    -- 1 when the release date had to be moved up to today: the order is late already.
    late smallint not null default 0,
    low_level_code bigint not null,
    state text not null constraint production_planned_order_state_check
        check (state in ('planned', 'confirmed', 'ordered')),
    -- Pegging to parent assemblies: the planned orders of the same run whose components this
    -- order supplies, as "number:quantity" pairs separated by commas (most pegs are these; kept
    -- in the row, a run of 100,000 items writes a third of the rows).
    parents text not null default '',
    -- What confirming made: a work order, or a purchase requisition.
    work_order_id text,
    requisition_id text,
    requisition_number text
);
create index production_planned_order_idx on production_planned_order (company_id, state, run_id, release_date);

-- Pegging (需求追溯) to outside demand: how much of a planned order covers a document (sales
-- order, work order), a forecast or safety stock. Written and deleted with its planned orders
-- by the run alone, so the planned order is not a foreign key (that check cost a lookup per
-- row on every regeneration).
create table production_pegging (
    company_id text not null references kernel_company (id),
    planned_order_id text not null,
    demand_kind text not null,
    demand_id text not null,
    demand_label text not null,
    demand_date text not null,
    quantity bigint not null
);
create index production_pegging_order_idx on production_pegging (planned_order_id);

-- Production master data: bills of materials (物料清单) in versions with validity dates,
-- normal or phantom (kit), with components (quantity per the BOM's output quantity, a scrap
-- factor) and by-products; work centers (工作中心) with capacity, shift calendar and hourly
-- costs; routings (工艺路线) of operations (工序) at work centers with setup and run times.
-- Quantities are scaled by 10^4 (kernel Quantity), costs per hour are fen.

create table production_bom (
    id text primary key,
    company_id text not null references kernel_company (id),
    product_id text not null references product_product (id),
    -- The version's code (V1, 2026A …), unique per product.
    code text not null,
    kind text not null constraint production_bom_kind_check check (kind in ('normal', 'phantom')),
    -- The quantity of the product the component quantities make.
    quantity bigint not null constraint production_bom_quantity_check check (quantity > 0),
    valid_from text not null,
    -- Empty: open-ended.
    valid_to text,
    note text not null default '',
    created_at text not null,
    created_by text not null,
    constraint production_bom_code_key unique (company_id, product_id, code)
);
create index production_bom_product_idx on production_bom (company_id, product_id, valid_from);

create table production_bom_line (
    id text primary key,
    bom_id text not null references production_bom (id),
    company_id text not null references kernel_company (id),
    seq bigint not null,
    component_id text not null references product_product (id),
    quantity bigint not null constraint production_bom_line_quantity_check check (quantity > 0),
    -- Expected loss in basis points: 500 = 5 % more is issued than the BOM needs.
    scrap_bp bigint not null default 0 constraint production_bom_line_scrap_check check (scrap_bp between 0 and 100000),
    -- A by-product comes out of production instead of going in.
    byproduct smallint not null default 0 constraint production_bom_line_byproduct_check check (byproduct in (0, 1))
);
create index production_bom_line_bom_idx on production_bom_line (bom_id, seq);
-- Where-used: the BOMs a component is in.
create index production_bom_line_component_idx on production_bom_line (company_id, component_id);

create table production_work_center (
    id text primary key,
    company_id text not null references kernel_company (id),
    code text not null,
    name text not null,
    -- Parallel capacity (machines or stations) and the hours of a working day.
    capacity bigint not null default 1 constraint production_work_center_capacity_check check (capacity > 0),
    hours_per_day bigint not null default 8,
    -- Working weekdays, Monday first: 1111100 = Monday to Friday.
    working_days text not null default '1111100',
    -- Fen per hour of labour and of machine time.
    labour_rate bigint not null default 0,
    machine_rate bigint not null default 0,
    -- Overhead (制造费用) as basis points of labour and machine cost.
    overhead_bp bigint not null default 0,
    created_at text not null,
    constraint production_work_center_code_key unique (company_id, code)
);

create table production_routing (
    id text primary key,
    company_id text not null references kernel_company (id),
    product_id text not null references product_product (id),
    code text not null,
    created_at text not null,
    constraint production_routing_code_key unique (company_id, product_id, code)
);

create table production_operation (
    id text primary key,
    routing_id text not null references production_routing (id),
    seq bigint not null,
    name text not null,
    work_center_id text not null references production_work_center (id),
    -- Minutes once per work order, and per unit (scaled 10^4 like quantities).
    setup_minutes bigint not null default 0,
    run_minutes bigint not null default 0,
    -- 关键工序: reported and inspected before the next may start.
    key_operation smallint not null default 0 constraint production_operation_key_check check (key_operation in (0, 1))
);
create index production_operation_routing_idx on production_operation (routing_id, seq);

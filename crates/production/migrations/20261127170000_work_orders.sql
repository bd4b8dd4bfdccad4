-- Work orders (生产工单) with their planned and issued materials (the BOM copied when the order
-- is made), their operations (the routing copied) with the good and scrapped quantities
-- reported, and the job reports (报工). Quantities scaled by 10^4, money in fen.
create table production_work_order (
    id text primary key,
    company_id text not null references kernel_company (id),
    number text not null,
    product_id text not null references product_product (id),
    bom_id text not null references production_bom (id),
    quantity bigint not null,
    received bigint not null default 0,
    state text not null constraint production_work_order_state_check
        check (state in ('draft', 'confirmed', 'in_progress', 'done', 'closed', 'cancelled')),
    -- The batch number (批次号) the finished goods are received under.
    lot text,
    due_date text,
    -- The sales order it is made for (make-to-order), or nothing.
    origin_kind text,
    origin_id text,
    -- The value of the materials issued so far.
    material_cost bigint not null default 0,
    created_at text not null,
    created_by text not null,
    updated_at text not null,
    version bigint not null default 1,
    constraint production_work_order_number_key unique (company_id, number)
);
create index production_work_order_state_idx on production_work_order (company_id, state, due_date);

create table production_work_order_material (
    id text primary key,
    work_order_id text not null references production_work_order (id),
    seq bigint not null,
    component_id text not null references product_product (id),
    planned bigint not null,
    issued bigint not null default 0
);
create index production_work_order_material_idx on production_work_order_material (work_order_id, seq);

create table production_work_order_operation (
    id text primary key,
    work_order_id text not null references production_work_order (id),
    seq bigint not null,
    name text not null,
    work_center_id text not null references production_work_center (id),
    good bigint not null default 0,
    scrap bigint not null default 0
);
create index production_work_order_operation_idx on production_work_order_operation (work_order_id, seq);

create table production_job_report (
    id text primary key,
    company_id text not null references kernel_company (id),
    work_order_id text not null references production_work_order (id),
    operation_id text not null references production_work_order_operation (id),
    good bigint not null,
    scrap bigint not null,
    defect_reason text not null default '',
    worker text not null default '',
    started_at text,
    ended_at text,
    created_at text not null,
    created_by text not null
);
create index production_job_report_order_idx on production_job_report (work_order_id);

-- Quality inspection: plans (IQC, 首检 first-article, 巡检 patrol, FQC, OQC) per product with
-- characteristics and limits (scaled 10^4), inspections with the values measured and their
-- result, and nonconformances with their disposition (rework, scrap, concession).
create table production_inspection_plan (
    id text primary key,
    company_id text not null references kernel_company (id),
    code text not null,
    name text not null,
    kind text not null constraint production_inspection_plan_kind_check check (kind in ('iqc', 'first', 'patrol', 'fqc', 'oqc')),
    product_id text not null references product_product (id),
    sample_size bigint not null default 1,
    created_at text not null,
    constraint production_inspection_plan_code_key unique (company_id, code)
);
create index production_inspection_plan_product_idx on production_inspection_plan (company_id, product_id, kind);

create table production_inspection_characteristic (
    id text primary key,
    plan_id text not null references production_inspection_plan (id),
    seq bigint not null,
    name text not null,
    lower_limit bigint,
    upper_limit bigint,
    unit text not null default ''
);
create index production_inspection_characteristic_idx on production_inspection_characteristic (plan_id, seq);

create table production_inspection (
    id text primary key,
    company_id text not null references kernel_company (id),
    plan_id text not null references production_inspection_plan (id),
    kind text not null,
    work_order_id text references production_work_order (id),
    lot text,
    result text not null constraint production_inspection_result_check check (result in ('pass', 'fail')),
    inspector text not null default '',
    created_at text not null,
    created_by text not null
);
create index production_inspection_order_idx on production_inspection (company_id, work_order_id, kind, result);

create table production_inspection_value (
    inspection_id text not null references production_inspection (id),
    characteristic_id text not null references production_inspection_characteristic (id),
    value bigint not null,
    ok smallint not null constraint production_inspection_value_ok_check check (ok in (0, 1)),
    primary key (inspection_id, characteristic_id)
);

create table production_nonconformance (
    id text primary key,
    company_id text not null references kernel_company (id),
    inspection_id text not null references production_inspection (id),
    state text not null constraint production_nonconformance_state_check check (state in ('open', 'disposed')),
    disposition text constraint production_nonconformance_disposition_check
        check (disposition is null or disposition in ('rework', 'scrap', 'concession')),
    note text not null default '',
    disposed_at text,
    disposed_by text,
    created_at text not null
);
create index production_nonconformance_state_idx on production_nonconformance (company_id, state, created_at);

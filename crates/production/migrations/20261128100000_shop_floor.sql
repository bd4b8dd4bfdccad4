-- The shop floor (车间): each start and pause of an operation by a worker at a tablet is a run
-- with its minutes (scaled 10^4, like job reports), so a job report without minutes takes the
-- time actually run; and the workshop (车间) a work center belongs to, for the 大屏 board.
create table production_operation_run (
    id text primary key,
    company_id text not null references kernel_company (id),
    operation_id text not null references production_work_order_operation (id),
    work_order_id text not null references production_work_order (id),
    worker text not null default '',
    started_at text not null,
    -- Empty while the operation is running.
    ended_at text,
    minutes bigint not null default 0,
    -- Counted into a job report (报工) already.
    reported smallint not null default 0 constraint production_operation_run_reported_check check (reported in (0, 1)),
    created_by text not null
);
create index production_operation_run_idx on production_operation_run (company_id, operation_id, worker, reported);

alter table production_work_center add column workshop text not null default '';

-- What each job report cost (minutes at its work center's rates) and each work order's actual
-- cost beyond materials: labour, machine time and overhead, in fen.
alter table production_job_report add column minutes bigint not null default 0;
alter table production_job_report add column labour bigint not null default 0;
alter table production_job_report add column machine bigint not null default 0;
alter table production_job_report add column overhead bigint not null default 0;
alter table production_work_order add column labour_cost bigint not null default 0;
alter table production_work_order add column machine_cost bigint not null default 0;
alter table production_work_order add column overhead_cost bigint not null default 0;

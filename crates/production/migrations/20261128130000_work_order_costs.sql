-- Work order costing beyond the actual cost: the standard cost of the order's quantity (the
-- roll-up when it was made), the value received into stock so far, and the work in progress
-- settled when it was closed; backflush (materials issued at receipt in proportion to what is
-- received); and what was scrapped in all and why (history imported from other systems brings
-- these without job reports). Money in fen, quantities scaled 10^4.
alter table production_work_order add column standard_cost bigint not null default 0;
alter table production_work_order add column received_value bigint not null default 0;
alter table production_work_order add column settled bigint not null default 0;
alter table production_work_order add column backflush smallint not null default 0;
alter table production_work_order add column scrapped bigint not null default 0;
alter table production_work_order add column scrap_reason text not null default '';
alter table production_item add column backflush smallint not null default 0;
-- The work reported and already booked to the ledger (生产成本 against 应付职工薪酬 and
-- 制造费用): job reports are booked together at receipt, at closing and by the daily worker,
-- not one voucher per report.
alter table production_work_order add column labour_posted bigint not null default 0;
alter table production_work_order add column machine_posted bigint not null default 0;
alter table production_work_order add column overhead_posted bigint not null default 0;
-- The routing's run minutes per unit (scaled 10^4), copied with the operation.
alter table production_work_order_operation add column run_minutes bigint not null default 0;

-- Lot genealogy (批次追溯): which component lots went into which finished lot, written when a
-- work order receives finished goods, so a recall walks links instead of stock history.
create table production_lot_link (
    company_id text not null references kernel_company (id),
    finished_lot_id text not null references inventory_lot (id),
    component_lot_id text not null references inventory_lot (id),
    work_order_id text not null references production_work_order (id),
    primary key (company_id, finished_lot_id, component_lot_id, work_order_id)
);
create index production_lot_link_component_idx on production_lot_link (company_id, component_lot_id);

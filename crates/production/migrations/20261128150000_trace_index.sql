-- Traces follow links from a lot to the next, forward (component → finished, the recall) and
-- backward: an index leading with each direction's lot and carrying the other, so each step
-- reads the index alone. Lot ids are unique on their own; the company is checked on the rows.
-- (With the company first, SQLite 3.46 walked every link of the company per step: 13 s over
-- 1,000,000 links instead of 3 ms.)
drop index production_lot_link_component_idx;
create index production_lot_link_component_idx on production_lot_link (component_lot_id, finished_lot_id, company_id);
create index production_lot_link_finished_idx on production_lot_link (finished_lot_id, component_lot_id, company_id);

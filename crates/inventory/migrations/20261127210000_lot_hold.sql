-- A lot on quality hold (质量冻结) stays where it is: no reservation, issue or delivery takes it
-- until it is released.
alter table inventory_lot add column held smallint not null default 0;

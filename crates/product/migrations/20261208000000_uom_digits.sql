-- How many decimals a unit is counted in (个 0, 千克 3): what lists, documents and the
-- shop-floor board pad quantities to (0: significant digits only). Quantities are stored at
-- four decimals regardless.
alter table product_uom add column digits smallint not null default 0;

-- The units every company starts with that are counted in decimals.
update product_uom set digits = 3 where code in ('kg', 't', 'l');
update product_uom set digits = 2 where code in ('m', 'h');

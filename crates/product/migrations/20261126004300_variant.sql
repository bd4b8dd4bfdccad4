-- Variants: products made from a template product and one value per attribute (颜色=红, 尺码=M).
alter table product_product add column template_id text references product_product (id);
alter table product_product add column attributes text not null default '';
create index product_product_template_idx on product_product (company_id, template_id);

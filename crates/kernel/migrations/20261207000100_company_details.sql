-- What a company prints on its invoices and statements and what the tax office knows it by:
-- the taxpayer number (统一社会信用代码), address and telephone, and its bank and account
-- (开户行及账号). Empty until entered (the home page's first steps ask for them).
alter table kernel_company add column tax_number text not null default '';
alter table kernel_company add column address text not null default '';
alter table kernel_company add column phone text not null default '';
alter table kernel_company add column bank_name text not null default '';
alter table kernel_company add column bank_account text not null default '';

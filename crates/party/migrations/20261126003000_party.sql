-- Customers and suppliers (one model for both), their contacts and bank accounts, and payment
-- terms. Personal data (phones, emails, ID numbers, bank accounts, detailed addresses) is stored
-- only encrypted (`*_enc`, AES-256-GCM) with a keyed blind index (`*_bidx`, HMAC) for exact search.

create table party_payment_term (
    id text primary key,
    company_id text not null references kernel_company (id),
    code text not null,
    name text not null,
    -- Days after the invoice date; with end_of_month the count starts at the end of that month.
    days bigint not null,
    end_of_month smallint not null default 0 constraint party_payment_term_eom_check check (end_of_month in (0, 1)),
    created_at text not null,
    constraint party_payment_term_code_key unique (company_id, code)
);

create table party_party (
    id text primary key,
    company_id text not null references kernel_company (id),
    code text not null,
    name text not null,
    -- Lower-cased name for index range searches by prefix.
    name_key text not null,
    kind text not null constraint party_party_kind_check check (kind in ('customer', 'supplier', 'both')),
    uscc text,
    group_code text not null default '',
    grade text not null default '',
    tags text not null default '',
    owner_id text references kernel_user (id),
    source text not null default '',
    payment_term_id text references party_payment_term (id),
    credit_limit_minor bigint not null default 0,
    currency text not null default 'CNY',
    phone_enc text, phone_bidx text,
    mobile_enc text, mobile_bidx text,
    email_enc text, email_bidx text,
    country text not null default 'CN',
    province text not null default '',
    city text not null default '',
    district text not null default '',
    address_enc text,
    postal_code text not null default '',
    note text not null default '',
    active smallint not null default 1 constraint party_party_active_check check (active in (0, 1)),
    merged_into text references party_party (id),
    created_at text not null,
    created_by text not null,
    updated_at text not null,
    version bigint not null default 1,
    constraint party_party_code_key unique (company_id, code)
);
create index party_party_name_idx on party_party (company_id, name_key);
create index party_party_phone_idx on party_party (company_id, phone_bidx);
create index party_party_mobile_idx on party_party (company_id, mobile_bidx);
create index party_party_email_idx on party_party (company_id, email_bidx);
create index party_party_uscc_idx on party_party (company_id, uscc);
create index party_party_owner_idx on party_party (company_id, owner_id, name);

create table party_contact (
    id text primary key,
    company_id text not null references kernel_company (id),
    party_id text not null references party_party (id),
    name text not null,
    title text not null default '',
    phone_enc text, phone_bidx text,
    mobile_enc text, mobile_bidx text,
    email_enc text, email_bidx text,
    id_card_enc text, id_card_bidx text,
    is_primary smallint not null default 0 constraint party_contact_primary_check check (is_primary in (0, 1)),
    created_at text not null,
    updated_at text not null
);
create index party_contact_party_idx on party_contact (company_id, party_id);
create index party_contact_phone_idx on party_contact (company_id, phone_bidx);
create index party_contact_mobile_idx on party_contact (company_id, mobile_bidx);
create index party_contact_email_idx on party_contact (company_id, email_bidx);

create table party_bank_account (
    id text primary key,
    company_id text not null references kernel_company (id),
    party_id text not null references party_party (id),
    bank_name text not null,
    holder text not null,
    account_enc text not null,
    account_bidx text not null,
    created_at text not null
);
create index party_bank_account_party_idx on party_bank_account (company_id, party_id);

-- The audit log: append-only, one hash chain per company. Each row's hash covers its content
-- and the previous row's hash, so editing or deleting a row breaks the chain (`tiangong verify`).

create table kernel_audit (
    id text primary key,
    company_id text not null references kernel_company (id),
    chain_seq bigint not null,
    at text not null,
    actor text not null,
    action text not null,
    subject_kind text not null,
    subject_id text not null,
    changes text not null,
    prev_hash text not null,
    hash text not null,
    constraint kernel_audit_chain_key unique (company_id, chain_seq)
);
create index kernel_audit_subject_idx on kernel_audit (company_id, subject_kind, subject_id);
create index kernel_audit_at_idx on kernel_audit (company_id, at);

-- The head of each company's chain; updating it serialises appends per company.
create table kernel_audit_head (
    company_id text primary key references kernel_company (id),
    chain_seq bigint not null,
    hash text not null
);

-- Document numbering without gaps per company, document type and year: the counter moves in
-- the same transaction as the document, so a rolled-back document gives its number back.
create table kernel_sequence (
    company_id text not null references kernel_company (id),
    doc_type text not null,
    year bigint not null,
    next_number bigint not null,
    primary key (company_id, doc_type, year)
);

-- Every number handed out and the document that holds it, so `verify` can prove no gaps.
create table kernel_document_number (
    company_id text not null references kernel_company (id),
    doc_type text not null,
    year bigint not null,
    number bigint not null,
    formatted text not null,
    origin_kind text not null,
    origin_id text not null,
    created_at text not null,
    primary key (company_id, doc_type, year, number)
);

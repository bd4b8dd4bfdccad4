-- Files attached to any record (`subject_kind` + `subject_id`). The bytes live on disk under
-- the data folder (attachments/<company>/<id>); the row keeps name, type, size and checksum.

create table kernel_attachment (
    id text primary key,
    company_id text not null references kernel_company (id),
    subject_kind text not null,
    subject_id text not null,
    file_name text not null,
    content_type text not null,
    size_bytes bigint not null,
    sha256 text not null,
    created_at text not null,
    created_by text not null
);
create index kernel_attachment_subject_idx on kernel_attachment (company_id, subject_kind, subject_id, created_at);

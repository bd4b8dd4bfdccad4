-- Announcements (公告) to everyone, a department (with the departments under it) or a role,
-- with each reader's receipt and, for a must-read one, their acknowledgement.

create table office_announcement (
    id text primary key,
    company_id text not null references kernel_company (id),
    title text not null,
    body text not null,
    audience text not null constraint office_announcement_audience_check check (audience in ('all', 'department', 'role')),
    -- The department's or role's code; empty for everyone.
    audience_code text not null default '',
    must_read smallint not null default 0 constraint office_announcement_must_read_check check (must_read in (0, 1)),
    -- How many were addressed when it was published: the receipts' denominator.
    addressed bigint not null,
    author_id text not null references kernel_user (id),
    published_at text not null
);
create index office_announcement_company_idx on office_announcement (company_id, published_at);

-- One row per addressee, written when published: who has read it and who has acknowledged it.
create table office_announcement_receipt (
    announcement_id text not null references office_announcement (id),
    company_id text not null references kernel_company (id),
    user_id text not null references kernel_user (id),
    read_at text,
    acknowledged_at text,
    primary key (announcement_id, user_id)
);
create index office_announcement_receipt_user_idx on office_announcement_receipt (company_id, user_id, read_at);

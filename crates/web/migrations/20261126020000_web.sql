-- What each user chose in the web client: visible columns per list, and saved filters.

create table web_preference (
    user_id text not null references kernel_user (id),
    company_id text not null references kernel_company (id),
    view text not null,
    columns text not null,
    primary key (user_id, company_id, view)
);

create table web_saved_filter (
    id text primary key,
    user_id text not null references kernel_user (id),
    company_id text not null references kernel_company (id),
    view text not null,
    name text not null,
    query text not null,
    created_at text not null
);
create index web_saved_filter_user_idx on web_saved_filter (user_id, company_id, view);

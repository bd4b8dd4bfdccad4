-- Companies, users, roles and the ways users prove who they are.
-- Users are global (one login for several companies); membership and roles are per company.

create table kernel_company (
    id text primary key,
    name text not null,
    code text not null,
    base_currency text not null default 'CNY',
    active smallint not null default 1 constraint kernel_company_active_check check (active in (0, 1)),
    created_at text not null,
    created_by text not null,
    updated_at text not null,
    version bigint not null default 1,
    constraint kernel_company_code_key unique (code)
);

create table kernel_user (
    id text primary key,
    username text not null,
    display_name text not null,
    email text,
    password_hash text not null,
    locale text not null default 'zh-CN' constraint kernel_user_locale_check check (locale in ('zh-CN', 'en')),
    active smallint not null default 1 constraint kernel_user_active_check check (active in (0, 1)),
    default_company_id text references kernel_company (id),
    created_at text not null,
    created_by text not null,
    updated_at text not null,
    version bigint not null default 1,
    constraint kernel_user_username_key unique (username)
);

create table kernel_membership (
    user_id text not null references kernel_user (id),
    company_id text not null references kernel_company (id),
    created_at text not null,
    primary key (user_id, company_id)
);
create index kernel_membership_company_idx on kernel_membership (company_id, user_id);

create table kernel_role (
    id text primary key,
    company_id text not null references kernel_company (id),
    code text not null,
    name_zh text not null,
    name_en text not null,
    own_records_only smallint not null default 0 constraint kernel_role_own_check check (own_records_only in (0, 1)),
    builtin smallint not null default 0 constraint kernel_role_builtin_check check (builtin in (0, 1)),
    created_at text not null,
    created_by text not null,
    updated_at text not null,
    version bigint not null default 1,
    constraint kernel_role_code_key unique (company_id, code)
);

create table kernel_role_permission (
    role_id text not null references kernel_role (id) on delete cascade,
    permission text not null,
    primary key (role_id, permission)
);

create table kernel_user_role (
    user_id text not null references kernel_user (id),
    company_id text not null references kernel_company (id),
    role_id text not null references kernel_role (id) on delete cascade,
    primary key (user_id, role_id)
);
create index kernel_user_role_company_idx on kernel_user_role (user_id, company_id);

-- Browser sessions. `id` is the SHA-256 of the cookie value: a database leak reveals no
-- usable session.
create table kernel_session (
    id text primary key,
    user_id text not null references kernel_user (id),
    company_id text not null references kernel_company (id),
    csrf_token text not null,
    locale text not null default 'zh-CN',
    created_at text not null,
    expires_at text not null,
    last_seen_at text not null
);
create index kernel_session_user_idx on kernel_session (user_id);

-- Bearer tokens for the API, also stored only as hashes.
create table kernel_api_token (
    id text primary key,
    token_hash text not null,
    user_id text not null references kernel_user (id),
    company_id text not null references kernel_company (id),
    name text not null,
    scopes text,
    created_at text not null,
    expires_at text not null,
    last_used_at text,
    revoked smallint not null default 0 constraint kernel_api_token_revoked_check check (revoked in (0, 1)),
    constraint kernel_api_token_hash_key unique (token_hash)
);
create index kernel_api_token_user_idx on kernel_api_token (user_id);

-- Failed logins, for throttling per username (and per address) across all app servers.
create table kernel_login_failure (
    id text primary key,
    username text not null,
    address text not null,
    at text not null
);
create index kernel_login_failure_username_idx on kernel_login_failure (username, at);
create index kernel_login_failure_address_idx on kernel_login_failure (address, at);

-- Office collaboration: tasks on a kanban board, comments on any record, notifications.

create table office_task (
    id text primary key,
    company_id text not null references kernel_company (id),
    number text not null,
    title text not null,
    description text not null default '',
    stage text not null default 'todo' constraint office_task_stage_check check (stage in ('todo', 'doing', 'review', 'done')),
    assignee_id text references kernel_user (id),
    due_date text,
    -- Hours with four decimals (Quantity scale), summed per kanban column.
    estimate_hours bigint not null default 0,
    created_at text not null,
    created_by text not null,
    updated_at text not null,
    version bigint not null default 1
);
create index office_task_company_stage_idx on office_task (company_id, stage, updated_at);
create index office_task_title_idx on office_task (company_id, title);

-- Comments on any record (`subject_kind` + `subject_id`, like DocRef).
create table office_comment (
    id text primary key,
    company_id text not null references kernel_company (id),
    subject_kind text not null,
    subject_id text not null,
    author_id text not null,
    body text not null,
    created_at text not null
);
create index office_comment_subject_idx on office_comment (company_id, subject_kind, subject_id, created_at);

create table office_notification (
    id text primary key,
    company_id text not null references kernel_company (id),
    user_id text not null references kernel_user (id),
    title text not null,
    link text not null,
    read_at text,
    created_at text not null
);
create index office_notification_user_idx on office_notification (user_id, company_id, read_at, created_at);

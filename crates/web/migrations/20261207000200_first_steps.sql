-- The first steps of a new company that someone marked done by hand (a step that the data
-- cannot tell, such as "the chart of accounts is right", or one skipped on purpose).
create table web_first_step (
    company_id text not null references kernel_company (id),
    step text not null,
    done_at text not null,
    done_by text not null,
    primary key (company_id, step)
);

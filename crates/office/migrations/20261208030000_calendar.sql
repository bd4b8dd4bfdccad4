-- The calendar: meeting rooms, meetings with their invitees and answers, and each user's
-- secret feed address (stored hashed) for subscribing from a phone's calendar (.ics).

create table office_room (
    id text primary key,
    company_id text not null references kernel_company (id),
    code text not null,
    name text not null,
    capacity bigint not null default 0,
    -- Bumped by every booking: the row lock that makes two bookings of one room take turns.
    version bigint not null default 1,
    constraint office_room_code_key unique (company_id, code)
);

create table office_meeting (
    id text primary key,
    company_id text not null references kernel_company (id),
    title text not null,
    room_id text references office_room (id),
    location text not null default '',
    note text not null default '',
    -- UTC timestamps (RFC 3339): text order is time order.
    starts_at text not null,
    ends_at text not null,
    organizer_id text not null references kernel_user (id),
    state text not null default 'scheduled' constraint office_meeting_state_check check (state in ('scheduled', 'cancelled')),
    created_at text not null
);
create index office_meeting_room_idx on office_meeting (room_id, starts_at);
create index office_meeting_company_idx on office_meeting (company_id, starts_at);

create table office_meeting_invitee (
    meeting_id text not null references office_meeting (id),
    company_id text not null references kernel_company (id),
    user_id text not null references kernel_user (id),
    response text not null default 'pending' constraint office_meeting_invitee_response_check check (response in ('pending', 'accepted', 'declined')),
    primary key (meeting_id, user_id)
);
create index office_meeting_invitee_user_idx on office_meeting_invitee (company_id, user_id);

create table office_calendar_feed (
    token_hash text primary key,
    company_id text not null references kernel_company (id),
    user_id text not null references kernel_user (id),
    created_at text not null
);
create index office_calendar_feed_user_idx on office_calendar_feed (company_id, user_id);

//! The calendar: meetings with invitees and their answers, meeting rooms that cannot be booked
//! twice, everyone's free/busy, and each user's meetings as an iCalendar feed (.ics) a phone's
//! calendar subscribes to. A booking takes its room's row lock (a guarded write, as stock
//! reservations do) and only then checks for an overlap, so two people booking the same room at
//! the same moment take turns and the second is refused.

use kernel::db::Tx;
use kernel::id::Uuid;
use kernel::identity::UserId;
use kernel::{Ctx, Error, Result, audit};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::notification::notify;
use crate::org::member_id;
use crate::permissions::ROOM_MANAGE;

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "R301", "name": "3楼大会议室", "capacity": 12}))]
pub struct Room {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub capacity: i64,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "月度经营会", "starts_at": "2026-12-10T09:00", "ends_at": "2026-12-10T10:30",
    "room": "R301", "invitees": ["wang", "li"]}))]
pub struct MeetingInput {
    pub title: String,
    /// Beijing time (`2026-12-10T09:00`) or RFC 3339.
    pub starts_at: String,
    pub ends_at: String,
    /// A room's code; none for a meeting elsewhere.
    #[serde(default)]
    pub room: Option<String>,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub note: String,
    /// Logins.
    #[serde(default)]
    pub invitees: Vec<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Meeting {
    pub id: String,
    pub title: String,
    pub starts_at: String,
    pub ends_at: String,
    pub room: Option<String>,
    pub location: String,
    pub note: String,
    pub organizer: String,
    pub state: String,
    /// (login, response) of each invitee.
    pub invitees: Vec<(String, String)>,
}

/// A busy interval of one person.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Busy {
    pub user: String,
    pub starts_at: String,
    pub ends_at: String,
}

/// A moment typed in Beijing time (`2026-12-10T09:00`, from a form) or as RFC 3339.
pub fn parse_moment(text: &str, field: &'static str) -> Result<OffsetDateTime> {
    let text = text.trim();
    if let Ok(moment) = kernel::clock::parse_timestamp(text) {
        return Ok(moment);
    }
    let local = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    time::PrimitiveDateTime::parse(text, &local)
        .map(|t| t.assume_offset(kernel::clock::CHINA_OFFSET))
        .map_err(|_| Error::field(field, "office.calendar.time_invalid"))
}

pub fn save_room(tx: &mut Tx<'_>, ctx: &Ctx, room: &Room) -> Result<Room> {
    ctx.require(ROOM_MANAGE)?;
    if room.code.trim().is_empty() || room.name.trim().is_empty() {
        return Err(Error::field("code", "office.calendar.room_invalid"));
    }
    tx.execute(
        "insert into office_room (id, company_id, code, name, capacity) values ($1, $2, $3, $4, $5)
         on conflict (company_id, code) do update set name = excluded.name, capacity = excluded.capacity",
        &[&Uuid::now_v7(), &ctx.company(), &room.code.trim(), &room.name.trim(), &room.capacity],
    )?;
    audit::record(
        tx,
        ctx,
        "office.room.save",
        "office.room",
        &room.code.trim(),
        serde_json::json!({"name": room.name}),
    )?;
    Ok(room.clone())
}

pub fn list_rooms(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Room>> {
    tx.query("select code, name, capacity from office_room where company_id = $1 order by code", &[&ctx.company()])?
        .iter()
        .map(|r| Ok(Room { code: r.get(0)?, name: r.get(1)?, capacity: r.get(2)? }))
        .collect()
}

/// Schedules a meeting, booking its room if it has one, and invites (and tells) the invitees.
pub fn schedule(tx: &mut Tx<'_>, ctx: &Ctx, input: &MeetingInput) -> Result<Meeting> {
    let organizer = ctx.actor().user().ok_or_else(|| Error::forbidden("auth.forbidden"))?;
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(Error::field("title", "office.calendar.title_invalid"));
    }
    let (starts, ends) = (parse_moment(&input.starts_at, "starts_at")?, parse_moment(&input.ends_at, "ends_at")?);
    if ends <= starts {
        return Err(Error::field("ends_at", "office.calendar.ends_before_start"));
    }
    let (starts_at, ends_at) = (kernel::clock::format_timestamp(starts), kernel::clock::format_timestamp(ends));
    let mut invitees: Vec<UserId> = Vec::new();
    for (i, login) in input.invitees.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).enumerate() {
        let user = member_id(tx, ctx, login)?.ok_or_else(|| {
            Error::field(format!("invitees[{i}]"), "office.org.user_unknown").with_param("user", login)
        })?;
        if user != organizer && !invitees.contains(&user) {
            invitees.push(user);
        }
    }
    let room = match input.room.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(code) => {
            // The room's row lock first: bookings of one room take turns from here to the commit.
            let row = tx
                .query_opt(
                    "update office_room set version = version + 1 where company_id = $1 and code = $2 returning id, name",
                    &[&ctx.company(), &code],
                )?
                .ok_or_else(|| Error::field("room", "office.calendar.room_unknown").with_param("room", code))?;
            let (id, name): (String, String) = (row.get(0)?, row.get(1)?);
            let clash = tx.query_opt(
                "select title, starts_at, ends_at from office_meeting
                 where room_id = $1 and state = 'scheduled' and starts_at < $2 and ends_at > $3 limit 1",
                &[&id, &ends_at, &starts_at],
            )?;
            if let Some(clash) = clash {
                let (other, from, to): (String, String, String) = (clash.get(0)?, clash.get(1)?, clash.get(2)?);
                return Err(Error::conflict("office.calendar.room_taken")
                    .with_param("room", name)
                    .with_param("meeting", other)
                    .with_param("from", china_time(&from))
                    .with_param("to", china_time(&to)));
            }
            Some(id)
        }
        None => None,
    };
    let id = Uuid::now_v7().to_string();
    tx.execute(
        "insert into office_meeting (id, company_id, title, room_id, location, note, starts_at, ends_at, organizer_id, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &id,
            &ctx.company(),
            &title,
            &room,
            &input.location.trim(),
            &input.note.trim(),
            &starts_at,
            &ends_at,
            &organizer,
            &ctx.now_text(),
        ],
    )?;
    for user in &invitees {
        tx.execute(
            "insert into office_meeting_invitee (meeting_id, company_id, user_id) values ($1, $2, $3)",
            &[&id, &ctx.company(), user],
        )?;
        notify(tx, ctx, *user, &format!("会议邀请 {title} {}", china_time(&starts_at)), "/office/calendar")?;
    }
    audit::record(
        tx,
        ctx,
        "office.meeting.schedule",
        "office.meeting",
        &id,
        serde_json::json!({"starts_at": starts_at, "ends_at": ends_at, "room": input.room, "invitees": invitees.len()}),
    )?;
    get_meeting(tx, ctx, &id)
}

/// A stored UTC timestamp as Beijing time to the minute: `2026-12-10 09:00`.
pub fn china_time(stored: &str) -> String {
    match kernel::clock::parse_timestamp(stored) {
        Ok(moment) => {
            let local = moment.to_offset(kernel::clock::CHINA_OFFSET);
            format!("{} {:02}:{:02}", kernel::clock::format_date(local.date()), local.hour(), local.minute())
        }
        Err(_) => stored.to_string(),
    }
}

const MEETING: &str = "select m.id, m.title, m.starts_at, m.ends_at, r.code, m.location, m.note, u.username, m.state
     from office_meeting m join kernel_user u on u.id = m.organizer_id left join office_room r on r.id = m.room_id";

/// Meetings as their rows read them, with the invitees of all of them read in one more query.
fn with_invitees(
    tx: &mut Tx<'_>,
    rows: &[kernel::db::Row],
    invitees_sql: &str,
    params: &[&dyn kernel::db::ToValue],
) -> Result<Vec<Meeting>> {
    let mut meetings = rows
        .iter()
        .map(|row| {
            Ok(Meeting {
                id: row.get(0)?,
                title: row.get(1)?,
                starts_at: row.get(2)?,
                ends_at: row.get(3)?,
                room: row.get(4)?,
                location: row.get(5)?,
                note: row.get(6)?,
                organizer: row.get(7)?,
                state: row.get(8)?,
                invitees: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if meetings.is_empty() {
        return Ok(meetings);
    }
    let at: std::collections::HashMap<String, usize> =
        meetings.iter().enumerate().map(|(i, m)| (m.id.clone(), i)).collect();
    for row in tx.query(invitees_sql, params)?.iter() {
        let (meeting, login, response): (String, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        if let Some(&i) = at.get(&meeting) {
            meetings[i].invitees.push((login, response));
        }
    }
    Ok(meetings)
}

pub fn get_meeting(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<Meeting> {
    let rows = tx.query(&format!("{MEETING} where m.company_id = $1 and m.id = $2"), &[&ctx.company(), &id])?;
    let invitees = "select i.meeting_id, u.username, i.response from office_meeting_invitee i join kernel_user u on u.id = i.user_id
         where i.meeting_id = $1 order by u.username";
    with_invitees(tx, &rows, invitees, &[&id])?
        .pop()
        .ok_or_else(|| Error::not_found("office.calendar.meeting_not_found"))
}

/// An invitee's answer: accepted or declined.
pub fn respond(tx: &mut Tx<'_>, ctx: &Ctx, id: &str, accept: bool) -> Result<Meeting> {
    let user = ctx.actor().user().ok_or_else(|| Error::forbidden("auth.forbidden"))?;
    let changed = tx.execute(
        "update office_meeting_invitee set response = $1 where meeting_id = $2 and user_id = $3 and company_id = $4",
        &[&(if accept { "accepted" } else { "declined" }), &id, &user, &ctx.company()],
    )?;
    if changed == 0 {
        return Err(Error::not_found("office.calendar.meeting_not_found"));
    }
    get_meeting(tx, ctx, id)
}

/// The organizer cancels: the room is free again.
pub fn cancel(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<Meeting> {
    let user = ctx.actor().user().ok_or_else(|| Error::forbidden("auth.forbidden"))?;
    let changed = tx.execute(
        "update office_meeting set state = 'cancelled' where id = $1 and company_id = $2 and organizer_id = $3 and state = 'scheduled'",
        &[&id, &ctx.company(), &user],
    )?;
    if changed == 0 {
        return Err(Error::conflict("office.calendar.not_cancellable"));
    }
    audit::record(tx, ctx, "office.meeting.cancel", "office.meeting", &id, serde_json::json!({}))?;
    get_meeting(tx, ctx, id)
}

/// The meetings of `user` (organised, or invited and not declined) between two moments: two
/// queries however many there are.
fn meetings_of(tx: &mut Tx<'_>, ctx: &Ctx, user: UserId, from: &str, to: &str) -> Result<Vec<Meeting>> {
    let theirs = "m.company_id = $1 and m.state = 'scheduled' and m.starts_at < $3 and m.ends_at > $2
        and (m.organizer_id = $4 or exists (select 1 from office_meeting_invitee mine
             where mine.meeting_id = m.id and mine.user_id = $4 and mine.response <> 'declined'))";
    let rows =
        tx.query(&format!("{MEETING} where {theirs} order by m.starts_at"), &[&ctx.company(), &from, &to, &user])?;
    let invitees = format!(
        "select i.meeting_id, u.username, i.response from office_meeting_invitee i join kernel_user u on u.id = i.user_id
         where i.meeting_id in (select m.id from office_meeting m where {theirs}) order by u.username"
    );
    with_invitees(tx, &rows, &invitees, &[&ctx.company(), &from, &to, &user])
}

/// The caller's meetings from a day, for `days` days.
pub fn my_meetings(tx: &mut Tx<'_>, ctx: &Ctx, from: time::Date, days: i64) -> Result<Vec<Meeting>> {
    let user = ctx.actor().user().ok_or_else(|| Error::forbidden("auth.forbidden"))?;
    let start = time::PrimitiveDateTime::new(from, time::Time::MIDNIGHT).assume_offset(kernel::clock::CHINA_OFFSET);
    let (a, b) =
        (kernel::clock::format_timestamp(start), kernel::clock::format_timestamp(start + time::Duration::days(days)));
    meetings_of(tx, ctx, user, &a, &b)
}

/// When each of these members is busy between two moments (only the times, not what).
pub fn free_busy(tx: &mut Tx<'_>, ctx: &Ctx, logins: &[String], from: &str, to: &str) -> Result<Vec<Busy>> {
    let (from, to) = (
        kernel::clock::format_timestamp(parse_moment(from, "from")?),
        kernel::clock::format_timestamp(parse_moment(to, "to")?),
    );
    let mut busy = Vec::new();
    for login in logins.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
        let user = member_id(tx, ctx, login)?
            .ok_or_else(|| Error::field("users", "office.org.user_unknown").with_param("user", login))?;
        for m in meetings_of(tx, ctx, user, &from, &to)? {
            busy.push(Busy { user: login.to_string(), starts_at: m.starts_at, ends_at: m.ends_at });
        }
    }
    Ok(busy)
}

/// A new secret feed address for the caller (the previous ones stop working).
pub fn new_feed(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<String> {
    let user = ctx.actor().user().ok_or_else(|| Error::forbidden("auth.forbidden"))?;
    tx.execute("delete from office_calendar_feed where company_id = $1 and user_id = $2", &[&ctx.company(), &user])?;
    let secret = kernel::identity::new_secret();
    tx.execute(
        "insert into office_calendar_feed (token_hash, company_id, user_id, created_at) values ($1, $2, $3, $4)",
        &[&kernel::identity::token_hash(&secret), &ctx.company(), &user, &ctx.now_text()],
    )?;
    Ok(secret)
}

/// Text escaped for an iCalendar value (RFC 5545 §3.3.11).
fn ics_text(text: &str) -> String {
    text.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n")
}

/// A stored UTC timestamp in iCalendar's form: `20261210T010000Z`.
fn ics_time(stored: &str) -> String {
    stored.chars().filter(|c| c.is_ascii_digit() || *c == 'T').take(15).collect::<String>() + "Z"
}

/// The feed behind a secret address: the user's meetings from a month ago to a year ahead, as
/// an iCalendar document. The secret is all the authentication a calendar app can send.
pub fn feed(tx: &mut Tx<'_>, secret: &str, now: OffsetDateTime) -> Result<String> {
    let row = tx
        .query_opt(
            "select company_id, user_id from office_calendar_feed where token_hash = $1",
            &[&kernel::identity::token_hash(secret)],
        )?
        .ok_or_else(|| Error::not_found("office.calendar.feed_unknown"))?;
    let (company, user): (kernel::identity::CompanyId, UserId) = (row.get(0)?, row.get(1)?);
    let ctx = Ctx::system(company, kernel::permission::PermissionSet::default());
    let (from, to) = (
        kernel::clock::format_timestamp(now - time::Duration::days(31)),
        kernel::clock::format_timestamp(now + time::Duration::days(366)),
    );
    let stamp = ics_time(&kernel::clock::format_timestamp(now));
    let mut ics = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Tiangong//天工//ZH\r\nCALSCALE:GREGORIAN\r\nX-WR-CALNAME:天工会议\r\n",
    );
    for m in meetings_of(tx, &ctx, user, &from, &to)? {
        let place = m.room.clone().unwrap_or(m.location.clone());
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{}@tiangong\r\nDTSTAMP:{stamp}\r\nDTSTART:{}\r\nDTEND:{}\r\nSUMMARY:{}\r\nLOCATION:{}\r\nDESCRIPTION:{}\r\nEND:VEVENT\r\n",
            m.id,
            ics_time(&m.starts_at),
            ics_time(&m.ends_at),
            ics_text(&m.title),
            ics_text(&place),
            ics_text(&m.note),
        ));
    }
    ics.push_str("END:VCALENDAR\r\n");
    Ok(ics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_from_forms_are_beijing_time_and_ics_escapes() {
        let moment = parse_moment("2026-12-10T09:00", "starts_at").unwrap();
        assert_eq!(kernel::clock::format_timestamp(moment), "2026-12-10T01:00:00.000000Z");
        assert_eq!(china_time("2026-12-10T01:00:00.000000Z"), "2026-12-10 09:00");
        assert_eq!(ics_time("2026-12-10T01:00:00.000000Z"), "20261210T010000Z");
        assert_eq!(ics_text("周会; 议题, 一\n二"), "周会\\; 议题\\, 一\\n二");
        assert!(parse_moment("tomorrow", "starts_at").is_err());
    }
}

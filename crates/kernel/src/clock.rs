//! Time as the business sees it. Services read the time from `Ctx`'s clock, never from the
//! system directly, so tests can pin "today" and period-end logic is testable.
//! Timestamps are stored as ISO-8601 UTC text (`2026-11-26T23:04:05.123456Z`), which sorts
//! correctly on both backends.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::Error;

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> OffsetDateTime;
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until moved; for tests (period close, throttling windows).
#[derive(Debug)]
pub struct FixedClock {
    unix_micros: AtomicI64,
}

impl FixedClock {
    pub fn at(moment: OffsetDateTime) -> Arc<FixedClock> {
        Arc::new(FixedClock { unix_micros: AtomicI64::new(micros(moment)) })
    }

    pub fn advance(&self, duration: time::Duration) {
        let delta = i64::try_from(duration.whole_microseconds()).unwrap_or(i64::MAX);
        self.unix_micros.fetch_add(delta, Ordering::SeqCst);
    }
}

fn micros(moment: OffsetDateTime) -> i64 {
    i64::try_from(moment.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        let micros = i128::from(self.unix_micros.load(Ordering::SeqCst));
        OffsetDateTime::from_unix_timestamp_nanos(micros * 1000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// China Standard Time: business dates (document years, periods) are Beijing dates.
pub const CHINA_OFFSET: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// The business date of a moment: its date in Beijing (from 16:00 UTC it is already tomorrow).
pub fn china_date(moment: OffsetDateTime) -> time::Date {
    moment.to_offset(CHINA_OFFSET).date()
}

/// The storage form of a timestamp: RFC 3339 in UTC with microseconds.
pub fn format_timestamp(moment: OffsetDateTime) -> String {
    let utc = moment.to_offset(UtcOffset::UTC);
    let micros = utc.microsecond();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second(),
        micros
    )
}

pub fn parse_timestamp(text: &str) -> Result<OffsetDateTime, Error> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|_| Error::invalid("kernel.timestamp.invalid").with_param("value", text))
}

/// The storage form of a date: `2026-11-26`.
pub fn format_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

pub fn parse_date(text: &str) -> Result<Date, Error> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format).map_err(|_| Error::invalid("kernel.date.invalid").with_param("value", text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_and_sort_as_text() {
        let a = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
        let b = a + time::Duration::microseconds(5);
        let (ta, tb) = (format_timestamp(a), format_timestamp(b));
        assert!(ta < tb);
        assert_eq!(parse_timestamp(&ta).unwrap(), a);
        assert_eq!(format_date(parse_date("2026-02-03").unwrap()), "2026-02-03");
    }

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let clock = FixedClock::at(OffsetDateTime::from_unix_timestamp(0).unwrap());
        clock.advance(time::Duration::minutes(15));
        assert_eq!(clock.now().unix_timestamp(), 900);
    }
}

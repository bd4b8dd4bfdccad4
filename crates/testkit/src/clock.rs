//! A clock that follows real time but can be moved forward, for tests of expiry, throttling
//! windows and retry backoff.

use std::sync::atomic::{AtomicI64, Ordering};

use kernel::clock::Clock;
use time::{Duration, OffsetDateTime};

#[derive(Debug, Default)]
pub struct TestClock {
    offset_micros: AtomicI64,
}

impl TestClock {
    pub fn advance(&self, by: Duration) {
        let micros = i64::try_from(by.whole_microseconds()).unwrap_or(i64::MAX);
        self.offset_micros.fetch_add(micros, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + Duration::microseconds(self.offset_micros.load(Ordering::SeqCst))
    }
}

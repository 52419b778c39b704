//! Time, injectable so tests can move it (idempotency expiry, link expiry).

use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock, made strictly increasing per process so that "newest first" is a total
/// order even for links created within the same microsecond.
#[derive(Default)]
pub struct SystemClock {
    last_micros: AtomicI64,
}

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        let wall = Utc::now().timestamp_micros();
        let prev = self.last_micros.fetch_max(wall, Ordering::SeqCst);
        let micros = if prev >= wall { self.last_micros.fetch_add(1, Ordering::SeqCst) + 1 } else { wall };
        DateTime::from_timestamp_micros(micros).unwrap_or_default()
    }
}

/// A clock that starts at the real time and moves only when told to (for tests).
pub struct ManualClock {
    micros: AtomicI64,
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock { micros: AtomicI64::new(Utc::now().timestamp_micros()) }
    }
}

impl ManualClock {
    pub fn advance(&self, by: Duration) {
        self.micros.fetch_add(by.num_microseconds().unwrap_or(i64::MAX), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        // Each reading is one microsecond later, so created_at stays strictly increasing.
        DateTime::from_timestamp_micros(self.micros.fetch_add(1, Ordering::SeqCst)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_never_repeats() {
        let clock = SystemClock::default();
        let mut prev = clock.now();
        for _ in 0..10_000 {
            let next = clock.now();
            assert!(next > prev);
            prev = next;
        }
    }

    #[test]
    fn manual_clock_moves_when_told() {
        let clock = ManualClock::default();
        let a = clock.now();
        clock.advance(Duration::hours(25));
        assert!(clock.now() - a >= Duration::hours(25));
    }
}

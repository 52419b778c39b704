//! When a failed delivery is tried again: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after each
//! failure (8 attempts over about 27 hours), each wait ±10 % so that retries after an outage do
//! not arrive together.

use chrono::Duration;

/// The wait after the n-th failed attempt is `WAITS[n - 1]` (the last repeats for attempts a
/// merchant added by retrying a dead letter).
const WAITS: [i64; 7] = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600];

/// The wait after `failed_attempts` attempts have failed, scaled by `jitter` in [-1, 1] to at most
/// ±10 %.
pub fn wait_after(failed_attempts: i64, jitter: f64) -> Duration {
    let index = usize::try_from(failed_attempts.saturating_sub(1)).unwrap_or(0).min(WAITS.len() - 1);
    let millis = WAITS[index] as f64 * 1000.0 * (1.0 + 0.1 * jitter.clamp(-1.0, 1.0));
    Duration::milliseconds(millis.round() as i64)
}

/// A uniformly random jitter in [-1, 1].
pub fn random_jitter() -> f64 {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX) * 2.0 - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_spans_about_27_hours_over_8_attempts() {
        assert_eq!(wait_after(1, 0.0), Duration::seconds(5));
        assert_eq!(wait_after(2, 0.0), Duration::minutes(5));
        assert_eq!(wait_after(7, 0.0), Duration::hours(10));
        assert_eq!(wait_after(12, 0.0), Duration::hours(10));
        let total: Duration = (1..8).map(|n| wait_after(n, 0.0)).sum();
        assert_eq!(total, Duration::seconds(5 + 5 * 60 + 30 * 60) + Duration::hours(27));
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        assert_eq!(wait_after(1, 1.0), Duration::milliseconds(5500));
        assert_eq!(wait_after(1, -1.0), Duration::milliseconds(4500));
        assert_eq!(wait_after(1, 7.0), Duration::milliseconds(5500));
        for _ in 0..1000 {
            let j = random_jitter();
            assert!((-1.0..=1.0).contains(&j));
        }
    }
}

//! Per-key token buckets: `per_minute` tokens a minute refill a bucket of `burst`.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    pub per_minute: u32,
    pub burst: u32,
}

/// `--rate-limit`: `off`, or `PER_MINUTE[/BURST]` for both modes; default per mode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RateLimitSetting {
    Off,
    Default,
    Both(Limit),
}

impl FromStr for RateLimitSetting {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.eq_ignore_ascii_case("off") {
            return Ok(RateLimitSetting::Off);
        }
        let bad = || format!("expected `off` or PER_MINUTE[/BURST], got `{s}`");
        let (rate, burst) = s.split_once('/').map_or((s, None), |(r, b)| (r, Some(b)));
        let per_minute: u32 = rate.parse().map_err(|_| bad())?;
        let burst: u32 = burst.map_or(Ok(per_minute), |b| b.parse().map_err(|_| bad()))?;
        if per_minute == 0 || burst == 0 {
            return Err(bad());
        }
        Ok(RateLimitSetting::Both(Limit { per_minute, burst }))
    }
}

impl RateLimitSetting {
    /// The limit for a key of this mode, if any.
    pub fn for_mode(self, livemode: bool) -> Option<Limit> {
        match self {
            RateLimitSetting::Off => None,
            RateLimitSetting::Both(limit) => Some(limit),
            RateLimitSetting::Default if livemode => Some(Limit { per_minute: 1_000, burst: 2_000 }),
            RateLimitSetting::Default => Some(Limit { per_minute: 100, burst: 200 }),
        }
    }
}

impl RateLimitSetting {
    /// Checkout attempts (per client address, per link), against card testing; `off` disables them.
    pub fn for_checkout(self) -> Option<(Limit, Limit)> {
        match self {
            RateLimitSetting::Off => None,
            _ => Some((Limit { per_minute: 20, burst: 10 }, Limit { per_minute: 120, burst: 60 })),
        }
    }
}

struct Bucket {
    tokens: f64,
    refilled: Instant,
}

#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// Takes one token for `key`; `Err(seconds)` says how long until one is free.
    pub fn check(&self, key: &str, limit: Limit, now: Instant) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket { tokens: f64::from(limit.burst), refilled: now });
        let per_second = f64::from(limit.per_minute) / 60.0;
        let elapsed = now.saturating_duration_since(bucket.refilled).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(f64::from(limit.burst));
        bucket.refilled = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_second).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn parses_the_setting() {
        assert_eq!("off".parse(), Ok(RateLimitSetting::Off));
        assert_eq!("60".parse(), Ok(RateLimitSetting::Both(Limit { per_minute: 60, burst: 60 })));
        assert_eq!("60/5".parse(), Ok(RateLimitSetting::Both(Limit { per_minute: 60, burst: 5 })));
        assert!("0".parse::<RateLimitSetting>().is_err());
        assert!("fast".parse::<RateLimitSetting>().is_err());
    }

    #[test]
    fn bucket_empties_then_refills() {
        let limiter = RateLimiter::default();
        let limit = Limit { per_minute: 60, burst: 2 };
        let t0 = Instant::now();
        assert!(limiter.check("k", limit, t0).is_ok());
        assert!(limiter.check("k", limit, t0).is_ok());
        assert_eq!(limiter.check("k", limit, t0), Err(1));
        assert!(limiter.check("other", limit, t0).is_ok());
        assert!(limiter.check("k", limit, t0 + Duration::from_secs(1)).is_ok());
    }
}

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
    /// When the bucket is full again: from then on it is the same as no bucket.
    full_at: Instant,
}

/// Above this many buckets, a check first forgets the ones that are full again (at most once a
/// second, so a flood of new keys costs no sweep per request).
const SWEEP_ABOVE: usize = 50_000;

#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, Bucket>>,
    last_sweep: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// Takes one token for `key`; `Err(seconds)` says how long until one is free.
    pub fn check(&self, key: &str, limit: Limit, now: Instant) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > SWEEP_ABOVE {
            let mut last = self.last_sweep.lock().unwrap_or_else(|p| p.into_inner());
            if last.is_none_or(|at| now.saturating_duration_since(at) >= std::time::Duration::from_secs(1)) {
                buckets.retain(|_, bucket| bucket.full_at > now);
                *last = Some(now);
            }
        }
        let fresh = Bucket { tokens: f64::from(limit.burst), refilled: now, full_at: now };
        let bucket = buckets.entry(key.to_string()).or_insert(fresh);
        let per_second = f64::from(limit.per_minute) / 60.0;
        let elapsed = now.saturating_duration_since(bucket.refilled).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(f64::from(limit.burst));
        bucket.refilled = now;
        let taken = bucket.tokens >= 1.0;
        if taken {
            bucket.tokens -= 1.0;
        }
        let until_full = (f64::from(limit.burst) - bucket.tokens) / per_second;
        bucket.full_at = now + std::time::Duration::from_secs_f64(until_full);
        if taken {
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_second).ceil().max(1.0) as u64)
        }
    }

    /// Forgets the buckets that are full again (idle long enough to be as good as new).
    pub fn forget_idle(&self, now: Instant) {
        self.buckets.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, bucket| bucket.full_at > now);
    }

    /// How many buckets are kept.
    pub fn len(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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

    #[test]
    fn idle_buckets_are_forgotten_and_a_flood_does_not_stay() {
        let limiter = RateLimiter::default();
        let limit = Limit { per_minute: 60, burst: 10 };
        let t0 = Instant::now();
        // 100,000 distinct keys, one a millisecond: the map never holds much more than the sweep's bound.
        let mut most = 0;
        for i in 0..100_000u64 {
            let _ = limiter.check(&format!("client-{i}"), limit, t0 + Duration::from_millis(i));
            most = most.max(limiter.len());
        }
        assert!(most <= SWEEP_ABOVE + 1, "kept {most}");
        let end = t0 + Duration::from_millis(100_000);
        // One token spent: full again a second later, and then forgotten.
        limiter.forget_idle(end);
        assert!(!limiter.is_empty());
        limiter.forget_idle(end + Duration::from_secs(2));
        assert_eq!(limiter.len(), 0);
        // A forgotten bucket starts full, exactly as the old one would be by now.
        let later = end + Duration::from_secs(2);
        for _ in 0..10 {
            assert!(limiter.check("client-1", limit, later).is_ok());
        }
        assert!(limiter.check("client-1", limit, later).is_err());
    }
}

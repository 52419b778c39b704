//! `x-api-key` authentication and the per-key rate limit, as an extractor.
//!
//! A key that authenticated is remembered for [`VERIFIED_FOR`], so most requests skip the key
//! lookup (a database round trip); revocation (by the CLI, another process) therefore takes
//! effect within that time. Wrong, unknown and revoked keys are never remembered: each one is
//! looked up, so a new key works at once and a refused key costs the same every time.

use crate::error::ApiError;
use crate::store::{KeyOwner, Scope};
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a verified key is trusted without asking the database again.
pub const VERIFIED_FOR: Duration = Duration::from_secs(1);

/// How often a key's `last_used_at` is written at most (it is a hint, not an audit log).
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// The merchant and mode of the request's valid, unrevoked, not rate-limited key.
pub struct Authed(pub KeyOwner);

impl Authed {
    pub fn scope(&self) -> Scope {
        Scope { merchant_id: self.0.merchant_id, livemode: self.0.livemode }
    }
}

/// What the server remembers about keys between requests.
#[derive(Default)]
pub struct KnownKeys {
    /// By the SHA-256 of the presented key (the secret itself is not kept): its owner and when
    /// the database last confirmed it.
    verified: Mutex<HashMap<[u8; 32], (KeyOwner, Instant)>>,
    /// When each key's last use was last written down.
    touched: Mutex<HashMap<uuid::Uuid, Instant>>,
}

impl KnownKeys {
    fn recent(&self, digest: &[u8; 32], now: Instant) -> Option<KeyOwner> {
        let verified = self.verified.lock().unwrap_or_else(|p| p.into_inner());
        verified.get(digest).filter(|(_, at)| now.duration_since(*at) < VERIFIED_FOR).map(|(owner, _)| owner.clone())
    }

    fn remember(&self, digest: [u8; 32], owner: &KeyOwner, now: Instant) {
        let mut verified = self.verified.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded by the keys used within the last second.
        verified.retain(|_, (_, at)| now.duration_since(*at) < VERIFIED_FOR);
        verified.insert(digest, (owner.clone(), now));
    }

    /// Whether the key's use is due to be written down (and if so, notes that it is).
    fn touch_due(&self, key_id: uuid::Uuid, now: Instant) -> bool {
        let mut touched = self.touched.lock().unwrap_or_else(|p| p.into_inner());
        let due = touched.get(&key_id).is_none_or(|last| now.duration_since(*last) >= TOUCH_EVERY);
        if due {
            touched.insert(key_id, now);
        }
        due
    }
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let presented =
            parts.headers.get("x-api-key").and_then(|v| v.to_str().ok()).ok_or_else(ApiError::unauthenticated)?;
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let now = Instant::now();
        let owner = match state.keys.recent(&digest, now) {
            Some(owner) => owner,
            None => {
                let owner = state.store.authenticate(presented).await?.ok_or_else(ApiError::unauthenticated)?;
                state.keys.remember(digest, &owner, now);
                owner
            }
        };
        if let Some(limit) = state.config.rate_limit.for_mode(owner.livemode) {
            state.limiter.check(&owner.key_id.to_string(), limit, now).map_err(ApiError::rate_limited)?;
        }
        touch(state, &owner, now);
        Ok(Authed(owner))
    }
}

/// Records that the key was used, at most once a minute, off the request's path.
fn touch(state: &AppState, owner: &KeyOwner, now: Instant) {
    if state.keys.touch_due(owner.key_id, now) {
        let (store, key_id, at) = (state.store.clone(), owner.key_id, state.clock.now());
        tokio::spawn(async move {
            if let Err(err) = store.touch_key(key_id, at).await {
                tracing::warn!(error = %err, "could not record key use");
            }
        });
    }
}

//! `x-api-key` authentication and the per-key rate limit, as an extractor.

use crate::error::ApiError;
use crate::store::{KeyOwner, Scope};
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::time::{Duration, Instant};

/// How often a key's `last_used_at` is written at most (it is a hint, not an audit log).
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// The merchant and mode of the request's valid, unrevoked, not rate-limited key.
pub struct Authed(pub KeyOwner);

impl Authed {
    pub fn scope(&self) -> Scope {
        Scope { merchant_id: self.0.merchant_id, livemode: self.0.livemode }
    }
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let presented =
            parts.headers.get("x-api-key").and_then(|v| v.to_str().ok()).ok_or_else(ApiError::unauthenticated)?;
        let owner = state.store.authenticate(presented).await?.ok_or_else(ApiError::unauthenticated)?;
        let now = Instant::now();
        if let Some(limit) = state.config.rate_limit.for_mode(owner.livemode) {
            state.limiter.check(&owner.key_id.to_string(), limit, now).map_err(ApiError::rate_limited)?;
        }
        touch(state, &owner, now);
        Ok(Authed(owner))
    }
}

/// Records that the key was used, at most once a minute, off the request's path.
fn touch(state: &AppState, owner: &KeyOwner, now: Instant) {
    let mut touched = state.key_touches.lock().unwrap_or_else(|p| p.into_inner());
    let due = touched.get(&owner.key_id).is_none_or(|last| now.duration_since(*last) >= TOUCH_EVERY);
    if due {
        touched.insert(owner.key_id, now);
        let (store, key_id, at) = (state.store.clone(), owner.key_id, state.clock.now());
        tokio::spawn(async move {
            if let Err(err) = store.touch_key(key_id, at).await {
                tracing::warn!(error = %err, "could not record key use");
            }
        });
    }
}

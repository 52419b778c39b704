//! API key authentication and the per-key rate limit: `key_owner`, and v2's `x-api-key` as an
//! extractor (keys verified recently are trusted from `known_keys`).

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{KeyOwner, Scope};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use std::time::Instant;

/// The merchant and mode of the request's valid, unrevoked, not rate-limited key.
pub struct Authed(pub KeyOwner);

impl Authed {
    pub fn scope(&self) -> Scope {
        self.0.scope()
    }
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let presented = single_header(parts, "x-api-key").ok_or_else(ApiError::unauthenticated)?;
        key_owner(state, presented).await.map(Authed)
    }
}

/// The one value of header `name`: none, several (which one would a proxy and we each read?) or
/// one that is not text are all no credential.
pub fn single_header<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    let mut values = parts.headers.get_all(name).iter();
    let value = values.next()?;
    values.next().is_none().then(|| value.to_str().ok()).flatten()
}

/// The owner of the presented key, if it is valid, unrevoked and not over its rate limit, for
/// every API that takes our keys (v2's `x-api-key`, v0's `x-client-secret`).
pub async fn key_owner(state: &AppState, presented: &str) -> Result<KeyOwner, ApiError> {
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
    Ok(owner)
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

//! What the server remembers about API keys between requests. A key that authenticated is
//! remembered for [`VERIFIED_FOR`], so most requests skip the key lookup (a database round trip);
//! revocation (by the CLI, another process) therefore takes effect within that time. Wrong,
//! unknown and revoked keys are never remembered: each one is looked up, so a new key works at
//! once and a refused key costs the same every time.

use crate::store::KeyOwner;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a verified key is trusted without asking the database again.
pub const VERIFIED_FOR: Duration = Duration::from_secs(1);

/// How often a key's `last_used_at` is written at most (it is a hint, not an audit log).
const TOUCH_EVERY: Duration = Duration::from_secs(60);

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
    pub fn recent(&self, digest: &[u8; 32], now: Instant) -> Option<KeyOwner> {
        let verified = self.verified.lock().unwrap_or_else(|p| p.into_inner());
        verified.get(digest).filter(|(_, at)| now.duration_since(*at) < VERIFIED_FOR).map(|(owner, _)| owner.clone())
    }

    pub fn remember(&self, digest: [u8; 32], owner: &KeyOwner, now: Instant) {
        let mut verified = self.verified.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded by the keys used within the last second.
        verified.retain(|_, (_, at)| now.duration_since(*at) < VERIFIED_FOR);
        verified.insert(digest, (owner.clone(), now));
    }

    /// Whether the key's use is due to be written down (and if so, notes that it is).
    pub fn touch_due(&self, key_id: uuid::Uuid, now: Instant) -> bool {
        let mut touched = self.touched.lock().unwrap_or_else(|p| p.into_inner());
        let due = touched.get(&key_id).is_none_or(|last| now.duration_since(*last) >= TOUCH_EVERY);
        if due {
            touched.insert(key_id, now);
        }
        due
    }
}

//! Views of public link pages, counted in memory and written in batches: a page view should not
//! cost a database write (on SQLite every write queues for the one writer). A crash loses at
//! most the last second of views; the stats route adds what is not written yet.

use crate::store::Store;
use std::collections::HashMap;
use tokio::sync::{Mutex, MutexGuard};
use uuid::Uuid;

/// How often counted views are written.
pub const FLUSH_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

#[derive(Default)]
pub struct ViewCounter {
    /// Held across a flush's write, so a reader sees either the old total plus these or the new one.
    pending: Mutex<HashMap<Uuid, i64>>,
}

impl ViewCounter {
    pub async fn record(&self, link_id: Uuid) {
        *self.pending.lock().await.entry(link_id).or_default() += 1;
    }

    /// The views not written yet; while held, no flush runs.
    pub async fn pending(&self) -> MutexGuard<'_, HashMap<Uuid, i64>> {
        self.pending.lock().await
    }

    /// Writes the counted views; on failure they stay counted for the next try.
    pub async fn flush(&self, store: &Store) -> Result<(), sqlx::Error> {
        let mut pending = self.pending.lock().await;
        if pending.is_empty() {
            return Ok(());
        }
        store.add_views(&pending).await?;
        pending.clear();
        Ok(())
    }
}

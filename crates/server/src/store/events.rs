//! Events: what happened, written in the transaction of the change that caused it, kept 30 days.

use super::codec::{from_text, json, to_micros};
use super::db::{Scope, Store, Tx};
use chrono::{DateTime, Duration, Utc};
use paylinks_api::event::Event;
use paylinks_api::WireEnum;

/// How long events are kept.
const EVENT_LIFETIME: Duration = Duration::days(30);

impl Tx {
    pub async fn insert_event(&mut self, scope: Scope, event: &Event, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO events (id, merchant_id, livemode, type, created_at, body) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&event.id)
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .bind(event.event_type.as_str())
        .bind(to_micros(now))
        .bind(json(event))
        .execute(self.conn())
        .await
        .map(drop)
    }
}

impl Store {
    /// The scope's events, newest first.
    pub async fn list_events(&self, scope: Scope, limit: i64) -> Result<Vec<Event>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT body FROM events WHERE merchant_id = $1 AND livemode = $2 \
             ORDER BY created_at DESC, id DESC LIMIT {limit}"
        ))
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(|r| from_text(r, "body")).collect()
    }

    /// Deletes events older than their lifetime; returns how many went.
    pub async fn purge_events(&self, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM events WHERE created_at <= $1")
            .bind(to_micros(now - EVENT_LIFETIME))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }
}

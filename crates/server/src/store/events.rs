//! Events: what happened, written in the transaction of the change that caused it (with their
//! deliveries to the merchant's endpoints), kept 30 days.

use super::codec::{bind_all, from_text, json, to_micros, Bind};
use super::db::{Scope, Store, Tx};
use super::webhooks::Recipients;
use chrono::{DateTime, Duration, Utc};
use paylinks_api::event::Event;
use paylinks_api::webhook::ListedEvent;
use paylinks_api::WireEnum;
use sqlx::Row;

/// How long events are kept.
const EVENT_LIFETIME: Duration = Duration::days(30);

/// Filters of the event list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub types: Vec<String>,
    pub offset: i64,
    /// Events older than this one.
    pub starting_after: Option<String>,
}

impl Tx {
    /// Writes `event` and queues its deliveries to `recipients`, in this transaction.
    pub async fn insert_event(
        &mut self,
        scope: Scope,
        event: &Event,
        now: DateTime<Utc>,
        recipients: Recipients<'_>,
    ) -> Result<(), sqlx::Error> {
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
        .await?;
        self.queue_deliveries(scope, &event.id, event.event_type.as_str(), now, recipients).await.map(drop)
    }
}

impl Store {
    /// The scope's event `id`, with its deliveries still to be made.
    pub async fn get_event(&self, scope: Scope, id: &str) -> Result<Option<ListedEvent>, sqlx::Error> {
        let (events, _) = self.list_event_page(scope, &EventFilter::default(), 1, Some(id)).await?;
        Ok(events.into_iter().next())
    }

    /// A page of the scope's events, newest first, and whether more follow.
    pub async fn list_events(
        &self,
        scope: Scope,
        filter: &EventFilter,
        limit: i64,
    ) -> Result<(Vec<ListedEvent>, bool), sqlx::Error> {
        self.list_event_page(scope, filter, limit, None).await
    }

    async fn list_event_page(
        &self,
        scope: Scope,
        filter: &EventFilter,
        limit: i64,
        id: Option<&str>,
    ) -> Result<(Vec<ListedEvent>, bool), sqlx::Error> {
        let mut binds = scope.binds();
        let mut sql = String::from(
            "SELECT e.body, (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.event_id = e.id \
             AND d.status IN ('pending', 'failed')) AS pending FROM events e WHERE e.merchant_id = $1 AND e.livemode = $2",
        );
        if let Some(id) = id {
            binds.push(Bind::Text(id.into()));
            sql += &format!(" AND e.id = ${}", binds.len());
        }
        if !filter.types.is_empty() {
            let mut marks = Vec::new();
            for t in &filter.types {
                binds.push(Bind::Text(t.clone()));
                marks.push(format!("${}", binds.len()));
            }
            sql += &format!(" AND e.type IN ({})", marks.join(", "));
        }
        if let Some(after) = &filter.starting_after {
            binds.push(Bind::Text(after.clone()));
            let n = binds.len();
            sql += &format!(
                " AND (e.created_at, e.id) < (SELECT a.created_at, a.id FROM events a WHERE a.id = ${n} \
                 AND a.merchant_id = $1 AND a.livemode = $2)"
            );
        }
        sql += &format!(" ORDER BY e.created_at DESC, e.id DESC LIMIT {} OFFSET {}", limit + 1, filter.offset);
        let rows = bind_all(sqlx::query(&sql), &binds).fetch_all(&self.reader).await?;
        let mut events = rows
            .iter()
            .map(|r| Ok(ListedEvent { event: from_text(r, "body")?, pending_webhooks: r.try_get("pending")? }))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let has_more = events.len() as i64 > limit;
        events.truncate(limit as usize);
        Ok((events, has_more))
    }

    /// Deletes events older than their lifetime (and their deliveries); returns how many went.
    pub async fn purge_events(&self, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM events WHERE created_at <= $1")
            .bind(to_micros(now - EVENT_LIFETIME))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }
}

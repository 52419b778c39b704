//! Payments on links, the link's completion count and cap, and per-link statistics.

use super::codec::{from_text, json, to_micros};
use super::db::{Scope, Store, Tx};
use chrono::{DateTime, Utc};
use paylinks_api::checkout::PaymentStatus;
use paylinks_api::payment::{LinkStats, Payment, Revenue};
use paylinks_api::WireEnum;
use sqlx::Row;
use uuid::Uuid;

/// Which completions a link may still take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// A payment taken now: only while the link is active, unexpired and under its cap.
    WhilePayable,
    /// A live payment Stripe took while its slot was held: whatever the link's status or expiry
    /// now (the money moved), but never past its cap.
    Settled,
}

impl Tx {
    /// Counts one successful payment on a link that can take it (`which`); the link becomes
    /// `completed` when this payment fills the cap or the link is an invoice. `false` when the
    /// link could not take it (completed, capped or changed meanwhile). Its revenue grows by
    /// `amount_minor` in the same statement.
    pub async fn count_completion(
        &mut self,
        link_id: Uuid,
        amount_minor: i64,
        now: DateTime<Utc>,
        which: Completion,
    ) -> Result<bool, sqlx::Error> {
        let completes = "(status = 'active' AND (mode = 'invoice' OR \
                         (max_completions IS NOT NULL AND completed_count + 1 >= max_completions)))";
        let payable = match which {
            Completion::WhilePayable => "AND status = 'active' AND (expires_at IS NULL OR expires_at > $2)",
            Completion::Settled => "",
        };
        let sql = format!(
            "UPDATE payment_links SET completed_count = completed_count + 1, revenue_minor = revenue_minor + $3, \
         status = CASE WHEN {completes} THEN 'completed' ELSE status END, \
         status_changed_at = CASE WHEN {completes} THEN $2 ELSE status_changed_at END, \
         updated_at = CASE WHEN {completes} THEN $2 ELSE updated_at END, \
         version = CASE WHEN {completes} THEN version + 1 ELSE version END \
         WHERE id = $1 {payable} AND (max_completions IS NULL OR completed_count < max_completions)"
        );
        let done = sqlx::query(&sql)
            .bind(link_id.to_string())
            .bind(to_micros(now))
            .bind(amount_minor)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn insert_payment(&mut self, scope: Scope, payment: &Payment) -> Result<(), sqlx::Error> {
        sqlx::query(
        "INSERT INTO payments (id, merchant_id, livemode, link_id, status, amount_minor, currency, details, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&payment.id)
    .bind(scope.merchant_id.to_string())
    .bind(scope.livemode)
    .bind(payment.payment_link_id.to_string())
    .bind(payment.status.as_str())
    .bind(payment.amount_minor)
    .bind(&payment.currency)
    .bind(json(payment))
    .bind(to_micros(payment.created_at))
    .execute(self.conn())
    .await?;
        let prices: Vec<Uuid> = payment.line_items.iter().filter_map(|l| l.price_id).collect();
        self.mark_prices_used(&prices).await
    }
}

impl Store {
    /// Adds counted views to their links, in one transaction.
    pub async fn add_views(&self, views: &std::collections::HashMap<Uuid, i64>) -> Result<(), sqlx::Error> {
        let mut tx = self.begin().await?;
        for (link_id, n) in views {
            sqlx::query("UPDATE payment_links SET view_count = view_count + $1 WHERE id = $2")
                .bind(*n)
                .bind(link_id.to_string())
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await
    }

    /// A page of a link's payments, newest first, and how many there are.
    pub async fn list_payments(
        &self,
        scope: Scope,
        link_id: Uuid,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Payment>, i64), sqlx::Error> {
        let cond = "WHERE link_id = $1 AND merchant_id = $2 AND livemode = $3";
        let (link, merchant) = (link_id.to_string(), scope.merchant_id.to_string());
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM payments {cond}"))
            .bind(&link)
            .bind(&merchant)
            .bind(scope.livemode)
            .fetch_one(&self.reader)
            .await?
            .try_get(0)?;
        let rows = sqlx::query(&format!(
            "SELECT details FROM payments {cond} ORDER BY created_at DESC, id DESC LIMIT {limit} OFFSET {offset}"
        ))
        .bind(&link)
        .bind(&merchant)
        .bind(scope.livemode)
        .fetch_all(&self.reader)
        .await?;
        let payments = rows.iter().map(|r| from_text(r, "details")).collect::<Result<_, _>>()?;
        Ok((payments, total))
    }

    /// One payment on a link, by id.
    pub async fn get_payment(&self, link_id: Uuid, payment_id: &str) -> Result<Option<Payment>, sqlx::Error> {
        let row = sqlx::query("SELECT details FROM payments WHERE id = $1 AND link_id = $2")
            .bind(payment_id)
            .bind(link_id.to_string())
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| from_text(&r, "details")).transpose()
    }

    pub async fn link_stats(&self, scope: Scope, link_id: Uuid) -> Result<LinkStats, sqlx::Error> {
        let (link, merchant) = (link_id.to_string(), scope.merchant_id.to_string());
        let views: i64 = sqlx::query("SELECT view_count FROM payment_links WHERE id = $1")
            .bind(&link)
            .fetch_one(&self.reader)
            .await?
            .try_get(0)?;
        let rows = sqlx::query(
            "SELECT status, currency, COUNT(*) AS n, CAST(SUM(amount_minor) AS BIGINT) AS amount FROM payments \
             WHERE link_id = $1 AND merchant_id = $2 AND livemode = $3 GROUP BY status, currency ORDER BY currency",
        )
        .bind(&link)
        .bind(&merchant)
        .bind(scope.livemode)
        .fetch_all(&self.reader)
        .await?;
        let mut stats = LinkStats { views, checkout_attempts: 0, successful_payments: 0, revenue: Vec::new() };
        for row in rows {
            let n: i64 = row.try_get("n")?;
            stats.checkout_attempts += n;
            if row.try_get::<String, _>("status")? == PaymentStatus::Succeeded.as_str() {
                stats.successful_payments += n;
                stats
                    .revenue
                    .push(Revenue { currency: row.try_get("currency")?, amount_minor: row.try_get("amount")? });
            }
        }
        Ok(stats)
    }
}
